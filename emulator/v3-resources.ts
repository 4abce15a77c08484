/**
 * API 3.0 resource actions: moving resources to another certificate (UpdateCertificateInstance,
 * its record, retry and rollback), binding a certificate to named resources
 * (DeployCertificateInstance and its record), and the binding task's instance details. The
 * parameters each accepts are the SDK's request models'; the behaviour is Tencent's as far as
 * documented, the rest is chosen and written down in emulator/README.md.
 */
import type { EmulatorContext } from './context.js'
import { gmt8 } from './format.js'
import {
  ApiError,
  missing,
  readEnum,
  readEnumArray,
  readInteger,
  readString,
  readStringArray,
  requireString,
  type Params
} from './params.js'
import { advance, isRunning, RecordBook, type ResourceRecord } from './resource-records.js'
import {
  DEPLOY_PARTS,
  DEPLOY_RECORD_TYPES,
  DETAIL_FILTER_TYPES,
  DEPLOY_REGIONAL,
  REGIONAL_TYPES,
  UPDATE_REGIONAL,
  UPDATE_TYPES
} from './resource-types.js'
import { ResourceBook, resourceKeyOf, type StoredResource } from './resources.js'
import { bindingDetailArrays, deployItem, recordCounts, updateItem } from './resource-views.js'
import type { Task, TaskOutcome } from './tasks.js'
import type { OpenUpdateSeed } from './admin.js'
import { notFound } from './v3-certificates.js'

type Fields = Record<string, unknown>

/** Everything the resource actions keep between requests. */
export interface ResourceWorld {
  book: ResourceBook
  records: RecordBook
  /** Calls of UpdateCertificateInstance per parameter set, while its task is being created. */
  creations: Map<string, number>
  /** Scripted: this many Update/Deploy calls answer CertificateDeployHasPendingRecord. */
  pendingConflicts: number
  /** Moves tried per resource key (update record items created, and retries): the oracle of
   * "each resource is tried at most twice per run". */
  attempts: Map<string, number>
}

export function createResourceWorld(book: ResourceBook): ResourceWorld {
  return {
    book,
    records: new RecordBook(),
    creations: new Map(),
    pendingConflicts: 0,
    attempts: new Map()
  }
}

export function clearResourceWorld(world: ResourceWorld): void {
  world.book.clear()
  world.records.clear()
  world.creations.clear()
  world.pendingConflicts = 0
  world.attempts.clear()
}

const PENDING = 'FailedOperation.CertificateDeployHasPendingRecord'

function refuseIfScripted(context: EmulatorContext): void {
  const world = context.resources
  if (world.pendingConflicts > 0) {
    world.pendingConflicts--
    throw new ApiError(
      PENDING,
      'A deployment task of this certificate is pending; try again later.'
    )
  }
  if (!context.options.serviceRole)
    throw new ApiError(
      'FailedOperation.RoleNotFoundAuthorization',
      'The role does not exist; please authorise the service role first.'
    )
}

/** An integer sent as a number or as a numeric string (Tencent accepts both). */
function readNumber(params: Params, name: string): number | undefined {
  const value = params.values[name]
  if (value === undefined || value === null) return undefined
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number))
    throw new ApiError('InvalidParameter', `The value type of parameter \`${name}\` is not valid.`)
  return number
}

function page(params: Params, max: number): { limit: number; offset: number } {
  const limit = Math.min(readNumber(params, 'Limit') || 10, max)
  const offset = readNumber(params, 'Offset') ?? 0
  return { limit, offset }
}

/** ResourceTypesRegions (and the deprecated flat Regions, for types without an entry). */
function regionsByType(params: Params, types: string[]): Map<string, string[]> {
  const value = params.values.ResourceTypesRegions
  const regions = new Map<string, string[]>()
  if (value !== undefined && value !== null) {
    const valid =
      Array.isArray(value) &&
      value.every(
        e =>
          typeof e === 'object' &&
          e !== null &&
          typeof e.ResourceType === 'string' &&
          Array.isArray(e.Regions) &&
          e.Regions.every((r: unknown) => typeof r === 'string')
      )
    if (!valid)
      throw new ApiError(
        'InvalidParameter',
        'The value type of parameter `ResourceTypesRegions` is not valid.'
      )
    for (const e of value as { ResourceType: string; Regions: string[] }[])
      regions.set(e.ResourceType, [...(regions.get(e.ResourceType) ?? []), ...e.Regions])
  }
  const flat = readStringArray(params, 'Regions')
  for (const type of types.filter(t => UPDATE_REGIONAL.has(t)))
    if (!regions.get(type)?.length) {
      if (!flat?.length)
        throw new ApiError(
          'InvalidParameter.WithDetailReason',
          `ResourceTypesRegions must list the regions of ${type}.`
        )
      regions.set(type, flat)
    }
  return regions
}

