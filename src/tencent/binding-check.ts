/**
 * The binding check of API 3.0 (contract, **Bound**; tencent-deploy-and-oidc-api.md §D): which
 * certificates resources still use. The task's counts (DescribeCertificateBindResourceTaskResult)
 * cover 11 types; a certificate they call free is asked about the rest (tse, mqtt, scf, tdmq,
 * gaap) in the task's detail (DescribeCertificateBindResourceTaskDetail), asked without
 * `ResourceTypes` (documented: every type), since mqtt, scf, tdmq and gaap are not documented
 * filter values.
 *
 * An answer that does not say what is bound is "not checked", never "free": a task or detail
 * whose Status is not 1, an entry with an Error or without a count, a detail that reports none
 * of the types at all, an id the answers leave out.
 */
import type { BindingCheckOptions, BindingState, BoundPlace } from './client.js'
import { TencentApiError } from './errors.js'
import {
  batchCalls,
  describeError,
  errorCode,
  late,
  readCertTasks,
  ROLE_HINT,
  waitForTasks,
  type V3Wire
} from './batch-tasks.js'
import { errorFor, isRecord, meansNotFound, meansRefusal, unique, type Fields } from './read.js'
import type { ApiAnswer } from './transport.js'
import { REPLACE_TYPES } from '../resources/resource-types.js'

/** Types that DescribeCertificateBindResourceTaskResult does not count; its detail lists them. */
export const UNCOUNTED_TYPES = ['tse', 'mqtt', 'scf', 'tdmq', 'gaap']
/** Every type array of the detail's answer (the SDK's DescribeCertificateBindResourceTaskDetailResponse
 * has one for each type UpdateCertificateInstance takes). */
const DETAIL_TYPES: readonly string[] = REPLACE_TYPES

/** Every batch's task is started before any is waited for, so the batches' waits overlap. */
export async function checkBindings(
  wire: V3Wire,
  ids: string[],
  options: BindingCheckOptions = {}
): Promise<BindingState[]> {
  const action = 'CreateCertificateBindResourceSyncTask'
  const wanted = unique(ids)
  const states = new Map<string, BindingState>()
  const settle = (certIds: string[], state: (id: string) => BindingState): void => {
    for (const id of certIds) states.set(id, state(id))
  }
  const IsCache = options.fresh === false ? 1 : 0
  const calls = await batchCalls(wire.transport, action, wanted, CertificateIds => ({
    CertificateIds,
    IsCache
  }))
  settle(calls.gone, id => ({ id, bound: 'gone' }))
  for (const { ids: certIds, error } of calls.failures)
    settle(certIds, id =>
      notChecked(id, `the binding check could not start: ${error.message}`, error)
    )

  const tasks = new Map<string, string[]>()
  for (const { ids: certIds, answer } of calls.answers) {
    let started: Map<string, string[]>
    try {
      started = readCertTasks(answer, certIds, action)
    } catch (error) {
      const failure = errorFor(error, action, '')
      settle(certIds, id => notChecked(id, `the binding check failed: ${failure.message}`, failure))
      continue
    }
    for (const [taskId, forCerts] of started) tasks.set(taskId, forCerts)
    const withTask = new Set([...started.values()].flat())
    const reason = 'no binding check task was created for it'
    settle(
      certIds.filter(id => !withTask.has(id)),
      id => ({ id, bound: 'unknown', reason })
    )
  }

  const polled = await waitForTasks(
    wire,
    'DescribeCertificateBindResourceTaskResult',
    'SyncTaskBindResourceResult',
    [...tasks.keys()]
  )
  const unseen: Promise<void>[] = []
  for (const [taskId, certIds] of tasks) {
    const result = polled.results.get(taskId)
    const error = polled.errors.get(taskId)
    if (result) {
      settle(certIds, id => bindingState(id, result.fields, result.requestId))
      // The counts leave some types out: a certificate they call free is asked about those.
      const missing = uncountedIn(result.fields)
      for (const id of certIds)
        if (missing.length > 0 && states.get(id)?.bound === false)
          unseen.push(uncountedTypes(wire, taskId, id, missing).then(s => settle([id], () => s)))
    } else if (error)
      settle(certIds, id => notChecked(id, `the binding check failed: ${error.message}`, error))
    else settle(certIds, id => ({ id, bound: 'unknown', reason: late(wire, 'binding check') }))
  }
  await Promise.all(unseen)
  return wanted.map(
    id => states.get(id) ?? { id, bound: 'unknown', reason: 'the binding check gave no answer' }
  )
}

