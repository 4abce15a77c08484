/**
 * One superseded certificate's move onto its target (contract promise 7), for replace.ts: the
 * UpdateCertificateInstance calls, the records watched until they settle (an earlier run's still
 * open one included), the move on of what an earlier record put on another certificate, the one
 * retry per resource per run, and the rollback per old certificate. Verdicts per resource come
 * from replace-machine.ts (pure); this module makes the calls and writes the log.
 */
import type { Log } from '../runner/log.js'
import { watchRecord, type Watched } from './record-watch.js'
import { MOVING, retrying, ROLLING_BACK, type ReplacedStatus } from '../planning/replace-machine.js'
import { describeResources, type PlannedMove } from '../planning/replace-plan.js'
import {
  describeFailure,
  type ReplacedEntry,
  type ResourceFailure
} from '../reporting/resource-report.js'
import { resourceKey, UPDATE_REGIONAL } from './resource-types.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import { DEFAULT_POLL, type PollPolicy } from '../tencent/poll.js'
import type { BoundResource, RecordItem, ResourceApi, UpdateRequest } from '../tencent/resources.js'
import type { WaitClock } from '../tencent/wait.js'

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
  /** Resources retried so far in this run (resource keys): each is retried at most once per
   * run, whichever certificate or record it comes up in. */
  retried?: Set<string>
  /** The Superseded rule over the run's pool (uploaded certificates of its cert-type and project
   * in the listing, and the one just uploaded): true only when both ids are in it and `newer`
   * supersedes `older`. Absent: never, so nothing is moved on from another certificate. */
  supersedes?: (newer: string, older: string) => boolean
}

export interface CertificateReplacement {
  id: string
  targetId: string | null
  entries: ReplacedEntry[]
  /** Why it must stay: resources left on it, failures, an incomplete or failed check. */
  keptBecause: string | null
}

export const asError = (error: unknown, operation: string): TencentApiError =>
  error instanceof TencentApiError
    ? error
    : new TencentApiError({ operation, code: 'UnexpectedError', message: errorMessage(error) })

export interface Outcome {
  plan: PlannedMove
  certificate: CertificateReplacement
  failures: ResourceFailure[]
  errors: TencentApiError[]
  /** Planned resources that no update record listed: the fresh binding check tells whether
   * they moved (reported unchanged) or stayed (reported failed). */
  unseen: BoundResource[]
}

