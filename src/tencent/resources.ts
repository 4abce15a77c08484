/**
 * ResourceApi (API 3.0 only): which resources use a certificate, moving them to another one
 * (UpdateCertificateInstance and its records, retry, rollback) and binding a certificate to
 * named resources (DeployCertificateInstance and its records). Every call goes through the
 * shared Transport: paced per action, retried and classified like the other 3.0 actions.
 * Waiting is the one waiter's (wait.ts); this module decides only what each answer means.
 */
import { done, pending, until, waitFor, type Verdict } from './wait.js'
import type { ClientDeps, ClientOptions, Credentials } from './client.js'
import { TencentApiError } from './errors.js'
import { DEFAULT_POLL, type PollPolicy } from './poll.js'
import { chunks, isRecord, optionalArray, unique, type Fields } from './read.js'
import {
  decodeDetailPage,
  decodeRecordItem,
  type BoundResource,
  type RecordItem
} from './resource-decode.js'
import {
  Transport,
  malformed,
  type ApiAnswer,
  type ClientTuning,
  type Protocol
} from './transport.js'
import { sslTransport, Tc3Protocol } from './v3.js'
import { DEPLOY_RECORD_TYPES } from '../resources/resource-types.js'

export type { BoundResource, RecordItem } from './resource-decode.js'

export const SERVICE_ROLE = 'SSL_QCSLinkedRoleInReplaceLoadCertificate'

export interface BindingDetails {
  certId: string
  resources: BoundResource[]
  /** Why the list may be incomplete (a failed lookup, fewer instances listed than counted);
   * empty when Tencent listed everything it counted. */
  problems: string[]
}

export interface UpdateRequest {
  oldCertificateId: string
  certificateId: string
  types: string[]
  /** ResourceTypesRegions: one entry per regional type. */
  regions: { type: string; regions: string[] }[]
}

export type UpdateStart =
  /** `alreadyRunning`: DeployStatus 0, the record is a task already moving this certificate. */
  | { state: 'started'; recordId: number; alreadyRunning: boolean; requestId: string }
  /** CertificateDeployInstanceEmpty: nothing left to move. */
  | { state: 'nothing'; code: string; requestId: string }

export interface DeployRequest {
  certificateId: string
  type: string
  /** The common Region, for the regional types. */
  region: string | null
  instances: string[]
}

export interface DeployStart {
  recordId: number
  /** DeployStatus 0: another deployment of this certificate and type, still running. */
  alreadyRunning: boolean
}

export interface RecordView {
  items: RecordItem[]
  requestId: string
}

export interface ResourceApi {
  /** The resources bound to each certificate; `fresh` asks Tencent for a new look (IsCache=0)
   * instead of a result of the last 30 minutes. */
  bindingDetails(certIds: string[], fresh: boolean): Promise<Map<string, BindingDetails>>
  /** Starts moving `oldCertificateId`'s resources, repeating the call until the task exists,
   * or `deadline` (injected clock, ms) passes: then a TencentApiError `TaskTimeout`. */
  startUpdate(request: UpdateRequest, deadline: number): Promise<UpdateStart>
  /** Every item of an update or rollback record. */
  updateRecord(recordId: number): Promise<RecordView>
  retryUpdate(recordId: number, detailId: number): Promise<void>
  /** Moves the record's successful resources back; the rollback's own record id. */
  rollbackUpdate(recordId: number): Promise<number>
  /** One DeployCertificateInstance call (one type, one region), repeated while another deploy
   * of this certificate and type is pending, until `deadline`. */
  deploy(request: DeployRequest, deadline: number): Promise<DeployStart>
  /** Every item of a deploy record of `type`. */
  deployRecord(recordId: number, type: string): Promise<RecordView>
  /** The ids of the deploy records of `certificateId` to resources of `type`
   * (DescribeHostDeployRecord), the first `max` that Tencent lists. */
  deployRecords(certificateId: string, type: string, max: number): Promise<number[]>
}

