/**
 * API 3.0 binding checks, deletions and look-ups by id (tencent-cloud-ssl-api.md §3.4, §3.6,
 * §3.7): batched calls that start asynchronous tasks, their polling, and the decoders of their
 * results.
 *
 * Safety rules kept here:
 * - an error that names one certificate never lands on another: a batch refused because one of
 *   its certificates no longer exists is asked again without it;
 * - "gone" is decided by error code, never by a message's wording;
 * - an answer that does not say what is bound is "not checked", never "unbound";
 * - a deletion whose outcome is unclear is confirmed by looking the id up before it is called gone.
 */
import type {
  BindingCheckOptions,
  BindingState,
  ClientDeps,
  DeleteOutcome,
  FoundCertificate
} from './client.js'
import { TencentApiError } from './errors.js'
import { pollUntilDone, type PollPolicy } from './poll.js'
import {
  chunks,
  confirmedGone,
  domainList,
  errorFor,
  isRecord,
  leavesOutcomeUnclear,
  meansNotFound,
  meansRefusal,
  optionalArray,
  optionalString,
  unique,
  type Fields
} from './read.js'
import { parseTencentTime } from './time.js'
import { malformed, type ApiAnswer, type Transport } from './transport.js'

/** Most ids one batch call (delete, binding task, task result) accepts. */
const BATCH = 100
/** Types that DescribeCertificateBindResourceTaskResult does not count; its detail lists them. */
export const UNCOUNTED_TYPES = ['tse', 'mqtt', 'scf', 'tdmq', 'gaap']
/** Most ids DescribeCertificates takes in CertIds (more: InvalidParameter.CertificateIdNumberLimit). */
export const LOOKUP_BATCH = 50
const LINKED_ROLE = 'SSL_QCSLinkedRoleInReplaceLoadCertificate'
const ROLE_HINT = `authorise the service-linked role ${LINKED_ROLE} in the SSL Certificate console`

/** What the 3.0 client lends these calls. */
export interface V3Wire {
  transport: Transport
  deps: ClientDeps
  poll: PollPolicy
}

export class V3Deletion {
  constructor(private readonly wire: V3Wire) {}

