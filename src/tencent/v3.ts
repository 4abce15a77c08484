/**
 * API 3.0: service `ssl`, version 2019-12-05, JSON POST signed with TC3-HMAC-SHA256.
 * See tencent-cloud-ssl-api.md §2-4 for every action, field and code used here.
 */
import type {
  BindingState,
  CertType,
  ClientDeps,
  ClientOptions,
  Credentials,
  DeleteOutcome,
  ListedCertificate,
  ListFilter,
  SslClient,
  UploadRequest,
  UploadResult
} from './client.js'
import { keyAlgorithmOfTencent } from '../key-algorithm.js'
import { TencentApiError } from './errors.js'
import { readProjectId, sourceOf } from './list-fields.js'
import { DEFAULT_POLL, pollUntilDone, type PollPolicy } from './poll.js'
import {
  chunks,
  domainList,
  errorFor,
  isRecord,
  optionalArray,
  optionalString,
  saysNotFound,
  unique,
  type Fields
} from './read.js'
import { classifyFailure } from './retry.js'
import { signTc3 } from './sign.js'
import { parseTencentTime } from './time.js'
import {
  malformed,
  Transport,
  type ApiAnswer,
  type ClientTuning,
  type Protocol,
  type WireRequest
} from './transport.js'

export const SSL_VERSION = '2019-12-05'
const CONTENT_TYPE = 'application/json'
/** DescribeCertificates' largest page. */
const PAGE_SIZE = 1000
/** Most ids one batch call (delete, binding task, task result) accepts. */
const BATCH = 100
const LINKED_ROLE = 'SSL_QCSLinkedRoleInReplaceLoadCertificate'

/** Signs and reads API 3.0 requests. */
export class Tc3Protocol implements Protocol {
  constructor(
    private readonly endpoint: URL,
    private readonly credentials: Credentials
  ) {}

  build(action: string, params: Record<string, unknown>, timestamp: number): WireRequest {
    const body = JSON.stringify(params)
    const { authorization } = signTc3({
      secretId: this.credentials.secretId,
      secretKey: this.credentials.secretKey,
      // The scope's service stays `ssl` whatever host the endpoint names (intl site, emulator).
      service: 'ssl',
      host: this.endpoint.hostname.toLowerCase(),
      contentType: CONTENT_TYPE,
      payload: body,
      timestamp
    })
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPE,
      'X-TC-Action': action,
      'X-TC-Version': SSL_VERSION,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Language': 'en-US',
      'X-TC-RequestClient': 'tencentcloud-ssl-action',
      Authorization: authorization
    }
    if (this.credentials.token) headers['X-TC-Token'] = this.credentials.token
    return { url: this.endpoint.href, headers, body }
  }

  parse(action: string, text: string): ApiAnswer {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      const looksHtml = /^\s*</.test(text)
      throw malformed(action, `the answer is not JSON${looksHtml ? ' (an HTML page)' : ''}`)
    }
    const response = isRecord(json) ? json.Response : undefined
    if (!isRecord(response)) throw malformed(action, 'the answer has no Response object')
    const requestId = typeof response.RequestId === 'string' ? response.RequestId : ''
    const error = response.Error
    if (error !== undefined && error !== null) {
      if (!isRecord(error) || typeof error.Code !== 'string' || error.Code === '')
        throw malformed(action, 'Response.Error has no Code', requestId)
      const message = typeof error.Message === 'string' ? error.Message : ''
      throw new TencentApiError({ operation: action, code: error.Code, message, requestId })
    }
    return { data: response, requestId }
  }
}

export class SslClientV3 implements SslClient {
  readonly api = '3.0' as const
  private readonly transport: Transport
  private readonly deps: ClientDeps
  private readonly poll: PollPolicy

  constructor(options: ClientOptions, tuning: ClientTuning = {}) {
    const { credentials } = options
    this.deps = options.deps
    this.poll = { ...DEFAULT_POLL, ...tuning.poll }
    this.transport = new Transport({
      deps: options.deps,
      timeoutMs: options.timeoutMs,
      protocol: new Tc3Protocol(options.endpoint, credentials),
      secrets: [credentials.secretKey, credentials.token ?? ''],
      retry: tuning.retry,
      pacing: tuning.pacing
    })
  }