function progress(resources: StoredResource[], status: number): Fields[] {
  const types = [...new Set(resources.map(r => r.type))]
  return types.map(type => {
    const ofType = resources.filter(r => r.type === type)
    const regions = [...new Set(ofType.map(r => r.region ?? ''))]
    return {
      ResourceType: type,
      UpdateSyncProgressRegions: regions.map(Region => ({
        Region,
        TotalCount: ofType.filter(r => (r.region ?? '') === Region).length,
        OffsetCount: status === 1 ? ofType.filter(r => (r.region ?? '') === Region).length : 0,
        Status: status
      })),
      Status: status
    }
  })
}

export function updateCertificateInstance(params: Params, context: EmulatorContext): Fields {
  refuseIfScripted(context)
  const { book, records, creations } = context.resources
  const oldId = requireString(params, 'OldCertificateId')
  const types = readStringArray(params, 'ResourceTypes')
  if (!types?.length) throw missing('ResourceTypes')
  const newId = readString(params, 'CertificateId')
  if (!newId) {
    if (readString(params, 'CertificatePublicKey'))
      throw new ApiError(
        'InvalidParameter',
        'The emulator moves resources to an uploaded CertificateId only.'
      )
    throw missing('CertificateId')
  }
  for (const type of types)
    if (!UPDATE_TYPES.includes(type))
      throw new ApiError(
        'FailedOperation.CertificateHostResourceTypeInvalid',
        `Resource type ${type} is not supported.`
      )
  const regions = regionsByType(params, types)
  const notice = readInteger(params, 'ExpiringNotificationSwitch')
  if (notice !== undefined && notice !== 0 && notice !== 1)
    throw new ApiError('InvalidParameterValue', 'ExpiringNotificationSwitch must be 0 or 1.')
  for (const id of [oldId, newId]) if (!context.store.get(id)) throw notFound(id)
  if (oldId === newId)
    throw new ApiError('FailedOperation.InvalidParam', 'The two certificates are the same.')
  const running = records.running('update', r => r.oldCertId === oldId)
  if (running)
    return {
      DeployRecordId: running.id,
      DeployStatus: 0,
      UpdateSyncProgress: progress(
        running.items.map(i => i.resource),
        1
      )
    }
  const matched = book
    .on(oldId)
    .filter(
      r =>
        types.includes(r.type) &&
        (!UPDATE_REGIONAL.has(r.type) || regions.get(r.type)?.includes(r.region as string))
    )
  if (matched.length === 0)
    throw new ApiError(
      'FailedOperation.CertificateDeployInstanceEmpty',
      'The selected resource types have no instance to update.'
    )
  // The documented protocol: DeployRecordId 0 while the task is being created; ask again.
  const signature = JSON.stringify([oldId, newId, [...types].sort(), [...regions].sort()])
  const calls = creations.get(signature) ?? 0
  if (calls < context.options.creationPolls) {
    creations.set(signature, calls + 1)
    return { DeployRecordId: 0, DeployStatus: 0, UpdateSyncProgress: progress(matched, 3) }
  }
  creations.delete(signature)
  const record = openUpdateRecord(context, oldId, newId, matched)
  return {
    DeployRecordId: record.id,
    DeployStatus: context.options.createdDeployStatus,
    UpdateSyncProgress: progress(matched, 1)
  }
}

/** A new update record moving `resources` from `oldId` to `newId` (a call's, or an earlier
 * run's seeded by a test); every item counts as an attempt on its resource. */
