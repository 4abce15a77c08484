/**
 * The delete stage: exactly the ids of `certificate-ids`, through the same execution as pruning
 * (delete-ids.ts). An id that is not in the account is a warning, in neither output.
 */
import { deleteByIds } from '../deletion/delete-ids.js'
import type { Outcome } from '../reporting/outcome.js'
import { clientOf, type RunContext } from './context.js'
import { recordDeletion } from './prune.js'

export async function deleteGiven(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings } = ctx
  const result = await deleteByIds(
    clientOf(ctx),
    {
      ids: settings.certificateIds,
      maxDeletions: settings.maxDeletions,
      dryRun: settings.dryRun,
      now: ctx.now()
    },
    ctx.io.log
  )
  recordDeletion(ctx, outcome, result, {
    scope: settings.certificateIds,
    kept: [],
    notFound: result.notFound,
    kind: 'delete'
  })
}
