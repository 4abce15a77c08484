/**
 * Replacement execution (`replace`): move the resources still bound to superseded certificates
 * onto the certificate that supersedes each, then say which certificates a fresh binding check
 * (IsCache=0) finds free. Plans come from replace-plan.ts (pure), each resource's verdict from
 * replace-machine.ts (pure); this module makes the calls and writes the log.
 *
 * Per certificate: one UpdateCertificateInstance with the types and regions the binding details
 * found; every resource's own status read back until it settles, within `replace-timeout`; a
 * failed resource retried once; the ones still failing reported one by one; with
 * `rollback-on-failure`, the moved ones moved back. A re-run converges: what already moved is
 * no longer bound to the old certificate, so it is not moved again, and a task still running
 * from an earlier run is watched, not duplicated. A dry run plans from the binding details and
 * calls nothing that changes anything.
 */
import type { Log } from '../runner/log.js'
import { watchRecord, type Watched } from './record-watch.js'
import { MOVING, ROLLING_BACK, type ReplacedStatus } from '../planning/replace-machine.js'
import {
  describeResources,
  planReplace,
  type PlannedMove,
  type SupersededCertificate
} from '../planning/replace-plan.js'
import {
  describeFailure,
  type ReplacedEntry,
  type ResourceFailure
} from '../reporting/resource-report.js'
import { resourceKey } from './resource-types.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import { DEFAULT_POLL, type PollPolicy } from '../tencent/poll.js'
import type {
  BindingDetails,
  BoundResource,
  RecordItem,
  ResourceApi
} from '../tencent/resources.js'
import type { WaitClock } from '../tencent/wait.js'

export type { SupersededCertificate } from '../planning/replace-plan.js'
export type { ReplacedEntry, ResourceFailure } from '../reporting/resource-report.js'

export interface ReplaceOptions {
  /** The `replace` input: every type found, or only these. */
  scope: 'all' | readonly string[]
  timeoutMs: number
  rollbackOnFailure: boolean
  dryRun: boolean
}

export interface ReplaceContext {
  clock: WaitClock
  log: Log
  /** Timing of the record reads; the total comes from `timeoutMs`. */
  poll?: PollPolicy
}

export interface CertificateReplacement {
  id: string
  targetId: string | null
  entries: ReplacedEntry[]
  /** Why it must stay: resources left on it, failures, an incomplete or failed check. */
  keptBecause: string | null
}

export interface ReplaceResult {
  certificates: CertificateReplacement[]
  /** Every entry of every certificate, in order: the `replaced` output's part. */
  replaced: ReplacedEntry[]
  /** Ids now free to delete: the fresh binding check finds nothing bound (a dry run: every
   * resource found would move). */
  free: string[]
  failures: ResourceFailure[]
  /** Calls that failed outright (a refused service role, an exhausted retry budget). */
  errors: TencentApiError[]
}

const asError = (error: unknown, operation: string): TencentApiError =>
  error instanceof TencentApiError
    ? error
    : new TencentApiError({ operation, code: 'UnexpectedError', message: errorMessage(error) })