export function openUpdateRecord(
  context: EmulatorContext,
  oldId: string,
  newId: string,
  resources: StoredResource[],
  polls = context.options.recordPolls
): ResourceRecord {
  for (const r of resources) countAttempt(context, r)
  return context.resources.records.create(
    'update',
    { certId: newId, oldCertId: oldId },
    resources.map(resource => ({ resource, from: oldId })),
    polls,
    context.now()
  )
}

/** Admin: an update record an earlier run left open. */
export function openUpdate(context: EmulatorContext, seed: OpenUpdateSeed): number {
  const { from, to, instances, polls } = seed ?? {}
  if (typeof from !== 'string' || typeof to !== 'string' || !from || !to)
    throw new TypeError('an open update needs from and to, certificate ids')
  if (polls !== undefined && !(Number.isInteger(polls) && polls >= 0))
    throw new TypeError('polls must be an integer >= 0')
  for (const id of [from, to])
    if (!context.store.get(id)) throw new TypeError(`no certificate ${id}`)
  const resources = context.resources.book
    .on(from)
    .filter(r => instances === undefined || instances.includes(r.instance))
  if (resources.length === 0) throw new TypeError(`nothing of ${from} to move`)
  const record = openUpdateRecord(context, from, to, resources)
  if (polls !== undefined) for (const item of record.items) item.pollsLeft = polls
  return record.id
}

function countAttempt(context: EmulatorContext, resource: StoredResource): void {
  const { attempts } = context.resources
  attempts.set(resource.key, (attempts.get(resource.key) ?? 0) + 1)
}

function recordOf(
  context: EmulatorContext,
  id: number | undefined,
  kinds: ResourceRecord['kind'][]
): ResourceRecord {
  const record = id === undefined ? undefined : context.resources.records.get(id)
  if (!record || !kinds.includes(record.kind))
    throw new ApiError(
      'FailedOperation.CertificateDeployNotExist',
      `The deploy record ${id} does not exist.`
    )
  return record
}

const liveIn = (context: EmulatorContext) => (id: string) => context.store.get(id) !== undefined

export function describeHostUpdateRecordDetail(params: Params, context: EmulatorContext): Fields {
  const id = readNumber(params, 'DeployRecordId')
  if (id === undefined) throw missing('DeployRecordId')
  const record = recordOf(context, id, ['update', 'rollback'])
  const { limit, offset } = page(params, 200)
  // A page after the first reads the same state: only the first one moves the record on.
  if (offset === 0) advance(record, context.resources.book, liveIn(context), context.now())
  const types = [...new Set(record.items.map(i => i.resource.type))]
  return {
    ...recordCounts(record.items),
    RecordDetailList: types.map(type => {
      const items = record.items.filter(i => i.resource.type === type)
      return {
        ResourceType: type,
        List: items.slice(offset, offset + limit).map(updateItem),
        TotalCount: items.length
      }
    })
  }
}

export function updateCertificateRecordRetry(params: Params, context: EmulatorContext): Fields {
  const recordId = readNumber(params, 'DeployRecordId')
  const detailId = readNumber(params, 'DeployRecordDetailId')
  if (recordId === undefined && detailId === undefined) throw missing('DeployRecordId')
  const record =
    detailId !== undefined
      ? recordOf(context, context.resources.records.holding(detailId)?.id, ['update'])
      : recordOf(context, recordId, ['update'])
  if (recordId !== undefined && record.id !== recordId)
    throw new ApiError(
      'FailedOperation.InvalidParam',
      `Detail ${detailId} is not part of record ${recordId}.`
    )
  const items = record.items.filter(
    i => (detailId === undefined || i.id === detailId) && i.status === 2
  )
  if (items.length === 0)
    throw new ApiError(
      'FailedOperation.CertificateDeployRetryStatusInvalid',
      'Only failed records can be retried.'
    )
  for (const item of items) {
    countAttempt(context, item.resource)
    item.status = 0
    item.error = ''
    item.pollsLeft = item.resource.settlePolls ?? context.options.recordPolls
    item.updatedAt = context.now()
  }
  return {}
}