const BATCH = 100
/** DescribeCertificateBindResourceTaskDetail: instances per type and region per page (max). */
const DETAIL_LIMIT = 100
/** DescribeHostUpdateRecordDetail / DescribeHostDeployRecordDetail: items per page (max). */
const RECORD_LIMIT = 200
/** DescribeHostDeployRecord's default page (its Limit has no documented maximum). */
const HISTORY_PAGE = 10
/** A bound on pages, so an answer that never ends cannot loop for ever. */
const MAX_PAGES = 1000
/** Waits between re-calls of UpdateCertificateInstance while its task is being created. */
const CREATION_POLL: PollPolicy = { firstDelayMs: 1000, stepMs: 1000, maxDelayMs: 5000, totalMs: 0 }

const PENDING_RECORD = 'FailedOperation.CertificateDeployHasPendingRecord'
/** Only this code means "nothing left to move". CertificateNotDeployInstance ("cannot be deployed
 * to the instance list") is a refusal: the resources did not move, with Tencent's message. */
const NOTHING_TO_MOVE = new Set(['FailedOperation.CertificateDeployInstanceEmpty'])

/** Parameters of one call plus, under a symbol key that JSON leaves out, its common Region. */
const REGION = Symbol('X-TC-Region')
type RegionalParams = Record<string, unknown> & { [REGION]?: string }

/** TC3 with the common Region header when a call names one (DeployCertificateInstance). */
class RegionalTc3 implements Protocol {
  constructor(private readonly inner: Tc3Protocol) {}

  build(action: string, params: RegionalParams, timestamp: number, credentials?: Credentials) {
    const wire = this.inner.build(action, params, timestamp, credentials)
    const region = params[REGION]
    return region ? { ...wire, headers: { ...wire.headers, 'X-TC-Region': region } } : wire
  }

  parse(action: string, text: string): ApiAnswer {
    return this.inner.parse(action, text)
  }
}

/** A missing service role is the user's to fix, run after run: say how. */
export function withRoleHint(error: TencentApiError): TencentApiError {
  if (!/RoleNotFoundAuthorization/.test(error.code)) return error
  return new TencentApiError({
    operation: error.operation,
    code: error.code,
    message: `${error.apiMessage}; authorise the service role ${SERVICE_ROLE} in the SSL Certificate Service console`,
    requestId: error.requestId,
    httpStatus: error.httpStatus,
    subject: error.subject
  })
}

const isCode = (error: unknown, codes: (code: string) => boolean): error is TencentApiError =>
  error instanceof TencentApiError && codes(error.code)

export class ResourceApiV3 implements ResourceApi {
  private readonly transport: Transport
  private readonly deps: ClientDeps
  private readonly poll: PollPolicy

  constructor(options: ClientOptions, tuning: ClientTuning = {}) {
    this.deps = options.deps
    this.poll = { ...DEFAULT_POLL, ...tuning.poll }
    const protocol = new RegionalTc3(new Tc3Protocol(options.endpoint))
    this.transport = sslTransport(options, tuning, protocol)
  }

  private async call(action: string, params: RegionalParams, subject?: string) {
    try {
      return await this.transport.call(action, params, { subject })
    } catch (error) {
      throw error instanceof TencentApiError ? withRoleHint(error) : error
    }
  }

  async bindingDetails(certIds: string[], fresh: boolean): Promise<Map<string, BindingDetails>> {
    const details = new Map<string, BindingDetails>()
    const problem = (id: string, reason: string) =>
      details.set(id, { certId: id, resources: [], problems: [reason] })
    const tasks = new Map<string, string>()
    for (const chunk of chunks(unique(certIds), BATCH)) {
      const action = 'CreateCertificateBindResourceSyncTask'
      const answer = await this.call(action, { CertificateIds: chunk, IsCache: fresh ? 0 : 1 })
      const list = optionalArray((answer.data as Fields).CertTaskIds)
      if (!list) throw malformed(action, 'CertTaskIds is not a list', answer.requestId)
      for (const entry of list.filter(isRecord))
        if (
          typeof entry.TaskId === 'string' &&
          entry.TaskId !== '' &&
          chunk.includes(entry.CertId as string)
        )
          tasks.set(entry.TaskId, entry.CertId as string)
      const started = new Set(tasks.values())
      for (const id of chunk.filter(id => !started.has(id)))
        problem(id, 'no binding check task was created for it')
    }
    const finished = await this.waitForTasks(tasks)
    for (const [taskId, certId] of tasks) {
      const status = finished.get(taskId)
      if (status === undefined)
        problem(certId, `the binding check did not finish within ${this.poll.totalMs / 1000} s`)
      else if (status !== '') problem(certId, status)
      else details.set(certId, await this.readDetail(taskId, certId))
    }
    return details
  }

