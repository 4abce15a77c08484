/**
 * Deployment execution (`deploy-to`): bind the certificate to the named resources with
 * DeployCertificateInstance, one call per type and region, and read each resource's own status
 * back from the deploy record, within `replace-timeout`. Resources already serving the
 * certificate are left alone (`unchanged`); the plan is deploy-plan.ts's (pure). Calls of one
 * type run one region after another (Tencent runs one deployment per certificate and type at a
 * time); different types run side by side. A dry run reports the plan and calls nothing that
 * changes anything.
 */
import type { DeployTarget } from '../settings/deploy-targets.js'
import { asResource, planDeploy, type DeployGroup } from '../planning/deploy-plan.js'
import type { Log } from '../runner/log.js'
import { watchRecord } from './record-watch.js'
import { DEPLOYING } from '../planning/replace-machine.js'
import {
  describeFailure,
  type ReplacedEntry,
  type ResourceFailure
} from '../reporting/resource-report.js'
import { resourceKey } from './resource-types.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import { DEFAULT_POLL, type PollPolicy } from '../tencent/poll.js'
import type { BoundResource, RecordItem, ResourceApi } from '../tencent/resources.js'
import type { WaitClock } from '../tencent/wait.js'

export interface DeployOptions {
  timeoutMs: number
  dryRun: boolean
}

export interface DeployContext {
  clock: WaitClock
  log: Log
  poll?: PollPolicy
}

export interface DeployResult {
  /** The `replaced` output's part for `deploy-to`, in the order of the input. */
  replaced: ReplacedEntry[]
  failures: ResourceFailure[]
  errors: TencentApiError[]
}

/** `certificateId`: the uploaded certificate; null in a dry run before the upload. */
export async function deployToTargets(
  api: ResourceApi,
  certificateId: string | null,
  targets: readonly DeployTarget[],
  options: DeployOptions,
  context: DeployContext
): Promise<DeployResult> {
  const { log } = context
  const result: DeployResult = { replaced: [], failures: [], errors: [] }
  if (targets.length === 0) return result
  let serving: BoundResource[] = []
  if (certificateId !== null) {
    try {
      const details = await api.bindingDetails([certificateId], true)
      serving = details.get(certificateId)?.resources ?? []
    } catch (error) {
      // Not knowing only costs a refused call for a resource that already serves it.
      log.warning(`Could not read what ${certificateId} is bound to: ${errorMessage(error)}.`)
    }
  }
  const plan = planDeploy(targets, serving)
  const entryOf = (target: DeployTarget, fields: Partial<ReplacedEntry>): ReplacedEntry => ({
    from: null,
    to: certificateId,
    ...asResource(target),
    status: 'planned',
    error: null,
    ...fields
  })
  const byTarget = new Map<DeployTarget, ReplacedEntry>()
  for (const target of plan.serving) {
    byTarget.set(target, entryOf(target, { from: certificateId, status: 'unchanged' }))
    log.info(`${target.type} ${target.instance} already serves ${certificateId}.`)
  }
  if (options.dryRun || certificateId === null) {
    for (const group of plan.groups)
      for (const target of group.targets) byTarget.set(target, entryOf(target, {}))
    if (plan.groups.length > 0)
      log.info(`Would deploy to ${byTarget.size - plan.serving.length} resource(s).`)
  } else {
    const types = [...new Set(plan.groups.map(g => g.type))]
    await Promise.all(
      types.map(async type => {
        for (const group of plan.groups.filter(g => g.type === type))
          await deployGroup(api, certificateId, group, options, context, result, (target, fields) =>
            byTarget.set(target, entryOf(target, fields))
          )
      })
    )
  }
  result.replaced = targets.flatMap(t => byTarget.get(t) ?? [])
  return result
}

async function deployGroup(
  api: ResourceApi,
  certificateId: string,
  group: DeployGroup,
  options: DeployOptions,
  context: DeployContext,
  result: DeployResult,
  settle: (target: DeployTarget, fields: Partial<ReplacedEntry>) => void
): Promise<void> {
  const { clock, log } = context
  const where = `${group.type}${group.region ? ` in ${group.region}` : ''}`
  const deadline = clock.now() + options.timeoutMs
  const failTarget = (target: DeployTarget, message: string, requestId: string) => {
    settle(target, { status: 'failed', error: message })
    const { type, region, instance } = asResource(target)
    const failure = { certificateId, type, region, instance, message, requestId }
    result.failures.push(failure)
    log.warning(`Could not deploy ${describeFailure(failure)}.`)
  }
  const request = {
    certificateId,
    type: group.type,
    region: group.region,
    instances: group.targets.map(t => t.instance)
  }
  let items = new Map<string, { item: RecordItem; status: string; error?: string }>()
  let requestId = ''
  // DeployStatus 0 names a deployment already running for this certificate and type: it is
  // watched to its end, then the call is made again (at most twice more).
  for (let round = 0; round < 3; round++) {
    let start
    try {
      start = await api.deploy(request, deadline)
    } catch (error) {
      const failure =
        error instanceof TencentApiError
          ? error
          : new TencentApiError({
              operation: 'DeployCertificateInstance',
              code: 'UnexpectedError',
              message: errorMessage(error)
            })
      result.errors.push(failure)
      for (const target of group.targets)
        failTarget(target, failure.apiMessage || failure.message, failure.requestId)
      return
    }
    log.info(
      `Deploying ${certificateId} to ${group.targets.length} ${where} resource(s): record ${start.recordId}.`
    )
    const watched = await watchRecord({
      clock,
      poll: context.poll ?? DEFAULT_POLL,
      deadline,
      timeoutS: options.timeoutMs / 1000,
      read: () => api.deployRecord(start.recordId, group.type),
      start: () => DEPLOYING
    })
    requestId = watched.requestId
    items = new Map(
      [...watched.items.values()].map(item => {
        const verdict = watched.states.get(item.detailId) as { status: string; error?: string }
        return [resourceKey({ ...item, region: item.region ?? group.region }), { item, ...verdict }]
      })
    )
    if (!start.alreadyRunning) break
  }
  for (const target of group.targets) {
    const seen = items.get(resourceKey(asResource(target)))
    if (!seen) failTarget(target, "Tencent's deploy record does not list it", requestId)
    else if (seen.status === 'failed') failTarget(target, seen.error ?? 'failed', requestId)
    else {
      settle(target, {
        from: seen.item.oldCertId || null,
        status: seen.status as ReplacedEntry['status']
      })
      log.info(`Deployed ${certificateId} to ${target.type} ${target.instance}: ${seen.status}.`)
    }
  }
}