export const entry = (
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

/** One watched record, with the certificate its items move to. */
interface WatchedRecord {
  recordId: number
  watched: Watched
}

/** A planned resource's latest word in this run. */
interface Final {
  item: RecordItem
  status: ReplacedStatus
  error?: string
  requestId: string
  /** The record that moved it last (a rollback's target). */
  recordId: number
  /** The certificate it served before this run: absent for a planned resource (`plan.from`);
   * another certificate's resource that a move from there also moved. */
  from?: string
}

/**
 * One certificate's move, per contract promise 7. Each UpdateCertificateInstance answers a
 * record id, whatever its DeployStatus: a record this call created, or one still running from
 * an earlier run. That record is watched until it settles; what to do next is read from its
 * items and a fresh binding check, never from DeployStatus:
 * - planned resources still on `from` that no record of this run moved towards `to` get
 *   another call (at most three calls in all);
 * - resources an earlier record moved to another certificate (old -> N1 while this run's target
 *   is N2) are moved from there onto `to` only when `to` supersedes N1 in the run's pool
 *   (`context.supersedes`), and are `success` only once they serve `to`; every resource that
 *   move listed is reported (Tencent moves all of N1's of those types and regions). Otherwise
 *   they stay on N1, reported failed.
 * A failed resource is retried once per run (`retried`, shared by every move of the run), and
 * only once its record has settled; with rollback-on-failure, every record that moved one of
 * this certificate's resources is rolled back, newest first.
 */
export async function moveCertificate(
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
  const retried = context.retried ?? new Set<string>()
  const planned = new Map(plan.resources.map(r => [resourceKey(r), r]))
  const finals = new Map<string, Final>()
  const records: WatchedRecord[] = []
  /** Planned resources a record of this run moved (or tried to move) onto `to`. */
  const towardsTarget = new Set<string>()
  const failNow = (keys: Iterable<string>, why: string, requestId: string) => {
    for (const key of keys) {
      const r = planned.get(key)
      if (r && !finals.has(key)) fail(outcome, plan, r, why, requestId, log)
    }
  }

  /** `via`: a move from another certificate, whose every item is reported (Tencent moves all
   * of that certificate's resources of those types and regions, not only the planned ones). */
  const watch = async (recordId: number, via?: string): Promise<Watched> => {
    const watched = await watchRecord({
      clock,
      poll: context.poll ?? DEFAULT_POLL,
      deadline,
      timeoutS: options.timeoutMs / 1000,
      read: () => api.updateRecord(recordId),
      // A record towards another certificate is not retried: what failed there is still on
      // `from`, and this run's own call moves it to `to`.
      start: item => (item.certId === to && !retried.has(resourceKey(item)) ? MOVING : retrying()),
      retry: item => {
        retried.add(resourceKey(item))
        log.info(`Retrying ${item.type} ${item.instance}: ${item.error || 'failed'}.`)
        return api.retryUpdate(recordId, item.detailId)
      }
    })
    records.push({ recordId, watched })
    if (watched.error) outcome.errors.push(watched.error)
    for (const item of watched.items.values()) {
      const key = resourceKey(item)
      if (!planned.has(key) && via === undefined) continue
      const verdict = watched.states.get(item.detailId) as {
        status: ReplacedStatus
        error?: string
      }
      const from = planned.has(key) ? {} : { from: via }
      finals.set(key, { item, ...verdict, requestId: watched.requestId, recordId, ...from })
      if (item.certId === to) towardsTarget.add(key)
    }
    return watched
  }

  /** Starts (or joins) an update and watches its record; false when there is nothing more to
   * follow (refused, nothing to move, or a record that could not be read). */
  const start = async (request: UpdateRequest, keys: string[], via?: string): Promise<boolean> => {
    let started
    try {
      started = await api.startUpdate(request, deadline)
    } catch (error) {
      const failure = asError(error, 'UpdateCertificateInstance')
      outcome.errors.push(failure)
      failNow(keys, failure.apiMessage || failure.message, failure.requestId)
      return false
    }
    if (started.state === 'nothing') {
      log.info(`${request.oldCertificateId}: nothing left to move (${started.code}).`)
      return false
    }
    log.info(
      `${request.oldCertificateId}: update record ${started.recordId}` +
        `${started.alreadyRunning ? ' (answered as already running)' : ''}; watching it.`
    )
    return (await watch(started.recordId, via)).error === undefined
  }

  log.info(`Moving ${describeResources(plan.resources)} from ${plan.from} to ${to}.`)
  let left = [...planned.keys()]
  for (let call = 0; call < 3 && left.length > 0; call++) {
    const resources = left.map(key => planned.get(key) as BoundResource)
    const request =
      call === 0
        ? {
            oldCertificateId: plan.from,
            certificateId: to,
            types: plan.types,
            regions: plan.regions
          }
        : requestFor(plan.from, to, resources)
    if (!(await start(request, left))) break
    const waiting = left.filter(key => !towardsTarget.has(key))
    if (waiting.length === 0) break
    // An earlier run's record answered: where are the others now? A fresh look decides.
    let still: Set<string>
    try {
      const fresh = (await api.bindingDetails([plan.from], true)).get(plan.from)
      still = new Set((fresh?.resources ?? []).map(resourceKey))
    } catch (error) {
      outcome.errors.push(asError(error, 'CreateCertificateBindResourceSyncTask'))
      break
    }
    left = waiting.filter(key => still.has(key))
  }

  // What an earlier record moved to another certificate goes on to `to`, from there.
  const elsewhere = new Map<string, string[]>()
  for (const [key, final] of finals)
    if (final.status === 'success' && final.item.certId !== to)
      elsewhere.set(final.item.certId, [...(elsewhere.get(final.item.certId) ?? []), key])
  // Tencent moves every resource of those types and regions on `via`, not only these: only
  // what a replace of `via` itself would do (`to` supersedes it, both in the run's pool) is
  // asked for, and every resource the record lists is reported.
  for (const [via, keys] of elsewhere) {
    if (!context.supersedes?.(to, via)) {
      log.warning(
        `${plan.from}: an earlier update record moved ${keys.length} resource(s) to ${via}, ` +
          `which ${to} does not supersede (or which is not an uploaded certificate of this ` +
          `run's cert-type and project); they are left on ${via}.`
      )
      continue
    }
    log.info(
      `${plan.from}: an earlier update record moved ${keys.length} resource(s) to ${via}; ` +
        `moving ${via}'s resources of those types and regions on to ${to}, which supersedes it.`
    )
    const resources = keys.map(key => planned.get(key) as BoundResource)
    await start(requestFor(via, to, resources), keys, via)
  }
  const astray = [...finals].filter(([, f]) => f.status === 'success' && f.item.certId !== to)
  // Moved on by another move of this run (the other certificate's own plan)? A fresh look at `to`.
  let onTarget = new Set<string>()
  if (astray.length > 0)
    try {
      const fresh = (await api.bindingDetails([to], true)).get(to)
      onTarget = new Set((fresh?.resources ?? []).map(resourceKey))
    } catch (error) {
      outcome.errors.push(asError(error, 'CreateCertificateBindResourceSyncTask'))
    }
  for (const [key, final] of astray)
    finals.set(
      key,
      onTarget.has(key)
        ? { ...final, item: { ...final.item, certId: to } }
        : {
            ...final,
            status: 'failed',
            error: `it serves ${final.item.certId} (update record ${final.recordId}), not ${to}`
          }
    )

  if (options.rollbackOnFailure)
    await rollBack(api, plan, records, finals, outcome, options, context)

  for (const [key, { item, status, error, requestId, from }] of finals) {
    if (outcome.certificate.entries.some(e => resourceKey(e) === key)) continue
    if (status === 'failed') {
      fail(outcome, plan, item, error ?? 'failed', requestId, log, item, from)
      continue
    }
    outcome.certificate.entries.push({
      ...entry(plan, item, status, error ?? null, item),
      from: from ?? plan.from
    })
    const where = item.region ? ` in ${item.region}` : ''
    log.info(`${item.type} ${item.instance}${where}: ${status}${error ? ` (${error})` : ''}.`)
    // Moved, and the rollback that should have moved it back failed: the step fails with it.
    if (error && status === 'success') {
      const { type, region, instance } = item
      outcome.failures.push({
        certificateId: from ?? plan.from,
        type,
        region,
        instance,
        message: error,
        requestId
      })
      log.warning(`${item.type} ${item.instance}${where} still serves ${item.certId}: ${error}.`)
    }
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

/** UpdateCertificateInstance for these resources: their types, and the regions they are in. */
function requestFor(from: string, to: string, resources: BoundResource[]): UpdateRequest {
  const types = [...new Set(resources.map(r => r.type))]
  const regional = types.filter(type => UPDATE_REGIONAL.has(type))
  return {
    oldCertificateId: from,
    certificateId: to,
    types,
    regions: regional.map(type => ({
      type,
      regions: [
        ...new Set(resources.filter(r => r.type === type).map(r => r.region as string))
      ].sort()
    }))
  }
}

export function fail(
  outcome: Outcome,
  plan: PlannedMove,
  r: { type: string; region: string | null; instance: string },
  message: string,
  requestId: string,
  log: Log,
  item?: RecordItem,
  from = plan.from
): void {
  outcome.certificate.entries.push({ ...entry(plan, r, 'failed', message, item), from })
  const { type, region, instance } = r
  const failure = { certificateId: from, type, region, instance, message, requestId }
  outcome.failures.push(failure)
  log.warning(`Could not move ${describeFailure(failure)}.`)
}

/**
 * rollback-on-failure, per old certificate: when any of its resources failed, every record that
 * moved one of them (this run's, and an earlier run's still open) is rolled back, newest first,
 * so that each ends on `from`. A resource whose rollback was refused, timed out or failed keeps
 * `success` with the rollback's error, which fails the step.
 */
async function rollBack(
  api: ResourceApi,
  plan: PlannedMove,
  records: WatchedRecord[],
  finals: Map<string, Final>,
  outcome: Outcome,
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<void> {
  const { clock, log } = context
  const anyFailed =
    [...finals.values()].some(f => f.status === 'failed') || outcome.failures.length > 0
  const moved = (record: WatchedRecord) =>
    [...record.watched.items.values()].filter(
      item =>
        finals.has(resourceKey(item)) &&
        (record.watched.states.get(item.detailId) as { status: ReplacedStatus }).status ===
          'success'
    )
  if (!anyFailed || !records.some(r => moved(r).length > 0)) return
  const deadline = clock.now() + options.timeoutMs
  for (const record of [...records].reverse()) {
    const items = moved(record)
    if (items.length === 0) continue
    const set = (item: RecordItem, status: ReplacedStatus, error?: string) => {
      const key = resourceKey(item)
      const final = finals.get(key) as Final
      finals.set(key, { ...final, status, error })
    }
    let rollbackId: number
    try {
      rollbackId = await api.rollbackUpdate(record.recordId)
    } catch (error) {
      const why = `the rollback of update record ${record.recordId} was refused: ${errorMessage(error)}`
      log.warning(`${plan.from}: ${why}.`)
      for (const item of items) set(item, 'success', why)
      continue
    }
    log.info(`${plan.from}: rolling back update record ${record.recordId} (record ${rollbackId}).`)
    const watched = await watchRecord({
      clock,
      poll: context.poll ?? DEFAULT_POLL,
      deadline,
      timeoutS: options.timeoutMs / 1000,
      read: () => api.updateRecord(rollbackId),
      start: () => ROLLING_BACK
    })
    const byKey = new Map([...watched.items.values()].map(i => [resourceKey(i), i]))
    for (const item of items) {
      const back = byKey.get(resourceKey(item))
      const verdict = back
        ? (watched.states.get(back.detailId) as { status: ReplacedStatus; error?: string })
        : { status: 'success' as const, error: `the rollback record ${rollbackId} did not list it` }
      set(item, verdict.status, verdict.error)
    }
  }
}