  /** Task id → '' when done, or why it failed; tasks still running are left out. */
  private async waitForTasks(tasks: Map<string, string>): Promise<Map<string, string>> {
    const action = 'DescribeCertificateBindResourceTaskResult'
    const settled = new Map<string, string>()
    const left = () => [...tasks.keys()].filter(id => !settled.has(id))
    if (tasks.size === 0) return settled
    await waitFor(this.deps, this.poll, async (): Promise<Verdict<true>> => {
      for (const batch of chunks(left(), BATCH)) {
        const answer = await this.call(action, { TaskIds: batch })
        const results = optionalArray((answer.data as Fields).SyncTaskBindResourceResult)
        if (!results)
          throw malformed(action, 'SyncTaskBindResourceResult is not a list', answer.requestId)
        for (const result of results.filter(isRecord)) {
          const taskId = String(result.TaskId)
          if (!batch.includes(taskId) || result.Status === 0) continue
          if (result.Status === 1) settled.set(taskId, '')
          else settled.set(taskId, taskFailure(result, answer.requestId))
        }
      }
      return left().length === 0 ? done(true) : pending(`${left().length} binding check(s) running`)
    })
    return settled
  }

  private async readDetail(taskId: string, certId: string): Promise<BindingDetails> {
    const action = 'DescribeCertificateBindResourceTaskDetail'
    const found: BindingDetails = { certId, resources: [], problems: [] }
    const counts = new Map<string, { total?: number; listed: number }>()
    for (let offset = 0, page = 0; page < MAX_PAGES; offset += DETAIL_LIMIT, page++) {
      const answer = await this.call(
        action,
        { TaskId: taskId, Limit: String(DETAIL_LIMIT), Offset: String(offset) },
        certId
      )
      const data = answer.data as Fields
      if (data.Status !== 1)
        throw malformed(
          action,
          `the finished task's detail has Status ${JSON.stringify(data.Status)}`,
          answer.requestId
        )
      const decoded = decodeDetailPage(data, certId)
      found.resources.push(...decoded.resources)
      if (page === 0) found.problems.push(...decoded.problems)
      for (const { key, total, listed } of decoded.listed) {
        const count = counts.get(key) ?? { listed: 0 }
        counts.set(key, { total: total ?? count.total, listed: count.listed + listed })
      }
      // Each type and region pages on its own: go on while any has more than was asked for.
      if (!decoded.listed.some(l => (l.total ?? 0) > offset + DETAIL_LIMIT)) break
    }
    for (const [key, { total, listed }] of counts)
      if (total !== undefined && listed < total)
        found.problems.push(`${key}: ${total} counted, ${listed} listed`)
    const unique = new Map(found.resources.map(r => [`${r.type}@${r.region}@${r.instance}`, r]))
    found.resources = [...unique.values()]
    return found
  }

