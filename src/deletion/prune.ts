/**
 * Prune: list, plan (pure, prune-plan.ts), then the deletion execution shared with `delete`
 * (deletion.ts: binding check, cap, dry run, delete, outcomes).
 */
import { performance } from 'node:perf_hooks'
import { describe, executeDeletion, type BoundHook, type DeletionResult } from './deletion.js'
import type { Log } from '../runner/log.js'
import { holdForMinAge, type MinAgeOptions } from '../guards/min-age.js'
import {
  planPrune,
  poolRules,
  type NewCertificate,
  type PlanEntry,
  type PlanOptions,
  type PrunePlan
} from '../planning/prune-plan.js'
import type { CertType, SslClient } from '../tencent/client.js'

export { describe, type SkippedEntry } from './deletion.js'

export interface PruneOptions {
  scope: string[]
  keep: number
  expiredOnly: boolean
  maxDeletions: number
  dryRun: boolean
  certType: CertType
  /** The `project-id` pruning works in; 0 (the contract's default) when not given. */
  projectId?: number
  now: Date
  /** Without `keyAlgorithm` (unknown), the new certificate supersedes only expired ones. */
  newCertificate?: Omit<NewCertificate, 'keyAlgorithm'> & Partial<NewCertificate>
  /** `replace`: given the plan, the hook that frees bound certificates before they are deleted
   * (see deletion.ts). */
  onBound?: (plan: PrunePlan) => BoundHook
  /** Batches of 100 worked on at once (deletion.ts BATCHES_IN_FLIGHT by default). */
  batchesInFlight?: number
  /** `min-age`: deletions wait until a superseder is this old (guards/min-age.ts). */
  minAge?: MinAgeOptions
}

export interface PruneResult extends DeletionResult {
  /** The plan executed: what `min-age` held back is in `keep` (its resources may still move). */
  plan: PrunePlan
  /** Kept for `min-age`; also in `skipped`, with the reason. Absent: none. */
  held?: PlanEntry[]
}

export async function prune(
  client: SslClient,
  options: PruneOptions,
  log: Log
): Promise<PruneResult> {
  const listed = await client.listUploaded(options.certType)
  log.info(`Listed ${listed.length} uploaded ${options.certType} certificate(s).`)
  const planningStarted = performance.now()
  const planOptions: PlanOptions = {
    scope: options.scope,
    keep: options.keep,
    expiredOnly: options.expiredOnly,
    certType: options.certType,
    projectId: options.projectId ?? 0,
    now: options.now,
    newCertificate: options.newCertificate && {
      ...options.newCertificate,
      keyAlgorithm: options.newCertificate.keyAlgorithm ?? null
    }
  }
  const planned = planPrune(listed, planOptions)
  const { plan, held } = options.minAge
    ? holdForMinAge(planned, listed, planOptions, options.minAge)
    : { plan: planned, held: [] }
  plan.pool = poolRules(listed, planOptions)
  // Read by the benchmark (bench/scale.ts): keep the wording.
  log.debug(`Planning took ${Math.round(performance.now() - planningStarted)} ms.`)
  log.info(
    `Plan over ${options.scope.join(', ')}: ${plan.delete.length} to delete, ${plan.keep.length} to keep.`
  )
  for (const entry of held) log.info(`Kept ${describe(entry)}: ${entry.reason}.`)
  const result = await executeDeletion(
    client,
    plan.delete,
    {
      maxDeletions: options.maxDeletions,
      dryRun: options.dryRun,
      onBound: options.onBound?.(plan),
      batchesInFlight: options.batchesInFlight
    },
    log
  )
  const skipped = [
    ...result.skipped,
    ...held.map(entry => ({ ...entry, skipReason: entry.reason }))
  ]
  return { plan, held, ...result, skipped }
}