  async upload(request: UploadRequest): Promise<UploadResult> {
    const subject = `certificate "${request.alias}"`
    const existing = await this.probe(request.certificatePem, subject)
    if (existing) return { certificateId: existing, reused: true }

    const params: Record<string, unknown> = { CertificatePublicKey: request.certificatePem }
    if (request.privateKeyPem) params.CertificatePrivateKey = request.privateKeyPem
    Object.assign(params, {
      CertificateType: request.certType,
      Alias: request.alias,
      ProjectId: request.projectId,
      // With Repeatable false the server answers a duplicate with RepeatCertId, which makes a
      // retry after a lost answer safe.
      Repeatable: false
    })
    if (request.tags.length > 0)
      params.Tags = request.tags.map(tag => ({ TagKey: tag.key, TagValue: tag.value }))

    const secrets = request.privateKeyPem ? [request.privateKeyPem] : []
    const answer = await this.transport.call('UploadCertificate', params, {
      subject,
      secrets,
      settleAfterTimeout: true
    })
    const data = answer.data as Fields
    const created = optionalString(data.CertificateId)
    const repeated = optionalString(data.RepeatCertId)
    const id = created || repeated
    if (created === undefined || repeated === undefined || !id)
      throw malformed(
        'UploadCertificate',
        'no CertificateId or RepeatCertId',
        answer.requestId
      ).about(subject)
    // If an earlier attempt may have reached the server, the "repeat" may be our own upload.
    const reused =
      repeated !== '' && (created === '' || created === repeated) && answer.maybeProcessed === 1
    return { certificateId: id, reused }
  }

  findIdentical(request: UploadRequest): Promise<string> {
    return this.probe(request.certificatePem, `certificate "${request.alias}"`)
  }

  /** The id of an identical certificate, or '' (also when the key may not call the probe). */
  private async probe(certificatePem: string, subject: string): Promise<string> {
    try {
      const answer = await this.transport.call(
        'CheckCertificateExist',
        { CertificatePublicKey: certificatePem },
        { subject }
      )
      const id = optionalString((answer.data as Fields).RepeatCertId)
      if (id === undefined)
        throw malformed('CheckCertificateExist', 'RepeatCertId is not a string', answer.requestId)
      return id
    } catch (error) {
      if (!(error instanceof TencentApiError) || classifyFailure(error.code) !== 'fatal')
        throw error
      this.deps.debug(`Going on with UploadCertificate (Repeatable=false): ${error.message}`)
      return ''
    }
  }

  listUploaded(certType: CertType): Promise<ListedCertificate[]> {
    return this.listCertificates({ certType, source: 'upload' })
  }

  async listCertificates(filter: ListFilter): Promise<ListedCertificate[]> {
    const found = new Map<string, ListedCertificate | undefined>()
    const ids = unique(filter.ids ?? [])
    // CertIds is sent in batches of 100 ids, like every other id list of this API.
    for (const certIds of ids.length > 0 ? chunks(ids, BATCH) : [undefined]) {
      const params = listParams(filter, certIds)
      for (let offset = 0; ;) {
        const answer = await this.transport.call('DescribeCertificates', {
          Offset: offset,
          Limit: PAGE_SIZE,
          ...params
        })
        const data = answer.data as Fields
        const page = data.Certificates
        if (typeof data.TotalCount !== 'number' || !Array.isArray(page))
          throw malformed('DescribeCertificates', 'no TotalCount or Certificates', answer.requestId)
        let added = 0
        for (const item of page) {
          const id = isRecord(item) ? item.CertificateId : undefined
          if (typeof id !== 'string' || id === '')
            throw malformed(
              'DescribeCertificates',
              'a certificate has no CertificateId',
              answer.requestId
            )
          if (found.has(id)) continue
          found.set(id, this.toListed(item as Fields, id, filter))
          added++
        }
        offset += page.length
        // A page with nothing new means the server is repeating itself: stop rather than loop.
        if (page.length === 0 || offset >= data.TotalCount || added === 0) break
      }
    }
    return [...found.values()].filter((c): c is ListedCertificate => c !== undefined)
  }