  async startUpdate(request: UpdateRequest, deadline: number): Promise<UpdateStart> {
    const action = 'UpdateCertificateInstance'
    const params = {
      OldCertificateId: request.oldCertificateId,
      CertificateId: request.certificateId,
      ResourceTypes: request.types,
      ...(request.regions.length > 0
        ? {
            ResourceTypesRegions: request.regions.map(r => ({
              ResourceType: r.type,
              Regions: r.regions
            }))
          }
        : {}),
      // 0 keeps the old certificate's expiry reminders: a move can fail or leave resources of
      // other types on it, and a certificate that still serves anything must keep warning. Once
      // nothing is bound, pruning deletes it, and its reminders with it.
      ExpiringNotificationSwitch: 0
    }
    const subject = `certificate ${request.oldCertificateId}`
    const policy = until({ ...CREATION_POLL, firstDelayMs: 0 }, deadline, this.deps.now())
    // The documented way to wait for the task: the same call again until DeployRecordId > 0.
    const result = await waitFor(this.deps, policy, async (): Promise<Verdict<UpdateStart>> => {
      let answer
      try {
        answer = await this.call(action, params, subject)
      } catch (error) {
        if (isCode(error, c => NOTHING_TO_MOVE.has(c)))
          return done({ state: 'nothing', code: error.code, requestId: error.requestId })
        if (isCode(error, c => c === PENDING_RECORD))
          return pending('another update of it is pending')
        throw error
      }
      const data = answer.data as Fields
      const id = data.DeployRecordId
      if (typeof id !== 'number')
        throw malformed(action, 'DeployRecordId is not a number', answer.requestId)
      if (id <= 0) return pending('the update task is being created')
      return done({
        state: 'started',
        recordId: id,
        alreadyRunning: data.DeployStatus === 0,
        requestId: answer.requestId
      })
    })
    if (result.state === 'done') return result.value
    throw new TencentApiError({
      operation: action,
      code: 'TaskTimeout',
      message: `no update task within the time left (${result.state === 'timeout' ? (result.progress ?? 'no answer') : result.reason})`,
      subject
    })
  }

  updateRecord(recordId: number): Promise<RecordView> {
    return this.readRecord('DescribeHostUpdateRecordDetail', async offset => {
      // Strings, as the SDK model types them and Tencent's examples send them.
      const params = {
        DeployRecordId: String(recordId),
        Limit: String(RECORD_LIMIT),
        Offset: String(offset)
      }
      const answer = await this.call('DescribeHostUpdateRecordDetail', params, `record ${recordId}`)
      const groups = optionalArray((answer.data as Fields).RecordDetailList)
      if (!groups)
        throw malformed(
          'DescribeHostUpdateRecordDetail',
          'RecordDetailList is not a list',
          answer.requestId
        )
      const lists = groups.filter(isRecord)
      const items = lists.flatMap(group => {
        const list = optionalArray(group.List) ?? []
        return list.map(item => ({
          ResourceType: group.ResourceType,
          ...(isRecord(item) ? item : {})
        }))
      })
      const more = lists.some(
        g => typeof g.TotalCount === 'number' && g.TotalCount > offset + RECORD_LIMIT
      )
      return { answer, items, more }
    })
  }

  deployRecord(recordId: number, type: string): Promise<RecordView> {
    return this.readRecord(
      'DescribeHostDeployRecordDetail',
      async offset => {
        const params = { DeployRecordId: String(recordId), Offset: offset, Limit: RECORD_LIMIT }
        const answer = await this.call(
          'DescribeHostDeployRecordDetail',
          params,
          `record ${recordId}`
        )
        const data = answer.data as Fields
        const list = optionalArray(data.DeployRecordDetailList)
        if (!list)
          throw malformed(
            'DescribeHostDeployRecordDetail',
            'DeployRecordDetailList is not a list',
            answer.requestId
          )
        const items = list.map(item => ({ ResourceType: type, ...(isRecord(item) ? item : {}) }))
        const more = typeof data.TotalCount === 'number' && data.TotalCount > offset + RECORD_LIMIT
        return { answer, items, more }
      },
      type
    )
  }

  async deployRecords(certificateId: string, type: string, max: number): Promise<number[]> {
    const action = 'DescribeHostDeployRecord'
    // Never an undocumented value: those types' records are not asked for.
    if (!DEPLOY_RECORD_TYPES.has(type))
      throw new Error(
        `the deploy records of ${type} are not looked up (DescribeHostDeployRecord does not ` +
          `document ResourceType ${type}); the binding check decides`
      )
    const ids: number[] = []
    // Limit left at its documented default (10): no maximum is documented.
    for (let offset = 0; offset < max; offset += HISTORY_PAGE) {
      const answer = await this.call(
        action,
        { CertificateId: certificateId, ResourceType: type, Offset: offset },
        `certificate ${certificateId}`
      )
      const data = answer.data as Fields
      const list = optionalArray(data.DeployRecordList)
      if (!list) throw malformed(action, 'DeployRecordList is not a list', answer.requestId)
      for (const entry of list.filter(isRecord))
        if (typeof entry.Id === 'number' && (entry.CertId ?? certificateId) === certificateId)
          ids.push(entry.Id)
      const total = typeof data.TotalCount === 'number' ? data.TotalCount : 0
      if (list.length === 0 || offset + HISTORY_PAGE >= total) break
    }
    return ids.slice(0, max)
  }

