/** API 3.0 deletion and binding-check actions (§3.6, §3.7), synchronous and as tasks. */
import type { EmulatorContext } from './context.js'
import { gmt8 } from './format.js'
import {
  ApiError,
  missing,
  readBoolean,
  readInteger,
  readStringArray,
  requireString,
  type Params
} from './params.js'
import { bindResourceCounts } from './resource-views.js'
import { spoilBindingAnswer } from './scripts.js'
import type { DeletionBlocker } from './store.js'
import type { Task, TaskOutcome } from './tasks.js'
import { notFound } from './v3-certificates.js'

type Fields = Record<string, unknown>

const MAX_IDS = 100

const SYNC_ERRORS: Record<DeletionBlocker, [code: string, message: string]> = {
  'not-found': ['FailedOperation.CertificateNotFound', 'certificate not exist'],
  issued: ['FailedOperation.CannotBeDeletedIssued', 'issued certificate cannot be deleted'],
  bound: ['FailedOperation.DeleteResourceFailed', 'certificate is bound to cloud resources']
}

function readIdList(params: Params, name: string): string[] {
  const ids = readStringArray(params, name)
  if (ids === undefined) throw missing(name)
  if (ids.length === 0 || ids.length > MAX_IDS) {
    throw new ApiError(
      'FailedOperation.CertificateSyncTaskCertificateIdCountInvalid',
      `${name} must hold between 1 and ${MAX_IDS} ids, not ${ids.length}.`
    )
  }
  return ids
}

export function deleteCertificate(params: Params, context: EmulatorContext): Fields {
  const id = requireString(params, 'CertificateId')
  if (readBoolean(params, 'IsCheckResource') === true) {
    const task = context.tasks.create('delete', id, context.options.taskPolls, context.now())
    return { DeleteResult: false, TaskId: task.id }
  }
  const blocker = context.store.delete(id)
  if (blocker === 'not-found') throw notFound(id)
  if (blocker) throw new ApiError(...SYNC_ERRORS[blocker])
  return { DeleteResult: true, TaskId: '' }
}

export function deleteCertificates(params: Params, context: EmulatorContext): Fields {
  const ids = readIdList(params, 'CertificateIds')
  // A scripted refusal answers as a Fail entry instead of a task or a deletion.
  const Fail: { CertId: string; Msg: string }[] = []
  const refused = (CertId: string): boolean => {
    const refusal = context.scripts.refusal(CertId)
    if (refusal?.as === 'fail-entry') Fail.push({ CertId, Msg: refusal.message })
    return refusal?.as === 'fail-entry'
  }
  if (readBoolean(params, 'IsSync') === true) {
    const now = context.now()
    const CertTaskIds = ids
      .filter(id => !refused(id))
      .map(CertId => ({
        CertId,
        TaskId: context.tasks.create('delete', CertId, context.options.taskPolls, now).id
      }))
    return { Success: [], Fail, CertTaskIds }
  }
  const Success: string[] = []
  for (const CertId of ids) {
    if (refused(CertId)) continue
    const blocker = context.store.delete(CertId)
    if (blocker) Fail.push({ CertId, Msg: SYNC_ERRORS[blocker][1] })
    else Success.push(CertId)
  }
  return { Success, Fail, CertTaskIds: [] }
}

/** Settles an asynchronous deletion: 1 deleted, 2 failed, 3 role missing, 4 still bound (or
 * as a script says). */
function settleDeletion(task: Task, context: EmulatorContext): TaskOutcome {
  const domains = context.store.get(task.certId)?.domains ?? []
  const outcome = (status: number, error = ''): TaskOutcome => ({
    status,
    error,
    domains,
    boundTo: []
  })
  if (!context.options.deleteTaskRole) return outcome(3, 'RoleNotFoundAuthorization')
  const refusal = context.scripts.refusal(task.certId)
  if (refusal?.as === 'task-status-3') return outcome(3, refusal.message)
  if (refusal?.as === 'task-failed') return outcome(2, refusal.message)
  const blocker = context.store.delete(task.certId)
  if (blocker === 'not-found') return outcome(2, 'CertificateNotFound')
  if (blocker === 'issued') return outcome(2, 'CannotBeDeletedIssued')
  if (blocker === 'bound') return outcome(4, 'BoundResources')
  return outcome(1)
}