/**
 * The resource types the task's counts never include, read from its detail: a certificate
 * serving one of them is bound. A detail that cannot be read leaves the certificate not checked.
 */
async function uncountedTypes(
  wire: V3Wire,
  taskId: string,
  id: string,
  types: string[]
): Promise<BindingState> {
  const action = 'DescribeCertificateBindResourceTaskDetail'
  let answer: ApiAnswer
  try {
    // No ResourceTypes: its documented values leave mqtt, scf, tdmq and gaap out, and absent
    // means every type. Limit "1" already carries each type's and region's TotalCount.
    answer = await wire.transport.call(action, { TaskId: taskId, Limit: '1' })
  } catch (error) {
    const failure = errorFor(error, action, id)
    const reason = `the binding check of ${types.join(', ')} failed: ${failure.message}`
    if (failure.code === undefined || !meansRefusal(failure.code))
      return { id, bound: 'unknown', reason }
    return { id, bound: 'unknown', reason, error: withHint(failure) }
  }
  return uncountedState(id, answer.data as Fields, types)
}

/** A missing service role fails every lookup, run after run: say how to grant it. */
function withHint(error: TencentApiError): TencentApiError {
  if (!/RoleNotFound/.test(error.code)) return error
  return new TencentApiError({
    operation: error.operation,
    code: error.code,
    message: `${error.apiMessage}; ${ROLE_HINT}`,
    requestId: error.requestId,
    subject: error.subject
  })
}

/** A binding that could not be checked; carries the error when the check was refused. */
function notChecked(id: string, reason: string, error: TencentApiError): BindingState {
  if (!meansRefusal(error.code)) return { id, bound: 'unknown', reason }
  return { id, bound: 'unknown', reason, error: withHint(errorFor(error, error.operation, id)) }
}

/** A final SyncTaskBindResourceResult (Status is not 0) for certificate `id`. */
export function bindingState(id: string, result: Fields, requestId: string): BindingState {
  const operation = 'DescribeCertificateBindResourceTaskResult'
  if (result.Status === 2) {
    const code = errorCode(result.Error)
    if (code !== undefined && meansNotFound(code)) return { id, bound: 'gone' }
    const reason = `the binding lookup failed: ${describeError(result.Error) || 'no reason given'}`
    // A missing service role fails every lookup, run after run: it is the user's to fix.
    if (code === undefined || !meansRefusal(code)) return { id, bound: 'unknown', reason }
    const message = `${reason}; ${ROLE_HINT}`
    const error = new TencentApiError({ operation, code, message, requestId, subject: id })
    return { id, bound: 'unknown', reason, error }
  }
  if (result.Status !== 1)
    return {
      id,
      bound: 'unknown',
      reason: `unexpected binding task status ${JSON.stringify(result.Status)}`
    }
  const found = boundCounts(result.BindResourceResult)
  if (found.counts.size > 0) {
    const parts = [...found.counts].map(([name, count]) => `${name} (${count})`)
    const resources = [...found.counts.values()].reduce((sum, count) => sum + count, 0)
    const places = found.places
    return { id, bound: true, reason: `bound to ${parts.join(', ')}`, resources, places }
  }
  if (found.problems.length > 0) {
    const reason = `not checked: the binding answer does not say what is bound (${found.problems.join('; ')})`
    return { id, bound: 'unknown', reason }
  }
  return { id, bound: false }
}

/** The uncounted types a final counts answer does not mention (all of them, as documented;
 * none once Tencent counts them too, which then saves the detail calls). */
function uncountedIn(result: Fields): string[] {
  const list = Array.isArray(result.BindResourceResult) ? result.BindResourceResult : []
  const counted = new Set(
    list.map(entry => (isRecord(entry) ? String(entry.ResourceType).toLowerCase() : ''))
  )
  return UNCOUNTED_TYPES.filter(type => !counted.has(type))
}

