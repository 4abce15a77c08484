/**
 * Workflow text as the workflow tests read it (pure): the fenced yaml blocks of a Markdown file,
 * each fragment wrapped into a whole workflow that actionlint can check, and the uses of this
 * action in a workflow (`with:` keys, `steps.<id>.outputs.<name>` reads) checked against the
 * inputs and outputs of action.yml.
 */
import { parse } from 'yaml'
import type { ActionMetadata } from '../../fixtures/runner.js'

export interface Snippet {
  /** 1-based line of the block's first line in the Markdown file. */
  line: number
  text: string
}

/** The ```yaml / ```yml blocks of `markdown`, in order. */
export function yamlBlocks(markdown: string): Snippet[] {
  const lines = markdown.split('\n')
  const blocks: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```ya?ml\s*$/.test(lines[i])) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++
    if (end === lines.length) throw new Error(`the yaml block at line ${i + 1} is not closed`)
    blocks.push({ line: start + 1, text: lines.slice(start, end).join('\n') })
    i = end
  }
  return blocks
}

/**
 * What a block holds: a whole workflow (`jobs:`), a job's body (`steps:`, maybe `permissions:`),
 * a list of steps, or the `with:` entries of this action's step.
 */
export type SnippetKind = 'workflow' | 'job' | 'steps' | 'with'

export interface WrappedSnippet {
  kind: SnippetKind
  /** A whole workflow: the block itself, or the block indented into a minimal one. */
  workflow: string
  /** Lines added before the block: workflow line n is block line n - header. */
  header: number
}

const JOB_HEADER = ['on: workflow_dispatch', 'jobs:', '  snippet:', '    runs-on: ubuntu-latest']
const STEPS_HEADER = [...JOB_HEADER, '    steps:']
const WITH_HEADER = [...STEPS_HEADER, '      - uses: ./', '        with:']

export function dedent(text: string): string {
  const lines = text.split('\n')
  const margin = Math.min(
    ...lines.filter(l => l.trim() !== '').map(l => l.length - l.trimStart().length)
  )
  return lines.map(l => l.slice(Math.min(margin, l.length - l.trimStart().length))).join('\n')
}

export function snippetKind(text: string): SnippetKind {
  const body = dedent(text)
  const firstCode = body.split('\n').find(l => l.trim() !== '' && !l.trimStart().startsWith('#'))
  if (firstCode?.startsWith('- ')) return 'steps'
  const keys = Object.keys((parse(body) as Record<string, unknown> | null) ?? {})
  if (keys.includes('jobs')) return 'workflow'
  if (keys.includes('steps')) return 'job'
  return 'with'
}

export function wrapSnippet(text: string): WrappedSnippet {
  const kind = snippetKind(text)
  const body = dedent(text)
  if (kind === 'workflow') return { kind, workflow: body, header: 0 }
  const [header, indent] =
    kind === 'job' ? [JOB_HEADER, 4] : kind === 'steps' ? [STEPS_HEADER, 6] : [WITH_HEADER, 10]
  const pad = ' '.repeat(indent)
  const lines = body.split('\n').map(l => (l.trim() === '' ? '' : pad + l))
  return { kind, workflow: [...header, ...lines].join('\n') + '\n', header: header.length }
}

/** `uses:` of this action: the local checkout, or `<owner>/tencentcloud-ssl-action@<ref>`. */
export function usesThisAction(uses: unknown): boolean {
  return (
    typeof uses === 'string' &&
    (/^\.\/?$/.test(uses) || /^[\w.-]+\/tencentcloud-ssl-action@[\w.-]+$/.test(uses))
  )
}

interface Step {
  id?: unknown
  uses?: unknown
  with?: unknown
}

function stepsOf(workflow: unknown): Step[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: unknown }> } | null)?.jobs ?? {}
  return Object.values(jobs).flatMap(job =>
    Array.isArray(job?.steps) ? (job.steps as Step[]) : []
  )
}

/**
 * How a workflow misuses this action, one sentence each ([] when it does not): a `with:` key
 * that is not an input of action.yml, a read of `steps.<id>.outputs.<name>` of this action's
 * step that is not one of its outputs.
 */
export function actionUseProblems(workflowText: string, metadata: ActionMetadata): string[] {
  const problems: string[] = []
  const ours = new Set<string>()
  for (const step of stepsOf(parse(workflowText))) {
    if (!usesThisAction(step.uses)) continue
    const name = typeof step.id === 'string' ? `step '${step.id}'` : `a step of ${step.uses}`
    if (typeof step.id === 'string') ours.add(step.id)
    const given = step.with && typeof step.with === 'object' ? Object.keys(step.with) : []
    for (const key of given)
      if (!metadata.inputs.has(key))
        problems.push(`${name}: with '${key}', which is not an input of action.yml`)
  }
  for (const [, id, output] of workflowText.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g))
    if (ours.has(id) && !metadata.outputs.includes(output))
      problems.push(`steps.${id}.outputs.${output}: '${output}' is not an output of action.yml`)
  return problems
}

/** Every `uses: <owner>/<repo>@<ref>` of a text, with its 1-based line. */
export function actionRefs(text: string): { action: string; ref: string; line: number }[] {
  return text.split('\n').flatMap((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([\w.-]+\/[\w./-]+)@([\w.-]+)/.exec(l)
    return m ? [{ action: m[1], ref: m[2], line: i + 1 }] : []
  })
}
