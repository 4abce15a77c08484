/**
 * API 3.0 deletions and look-ups by id (tencent-cloud-ssl-api.md §3.4, §3.6): batched calls that
 * start asynchronous delete tasks, the wait for them (batch-tasks.ts, on the one waiter), and the
 * decoders of their results. The binding check is binding-check.ts's.
 *
 * Safety rules kept here:
 * - "gone" is decided by error code, never by a message's wording;
 * - a deletion whose outcome is unclear is confirmed by looking the id up before it is called gone.
 */
import type {
  BindingCheckOptions,
  BindingState,
  DeleteOutcome,
  FoundCertificate
} from './client.js'
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
import { checkBindings } from './binding-check.js'
import { TencentApiError } from './errors.js'
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
import { malformed, type ApiAnswer } from './transport.js'

export type { V3Wire } from './batch-tasks.js'
/** Most ids DescribeCertificates takes in CertIds (more: InvalidParameter.CertificateIdNumberLimit). */
export const LOOKUP_BATCH = 50

export class V3Deletion {
  constructor(private readonly wire: V3Wire) {}

  /** The binding check (binding-check.ts). A certificate it calls gone (a NotFound code) is
   * looked up, like an unclear deletion: gone only when the look-up does not find it; found, or
   * a look-up that fails, leaves it not checked. */
  async checkBindings(ids: string[], options: BindingCheckOptions = {}): Promise<BindingState[]> {
    const states = await checkBindings(this.wire, ids, options)
    const said = states.filter(s => s.bound === 'gone').map(s => s.id)
    const gone = await confirmedGone(said, found => this.findByIds(found), this.wire.deps.debug)
    const reason =
      'not checked: the binding check said it does not exist, but a look-up did not confirm it'
    return states.map(s =>
      s.bound !== 'gone' || gone.has(s.id) ? s : { id: s.id, bound: 'unknown', reason }
    )
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
    const polled = await waitForTasks(
      this.wire,
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
          const timeout = new TencentApiError({
            operation,
            code: 'TaskTimeout',
            message: late(this.wire, 'delete task'),
            requestId: requestIdOf.get(id),
            subject: id
          })
          settle(id, unclear({ id, result: 'failed', error: timeout }))
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
  // A result that names another certificate says nothing of this one: look it up.
  const named = result.CertId
  if (typeof named === 'string' && named !== '' && named !== id) {
    const message = `the delete task's result is about ${named}, not this certificate`
    return unclear({ id, result: 'failed', error: error('MalformedResponse', message) })
  }
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
    // Only a certificate the API calls uploaded: a missing From is no proof (list-fields.ts)
    uploaded: from === 'upload'
  }
}