/**
 * A certificate the counts call free, after the task's detail (every type, `types` first). A
 * type's array that is null or absent lists nothing of that type (the SDK marks each one
 * nullable); an entry of any type without a count or with an error, a Status other than 1, or
 * an answer with none of the type arrays at all leaves the certificate not checked.
 */
export function uncountedState(
  id: string,
  data: Fields,
  types: readonly string[] = UNCOUNTED_TYPES
): BindingState {
  if (data.Status !== 1) {
    const reason = `the binding detail answered status ${JSON.stringify(data.Status)}`
    return { id, bound: 'unknown', reason }
  }
  if (!DETAIL_TYPES.some(type => Array.isArray(data[type.toUpperCase()])))
    return {
      id,
      bound: 'unknown',
      reason: 'not checked: the binding detail reports no resource type'
    }
  const bound: string[] = []
  const places: BoundPlace[] = []
  const problems: string[] = []
  let resources = 0
  // Every type of the answer: one the counts called 0 but the detail counts is bound all the same.
  for (const type of new Set([...types, ...DETAIL_TYPES])) {
    const entries = data[type.toUpperCase()]
    if (entries === null || entries === undefined) continue
    if (!Array.isArray(entries)) {
      problems.push(`${type}: not a list`)
      continue
    }
    let total = 0
    for (const entry of entries) {
      const count = isRecord(entry) ? entry.TotalCount : undefined
      const error = isRecord(entry) ? describeError(entry.Error) : ''
      if (typeof count !== 'number' || !Number.isFinite(count) || count < 0)
        problems.push(`${type}: an entry without a count`)
      else total += count
      if (typeof count === 'number' && count > 0) {
        const where = isRecord(entry) && typeof entry.Region === 'string' ? entry.Region : ''
        places.push({ type, region: where || null, count })
      }
      if (error) problems.push(`${type}: ${error}`)
    }
    if (total > 0) bound.push(`${type} (${total})`)
    resources += total
  }
  if (bound.length > 0)
    return { id, bound: true, reason: `bound to ${bound.join(', ')}`, resources, places }
  if (problems.length > 0) {
    const reason = `not checked: the binding detail does not say what is bound (${problems.join('; ')})`
    return { id, bound: 'unknown', reason }
  }
  return { id, bound: false }
}

/**
 * Counts per resource type of a BindResourceResult, and what in it could not be read. A list
 * that is null or absent, a type without its region list, or a region without a count says
 * nothing about what is bound: each is a problem, never a zero. (An empty list is an answer:
 * nothing of any type.)
 */
function boundCounts(value: unknown): {
  counts: Map<string, number>
  places: BoundPlace[]
  problems: string[]
} {
  const counts = new Map<string, number>()
  const places: BoundPlace[] = []
  const problems: string[] = []
  if (!Array.isArray(value)) {
    problems.push(
      `BindResourceResult is ${value === null ? 'null' : typeof value === 'undefined' ? 'absent' : 'not a list'}`
    )
    return { counts, places, problems }
  }
  for (const type of value) {
    if (!isRecord(type)) {
      problems.push(`a resource type entry is ${JSON.stringify(type)}`)
      continue
    }
    const name = typeof type.ResourceType === 'string' ? type.ResourceType : 'a resource type'
    const regions = type.BindResourceRegionResult
    if (!Array.isArray(regions)) {
      problems.push(`${name}: no region list`)
      continue
    }
    for (const region of regions) {
      const count = isRecord(region) ? region.TotalCount : undefined
      const error = isRecord(region) ? describeError(region.Error) : ''
      if (typeof count !== 'number' || !Number.isFinite(count) || count < 0)
        problems.push(`${name}: a region without a count`)
      else if (count > 0) {
        counts.set(name, (counts.get(name) ?? 0) + count)
        const where = isRecord(region) && typeof region.Region === 'string' ? region.Region : ''
        places.push({ type: name, region: where || null, count })
      }
      if (error) problems.push(`${name}: ${error}`)
    }
  }
  return { counts, places, problems }
}
