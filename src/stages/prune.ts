/**
 * The prune stage (prune, sync): list, plan and delete through prune.ts, then record the plan
 * for the outputs and the summary. In sync the certificate just uploaded is never deleted and
 * counts as a superseder.
 */
import type { Outcome } from '../reporting/outcome.js'
import type { DeletionResult } from '../deletion/deletion.js'
import type { PlanEntry } from '../planning/prune-plan.js'
import { describe, prune } from '../deletion/prune.js'
import { muteReminders, supersededKept } from '../guards/mute.js'
import { clientOf, type RunContext } from './context.js'
import { NOT_UPLOADED, Replacement } from './replace.js'

export async function pruneStage(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  const uploaded = outcome.certificate
  const newCertificate =
    settings.mode === 'sync' && uploaded
      ? {
          id: uploaded.id || NOT_UPLOADED,
          domains: uploaded.domains,
          notAfter: uploaded.notAfter,
          notBefore: ctx.bundle?.leaf.notBefore,
          keyAlgorithm: ctx.bundle?.leaf.keyAlgorithm ?? null
        }
      : undefined
  const validFrom = newCertificate?.notBefore
  if (validFrom && validFrom.getTime() > ctx.now().getTime())
    io.log.warning(
      `The uploaded certificate is not valid before ${validFrom.toISOString()}: until then it ` +
        'supersedes nothing, so no resource moves onto it and nothing it would supersede is ' +
        'deleted. A run after that time finishes the job.'
    )
  const replacement =
    settings.replace === false ? undefined : new Replacement(ctx, outcome, newCertificate?.id)
  const result = await prune(
    clientOf(ctx),
    {
      scope: ctx.scope,
      keep: settings.keep,
      expiredOnly: settings.expiredOnly,
      maxDeletions: settings.maxDeletions,
      dryRun: settings.dryRun,
      certType: settings.certType,
      projectId: settings.projectId,
      now: ctx.now(),
      newCertificate,
      onBound: replacement && (plan => replacement.hook(plan)),
      minAge:
        settings.minAgeSeconds > 0
          ? { minAgeSeconds: settings.minAgeSeconds, uploadedNow: !uploaded?.reused }
          : undefined
    },
    io.log
  )
  warnNotValidYet(result.plan.keep, io.log)
  if (replacement && !result.refused) await replacement.moveKept(result.plan)
  outcome.problems.push(...(replacement?.problems() ?? []))
  if (settings.muteSuperseded && ctx.clientOptions)
    await muteReminders(
      ctx.clientOptions,
      supersededKept(result, newCertificate?.id),
      settings.dryRun,
      io.log
    )
  // What min-age held is reported as skipped (with its reason), not also as kept.
  const held = new Set((result.held ?? []).map(e => e.id))
  const kept = result.plan.keep.filter(e => !held.has(e.id))
  recordDeletion(ctx, outcome, result, { scope: ctx.scope, kept })
}

/** The step says why a superseded certificate stays until its renewal is valid. */
function warnNotValidYet(kept: PlanEntry[], log: RunContext['io']['log']): void {
  for (const entry of kept)
    if (entry.pendingSuperseder) log.warning(`Kept ${describe(entry)}: ${entry.reason}.`)
}

/**
 * Records a deletion's result (prune and delete) for the outputs and the summary, logs the
 * totals, and fails the step when the cap refused the plan or a deletion failed.
 */
export function recordDeletion(
  ctx: RunContext,
  outcome: Outcome,
  result: DeletionResult,
  shown: { scope: string[]; kept: PlanEntry[]; notFound?: string[]; kind?: 'prune' | 'delete' }
): void {
  const { settings, io } = ctx
  const kind = shown.kind ?? 'prune'
  outcome.prune = {
    dryRun: settings.dryRun,
    kind,
    scope: shown.scope,
    deleted: result.deleted,
    kept: shown.kept,
    skipped: result.skipped,
    failed: result.failed.map(f => ({ entry: f.entry, reason: f.error.message })),
    refused: result.refused?.planned ?? [],
    notFound: shown.notFound ?? []
  }
  outcome.deletedIds = result.deleted.map(e => e.id)
  // The contract's skipped-ids: kept back because bound, refused by the API, or over a limit.
  outcome.skippedIds = [
    ...new Set([...result.skipped, ...(result.refused?.planned ?? [])].map(e => e.id))
  ]
  for (const f of result.failed) io.log.info(`Failed: ${f.error.message}`)
  if (result.refused) throw new Error(result.refused.message)
  logTotals(result, shown.kept.length, settings.dryRun, io.log, kind)
  // A problem, not a stop: in sync, verify still checks what the clients see after the moves.
  if (result.failed.length > 0) outcome.problems.push(failureMessage(result, 10, kind))
}

function logTotals(
  result: DeletionResult,
  kept: number,
  dryRun: boolean,
  log: RunContext['io']['log'],
  kind: 'prune' | 'delete'
): void {
  const verb = dryRun ? 'would delete' : 'deleted'
  log.notice(
    `${kind === 'delete' ? 'Deleting the given ids' : 'Pruning'} ${verb} ${result.deleted.length}, skipped ${result.skipped.length}` +
      (kind === 'delete' ? '' : `, kept ${kept}`) +
      (result.failed.length > 0 ? `, failed ${result.failed.length}` : '') +
      '.'
  )
  if (dryRun)
    for (const entry of result.deleted) log.info(`Dry run: would delete ${describe(entry)}.`)
}

/** One message for the step; every failure is also in the log and the summary. */
export function failureMessage(
  result: DeletionResult,
  shown = 10,
  kind: 'prune' | 'delete' = 'prune'
): string {
  // A refused deletion is both skipped and failed: count each certificate once.
  const total = new Set(
    [...result.deleted, ...result.skipped, ...result.failed.map(f => f.entry)].map(e => e.id)
  ).size
  const details = result.failed.slice(0, shown).map(f => f.error.message)
  const more = result.failed.length - details.length
  if (more > 0) details.push(`and ${more} more (listed in the log and the job summary)`)
  const what = kind === 'delete' ? 'Deleting the given ids' : 'Pruning'
  return `${what} failed for ${result.failed.length} of ${total} certificate(s): ${details.join('; ')}`
}
