/**
 * Everything a run produced, written by the stages and read once at the end: the outputs (set on
 * every path, failure included, as the contract asks) and the job summary. Pure.
 */
import type { Mode } from '../settings/inputs.js'
import type { ReplacedEntry } from './resource-report.js'
import type { CertificateReport, PruneReport, Report } from './summary.js'

/** The leaf the run validated (upload, sync). */
export interface LeafOutputs {
  notAfter: Date
  domains: string[]
  fingerprint: string
}

/** One endpoint of `verify`, in the `verified` output's shape. */
export interface VerifiedEndpoint {
  host: string
  port: number
  /** Null when the host was resolved by DNS. */
  address: string | null
  status: 'match' | 'mismatch' | 'unreachable' | 'ok' | 'expiring'
  /** SHA-256 of the served leaf, lower-case hex; null when none was seen. */
  fingerprint: string | null
  /** ISO 8601 UTC, or null. */
  'not-after': string | null
  /** Null unless unreachable. */
  error: string | null
}

export interface Outcome {
  /** Set once the inputs are read; undefined when the mode itself was invalid. */
  mode?: Mode
  api: string
  dryRun: boolean
  leaf?: LeafOutputs
  certificate?: CertificateReport & { reused: boolean }
  prune?: PruneReport
  deletedIds: string[]
  skippedIds: string[]
  /** The `replaced` output: what `deploy-to` and replacements touched. */
  replaced: ReplacedEntry[]
  /** `list`: the `certificates` entries, already in the contract's JSON shape. */
  inventory?: {
    certificates: unknown[]
    expiringIds: string[]
    /** Superseded certificates that resources still use. */
    staleBoundIds: string[]
    markdown: string
  }
  /** `verify`: one entry per endpoint. */
  verified: VerifiedEndpoint[]
  /** The account the credentials belong to, when `allowed-account-ids` made the action ask. */
  accountId?: string
  /** Where a notification went: `issue`, `webhook`. */
  notified: string[]
  /** The one message the step fails with. */
  failure?: string
  /** Failures a stage met without stopping the later stages; the step fails with them at the end. */
  problems: string[]
}

export function emptyOutcome(): Outcome {
  return {
    api: '',
    dryRun: false,
    deletedIds: [],
    skippedIds: [],
    replaced: [],
    verified: [],
    notified: [],
    problems: []
  }
}

/** Every mode's: the guard's account and where a report went. */
const ANY_MODE = ['account-id', 'notified']
const PRUNING = ['deleted-ids', 'skipped-ids', 'replaced', ...ANY_MODE]
/** upload and sync: the certificate's, the (empty in upload) pruning ones, and `verify`'s. */
const UPLOADING = [
  'certificate-id',
  'reused',
  'not-after',
  'domains',
  'fingerprint',
  'verified',
  ...PRUNING
]

const MODE_OUTPUTS: Record<Mode, readonly string[]> = {
  upload: UPLOADING,
  sync: UPLOADING,
  prune: PRUNING,
  delete: PRUNING,
  list: ['certificates', 'expiring-ids', 'stale-bound-ids', 'verified', ...ANY_MODE]
}

/** Outputs an `if: always()` step may read with fromJSON: set even when the mode is unknown. */
const JSON_ARRAYS = [
  'deleted-ids',
  'skipped-ids',
  'replaced',
  'certificates',
  'expiring-ids',
  'stale-bound-ids',
  'verified',
  'notified'
]

/**
 * The outputs of the run's mode, each set on every path: JSON arrays are `[]` and strings ''
 * when the run failed before producing them.
 */
export function outputsFor(outcome: Outcome): Record<string, string> {
  const all: Record<string, string> = {
    'certificate-id': outcome.certificate?.id ?? '',
    reused: outcome.certificate ? String(outcome.certificate.reused) : '',
    'not-after': outcome.leaf?.notAfter.toISOString() ?? '',
    domains: JSON.stringify(outcome.leaf?.domains ?? []),
    fingerprint: outcome.leaf?.fingerprint ?? '',
    'deleted-ids': JSON.stringify(outcome.deletedIds),
    'skipped-ids': JSON.stringify(outcome.skippedIds),
    replaced: JSON.stringify(outcome.replaced),
    certificates: JSON.stringify(outcome.inventory?.certificates ?? []),
    'expiring-ids': JSON.stringify(outcome.inventory?.expiringIds ?? []),
    'stale-bound-ids': JSON.stringify(outcome.inventory?.staleBoundIds ?? []),
    verified: JSON.stringify(outcome.verified),
    'account-id': outcome.accountId ?? '',
    notified: JSON.stringify(outcome.notified)
  }
  const names = outcome.mode ? MODE_OUTPUTS[outcome.mode] : JSON_ARRAYS
  return Object.fromEntries(names.map(name => [name, all[name]]))
}

/** The job summary's view of the outcome. */
export function reportFor(outcome: Outcome, where: string): Report {
  const title = outcome.mode
    ? `Tencent Cloud SSL: ${outcome.mode}${outcome.dryRun ? ' (dry run)' : ''}`
    : 'Tencent Cloud SSL certificate'
  return {
    title,
    api: `${outcome.api || '—'}${where}`,
    certificate: outcome.certificate,
    prune: outcome.prune,
    replaced: outcome.replaced,
    inventory: outcome.inventory?.markdown,
    verified: outcome.verified,
    error: outcome.failure
  }
}
