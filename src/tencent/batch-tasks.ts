/**
 * What the binding check and the checked deletion share (tencent-cloud-ssl-api.md §3.6, §3.7):
 * batched calls of up to 100 ids that start asynchronous tasks, the task ids they answer, and
 * the wait for the tasks' results, on the one waiter (wait.ts).
 *
 * Safety rules kept here: an error that names one certificate never lands on another (a batch
 * refused because one of its certificates no longer exists is asked again without it), and
 * "gone" is decided by error code, never by a message's wording.
 */
import type { ClientDeps } from './client.js'
import type { TencentApiError } from './errors.js'
import type { PollPolicy } from './poll.js'
import { chunks, errorFor, isRecord, meansNotFound, optionalArray, type Fields } from './read.js'
import { malformed, type ApiAnswer, type Transport } from './transport.js'
import { done, pending, waitFor } from './wait.js'

/** Most ids one batch call (delete, binding task, task result) accepts. */
export const BATCH = 100
export const LINKED_ROLE = 'SSL_QCSLinkedRoleInReplaceLoadCertificate'
export const ROLE_HINT = `authorise the service-linked role ${LINKED_ROLE} in the SSL Certificate console`

/** What the 3.0 client lends these calls. */
export interface V3Wire {
  transport: Transport
  deps: ClientDeps
  poll: PollPolicy
}

export interface BatchCalls {
  answers: { ids: string[]; answer: ApiAnswer }[]
  /** Ids a call for them alone said do not exist (by code). */
  gone: string[]
  failures: { ids: string[]; error: TencentApiError }[]
}

/** One call per batch of ≤ 100 ids; a batch refused because one of its certificates does not
 * exist is asked again without it (see splitOnGone). */
export async function batchCalls(
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

/** CertTaskIds [{CertId, TaskId}] of an answer, as task id → certificate ids asked about. */
export function readCertTasks(
  answer: ApiAnswer,
  ids: string[],
  action: string
): Map<string, string[]> {
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

export interface Polled {
  results: Map<string, { fields: Fields; requestId: string }>
  errors: Map<string, TencentApiError>
}

/**
 * Asks for task results (≤ 100 task ids per call) until every task has a final result (Status
 * other than 0) or the wait is spent; tasks in neither map are still running. A failed ask
 * settles its tasks with the error.
 */
export async function waitForTasks(
  wire: V3Wire,
  action: string,
  listField: string,
  taskIds: string[]
): Promise<Polled> {
  const results: Polled['results'] = new Map()
  const errors: Polled['errors'] = new Map()
  const running = new Set(taskIds)
  if (running.size === 0) return { results, errors }
  await waitFor(wire.deps, wire.poll, async () => {
    for (const batch of chunks([...running], BATCH)) {
      try {
        const answer = await wire.transport.call(action, { TaskIds: batch })
        const list = optionalArray((answer.data as Fields)[listField])
        if (!list) throw malformed(action, `${listField} is not a list`, answer.requestId)
        for (const result of list) {
          const taskId = isRecord(result) ? String(result.TaskId) : ''
          if (!running.has(taskId) || (result as Fields).Status === 0) continue
          results.set(taskId, { fields: result as Fields, requestId: answer.requestId })
          running.delete(taskId)
        }
      } catch (error) {
        const failure = errorFor(error, action, '')
        for (const taskId of batch) errors.set(taskId, failure)
        for (const taskId of batch) running.delete(taskId)
      }
    }
    return running.size === 0 ? done(true) : pending(`${running.size} task(s) running`)
  })
  return { results, errors }
}

/** The code of an `Error` field that is {Code, Message} or a bare code string. */
export function errorCode(value: unknown): string | undefined {
  const code = isRecord(value) ? value.Code : value
  if (typeof code !== 'string') return undefined
  return /^[A-Za-z]+(?:\.[A-Za-z0-9]+)*$/.test(code) ? code : undefined
}

/** An `Error` field that may be a string or {Code, Message}; '' when there is none. */
export function describeError(value: unknown): string {
  if (typeof value === 'string') return value
  if (!isRecord(value)) return ''
  return [value.Code, value.Message].filter(v => typeof v === 'string' && v !== '').join(': ')
}

/** "the … did not finish within N s". */
export function late(wire: V3Wire, what: string): string {
  return `the ${what} did not finish within ${wire.poll.totalMs / 1000} s`
}