function readTaskIds(params: Params): string[] {
  const ids = readStringArray(params, 'TaskIds')
  if (ids === undefined) throw missing('TaskIds')
  if (ids.length > MAX_IDS) {
    throw new ApiError('InvalidParameter', `TaskIds holds at most ${MAX_IDS} ids.`)
  }
  return ids
}

/** Known tasks of one kind; ids Tencent does not know are left out of the answer. */
function tasksOf(params: Params, context: EmulatorContext, kind: Task['kind']): Task[] {
  return readTaskIds(params)
    .map(id => context.tasks.get(id))
    .filter((task): task is Task => task?.kind === kind)
}

export function describeDeleteCertificatesTaskResult(
  params: Params,
  context: EmulatorContext
): Fields {
  const DeleteTaskResult = tasksOf(params, context, 'delete').map(task => {
    const outcome = context.tasks.poll(task, t => settleDeletion(t, context))
    return {
      TaskId: task.id,
      CertId: task.certId,
      Status: outcome?.status ?? 0,
      Error: outcome?.error ?? '',
      CacheTime: gmt8(task.createdAt),
      Domains: outcome?.domains ?? context.store.get(task.certId)?.domains ?? []
    }
  })
  return { DeleteTaskResult }
}

export function createCertificateBindResourceSyncTask(
  params: Params,
  context: EmulatorContext
): Fields {
  const ids = readIdList(params, 'CertificateIds')
  const isCache = readInteger(params, 'IsCache')
  if (isCache === undefined) throw missing('IsCache')
  if (isCache !== 0 && isCache !== 1) {
    throw new ApiError('InvalidParameterValue', 'IsCache must be 0 or 1.')
  }
  const absent = ids.find(id => !context.store.get(id))
  if (absent !== undefined) throw notFound(absent)
  const now = context.now()
  const CertTaskIds = ids.map(CertId => {
    const cached = isCache === 1 ? context.tasks.cachedBindTask(CertId, now) : undefined
    const task = cached ?? context.tasks.create('bind', CertId, context.options.taskPolls, now)
    return { CertId, TaskId: task.id }
  })
  return { CertTaskIds }
}

export function settleBinding(task: Task, context: EmulatorContext): TaskOutcome {
  const record = context.store.get(task.certId)
  if (!record) return { status: 2, error: 'CertificateNotFound', boundTo: [], domains: [] }
  const resources = context.resources.book.on(task.certId).map(r => ({ ...r }))
  return { status: 1, error: '', boundTo: [...record.boundTo], domains: record.domains, resources }
}

export function describeCertificateBindResourceTaskResult(
  params: Params,
  context: EmulatorContext
): Fields {
  const SyncTaskBindResourceResult = tasksOf(params, context, 'bind').map(task => {
    const outcome = context.tasks.poll(task, t => settleBinding(t, context))
    const failed = outcome?.status === 2
    const result: Fields = {
      TaskId: task.id,
      Status: outcome?.status ?? 0,
      Error: failed
        ? { Code: `FailedOperation.${outcome.error}`, Message: 'certificate not exist' }
        : null,
      CacheTime: gmt8(task.createdAt),
      BindResourceResult:
        outcome?.status === 1 ? bindResourceCounts(outcome.boundTo, outcome.resources ?? []) : []
    }
    const shape = outcome?.status === 1 ? context.scripts.bindingShape(task.certId) : undefined
    return shape ? spoilBindingAnswer(result, shape) : result
  })
  return { SyncTaskBindResourceResult }
}