export function updateCertificateRecordRollback(params: Params, context: EmulatorContext): Fields {
  const record = recordOf(context, readNumber(params, 'DeployRecordId'), ['update'])
  if (isRunning(record))
    throw new ApiError(
      'FailedOperation.CertificateDeployDetailRollbackStatusInvalid',
      'The record must be in a final state.'
    )
  const moved = record.items.filter(i => i.status === 1 && i.resource.certId === record.certId)
  if (moved.length === 0)
    throw new ApiError(
      'FailedOperation.CertificateDeployRollbackStatusInvalid',
      'There is no successful record to roll back.'
    )
  const rollback = context.resources.records.create(
    'rollback',
    { certId: record.oldCertId, oldCertId: record.certId },
    moved.map(item => ({ resource: item.resource, from: record.certId })),
    context.options.recordPolls,
    context.now()
  )
  return { DeployRecordId: rollback.id }
}

export function deployCertificateInstance(params: Params, context: EmulatorContext): Fields {
  refuseIfScripted(context)
  const certId = requireString(params, 'CertificateId')
  const list = readStringArray(params, 'InstanceIdList')
  if (!list?.length) throw missing('InstanceIdList')
  const type = readString(params, 'ResourceType') || 'clb'
  const shape = DEPLOY_PARTS[type]
  if (!shape)
    throw new ApiError(
      'FailedOperation.CertificateHostResourceTypeInvalid',
      `Resource type ${type} is not supported.`
    )
  const isCache = readInteger(params, 'IsCache')
  if (isCache !== undefined && isCache !== 0 && isCache !== 1)
    throw new ApiError('InvalidParameterValue', 'IsCache must be 0 or 1.')
  const status = readInteger(params, 'Status')
  if (status !== undefined && ![-1, 0, 1].includes(status))
    throw new ApiError('InvalidParameterValue', 'Status must be -1, 0 or 1.')
  const region = params.region || null
  if (DEPLOY_REGIONAL.has(type) && !region)
    throw new ApiError('InvalidParameter.RegionNotEmpty', 'Region 不允许为空')
  if (!context.store.get(certId)) throw notFound(certId)
  const running = context.resources.records.running(
    'deploy',
    r => r.certId === certId && r.type === type
  )
  if (running) return { DeployRecordId: running.id, DeployStatus: 0 }
  const resources = list.map(entry => {
    const parts = entry.split('|')
    if (parts.length < shape[0] || parts.length > shape[1] || parts.some(p => p === ''))
      throw new ApiError(
        'FailedOperation.CertificateDeployInstanceFormatError',
        `${entry} is not a ${type} instance.`
      )
    const instance = ['cdn', 'tse', 'mqtt'].includes(type) ? parts[0] : entry
    const found = context.resources.book.get(
      resourceKeyOf(type, REGIONAL_TYPES.has(type) ? region : null, instance)
    )
    if (!found || found.certId === certId)
      throw new ApiError(
        'FailedOperation.CertificateNotDeployInstance',
        `${entry} ${found ? 'already uses this certificate' : 'is not a resource the certificate can be deployed to'}.`
      )
    return found
  })
  const record = context.resources.records.create(
    'deploy',
    { certId, oldCertId: '', type },
    resources.map(resource => ({ resource, from: resource.certId ?? '' })),
    context.options.recordPolls,
    context.now()
  )
  return { DeployRecordId: record.id, DeployStatus: 1 }
}

export function describeHostDeployRecordDetail(params: Params, context: EmulatorContext): Fields {
  const id = readNumber(params, 'DeployRecordId')
  if (id === undefined) throw missing('DeployRecordId')
  const record = recordOf(context, id, ['deploy'])
  const { limit, offset } = page(params, 200)
  if (offset === 0) advance(record, context.resources.book, liveIn(context), context.now())
  return {
    ...recordCounts(record.items),
    DeployRecordDetailList: record.items.slice(offset, offset + limit).map(deployItem)
  }
}

/** DescribeHostDeployRecord: the certificate's deploy records, newest first; a record's Status
 * is 0 while any item is unsettled, 1 when every item succeeded, 2 otherwise (the SDK's "0 not
 * started, 1 success, 2 failed"). */
