/**
 * What in a run needs a person (promise 10): its failure, the certificates `list` reports as
 * expiring or stale-bound, and the `verify` endpoints that do not serve what they should. Every
 * notification (issue, webhook formats) is rendered from this. Pure.
 */
import type { Outcome, VerifiedEndpoint } from '../reporting/outcome.js'

/** One certificate as a notification names it (from the `certificates` output's entries). */
export interface CertificateNote {
  id: string
  alias: string
  domains: string[]
  /** ISO 8601 UTC, or '' when unknown. */
  notAfter: string
  supersededBy: string | null
  /** Resources that still use it; null when not checked. */
  bound: number | null
}

export interface Attention {
  /** Undefined when the mode itself was invalid. */
  mode?: string
  status: 'failed' | 'attention' | 'ok'
  /** The `expiring-ids` certificates (stale-bound ones included, as in that output). */
  expiring: CertificateNote[]
  staleBound: CertificateNote[]
  /** `verify` endpoints whose status is mismatch, unreachable or expiring. */
  mismatched: VerifiedEndpoint[]
  failures: string[]
  /** `GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID`, '' outside a runner. */
  runUrl: string
  /** `#GITHUB_RUN_NUMBER` or the run id, for link texts. */
  runName: string
}

const NEEDS_A_LOOK: readonly VerifiedEndpoint['status'][] = ['mismatch', 'unreachable', 'expiring']

export function attentionOf(outcome: Outcome, env: NodeJS.ProcessEnv): Attention {
  const listed = new Map(
    (outcome.inventory?.certificates ?? []).map(entry => {
      const note = noteOf(entry)
      return [note.id, note] as const
    })
  )
  const notes = (ids: string[]): CertificateNote[] =>
    ids.map(id => listed.get(id) ?? { ...noteOf({}), id })
  const expiring = notes(outcome.inventory?.expiringIds ?? [])
  const staleBound = notes(outcome.inventory?.staleBoundIds ?? [])
  // A dry run of upload/sync uploaded and moved nothing: what the endpoints serve is no news.
  const rehearsal = outcome.dryRun && outcome.mode !== 'list'
  const mismatched = rehearsal ? [] : outcome.verified.filter(v => NEEDS_A_LOOK.includes(v.status))
  const failures = failuresOf(outcome)
  const flagged = expiring.length + staleBound.length + mismatched.length > 0
  return {
    mode: outcome.mode,
    status: failures.length > 0 ? 'failed' : flagged ? 'attention' : 'ok',
    expiring,
    staleBound,
    mismatched,
    failures,
    ...runOf(env)
  }
}

/** Whether the run has anything to tell a person. */
export const needsPerson = (a: Attention): boolean => a.status !== 'ok'

/** The expiring ones that are not also stale-bound: each certificate is shown once to people. */
export const expiringOnly = (a: Attention): CertificateNote[] => {
  const stale = new Set(a.staleBound.map(c => c.id))
  return a.expiring.filter(c => !stale.has(c.id))
}

/**
 * main.ts joins the stages' problems and the error that stopped the run with '; ' into
 * `failure`: split them back where it did, so that each is its own entry.
 */
function failuresOf(outcome: Outcome): string[] {
  const failure = outcome.failure
  if (failure === undefined || failure === '') return []
  const joined = outcome.problems.join('; ')
  if (outcome.problems.length === 0 || !failure.startsWith(joined)) return [failure]
  const rest = failure.slice(joined.length).replace(/^; /, '')
  return rest === '' ? [...outcome.problems] : [...outcome.problems, rest]
}

function runOf(env: NodeJS.ProcessEnv): { runUrl: string; runName: string } {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY ?? ''
  const runId = env.GITHUB_RUN_ID ?? ''
  if (repository === '' || runId === '') return { runUrl: '', runName: '' }
  const runName = env.GITHUB_RUN_NUMBER ? `#${env.GITHUB_RUN_NUMBER}` : runId
  return { runUrl: `${server}/${repository}/actions/runs/${runId}`, runName }
}

function noteOf(entry: unknown): CertificateNote {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
  const text = (value: unknown): string => (typeof value === 'string' ? value : '')
  return {
    id: text(e.id),
    alias: text(e.alias),
    domains: Array.isArray(e.domains) ? e.domains.filter(d => typeof d === 'string') : [],
    notAfter: text(e['not-after']),
    supersededBy: typeof e['superseded-by'] === 'string' ? e['superseded-by'] : null,
    bound: typeof e.bound === 'number' ? e.bound : null
  }
}
