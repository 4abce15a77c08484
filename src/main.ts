/**
 * The action as a pipeline: prepare (inputs, masking, the certificate; no request), credentials
 * between the two halves of the account guard, the mode's stages, notify (once the failure is
 * known), then the outputs and the job summary, written once from the run's Outcome on every
 * path. The single place that fails the step.
 */
import { coreIO, type ActionIO } from './runner/action-io.js'
import type { Mode } from './settings/inputs.js'
import { emptyOutcome, outputsFor, reportFor, type Outcome } from './reporting/outcome.js'
import { connect } from './stages/credentials.js'
import { deleteGiven } from './stages/delete.js'
import { deploy } from './stages/deploy.js'
import { guardKeyAccount, guardRoleAccount } from './stages/guard.js'
import { list } from './stages/list.js'
import { notify } from './stages/notify.js'
import type { Stage } from './stages/context.js'
import { prepare } from './stages/prepare.js'
import { pruneStage } from './stages/prune.js'
import { upload } from './stages/upload.js'
import { verify } from './stages/verify.js'
import { renderSummary } from './reporting/summary.js'
import type { ClientDeps } from './tencent/client.js'
import { errorMessage, failureText } from './tencent/errors.js'

const STAGES: Record<Mode, Stage[]> = {
  upload: [upload, deploy, verify],
  sync: [upload, deploy, pruneStage, verify],
  prune: [pruneStage],
  list: [list, verify],
  delete: [deleteGiven]
}

/** `clock`: tests run the pipeline in-process with sleeps that take no time. */
export async function run(
  io: ActionIO = coreIO(),
  clock?: Pick<ClientDeps, 'now' | 'sleep'>
): Promise<void> {
  const outcome = emptyOutcome()
  try {
    const ctx = prepare(io, outcome, clock)
    await guardRoleAccount(ctx, outcome)
    await connect(ctx, outcome)
    await guardKeyAccount(ctx, outcome)
    for (const stage of STAGES[ctx.settings.mode]) await stage(ctx, outcome)
  } catch (error) {
    outcome.failure = failureText(error)
  }
  if (outcome.problems.length > 0)
    outcome.failure = [...outcome.problems, outcome.failure].filter(Boolean).join('; ')
  try {
    await notify(io, outcome, clock)
  } catch (error) {
    // Outputs and the summary are written on every path, a broken notification included.
    outcome.failure = [outcome.failure, `notify: ${errorMessage(error)}`].filter(Boolean).join('; ')
  }
  await finish(io, outcome)
}

async function finish(io: ActionIO, outcome: Outcome): Promise<void> {
  for (const [name, value] of Object.entries(outputsFor(outcome))) io.output(name, value)
  if (outcome.failure !== undefined) io.fail(outcome.failure)
  try {
    await io.summary(renderSummary(reportFor(outcome, await runLabel(io.env))))
  } catch (error) {
    io.log.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
}

/** ` · owner/repo workflow #run` for the summary's footer, leaving out what the runner lacks. */
async function runLabel(env: NodeJS.ProcessEnv): Promise<string> {
  if (!env.GITHUB_STEP_SUMMARY || !env.GITHUB_REPOSITORY) return ''
  // Loaded only here, on a runner: octokit's start-up cost stays off the path to the first request.
  const { context } = await import('@actions/github')
  const run =
    Number.isFinite(context.runNumber) && context.runNumber > 0 ? ` #${context.runNumber}` : ''
  return [` · ${env.GITHUB_REPOSITORY}`, context.workflow ? ` ${context.workflow}` : '', run].join(
    ''
  )
}