  private toListed(item: Fields, id: string, filter: ListFilter): ListedCertificate | undefined {
    const notAfter = parseTencentTime(item.CertEndTime)
    if (!notAfter) {
      this.deps.warning(
        `Certificate ${id} is left out: its expiry (CertEndTime ${JSON.stringify(item.CertEndTime)}) ` +
          'could not be read, so it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    // SubjectAltName lists every name; a null one (the API says fields may be) leaves only
    // CertSANs, and with neither the main Domain alone could put a certificate in scope that
    // also serves other names: such a certificate is left out, never deleted.
    const listed = (value: unknown) =>
      Array.isArray(value) && value.length > 0 ? value : undefined
    const type =
      typeof item.CertificateType === 'string' && item.CertificateType !== ''
        ? item.CertificateType.toUpperCase()
        : (filter.certType ?? '')
    // A CA certificate for client authentication has no alternative names: its Domain is its name.
    const names =
      listed(item.SubjectAltName) ??
      listed(item.CertSANs) ??
      (type === 'CA' && typeof item.Domain === 'string' ? [item.Domain] : undefined)
    if (!names) {
      this.deps.warning(
        `Certificate ${id} is left out: the list gives neither SubjectAltName nor CertSANs, so ` +
          'its domains are not known; it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    const projectInfo = isRecord(item.ProjectInfo) ? item.ProjectInfo : {}
    return {
      id,
      domains: domainList([...names, ...(listed(item.CertSANs) ?? []), item.Domain]),
      notAfter,
      insertedAt: parseTencentTime(item.InsertTime),
      certType: type,
      source: sourceOf(item.From, filter.source),
      keyAlgorithm: keyAlgorithmOfTencent(item.EncryptAlgorithm),
      projectId: readProjectId(item.ProjectId) ?? readProjectId(projectInfo.ProjectId),
      alias: typeof item.Alias === 'string' ? item.Alias : ''
    }
  }

  // Every batch's task is started before any is polled, so the batches' waits overlap: the
  // wait for 1,000 certificates is that of one batch, not of ten in a row.
  async checkBindings(ids: string[]): Promise<BindingState[]> {
    const wanted = unique(ids)
    const states = new Map<string, BindingState>()
    const settle = (certIds: string[], state: (id: string) => BindingState) => {
      for (const id of certIds) states.set(id, state(id))
    }
    const tasks = new Map<string, string[]>()
    for (const chunk of chunks(wanted, BATCH)) {
      try {
        const answer = await this.transport.call('CreateCertificateBindResourceSyncTask', {
          CertificateIds: chunk,
          IsCache: 0
        })
        const started = readCertTasks(answer, chunk, 'CreateCertificateBindResourceSyncTask')
        for (const [taskId, certIds] of started) tasks.set(taskId, certIds)
        const withTask = new Set([...started.values()].flat())
        const reason = 'no binding check task was created for it'
        settle(
          chunk.filter(id => !withTask.has(id)),
          id => ({ id, bound: 'unknown', reason })
        )
      } catch (error) {
        const failure = errorFor(error, 'CreateCertificateBindResourceSyncTask', '')
        const reason = `the binding check could not start: ${failure.message}`
        settle(chunk, id => ({ id, bound: 'unknown', reason, ...refusal(failure, id) }))
      }
    }

    const unfinished = await this.pollTasks(
      'DescribeCertificateBindResourceTaskResult',
      'SyncTaskBindResourceResult',
      tasks,
      (result, certIds, requestId) => {
        const outcome = bindingOutcome(result)
        if (outcome === undefined) return false
        if (outcome.bound === 'unknown' && outcome.roleError !== undefined) {
          const { roleError: code, reason } = outcome
          const error = (id: string) =>
            new TencentApiError({
              operation: 'DescribeCertificateBindResourceTaskResult',
              code,
              message: `${reason}; authorise the service role SSL_QCSLinkedRoleInReplaceLoadCertificate in the SSL console`,
              requestId,
              subject: id
            })
          settle(certIds, id => ({ id, bound: 'unknown', reason, error: error(id) }))
          return true
        }
        settle(certIds, id => ({ id, ...outcome }) as BindingState)
        return true
      },
      (error, certIds) => {
        const reason = `the binding check failed: ${error.message}`
        settle(certIds, id => ({ id, bound: 'unknown', reason, ...refusal(error, id) }))
      }
    )
    const late = `the binding check did not finish within ${this.poll.totalMs / 1000} s`
    settle(unfinished, id => ({ id, bound: 'unknown', reason: late }))
    return wanted.map(
      id => states.get(id) ?? { id, bound: 'unknown', reason: 'the binding check gave no answer' }
    )
  }

  async deleteCertificates(ids: string[]): Promise<DeleteOutcome[]> {
    const operation = 'DeleteCertificates'
    const wanted = unique(ids)
    const outcomes = new Map<string, DeleteOutcome>()
    const fail = (certIds: string[], error: unknown) => {
      for (const id of certIds)
        outcomes.set(id, { id, result: 'failed', error: errorFor(error, operation, id) })
    }
    const tasks = new Map<string, string[]>()
    const requestIdOf = new Map<string, string>()
    for (const chunk of chunks(wanted, BATCH)) {
      const answer = await this.startDeletion(chunk, outcomes, fail)
      if (answer === undefined) continue
      for (const id of chunk) requestIdOf.set(id, answer.requestId)
      for (const [taskId, certIds] of answer.tasks) tasks.set(taskId, certIds)
    }
    // A task's verdict wins over anything said above: it is the server's binding check.
    const unfinished = await this.pollTasks(
      'DescribeDeleteCertificatesTaskResult',
      'DeleteTaskResult',
      tasks,
      (result, certIds, requestId) => {
        for (const id of certIds) {
          const outcome = deleteTaskOutcome(result, id, requestId)
          if (outcome === undefined) return false
          outcomes.set(id, outcome)
        }
        return true
      },
      (error, certIds) => fail(certIds, error)
    )
    const late = `the delete task did not finish within ${this.poll.totalMs / 1000} s`
    for (const id of unfinished) {
      const requestId = requestIdOf.get(id)
      fail([id], new TencentApiError({ operation, code: 'TaskTimeout', message: late, requestId }))
    }
    for (const id of wanted.filter(id => !outcomes.has(id))) {
      const requestId = requestIdOf.get(id) ?? ''
      fail([id], malformed(operation, 'the answer does not mention this certificate', requestId))
    }
    return wanted.map(id => outcomes.get(id) as DeleteOutcome)
  }

  /** One DeleteCertificates call: settles what its answer settles, returns its tasks. */
  private async startDeletion(
    ids: string[],
    outcomes: Map<string, DeleteOutcome>,
    fail: (certIds: string[], error: unknown) => void
  ): Promise<{ tasks: Map<string, string[]>; requestId: string } | undefined> {
    const operation = 'DeleteCertificates'
    let answer: ApiAnswer
    try {
      // IsSync: the server checks bindings first and reports through asynchronous tasks.
      answer = await this.transport.call(operation, { CertificateIds: ids, IsSync: true })
    } catch (error) {
      fail(ids, error)
      return undefined
    }
    const data = answer.data as Fields
    const success = optionalArray(data.Success)
    const refused = optionalArray(data.Fail)
    let tasks: Map<string, string[]>
    try {
      if (!success || !refused)
        throw malformed(operation, 'Success or Fail is not a list', answer.requestId)
      tasks = readCertTasks(answer, ids, operation)
    } catch (error) {
      fail(ids, error)
      return undefined
    }
    const wanted = new Set(ids)
    for (const id of success)
      if (typeof id === 'string' && wanted.has(id)) outcomes.set(id, { id, result: 'deleted' })
    for (const entry of refused) {
      if (!isRecord(entry) || typeof entry.CertId !== 'string' || !wanted.has(entry.CertId))
        continue
      const message = typeof entry.Msg === 'string' ? entry.Msg : ''
      const id = entry.CertId
      outcomes.set(
        id,
        saysNotFound(message)
          ? { id, result: 'gone' }
          : { id, result: 'skipped', reason: `refused by the API: ${message || 'no reason given'}` }
      )
    }
    return { tasks, requestId: answer.requestId }
  }

  /**
   * Polls task results (≤ 100 task ids per call) until every task is settled or the wait is
   * spent. `settle` returns false while a task is still running. Returns the certificate ids
   * whose tasks never finished.
   */
  private async pollTasks(
    action: string,
    listField: string,
    tasks: Map<string, string[]>,
    settle: (result: Fields, certIds: string[], requestId: string) => boolean,
    onError: (error: TencentApiError, certIds: string[]) => void
  ): Promise<string[]> {
    const pending = new Map(tasks)
    if (pending.size === 0) return []
    await pollUntilDone(this.deps, this.poll, async () => {
      for (const batch of chunks([...pending.keys()], BATCH)) {
        try {
          const answer = await this.transport.call(action, { TaskIds: batch })
          const results = optionalArray((answer.data as Fields)[listField])
          if (!results) throw malformed(action, `${listField} is not a list`, answer.requestId)
          for (const result of results) {
            const certIds = isRecord(result) ? pending.get(String(result.TaskId)) : undefined
            if (certIds && settle(result as Fields, certIds, answer.requestId))
              pending.delete(String((result as Fields).TaskId))
          }
        } catch (error) {
          const apiError = errorFor(error, action, '')
          for (const taskId of batch) onError(apiError, pending.get(taskId) ?? [])
          for (const taskId of batch) pending.delete(taskId)
        }
      }
      return pending.size === 0
    })
    return [...pending.values()].flat()
  }
}

/** DescribeCertificates' filter parameters (paging aside). */
function listParams(filter: ListFilter, certIds: string[] | undefined): Fields {
  const params: Fields = {}
  if (filter.searchKey) params.SearchKey = filter.searchKey
  if (filter.certType) params.CertificateType = filter.certType
  if (filter.source) params.FilterSource = filter.source
  if (certIds) params.CertIds = certIds
  if (filter.projectId !== undefined) params.ProjectId = filter.projectId
  return params
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

type BindingVerdict =
  | { bound: false }
  | { bound: true; reason: string }
  | { bound: 'unknown'; reason: string; roleError?: string }

/** One SyncTaskBindResourceResult; undefined while the lookup is still running. */
function bindingOutcome(result: Fields): BindingVerdict | undefined {
  if (result.Status === 0) return undefined
  if (result.Status === 2) {
    const reason = `the binding lookup failed: ${describeError(result.Error)}`
    const code = isRecord(result.Error) ? result.Error.Code : undefined
    // A missing service role fails every lookup, run after run: it is the user's to fix.
    if (typeof code === 'string' && /RoleNotFoundAuthorization|UnauthorizedOperation/.test(code))
      return { bound: 'unknown', reason, roleError: code }
    return { bound: 'unknown', reason }
  }
  if (result.Status !== 1)
    return {
      bound: 'unknown',
      reason: `unexpected binding task status ${JSON.stringify(result.Status)}`
    }
  const counts = new Map<string, number>()
  const problems: string[] = []
  for (const type of optionalArray(result.BindResourceResult) ?? [null]) {
    if (!isRecord(type)) {
      problems.push('an unreadable resource entry')
      continue
    }
    const name = typeof type.ResourceType === 'string' ? type.ResourceType : 'resource'
    for (const region of optionalArray(type.BindResourceRegionResult) ?? [null]) {
      const count = isRecord(region) ? region.TotalCount : undefined
      const error = isRecord(region) ? describeError(region.Error) : ''
      if (typeof count !== 'number' || !Number.isFinite(count)) problems.push(`${name}: no count`)
      else if (count > 0) counts.set(name, (counts.get(name) ?? 0) + count)
      if (error) problems.push(`${name}: ${error}`)
    }
  }
  if (counts.size > 0) {
    const parts = [...counts].map(([name, count]) => `${name} (${count})`)
    return { bound: true, reason: `bound to ${parts.join(', ')}` }
  }
  if (problems.length > 0)
    return { bound: 'unknown', reason: `the binding lookup was incomplete: ${problems.join('; ')}` }
  return { bound: false }
}

/**
 * A refused binding check (not a passing fault): carried as an error so the step fails with it,
 * rather than skipping every certificate on every scheduled run without anyone noticing.
 */
function refusal(error: TencentApiError, id: string): { error?: TencentApiError } {
  if (classifyFailure(error.code) !== 'fatal') return {}
  return { error: errorFor(error, error.operation, id) }
}

/** An `Error` field that may be a string or {Code, Message}; '' when there is none. */
function describeError(value: unknown): string {
  if (typeof value === 'string') return value
  if (!isRecord(value)) return ''
  return [value.Code, value.Message].filter(v => typeof v === 'string' && v !== '').join(': ')
}

/** One DeleteTaskResult for certificate `id`; undefined while the task is still running. */
function deleteTaskOutcome(
  result: Fields,
  id: string,
  requestId: string
): DeleteOutcome | undefined {
  const operation = 'DeleteCertificates'
  const failed = (code: string, message: string): DeleteOutcome => ({
    id,
    result: 'failed',
    error: new TencentApiError({ operation, code, message, requestId, subject: id })
  })
  switch (result.Status) {
    case 0:
      return undefined
    case 1:
      return { id, result: 'deleted' }
    case 2: {
      const error = describeError(result.Error)
      if (saysNotFound(error)) return { id, result: 'gone' }
      // The server's binding check refused it: in use, so kept back like status 4.
      if (/DeleteResourceFailed|BoundResources/.test(error))
        return { id, result: 'skipped', reason: `still bound to cloud resources (${error})` }
      const code = /^[A-Za-z]+(?:\.[A-Za-z0-9]+)*$/.test(error) ? error : 'FailedOperation'
      return failed(code, error || 'the delete task failed')
    }
    case 3:
      return failed(
        'FailedOperation.RoleNotFoundAuthorization',
        `the service-linked role ${LINKED_ROLE} must be authorised in the Tencent Cloud console ` +
          '(SSL Certificate Service) before certificates can be deleted with a binding check'
      )
    case 4:
      return { id, result: 'skipped', reason: 'still bound to cloud resources' }
    case 5:
      return { id, result: 'skipped', reason: 'the binding lookup timed out' }
    default:
      return failed(
        'MalformedResponse',
        `unexpected delete task status ${JSON.stringify(result.Status)}`
      )
  }
}