export function describeHostDeployRecord(params: Params, context: EmulatorContext): Fields {
  const certId = requireString(params, 'CertificateId')
  const type = readEnum(params, 'ResourceType', DEPLOY_RECORD_TYPES)
  const offset = readInteger(params, 'Offset') ?? 0
  const limit = readInteger(params, 'Limit') || 10
  if (offset < 0 || limit < 0)
    throw new ApiError('InvalidParameterValue', 'Offset and Limit must not be negative.')
  const records = context.resources.records.list(
    'deploy',
    r => r.certId === certId && (type === undefined || r.type === type)
  )
  const status = (r: ResourceRecord) =>
    isRunning(r) ? 0 : r.items.every(i => i.status === 1) ? 1 : 2
  return {
    TotalCount: records.length,
    DeployRecordList: records.slice(offset, offset + limit).map(r => ({
      Id: r.id,
      CertId: r.certId,
      ResourceType: r.type,
      Region: r.items[0]?.resource.region ?? '',
      Status: status(r),
      CreateTime: gmt8(r.createdAt),
      UpdateTime: gmt8(Math.max(r.createdAt, ...r.items.map(i => i.updatedAt)))
    }))
  }
}

export function describeCertificateBindResourceTaskDetail(
  params: Params,
  context: EmulatorContext,
  settle: (task: Task) => TaskOutcome
): Fields {
  if (!context.options.serviceRole)
    throw new ApiError(
      'FailedOperation.RoleNotFoundAuthorization',
      'The role does not exist; please authorise the service role first.'
    )
  const taskId = requireString(params, 'TaskId')
  const task = context.tasks.get(taskId)
  if (task?.kind !== 'bind')
    throw new ApiError(
      'FailedOperation.CertificateSyncTaskIdInvalid',
      `The task ${taskId} does not exist.`
    )
  const { limit, offset } = page(params, 100)
  const outcome = context.tasks.poll(task, settle)
  const base = { CacheTime: gmt8(task.createdAt) }
  if (outcome === undefined) return { ...base, Status: 0 }
  if (outcome.status !== 1) return { ...base, Status: outcome.status }
  if (context.scripts.bindingShape(task.certId) === 'detail-empty') return { ...base, Status: 1 }
  const query = {
    limit,
    offset,
    types: readEnumArray(params, 'ResourceTypes', DETAIL_FILTER_TYPES),
    regions: readStringArray(params, 'Regions')
  }
  return {
    ...base,
    Status: 1,
    ...bindingDetailArrays(task.certId, outcome.boundTo, outcome.resources ?? [], query)
  }
}

/** The resource actions with the parameters of their SDK request models. */
export function resourceActions(
  settleBinding: (task: Task, context: EmulatorContext) => TaskOutcome
) {
  return {
    UpdateCertificateInstance: {
      params: [
        'OldCertificateId',
        'ResourceTypes',
        'CertificateId',
        'Regions',
        'ResourceTypesRegions',
        'CertificatePublicKey',
        'CertificatePrivateKey',
        'ExpiringNotificationSwitch',
        'Repeatable',
        'AllowDownload',
        'Tags',
        'ProjectId'
      ],
      handle: updateCertificateInstance
    },
    DescribeHostUpdateRecordDetail: {
      params: ['DeployRecordId', 'Limit', 'Offset'],
      handle: describeHostUpdateRecordDetail
    },
    UpdateCertificateRecordRetry: {
      params: ['DeployRecordId', 'DeployRecordDetailId'],
      handle: updateCertificateRecordRetry
    },
    UpdateCertificateRecordRollback: {
      params: ['DeployRecordId'],
      handle: updateCertificateRecordRollback
    },
    DeployCertificateInstance: {
      params: ['CertificateId', 'InstanceIdList', 'ResourceType', 'Status', 'IsCache'],
      handle: deployCertificateInstance
    },
    DescribeHostDeployRecordDetail: {
      params: ['DeployRecordId', 'Offset', 'Limit'],
      handle: describeHostDeployRecordDetail
    },
    DescribeHostDeployRecord: {
      params: ['CertificateId', 'Offset', 'Limit', 'ResourceType'],
      handle: describeHostDeployRecord
    },
    DescribeCertificateBindResourceTaskDetail: {
      params: ['TaskId', 'Limit', 'Offset', 'ResourceTypes', 'Regions'],
      handle: (params: Params, context: EmulatorContext) =>
        describeCertificateBindResourceTaskDetail(params, context, task =>
          settleBinding(task, context)
        )
    }
  }
}