  private async readRecord(
    action: string,
    page: (offset: number) => Promise<{ answer: ApiAnswer; items: Fields[]; more: boolean }>,
    type?: string
  ): Promise<RecordView> {
    const byId = new Map<number, RecordItem>()
    let requestId = ''
    for (let offset = 0, n = 0; n < MAX_PAGES; offset += RECORD_LIMIT, n++) {
      const { answer, items, more } = await page(offset)
      if (n === 0) requestId = answer.requestId
      for (const item of items) {
        const decoded = decodeRecordItem(action, item, answer.requestId, type)
        byId.set(decoded.detailId, decoded)
      }
      if (!more || items.length === 0) break
    }
    return { items: [...byId.values()], requestId }
  }

  async retryUpdate(recordId: number, detailId: number): Promise<void> {
    // Both ids, as Tencent's example sends them: this one item of this record.
    await this.call(
      'UpdateCertificateRecordRetry',
      { DeployRecordId: recordId, DeployRecordDetailId: detailId },
      `record ${recordId} item ${detailId}`
    )
  }

  async rollbackUpdate(recordId: number): Promise<number> {
    const action = 'UpdateCertificateRecordRollback'
    const answer = await this.call(action, { DeployRecordId: recordId }, `record ${recordId}`)
    const id = (answer.data as Fields).DeployRecordId
    if (typeof id !== 'number' || id <= 0)
      throw malformed(action, 'no DeployRecordId for the rollback', answer.requestId)
    return id
  }

  async deploy(request: DeployRequest, deadline: number): Promise<DeployStart> {
    const action = 'DeployCertificateInstance'
    const params: RegionalParams = {
      CertificateId: request.certificateId,
      InstanceIdList: request.instances,
      ResourceType: request.type,
      // Tencent validates the instances against a fresh look, not a 30-minute-old one.
      IsCache: 0
    }
    if (request.region) params[REGION] = request.region
    const subject = `${request.type}${request.region ? ` in ${request.region}` : ''}`
    const policy = until({ ...CREATION_POLL, firstDelayMs: 0 }, deadline, this.deps.now())
    const result = await waitFor(this.deps, policy, async (): Promise<Verdict<DeployStart>> => {
      try {
        const answer = await this.call(action, params, subject)
        const data = answer.data as Fields
        if (typeof data.DeployRecordId !== 'number' || data.DeployRecordId <= 0)
          throw malformed(action, 'no DeployRecordId', answer.requestId)
        return done({ recordId: data.DeployRecordId, alreadyRunning: data.DeployStatus === 0 })
      } catch (error) {
        if (isCode(error, c => c === PENDING_RECORD)) return pending('another deploy is pending')
        throw error
      }
    })
    if (result.state === 'done') return result.value
    throw new TencentApiError({
      operation: action,
      code: 'TaskTimeout',
      message: 'another deployment of this certificate and type stayed pending for the time left',
      subject
    })
  }
}

/** A failed binding task's reason; a missing service role is thrown: it fails the step. */
function taskFailure(result: Fields, requestId: string): string {
  const error = isRecord(result.Error) ? result.Error : {}
  const code = typeof error.Code === 'string' ? error.Code : ''
  const message = typeof error.Message === 'string' ? error.Message : ''
  if (/RoleNotFoundAuthorization|UnauthorizedOperation/.test(code))
    throw withRoleHint(
      new TencentApiError({
        operation: 'DescribeCertificateBindResourceTaskResult',
        code,
        message,
        requestId
      })
    )
  return `the binding lookup failed: ${[code, message].filter(Boolean).join(': ') || `status ${String(result.Status)}`}`
}
