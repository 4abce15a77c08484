/**
 * Deployment execution (`deploy-to`): bind the certificate to the named resources with
 * DeployCertificateInstance, one call per type and region, and read each resource's own status
 * back from the deploy record, within `replace-timeout`. Calls of one type run one region after
 * another (Tencent runs one deployment per certificate and type at a time); different types run
 * side by side. A dry run reports the plan and calls nothing that changes anything.
 *
 * Re-runs: a resource already serving the certificate is `unchanged`, seen by the binding check
 * (deploy-plan.ts, pure) or by the certificate's own deploy records (deploy-history.ts); a
 * deployment already running (DeployStatus 0) is waited for and only what it left out is sent
 * again; a refused call of several instances is sent again one by one, so each gets its own
 * answer; CertificateNotDeployInstance for one instance is told apart by the deploy records.
 */
import type { DeployTarget } from '../settings/deploy-targets.js'
import { asResource, planDeploy, type DeployGroup } from '../planning/deploy-plan.js'
import type { Log } from '../runner/log.js'
import { DeployHistory } from './deploy-history.js'
import { watchRecord } from './record-watch.js'
import { DEPLOYING } from '../planning/replace-machine.js'
import {
  describeFailure,
  type ReplacedEntry,
  type ResourceFailure
} from '../reporting/resource-report.js'
import { REPLACE_TYPES, resourceKey } from './resource-types.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import { leavesOutcomeUnclear, meansRefusal } from '../tencent/read.js'
import { DEFAULT_POLL, type PollPolicy } from '../tencent/poll.js'
import type { BoundResource, ResourceApi } from '../tencent/resources.js'
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
    let planned = 0
    for (const group of plan.groups) {
      // What no binding check reports (lighthouse) is seen in the deploy records, as a real run sees it.
      const history =
        certificateId !== null && !BINDING_TYPES.has(group.type)
          ? new DeployHistory(api, certificateId, group)
          : undefined
      for (const target of group.targets) {
        const serves = await history?.shows(target).catch(() => false)
        byTarget.set(
          target,
          entryOf(target, serves ? { from: certificateId, status: 'unchanged' } : {})
        )
        if (serves) log.info(`${target.type} ${target.instance} already serves ${certificateId}.`)
        else planned++
      }
    }
    if (planned > 0) log.info(`Would deploy to ${planned} resource(s).`)
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

/** Codes that refuse the call as a whole, whatever its instances: sending each instance alone
 * would only repeat them. */
const GROUP_WIDE =
  /(?:RegionNotEmpty|ResourceTypeInvalid|CertificateNotFound|HostDeployCanNotAllow|CertificateNotAvailable|TaskTimeout)$/
const NOT_DEPLOY_INSTANCE = 'FailedOperation.CertificateNotDeployInstance'
/** The types a binding check reports (the others, lighthouse, only the deploy records show). */
const BINDING_TYPES: ReadonlySet<string> = new Set(REPLACE_TYPES)

/** A refusal that may be about one instance of the call: each is then sent alone, so that one
 * refused instance never holds back, or lends its message to, the others. */
function mayBeAboutOneInstance(error: TencentApiError): boolean {
  return (
    !meansRefusal(error.code) && !leavesOutcomeUnclear(error.code) && !GROUP_WIDE.test(error.code)
  )
}

function asApiError(error: unknown): TencentApiError {
  return error instanceof TencentApiError
    ? error
    : new TencentApiError({
        operation: 'DeployCertificateInstance',
        code: 'UnexpectedError',
        message: errorMessage(error)
      })
}

async function deployGroup(
  api: ResourceApi,
  certificateId: string,
  group: DeployGroup,
  options: DeployOptions,
  context: DeployContext,
  result: DeployResult,
  settle: (target: DeployTarget, fields: Partial<ReplacedEntry>) => void,
  history = new DeployHistory(api, certificateId, group)
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
  let left = group.targets
  // Each answer's record is watched to its end, whatever its DeployStatus (0 may name a
  // deployment already running, an earlier run's say): what it lists is settled by its items,
  // and only what it does not list is sent again (at most twice more).
  for (let round = 0; round < 3 && left.length > 0; round++) {
    const request = {
      certificateId,
      type: group.type,
      region: group.region,
      instances: left.map(t => t.instance)
    }
    let start
    try {
      start = await api.deploy(request, deadline)
    } catch (error) {
      const failure = asApiError(error)
      if (left.length > 1 && mayBeAboutOneInstance(failure)) {
        log.info(
          `${failure.code} for ${left.length} ${where} resource(s): deploying each alone, so that each gets its own answer.`
        )
        for (const target of left)
          await deployGroup(
            api,
            certificateId,
            { ...group, targets: [target] },
            options,
            context,
            result,
            settle,
            history
          )
        return
      }
      if (failure.code === NOT_DEPLOY_INSTANCE && left.length === 1) {
        await judgeNotDeployable(left[0], failure)
        return
      }
      result.errors.push(failure)
      for (const target of left)
        failTarget(target, failure.apiMessage || failure.message, failure.requestId)
      return
    }
    log.info(
      `${start.alreadyRunning ? 'Waiting for a deployment already running' : 'Deploying'} of ${certificateId} to ${where} resource(s): record ${start.recordId}.`
    )
    const watched = await watchRecord({
      clock,
      poll: context.poll ?? DEFAULT_POLL,
      deadline,
      timeoutS: options.timeoutMs / 1000,
      read: () => api.deployRecord(start.recordId, group.type),
      start: () => DEPLOYING
    })
    const items = new Map(
      [...watched.items.values()].map(item => {
        const verdict = watched.states.get(item.detailId) as { status: string; error?: string }
        return [resourceKey({ ...item, region: item.region ?? group.region }), { item, ...verdict }]
      })
    )
    // Decided from the record's items, never from DeployStatus: a target it lists has that
    // item's verdict (a failed one is not sent again); one it does not list (a deployment of
    // other instances, an earlier run's say) is sent again.
    const next: DeployTarget[] = []
    for (const target of left) {
      const seen = items.get(resourceKey(asResource(target)))
      if (!seen && watched.error)
        failTarget(
          target,
          `its deploy record could not be read: ${watched.error.message}`,
          watched.requestId
        )
      else if (!seen) next.push(target)
      else if (seen.status === 'failed')
        failTarget(target, seen.error ?? 'failed', watched.requestId)
      else {
        settle(target, {
          from: seen.item.oldCertId || null,
          status: seen.status as ReplacedEntry['status']
        })
        log.info(`Deployed ${certificateId} to ${target.type} ${target.instance}: ${seen.status}.`)
      }
    }
    left = next
  }
  for (const target of left)
    failTarget(target, "none of Tencent's deploy records of the three calls listed it", '')

  /** CertificateNotDeployInstance for one instance means "already bound to this certificate" or
   * "does not match it": its deploy records tell which; without them it is a failure. */
  async function judgeNotDeployable(target: DeployTarget, failure: TencentApiError) {
    let shown = false
    let unread = ''
    try {
      shown = await history.shows(target)
    } catch (error) {
      unread = ` (its deploy records could not be read: ${errorMessage(error)})`
    }
    if (shown) {
      settle(target, { from: certificateId, status: 'unchanged' })
      log.info(
        `${target.type} ${target.instance} already serves ${certificateId} (its deploy records show it).`
      )
      return
    }
    failTarget(
      target,
      `${failure.apiMessage || failure.code}: Tencent refuses to deploy it there, and neither the binding check nor the certificate's deploy records show it serving ${certificateId}: check that the resource exists and that its domain matches the certificate${unread}`,
      failure.requestId
    )
  }
}
