/**
 * The deploy stage (upload, sync with `deploy-to`): binds the uploaded certificate to the listed
 * resources and reads each one's status back (deploy.ts). A resource that fails does not stop
 * pruning, which deletes only what nothing serves; the step fails at the end. A certificate not
 * valid yet is deployed nowhere.
 */
import { deployToTargets } from '../resources/deploy.js'
import type { Outcome } from '../reporting/outcome.js'
import { resourceFailureMessage } from '../reporting/resource-report.js'
import { errorMessage } from '../tencent/errors.js'
import { resourcesOf, type RunContext } from './context.js'

export async function deploy(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  if (settings.deployTo.length === 0) return
  // Nothing moves onto a certificate that is not valid yet (promise 7): clients would refuse it.
  const validFrom = ctx.bundle?.leaf.notBefore
  if (validFrom && validFrom.getTime() > ctx.now().getTime()) {
    io.log.warning(
      `deploy-to: nothing deployed: the uploaded certificate is not valid before ` +
        `${validFrom.toISOString()}, and the resources keep what they serve. A run after that ` +
        'time deploys it.'
    )
    return
  }
  // A dry run with no identical certificate has no id yet: the plan shows `to: null`.
  const certificateId = outcome.certificate?.id || null
  const result = await deployToTargets(
    resourcesOf(ctx),
    certificateId,
    settings.deployTo,
    { timeoutMs: settings.replaceTimeoutMs, dryRun: settings.dryRun },
    { clock: ctx.deps, log: io.log }
  )
  outcome.replaced.push(...result.replaced)
  if (result.failures.length > 0)
    outcome.problems.push(resourceFailureMessage(result.failures, 'deploy'))
  for (const error of result.errors) outcome.problems.push(errorMessage(error))
}
