/**
 * The prune stage (prune, sync): list, plan and delete through prune.ts, then record the plan
 * for the outputs and the summary. In sync the certificate just uploaded is never deleted and
 * counts as a superseder.
 */
import type { Outcome } from '../outcome.js'
import { describe, prune, type PruneResult } from '../prune.js'
import { clientOf, type RunContext } from './context.js'

export async function pruneStage(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  const uploaded = outcome.certificate
  const newCertificate =
    settings.mode === 'sync' && uploaded
      ? {
          id: uploaded.id || '(new certificate)',
          domains: uploaded.domains,
          notAfter: uploaded.notAfter
        }
      : undefined
  const result = await prune(
    clientOf(ctx),
    {
      scope: ctx.scope,
      keep: settings.keep,
      expiredOnly: settings.expiredOnly,
      maxDeletions: settings.maxDeletions,
      dryRun: settings.dryRun,
      certType: settings.certType,
      now: ctx.now(),
      newCertificate
    },
    io.log
  )
  outcome.prune = {
    dryRun: settings.dryRun,
    scope: ctx.scope,
    deleted: result.deleted,
    kept: result.plan.keep,
    skipped: result.skipped,
    failed: result.failed.map(f => ({ entry: f.entry, reason: f.error.message })),
    refused: result.refused?.planned ?? []
  }
  outcome.deletedIds = result.deleted.map(e => e.id)
  // The contract's skipped-ids: kept back because bound, refused by the API, or over a limit.
  outcome.skippedIds = [...result.skipped, ...(result.refused?.planned ?? [])].map(e => e.id)
  for (const f of result.failed) io.log.info(`Failed: ${f.error.message}`)
  if (result.refused) throw new Error(result.refused.message)
  logPruneTotals(result, settings.dryRun, io.log)
  if (result.failed.length > 0) throw new Error(failureMessage(result))
}

function logPruneTotals(result: PruneResult, dryRun: boolean, log: RunContext['io']['log']): void {
  const verb = dryRun ? 'would delete' : 'deleted'
  log.notice(
    `Pruning ${verb} ${result.deleted.length}, skipped ${result.skipped.length}, ` +
      `kept ${result.plan.keep.length}` +
      (result.failed.length > 0 ? `, failed ${result.failed.length}` : '') +
      '.'
  )
  if (dryRun)
    for (const entry of result.deleted) log.info(`Dry run: would delete ${describe(entry)}.`)
}

/** One message for the step; every failure is also in the log and the summary. */
export function failureMessage(result: PruneResult, shown = 10): string {
  const total = result.deleted.length + result.skipped.length + result.failed.length
  const details = result.failed.slice(0, shown).map(f => f.error.message)
  const more = result.failed.length - details.length
  if (more > 0) details.push(`and ${more} more (listed in the log and the job summary)`)
  return `Pruning failed for ${result.failed.length} of ${total} certificate(s): ${details.join('; ')}`
}