  /** Every batch's task is started before any is polled, so the batches' waits overlap. */
  async checkBindings(ids: string[], options: BindingCheckOptions = {}): Promise<BindingState[]> {
    const action = 'CreateCertificateBindResourceSyncTask'
    const wanted = unique(ids)
    const states = new Map<string, BindingState>()
    const settle = (certIds: string[], state: (id: string) => BindingState): void => {
      for (const id of certIds) states.set(id, state(id))
    }
    const IsCache = options.fresh === false ? 1 : 0
    const calls = await batchCalls(this.wire.transport, action, wanted, CertificateIds => ({
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
        settle(certIds, id =>
          notChecked(id, `the binding check failed: ${failure.message}`, failure)
        )
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

    const polled = await this.pollTasks(
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
            unseen.push(
              this.uncountedTypes(taskId, id, missing).then(state => settle([id], () => state))
            )
      } else if (error)
        settle(certIds, id => notChecked(id, `the binding check failed: ${error.message}`, error))
      else settle(certIds, id => ({ id, bound: 'unknown', reason: this.late('binding check') }))
    }
    await Promise.all(unseen)
    return wanted.map(
      id => states.get(id) ?? { id, bound: 'unknown', reason: 'the binding check gave no answer' }
    )
  }

  /**
   * The resource types the task's counts never include (tse, mqtt, scf, tdmq, gaap), read from
   * its instance details: a certificate serving one of them is bound. A detail that cannot be
   * read leaves the certificate not checked.
   */
  private async uncountedTypes(taskId: string, id: string, types: string[]): Promise<BindingState> {
    const action = 'DescribeCertificateBindResourceTaskDetail'
    let answer: ApiAnswer
    try {
      answer = await this.wire.transport.call(action, {
        TaskId: taskId,
        Limit: '1',
        ResourceTypes: types
      })
    } catch (error) {
      const failure = errorFor(error, action, id)
      const reason = `the binding check of ${types.join(', ')} failed: ${failure.message}`
      const refused = failure.code !== undefined && meansRefusal(failure.code)
      return { id, bound: 'unknown', reason, ...(refused ? { error: failure } : {}) }
    }
    return uncountedState(id, answer.data as Fields, types)
  }

  async deleteCertificates(ids: string[]): Promise<DeleteOutcome[]> {
    const operation = 'DeleteCertificates'
    const wanted = unique(ids)
    const verdicts = new Map<string, Verdict>()
    const settle = (id: string, verdict: Verdict): void => void verdicts.set(id, verdict)
    // IsSync: the server checks bindings first and reports through asynchronous tasks.
    const calls = await batchCalls(this.wire.transport, operation, wanted, CertificateIds => ({
      CertificateIds,
      IsSync: true
    }))
    for (const id of calls.gone) settle(id, sure({ id, result: 'gone' }))
    for (const { ids: certIds, error } of calls.failures)
      for (const id of certIds) settle(id, callFailure(id, error))

    const tasks = new Map<string, string[]>()
    const requestIdOf = new Map<string, string>()
    for (const { ids: certIds, answer } of calls.answers) {
      for (const id of certIds) requestIdOf.set(id, answer.requestId)
      readDeletion(certIds, answer, settle, tasks)
    }
    // A task's verdict wins over anything said above: it is the server's binding check.
    const polled = await this.pollTasks(
      'DescribeDeleteCertificatesTaskResult',
      'DeleteTaskResult',
      [...tasks.keys()]
    )
    for (const [taskId, certIds] of tasks) {
      const result = polled.results.get(taskId)
      const error = polled.errors.get(taskId)
      for (const id of certIds) {
        if (result) settle(id, deleteTaskVerdict(result.fields, id, result.requestId))
        else if (error)
          settle(id, unclear({ id, result: 'failed', error: errorFor(error, operation, id) }))
        else {
          const late = new TencentApiError({
            operation,
            code: 'TaskTimeout',
            message: this.late('delete task'),
            requestId: requestIdOf.get(id),
            subject: id
          })
          settle(id, unclear({ id, result: 'failed', error: late }))
        }
      }
    }
    for (const id of wanted.filter(id => !verdicts.has(id))) {
      const error = malformed(operation, 'the answer does not mention this certificate')
      settle(id, unclear({ id, result: 'failed', error: errorFor(error, operation, id) }))
    }
    await this.confirm(verdicts)
    return wanted.map(id => (verdicts.get(id) as Verdict).outcome)
  }

  /** Looks up the ids whose outcome is unclear: one that no longer exists is gone, whatever the
   * answers said; one still there keeps its outcome. */
  private async confirm(verdicts: Map<string, Verdict>): Promise<void> {
    const doubtful = [...verdicts].filter(([, v]) => v.confirm).map(([id]) => id)
    const gone = await confirmedGone(doubtful, ids => this.findByIds(ids), this.wire.deps.debug)
    for (const id of gone) verdicts.set(id, sure({ id, result: 'gone' }))
  }

  async findByIds(ids: string[]): Promise<Map<string, FoundCertificate>> {
    const action = 'DescribeCertificates'
    const found = new Map<string, FoundCertificate>()
    for (const chunk of chunks(unique(ids), LOOKUP_BATCH)) {
      // No FilterSource, type or project: the ids decide.
      const answer = await this.wire.transport.call(action, {
        CertIds: chunk,
        Offset: 0,
        Limit: LOOKUP_BATCH
      })
      const data = answer.data as Fields
      const page = data.Certificates
      if (typeof data.TotalCount !== 'number' || !Array.isArray(page))
        throw malformed(action, 'no TotalCount or Certificates', answer.requestId)
      const asked = new Set(chunk)
      for (const item of page) {
        const id = isRecord(item) ? item.CertificateId : undefined
        // A server that ignored CertIds would make every other id look gone: refuse to judge.
        if (typeof id !== 'string' || !asked.has(id))
          throw malformed(
            action,
            'the answer lists a certificate that was not asked for',
            answer.requestId
          )
        found.set(id, foundCertificate(item as Fields, id))
      }
      if (data.TotalCount > page.length)
        throw malformed(action, 'TotalCount is more than the certificates listed', answer.requestId)
    }
    return found
  }

  private late(what: string): string {
    return `the ${what} did not finish within ${this.wire.poll.totalMs / 1000} s`
  }

  /**
   * Polls task results (≤ 100 task ids per call) until every task has a final result (Status
   * other than 0) or the wait is spent. A failed poll settles its tasks with the error.
   */
  private async pollTasks(action: string, listField: string, taskIds: string[]): Promise<Polled> {
    const results: Polled['results'] = new Map()
    const errors: Polled['errors'] = new Map()
    const pending = new Set(taskIds)
    if (pending.size === 0) return { results, errors }
    await pollUntilDone(this.wire.deps, this.wire.poll, async () => {
      for (const batch of chunks([...pending], BATCH)) {
        try {
          const answer = await this.wire.transport.call(action, { TaskIds: batch })
          const list = optionalArray((answer.data as Fields)[listField])
          if (!list) throw malformed(action, `${listField} is not a list`, answer.requestId)
          for (const result of list) {
            const taskId = isRecord(result) ? String(result.TaskId) : ''
            if (!pending.has(taskId) || (result as Fields).Status === 0) continue
            results.set(taskId, { fields: result as Fields, requestId: answer.requestId })
            pending.delete(taskId)
          }
        } catch (error) {
          const failure = errorFor(error, action, '')
          for (const taskId of batch) errors.set(taskId, failure)
          for (const taskId of batch) pending.delete(taskId)
        }
      }
      return pending.size === 0
    })
    return { results, errors }
  }
}

interface Polled {
  results: Map<string, { fields: Fields; requestId: string }>
  errors: Map<string, TencentApiError>
}

interface BatchCalls {
  answers: { ids: string[]; answer: ApiAnswer }[]
  /** Ids a call for them alone said do not exist (by code). */
  gone: string[]
  failures: { ids: string[]; error: TencentApiError }[]
}

/** One call per batch of ≤ 100 ids; a batch refused because one of its certificates does not
 * exist is asked again without it (see splitOnGone). */
async function batchCalls(
  transport: Transport,
  action: string,
  ids: string[],
  params: (ids: string[]) => Record<string, unknown>
): Promise<BatchCalls> {
  const calls: BatchCalls = { answers: [], gone: [], failures: [] }
  const call = async (batch: string[]): Promise<void> => {
    try {
      calls.answers.push({ ids: batch, answer: await transport.call(action, params(batch)) })
    } catch (error) {
      const failure = errorFor(error, action, '')
      if (!meansNotFound(failure.code)) calls.failures.push({ ids: batch, error: failure })
      else if (batch.length === 1) calls.gone.push(batch[0])
      else for (const group of splitOnGone(batch, failure.apiMessage)) await call(group)
    }
  }
  for (const batch of chunks(ids, BATCH)) await call(batch)
  return calls
}

/**
 * How to ask again after "a certificate does not exist" for a batch: the ids the message names,
 * each alone, and the rest together; when it names none (or all), the two halves. A single id
 * refused so is gone, decided by the code alone; a named id that does exist is simply answered.
 */
export function splitOnGone(ids: string[], message: string): string[][] {
  const named = ids.filter(id => message.includes(id))
  if (named.length > 0 && named.length < ids.length)
    return [ids.filter(id => !named.includes(id)), ...named.map(id => [id])]
  const half = Math.ceil(ids.length / 2)
  return [ids.slice(0, half), ids.slice(half)]
}

/** A binding that could not be checked; carries the error when the check was refused. */
function notChecked(id: string, reason: string, error: TencentApiError): BindingState {
  if (!meansRefusal(error.code)) return { id, bound: 'unknown', reason }
  return { id, bound: 'unknown', reason, error: errorFor(error, error.operation, id) }
}

/** CertTaskIds [{CertId, TaskId}] of an answer, as task id → certificate ids asked about. */
function readCertTasks(answer: ApiAnswer, ids: string[], action: string): Map<string, string[]> {
  const list = optionalArray((answer.data as Fields).CertTaskIds)
  if (!list) throw malformed(action, 'CertTaskIds is not a list', answer.requestId)
  const wanted = new Set(ids)
  const tasks = new Map<string, string[]>()
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.CertId !== 'string' || !wanted.has(entry.CertId)) continue
    if (typeof entry.TaskId !== 'string' || entry.TaskId === '') continue
    tasks.set(entry.TaskId, [...(tasks.get(entry.TaskId) ?? []), entry.CertId])
  }
  return tasks
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
    return { id, bound: true, reason: `bound to ${parts.join(', ')}`, resources }
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
 * A certificate the counts call free, after the detail of the uncounted types. A type's array
 * that is null or absent lists nothing of that type (the SDK marks each one nullable); an entry
 * without a count, or with an error, leaves the certificate not checked.
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
  const bound: string[] = []
  const problems: string[] = []
  let resources = 0
  for (const type of types) {
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
      if (error) problems.push(`${type}: ${error}`)
    }
    if (total > 0) bound.push(`${type} (${total})`)
    resources += total
  }
  if (bound.length > 0)
    return { id, bound: true, reason: `bound to ${bound.join(', ')}`, resources }
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
function boundCounts(value: unknown): { counts: Map<string, number>; problems: string[] } {
  const counts = new Map<string, number>()
  const problems: string[] = []
  if (!Array.isArray(value)) {
    problems.push(
      `BindResourceResult is ${value === null ? 'null' : typeof value === 'undefined' ? 'absent' : 'not a list'}`
    )
    return { counts, problems }
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
      else if (count > 0) counts.set(name, (counts.get(name) ?? 0) + count)
      if (error) problems.push(`${name}: ${error}`)
    }
  }
  return { counts, problems }
}