export async function replaceResources(
  api: ResourceApi,
  certificates: readonly SupersededCertificate[],
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<ReplaceResult> {
  const { log } = context
  const result: ReplaceResult = {
    certificates: [],
    replaced: [],
    free: [],
    failures: [],
    errors: []
  }
  if (certificates.length === 0) return result
  const ids = certificates.map(c => c.id)
  let details: Map<string, BindingDetails>
  try {
    // The prune check has just looked: its result (within 30 minutes) is reused.
    details = await api.bindingDetails(ids, false)
  } catch (error) {
    const failure = asError(error, 'DescribeCertificateBindResourceTaskDetail')
    result.errors.push(failure)
    for (const c of certificates) {
      const kept = `its binding details could not be read: ${failure.message}`
      result.certificates.push({ id: c.id, targetId: c.targetId, entries: [], keptBecause: kept })
    }
    return result
  }
  const plans = planReplace(certificates, details, options.scope)
  const outcomes = options.dryRun
    ? plans.map(plan => dryRun(plan, log))
    : await Promise.all(plans.map(plan => move(api, plan, options, context)))
  for (const outcome of outcomes) {
    result.certificates.push(outcome.certificate)
    result.replaced.push(...outcome.certificate.entries)
    result.failures.push(...outcome.failures)
    result.errors.push(...outcome.errors)
  }
  if (options.dryRun) {
    result.free = result.certificates.filter(c => c.keptBecause === null).map(c => c.id)
    return result
  }
  const fresh = await freshCheck(api, result, log)
  result.free = fresh.free
  for (const outcome of outcomes) settleUnseen(outcome, fresh.details, result, log)
  return result
}

/**
 * Promise 7 for what no record listed: still bound to the old certificate after the move means
 * it did not move (failed, and the certificate stays); no longer bound means something else moved
 * it (unchanged). Not known (the fresh check failed): failed, since success was not seen.
 */
function settleUnseen(
  outcome: Outcome,
  fresh: Map<string, BindingDetails> | undefined,
  result: ReplaceResult,
  log: Log
): void {
  if (outcome.unseen.length === 0) return
  const found = fresh?.get(outcome.plan.from)
  const still = new Set((found?.resources ?? []).map(resourceKey))
  const known = found !== undefined && found.problems.length === 0
  for (const r of outcome.unseen) {
    if (known && !still.has(resourceKey(r))) {
      const unchanged = entry(outcome.plan, r, 'unchanged', null)
      outcome.certificate.entries.push(unchanged)
      result.replaced.push(unchanged)
      continue
    }
    const why = outcome.errors[0]
      ? `its status could not be read: ${outcome.errors[0].message}`
      : "Tencent's update task did not move it"
    const before = outcome.failures.length
    fail(outcome, outcome.plan, r, why, outcome.errors[0]?.requestId ?? '', log)
    result.failures.push(...outcome.failures.slice(before))
    result.replaced.push(outcome.certificate.entries[outcome.certificate.entries.length - 1])
  }
}

interface Outcome {
  plan: PlannedMove
  certificate: CertificateReplacement
  failures: ResourceFailure[]
  errors: TencentApiError[]
  /** Planned resources that no update record listed: the fresh binding check tells whether
   * they moved (reported unchanged) or stayed (reported failed). */
  unseen: BoundResource[]
}

function dryRun(plan: PlannedMove, log: Log): Outcome {
  const entries = plan.resources.map(r => entry(plan, r, 'planned', null))
  if (entries.length > 0)
    log.info(
      `Would move ${describeResources(plan.resources)} from ${plan.from} to ${plan.to ?? 'the uploaded certificate'}.`
    )
  if (plan.keptBecause) log.info(`${plan.from} would be kept: ${plan.keptBecause}.`)
  const certificate = { id: plan.from, targetId: plan.to, entries, keptBecause: plan.keptBecause }
  return { plan, certificate, failures: [], errors: [], unseen: [] }
}

const entry = (
  plan: PlannedMove,
  r: { type: string; region: string | null; instance: string },
  status: ReplacedEntry['status'],
  error: string | null,
  item?: RecordItem
): ReplacedEntry => ({
  from: item?.oldCertId || plan.from,
  to: item?.certId || plan.to,
  type: r.type,
  region: r.region,
  instance: r.instance,
  status,
  error
})

async function move(
  api: ResourceApi,
  plan: PlannedMove,
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<Outcome> {
  const { clock, log } = context
  const outcome: Outcome = {
    plan,
    certificate: { id: plan.from, targetId: plan.to, entries: [], keptBecause: plan.keptBecause },
    failures: [],
    errors: [],
    unseen: []
  }
  if (plan.keptBecause) log.warning(`${plan.from} stays: ${plan.keptBecause}.`)
  if (plan.resources.length === 0) return outcome
  const to = plan.to
  if (to === null) {
    outcome.certificate.keptBecause = 'there is no certificate to move its resources to'
    return outcome
  }
  const deadline = clock.now() + options.timeoutMs
  const timeoutS = options.timeoutMs / 1000
  log.info(`Moving ${describeResources(plan.resources)} from ${plan.from} to ${to}.`)
  const watches: { recordId: number; watched: Watched }[] = []
  // A task already running for this certificate (an earlier run's) is watched first, then the
  // call is made again for whatever it did not move; twice is enough, a third is a loop.
  for (let round = 0; round < 3; round++) {
    let start
    try {
      start = await api.startUpdate(
        {
          oldCertificateId: plan.from,
          certificateId: to,
          types: plan.types,
          regions: plan.regions
        },
        deadline
      )
    } catch (error) {
      const failure = asError(error, 'UpdateCertificateInstance')
      outcome.errors.push(failure)
      const moved = new Set(watches.flatMap(w => [...w.watched.items.values()].map(resourceKey)))
      for (const r of plan.resources.filter(r => !moved.has(resourceKey(r))))
        fail(outcome, plan, r, failure.apiMessage || failure.message, failure.requestId, log)
      break
    }
    if (start.state === 'nothing') {
      log.info(`${plan.from}: nothing left to move (${start.code}).`)
      break
    }
    log.info(
      `${plan.from}: update record ${start.recordId}` +
        `${start.alreadyRunning ? ' (already running: watching it)' : ''}.`
    )
    const watched = await watchRecord({
      clock,
      poll: context.poll ?? DEFAULT_POLL,
      deadline,
      timeoutS,
      read: () => api.updateRecord(start.recordId),
      start: () => MOVING,
      retry: item => {
        log.info(`Retrying ${item.type} ${item.instance}: ${item.error || 'failed'}.`)
        return api.retryUpdate(start.recordId, item.detailId)
      }
    })
    watches.push({ recordId: start.recordId, watched })
    if (watched.error) outcome.errors.push(watched.error)
    if (!start.alreadyRunning) break
  }
  // A resource seen in two records (an earlier run's task, then ours): the later word counts.
  const finals = new Map<string, Final>()
  for (const { recordId, watched } of watches)
    for (const final of await verdictsOf(api, plan, recordId, watched, options, context))
      finals.set(resourceKey(final.item), final)
  for (const { item, status, error, requestId } of finals.values()) {
    if (status === 'failed') {
      fail(outcome, plan, item, error ?? 'failed', requestId, log, item)
      continue
    }
    outcome.certificate.entries.push(entry(plan, item, status, error ?? null, item))
    const where = item.region ? ` in ${item.region}` : ''
    log.info(`${item.type} ${item.instance}${where}: ${status}${error ? ` (${error})` : ''}.`)
  }
  const reported = new Set(outcome.certificate.entries.map(resourceKey))
  outcome.unseen = plan.resources.filter(r => !reported.has(resourceKey(r)))
  if (outcome.unseen.length > 0)
    log.warning(
      `${plan.from}: Tencent's update task did not list ${describeResources(outcome.unseen)}; the fresh binding check decides.`
    )
  const failed = outcome.certificate.entries.filter(
    e => e.status !== 'success' && e.status !== 'unchanged'
  )
  const why = [
    plan.keptBecause,
    failed.length > 0 ? `${failed.length} resource(s) did not move to ${to}` : '',
    outcome.errors.length > 0 ? `the move could not be followed: ${outcome.errors[0].message}` : ''
  ].filter(Boolean)
  if (why.length > 0) outcome.certificate.keptBecause = why.join('; ')
  return outcome
}

function fail(
  outcome: Outcome,
  plan: PlannedMove,
  r: { type: string; region: string | null; instance: string },
  message: string,
  requestId: string,
  log: Log,
  item?: RecordItem
): void {
  outcome.certificate.entries.push(entry(plan, r, 'failed', message, item))
  const { type, region, instance } = r
  const failure = { certificateId: plan.from, type, region, instance, message, requestId }
  outcome.failures.push(failure)
  log.warning(`Could not move ${describeFailure(failure)}.`)
}

interface Final {
  item: RecordItem
  status: ReplacedStatus
  error?: string
  requestId: string
}

/** Each item's verdict in one watched record; with rollback-on-failure, after the rollback. */
async function verdictsOf(
  api: ResourceApi,
  plan: PlannedMove,
  recordId: number,
  watched: Watched,
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<Final[]> {
  const finals = [...watched.items.values()].map(item => {
    const verdict = watched.states.get(item.detailId) as { status: ReplacedStatus; error?: string }
    return { item, ...verdict, requestId: watched.requestId }
  })
  const anyFailed = finals.some(f => f.status === 'failed')
  const anyMoved = finals.some(f => f.status === 'success')
  if (!options.rollbackOnFailure || !anyFailed || !anyMoved) return finals
  const back = await rollback(api, plan, recordId, options, context)
  return finals.map(f => (f.status === 'success' ? { ...f, ...back.get(resourceKey(f.item)) } : f))
}

/** Moves the record's successful resources back; their verdicts by resource key. */
async function rollback(
  api: ResourceApi,
  plan: PlannedMove,
  recordId: number,
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<Map<string, { status: ReplacedStatus; error?: string }>> {
  const { clock, log } = context
  const verdicts = new Map<string, { status: ReplacedStatus; error?: string }>()
  let rollbackId: number
  try {
    rollbackId = await api.rollbackUpdate(recordId)
  } catch (error) {
    log.warning(
      `${plan.from}: the rollback of record ${recordId} was refused: ${errorMessage(error)}.`
    )
    return verdicts
  }
  log.info(`${plan.from}: rolling the moved resources back (record ${rollbackId}).`)
  const watched = await watchRecord({
    clock,
    poll: context.poll ?? DEFAULT_POLL,
    deadline: clock.now() + options.timeoutMs,
    timeoutS: options.timeoutMs / 1000,
    read: () => api.updateRecord(rollbackId),
    start: () => ROLLING_BACK
  })
  for (const item of watched.items.values())
    verdicts.set(resourceKey(item), watched.states.get(item.detailId) as { status: ReplacedStatus })
  return verdicts
}

/** The certificates a fresh binding check finds with nothing bound. */
async function freshCheck(
  api: ResourceApi,
  result: ReplaceResult,
  log: Log
): Promise<{ free: string[]; details?: Map<string, BindingDetails> }> {
  const ids = result.certificates.map(c => c.id)
  let fresh: Map<string, BindingDetails>
  try {
    fresh = await api.bindingDetails(ids, true)
  } catch (error) {
    result.errors.push(asError(error, 'CreateCertificateBindResourceSyncTask'))
    log.warning(`The fresh binding check failed: ${errorMessage(error)}; nothing is deleted.`)
    return { free: [] }
  }
  const free: string[] = []
  for (const certificate of result.certificates) {
    const found = fresh.get(certificate.id)
    if (found && found.resources.length === 0 && found.problems.length === 0) {
      // Nothing uses it any more, whatever happened on the way: it may go.
      certificate.keptBecause = null
      free.push(certificate.id)
      continue
    }
    const still = found
      ? [
          found.resources.length > 0 ? `still bound to ${describeResources(found.resources)}` : '',
          ...found.problems
        ]
          .filter(Boolean)
          .join('; ')
      : 'the fresh binding check did not answer for it'
    certificate.keptBecause ??= still
  }
  return { free, details: fresh }
}

/**
 * The prune flow's hook between its binding check and its deletion: moves the resources of the
 * certificates the check found bound, and answers those a fresh binding check then finds free
 * (in a dry run, those whose every resource would move), to be deleted like any unbound one.
 * `report` receives the whole result: the `replaced` output, the summary, the failures, and
 * each kept certificate's reason.
 */
export function replacingOnBound<T extends { id: string }>(
  api: ResourceApi,
  targetOf: (entry: T) => string | null,
  options: ReplaceOptions,
  context: ReplaceContext,
  report: (result: ReplaceResult) => void
): (entries: T[]) => Promise<T[]> {
  return async entries => {
    const targets = entries.map(entry => ({ id: entry.id, targetId: targetOf(entry) }))
    const result = await replaceResources(api, targets, options, context)
    report(result)
    const free = new Set(result.free)
    return entries.filter(entry => free.has(entry.id))
  }
}
