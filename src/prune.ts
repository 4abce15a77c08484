/**
 * Prune execution: list, plan (pure, prune-plan.ts), check bindings, cap, delete.
 * Deletion failures never stop the other deletions; they are returned for one final message.
 */
import type { Log } from './log.js'
import {
  checkMaxDeletions,
  planPrune,
  type NewCertificate,
  type PlanEntry,
  type PrunePlan
} from './prune-plan.js'
import type { BindingState, CertType, SslClient } from './tencent/client.js'
import { TencentApiError } from './tencent/errors.js'

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
}

export interface SkippedEntry extends PlanEntry {
  skipReason: string
}

export interface PruneResult {
  plan: PrunePlan
  /** Deleted (or, with dry-run, to be deleted); includes ids that were already gone. */
  deleted: PlanEntry[]
  skipped: SkippedEntry[]
  failed: { entry: PlanEntry; error: TencentApiError }[]
  /** Set when the plan was over max-deletions: nothing was deleted, and this says why. */
  refused?: { message: string; planned: PlanEntry[] }
}

export async function prune(
  client: SslClient,
  options: PruneOptions,
  log: Log
): Promise<PruneResult> {
  const listed = await client.listUploaded(options.certType)
  log.info(`Listed ${listed.length} uploaded ${options.certType} certificate(s).`)
  const plan = planPrune(listed, {
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
  })
  log.info(
    `Plan over ${options.scope.join(', ')}: ${plan.delete.length} to delete, ${plan.keep.length} to keep.`
  )

  const skipped: SkippedEntry[] = []
  const failed: PruneResult['failed'] = []
  const skip = (entry: PlanEntry, reason: string): void => {
    skipped.push({ ...entry, skipReason: reason })
    log.warning(`Skipped ${describe(entry)}: ${reason}.`)
  }
  let toDelete = plan.delete
  if (toDelete.length > 0) {
    const bindings = await client.checkBindings(toDelete.map(e => e.id))
    if (bindings !== null) {
      const held = new Map<string, BindingState>()
      for (const b of bindings) if (b.bound !== false) held.set(b.id, b)
      for (const entry of toDelete) {
        const binding = held.get(entry.id)
        if (binding === undefined || binding.bound === false) continue
        // A refused check is a configuration problem: report it as a failure, delete nothing.
        if (binding.bound === 'unknown' && binding.error)
          failed.push({ entry, error: binding.error })
        else skip(entry, binding.reason)
      }
      toDelete = toDelete.filter(e => !held.has(e.id))
    } else {
      log.debug(
        'This API has no read-only binding check; the delete call refuses bound certificates.'
      )
    }
  }
  try {
    checkMaxDeletions({ ...plan, delete: toDelete }, options.maxDeletions)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { plan, deleted: [], skipped, failed, refused: { message, planned: toDelete } }
  }

  if (options.dryRun) return { plan, deleted: toDelete, skipped, failed }

  const byId = new Map(toDelete.map(e => [e.id, e]))
  const deleted: PlanEntry[] = []
  const outcomes =
    toDelete.length > 0 ? await client.deleteCertificates(toDelete.map(e => e.id)) : []
  for (const outcome of outcomes) {
    const entry = byId.get(outcome.id)
    if (!entry) continue
    switch (outcome.result) {
      case 'deleted':
        deleted.push(entry)
        log.info(`Deleted ${describe(entry)}.`)
        break
      case 'gone':
        deleted.push(entry)
        log.info(`${describe(entry)} was already gone.`)
        break
      case 'skipped':
        skip(entry, outcome.reason)
        break
      case 'failed':
        failed.push({ entry, error: outcome.error })
        break
    }
  }
  const answered = new Set(outcomes.map(o => o.id))
  for (const entry of toDelete.filter(e => !answered.has(e.id))) {
    const error = new TencentApiError({
      operation: 'DeleteCertificates',
      code: 'MalformedResponse',
      message: 'the API gave no outcome for this certificate; check it in the console',
      subject: entry.id
    })
    failed.push({ entry, error })
  }
  return { plan, deleted, skipped, failed }
}

export function describe(entry: Pick<PlanEntry, 'id' | 'domains' | 'notAfter'>): string {
  return `${entry.id} (${entry.domains.join(', ')}; not after ${entry.notAfter.toISOString().slice(0, 10)})`
}