/** An outcome, and whether it is unclear: then the id is looked up, and one that is no longer
 * there is gone whatever the outcome says. */
interface Verdict {
  outcome: DeleteOutcome
  confirm: boolean
}

const sure = (outcome: DeleteOutcome): Verdict => ({ outcome, confirm: false })
const unclear = (outcome: DeleteOutcome): Verdict => ({ outcome, confirm: true })

/** A DeleteCertificates call that failed for certificate `id` (after the transport's retries). */
function callFailure(id: string, error: TencentApiError): Verdict {
  const mine = errorFor(error, error.operation, id)
  if (leavesOutcomeUnclear(error.code)) return unclear({ id, result: 'failed', error: mine })
  // The API answered with its verdict: nothing was deleted, and the step fails with it.
  const reason = `refused by the API: ${error.code}: ${error.apiMessage || 'no reason given'}`
  return sure({ id, result: 'skipped', reason, error: mine })
}

/** What one DeleteCertificates answer settles for `ids`; records the tasks it started. */
function readDeletion(
  ids: string[],
  answer: ApiAnswer,
  settle: (id: string, verdict: Verdict) => void,
  tasks: Map<string, string[]>
): void {
  const operation = 'DeleteCertificates'
  const data = answer.data as Fields
  const success = optionalArray(data.Success)
  const refused = optionalArray(data.Fail)
  let started: Map<string, string[]>
  try {
    if (!success || !refused)
      throw malformed(operation, 'Success or Fail is not a list', answer.requestId)
    started = readCertTasks(answer, ids, operation)
  } catch (error) {
    for (const id of ids)
      settle(id, unclear({ id, result: 'failed', error: errorFor(error, operation, id) }))
    return
  }
  const wanted = new Set(ids)
  for (const id of success)
    if (typeof id === 'string' && wanted.has(id)) settle(id, sure({ id, result: 'deleted' }))
  for (const entry of refused) {
    if (!isRecord(entry) || typeof entry.CertId !== 'string' || !wanted.has(entry.CertId)) continue
    // A Fail entry has a message and no code: whether the certificate is still there is
    // confirmed by looking it up, not read from the wording.
    const message =
      typeof entry.Msg === 'string' && entry.Msg !== '' ? entry.Msg : 'no reason given'
    const id = entry.CertId
    settle(id, unclear({ id, result: 'skipped', reason: `refused by the API: ${message}` }))
  }
  for (const [taskId, certIds] of started) tasks.set(taskId, certIds)
}

