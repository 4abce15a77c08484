/**
 * Pinned actions, as the workflow tests read them (pure): the table of docs/pinned-actions.md
 * (action, release, commit) and the problems of a workflow's `uses:` lines against it.
 */

export interface Pin {
  action: string
  release: string
  commit: string
}

/** The rows of the Markdown table `| action | release | commit | tagged |`. */
export function pinTable(markdown: string): Pin[] {
  return [
    ...markdown.matchAll(/^\| ([\w.-]+\/[\w./-]+) \| (v\d+\.\d+\.\d+) \| ([0-9a-f]{40}) \|/gm)
  ].map(([, action, release, commit]) => ({ action, release, commit }))
}

export interface UsesLine {
  line: number
  /** What follows `uses:`, comment included. */
  text: string
}

/** Every `uses:` of a workflow with its 1-based line. */
export function usesLines(workflow: string): UsesLine[] {
  return workflow.split('\n').flatMap((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(.+?)\s*$/.exec(l)
    return m ? [{ line: i + 1, text: m[1] }] : []
  })
}

const version = (release: string): number[] => release.slice(1).split('.').map(Number)

/** Whether release `a` is newer than release `b` (both vX.Y.Z). */
export function newer(a: string, b: string): boolean {
  const [x, y] = [version(a), version(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i]
  return false
}

/**
 * How the `uses:` lines of `workflow` break the pinning rule, one sentence each: an action of
 * another repository not by a full commit SHA with a `# vX.Y.Z` comment, an action the table
 * does not name, or a release the table names with another commit. A release newer than every
 * one the table has for that action (a Dependabot update) passes. This repository's own action
 * (`./`) and container images (`docker://`) are not pinned this way.
 */
export function pinProblems(workflow: string, pins: readonly Pin[], where: string): string[] {
  return usesLines(workflow).flatMap(({ line, text }) => {
    if (text.startsWith('./') || text.startsWith('docker://')) return []
    const at = `${where}:${line}`
    const m = /^([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(text)
    if (!m) return [`${at}: '${text}' is not OWNER/REPO@<40-hex commit> # vX.Y.Z`]
    const [, action, commit, release] = m
    const known = pins.filter(p => p.action === action)
    if (known.length === 0) return [`${at}: ${action} is not in docs/pinned-actions.md`]
    const listed = known.find(p => p.release === release)
    if (listed && listed.commit !== commit)
      return [`${at}: ${action} ${release} is ${listed.commit}, not ${commit}`]
    if (!listed && !known.every(p => newer(release, p.release)))
      return [`${at}: ${action} ${release} is not in docs/pinned-actions.md`]
    return []
  })
}