/** A final DeleteTaskResult (Status is not 0) for certificate `id`. */
export function deleteTaskVerdict(result: Fields, id: string, requestId: string): Verdict {
  const operation = 'DeleteCertificates'
  const said = describeError(result.Error)
  const code = errorCode(result.Error)
  const error = (errorCodeOrOurs: string, message: string): TencentApiError =>
    new TencentApiError({ operation, code: errorCodeOrOurs, message, requestId, subject: id })
  switch (result.Status) {
    case 1:
      return sure({ id, result: 'deleted' })
    case 2: {
      if (code !== undefined && meansNotFound(code)) return sure({ id, result: 'gone' })
      // The server's binding check refused it: in use, so kept back like status 4.
      if (code !== undefined && /(?:DeleteResourceFailed|BoundResources)$/.test(code))
        return sure({ id, result: 'skipped', reason: `still bound to cloud resources (${said})` })
      const reason = `the delete task failed: ${said || 'no reason given'}`
      if (code !== undefined && meansRefusal(code)) {
        const refusal = error(code, `${reason}; ${ROLE_HINT}`)
        return sure({ id, result: 'skipped', reason, error: refusal })
      }
      // Anything else is confirmed by looking the certificate up.
      return unclear({ id, result: 'skipped', reason })
    }
    case 3: {
      const reason = `the service-linked role is not authorised: ${said || 'delete task status 3'}`
      const refusal = error(
        code ?? 'FailedOperation.RoleNotFoundAuthorization',
        `${reason}; ${ROLE_HINT}`
      )
      return sure({ id, result: 'skipped', reason, error: refusal })
    }
    case 4:
      return sure({ id, result: 'skipped', reason: 'still bound to cloud resources' })
    case 5:
      return sure({ id, result: 'skipped', reason: 'the binding lookup timed out' })
    default: {
      const message = `unexpected delete task status ${JSON.stringify(result.Status)}`
      return unclear({ id, result: 'failed', error: error('MalformedResponse', message) })
    }
  }
}

/** The code of an `Error` field that is {Code, Message} or a bare code string. */
function errorCode(value: unknown): string | undefined {
  const code = isRecord(value) ? value.Code : value
  if (typeof code !== 'string') return undefined
  return /^[A-Za-z]+(?:\.[A-Za-z0-9]+)*$/.test(code) ? code : undefined
}

/** An `Error` field that may be a string or {Code, Message}; '' when there is none. */
function describeError(value: unknown): string {
  if (typeof value === 'string') return value
  if (!isRecord(value)) return ''
  return [value.Code, value.Message].filter(v => typeof v === 'string' && v !== '').join(': ')
}

/** One DescribeCertificates item, read leniently: a certificate named by id is reported, not judged. */
function foundCertificate(item: Fields, id: string): FoundCertificate {
  const names = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
  const from = optionalString(item.From)
  return {
    id,
    domains: domainList([item.Domain, ...names(item.SubjectAltName), ...names(item.CertSANs)]),
    notAfter: parseTencentTime(item.CertEndTime),
    alias: typeof item.Alias === 'string' ? item.Alias : '',
    certType: typeof item.CertificateType === 'string' ? item.CertificateType : '',
    uploaded: from === '' || from === 'upload'
  }
}
