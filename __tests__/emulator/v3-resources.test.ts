/**
 * The emulator's resource actions, driven by the official SDK's CommonClient: the update task
 * and its record, retry, rollback, deployments with the common Region, the binding task's
 * counts and details, the request models, the admin path, the state file, and the invariant
 * check itself (shown able to fail).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { admin, failureOf, sdkClient } from './helpers.js'

type Item = Record<string, unknown>
const DAY = 86_400_000

let emulator: Emulator
let client: ReturnType<typeof sdkClient>

beforeEach(async () => {
  emulator = await startEmulator({
    rateLimitPerSecond: 0,
    taskPolls: 0,
    recordPolls: 1,
    creationPolls: 1
  })
  client = sdkClient(emulator)
  for (const [id, days] of [
    ['OLD', 10],
    ['NEW', 90]
  ] as const)
    emulator.seed({
      id,
      domains: ['www.example.test'],
      notAfter: new Date(Date.now() + days * DAY)
    })
  emulator.resources.seed([
    { type: 'cdn', instance: 'www.example.test', certId: 'OLD' },
    { type: 'clb', region: 'ap-guangzhou', instance: 'lb-1|lbl-1', certId: 'OLD' },
    { type: 'clb', region: 'ap-shanghai', instance: 'lb-2|lbl-2|www.example.test', certId: 'OLD' },
    { type: 'tse', region: 'ap-guangzhou', instance: 'gateway-1', certId: 'OLD' }
  ])
})

afterEach(() => emulator.stop())

const serving = () =>
  Object.fromEntries(emulator.resources.all().map(r => [`${r.type} ${r.instance}`, r.certId]))

const UPDATE = {
  OldCertificateId: 'OLD',
  CertificateId: 'NEW',
  ResourceTypes: ['cdn', 'clb'],
  ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou', 'ap-shanghai'] }]
}

/** Calls UpdateCertificateInstance until it names a record; that record's id. */
async function startUpdate(params: object = UPDATE): Promise<number> {
  for (;;) {
    const answer = await client.request('UpdateCertificateInstance', params)
    if ((answer.DeployRecordId as number) > 0) return answer.DeployRecordId as number
  }
}

const detail = (id: number | string, extra: object = {}) =>
  client.request('DescribeHostUpdateRecordDetail', { DeployRecordId: String(id), ...extra })

const itemsOf = (answer: Item) =>
  (answer.RecordDetailList as { List: Item[] }[]).flatMap(g => g.List)

describe('UpdateCertificateInstance and its record', () => {
  it('answers DeployRecordId 0 while the task is created, then a record whose items settle on reads', async () => {
    const first = await client.request('UpdateCertificateInstance', UPDATE)
    expect(first).toMatchObject({ DeployRecordId: 0, DeployStatus: 0 })
    const second = await client.request('UpdateCertificateInstance', UPDATE)
    expect(second.DeployRecordId).toBeGreaterThan(0)
    expect(second.DeployStatus).toBe(1)
    expect(second.UpdateSyncProgress).toEqual(
      expect.arrayContaining([
        {
          ResourceType: 'clb',
          Status: 1,
          UpdateSyncProgressRegions: [
            { Region: 'ap-guangzhou', TotalCount: 1, OffsetCount: 1, Status: 1 },
            { Region: 'ap-shanghai', TotalCount: 1, OffsetCount: 1, Status: 1 }
          ]
        }
      ])
    )
    const id = second.DeployRecordId as number
    const running = await detail(id)
    expect(running).toMatchObject({ TotalCount: 3, RunningTotalCount: 3, SuccessTotalCount: 0 })
    expect(serving()['cdn www.example.test']).toBe('OLD')
    const settled = await client.request('DescribeHostUpdateRecordDetail', {
      DeployRecordId: id,
      Limit: 200,
      Offset: 0
    })
    expect(settled).toMatchObject({
      TotalCount: 3,
      SuccessTotalCount: 3,
      RunningTotalCount: 0,
      PendingTotalCount: 0
    })
    const clb = itemsOf(settled).find(i => i.ListenerId === 'lbl-2')
    expect(clb).toMatchObject({
      ResourceType: 'clb',
      Region: 'ap-shanghai',
      InstanceId: 'lb-2',
      SniSwitch: 1,
      Domains: ['www.example.test'],
      CertId: 'NEW',
      OldCertId: 'OLD',
      Status: 1,
      ErrorMsg: null
    })
    expect(clb?.UpdateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    expect(serving()).toEqual({
      'cdn www.example.test': 'NEW',
      'clb lb-1|lbl-1': 'NEW',
      'clb lb-2|lbl-2|www.example.test': 'NEW',
      'tse gateway-1': 'OLD'
    })
    expect(emulator.certificates().find(c => c.id === 'OLD')?.boundTo).toEqual(['tse'])
  })

  it('pages each type on its own', async () => {
    const id = await startUpdate()
    const page = await detail(id, { Limit: '1', Offset: '1' })
    const lists = page.RecordDetailList as {
      ResourceType: string
      List: Item[]
      TotalCount: number
    }[]
    expect(lists.map(l => [l.ResourceType, l.List.length, l.TotalCount])).toEqual([
      ['cdn', 0, 1],
      ['clb', 1, 2]
    ])
  })

  it('moves only the regions it is given, and refuses a regional type without regions', async () => {
    const id = await startUpdate({
      ...UPDATE,
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou'] }]
    })
    await detail(id)
    await detail(id)
    expect(serving()['clb lb-1|lbl-1']).toBe('NEW')
    expect(serving()['clb lb-2|lbl-2|www.example.test']).toBe('OLD')
    const { ResourceTypesRegions: _omitted, ...withoutRegions } = UPDATE
    expect(
      (await failureOf(client.request('UpdateCertificateInstance', withoutRegions))).code
    ).toBe('InvalidParameter.WithDetailReason')
  })

  it('returns the running task with DeployStatus 0 instead of a second one', async () => {
    const id = await startUpdate()
    const again = await client.request('UpdateCertificateInstance', UPDATE)
    expect(again).toMatchObject({ DeployRecordId: id, DeployStatus: 0 })
  })

  it.each<[string, object, string]>([
    [
      'nothing of the types bound',
      { ...UPDATE, ResourceTypes: ['teo'], ResourceTypesRegions: [] },
      'FailedOperation.CertificateDeployInstanceEmpty'
    ],
    [
      'an unknown type',
      { ...UPDATE, ResourceTypes: ['ecdn'] },
      'FailedOperation.CertificateHostResourceTypeInvalid'
    ],
    [
      'an unknown certificate',
      { ...UPDATE, CertificateId: 'NOPE' },
      'FailedOperation.CertificateNotFound'
    ],
    [
      'a parameter outside the request model',
      { ...UPDATE, Region: 'ap-guangzhou' },
      'UnknownParameter'
    ],
    [
      'no new certificate id',
      { OldCertificateId: 'OLD', ResourceTypes: ['cdn'] },
      'MissingParameter'
    ]
  ])('refuses %s', async (_name, params, code) => {
    expect((await failureOf(client.request('UpdateCertificateInstance', params))).code).toBe(code)
  })

  it('answers scripted pending-record conflicts, then works', async () => {
    emulator.resources.addPendingConflicts(1)
    expect((await failureOf(client.request('UpdateCertificateInstance', UPDATE))).code).toBe(
      'FailedOperation.CertificateDeployHasPendingRecord'
    )
    expect(await startUpdate()).toBeGreaterThan(0)
  })

  it('refuses every resource action without the service role', async () => {
    emulator.setOption('serviceRole', false)
    expect((await failureOf(client.request('UpdateCertificateInstance', UPDATE))).code).toBe(
      'FailedOperation.RoleNotFoundAuthorization'
    )
  })
})

describe('retry and rollback', () => {
  it('fails a scripted resource, retries only a failed item, and moves it when the failure clears', async () => {
    emulator.resources.seed([
      {
        type: 'cdn',
        instance: 'www.example.test',
        certId: 'OLD',
        fail: { times: 1, message: 'CDN busy' }
      }
    ])
    const id = await startUpdate()
    await detail(id)
    const failed = itemsOf(await detail(id)).find(i => i.ResourceType === 'cdn') as Item
    expect(failed).toMatchObject({ Status: 2, ErrorMsg: 'CDN busy' })
    const success = itemsOf(await detail(id)).find(i => i.ResourceType === 'clb') as Item
    expect(
      (
        await failureOf(
          client.request('UpdateCertificateRecordRetry', {
            DeployRecordId: id,
            DeployRecordDetailId: success.Id
          })
        )
      ).code
    ).toBe('FailedOperation.CertificateDeployRetryStatusInvalid')
    await client.request('UpdateCertificateRecordRetry', {
      DeployRecordId: id,
      DeployRecordDetailId: failed.Id
    })
    expect(itemsOf(await detail(id)).find(i => i.Id === failed.Id)?.Status).toBe(3)
    expect(itemsOf(await detail(id)).find(i => i.Id === failed.Id)?.Status).toBe(1)
    expect(serving()['cdn www.example.test']).toBe('NEW')
  })

  it('rolls the moved resources back under a new record id, and only a settled record', async () => {
    const id = await startUpdate()
    expect(
      (await failureOf(client.request('UpdateCertificateRecordRollback', { DeployRecordId: id })))
        .code
    ).toBe('FailedOperation.CertificateDeployDetailRollbackStatusInvalid')
    await detail(id)
    await detail(id)
    const rollback = await client.request('UpdateCertificateRecordRollback', { DeployRecordId: id })
    const back = rollback.DeployRecordId as number
    expect(back).toBeGreaterThan(id)
    await detail(back)
    const items = itemsOf(await detail(back))
    expect(items.map(i => [i.Status, i.CertId, i.OldCertId])).toEqual(
      Array(3).fill([4, 'OLD', 'NEW'])
    )
    expect(Object.values(serving())).toEqual(['OLD', 'OLD', 'OLD', 'OLD'])
    expect(
      (await failureOf(client.request('UpdateCertificateRecordRollback', { DeployRecordId: id })))
        .code
    ).toBe('FailedOperation.CertificateDeployRollbackStatusInvalid')
  })
})

describe('DeployCertificateInstance and its record', () => {
  beforeEach(() => {
    emulator.resources.seed([
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-9|lbl-9' },
      { type: 'live', instance: 'live.example.test' }
    ])
  })

  it('refuses IsCache or Status values the documentation does not list', async () => {
    const regional = sdkClient(emulator, { region: 'ap-guangzhou' })
    for (const bad of [{ IsCache: 2 }, { Status: 3 }]) {
      const refused = await failureOf(
        regional.request('DeployCertificateInstance', {
          CertificateId: 'NEW',
          InstanceIdList: ['lb-9|lbl-9'],
          ResourceType: 'clb',
          ...bad
        })
      )
      expect(refused.code).toBe('InvalidParameterValue')
    }
  })

  it("lists the certificate's deploy records (DescribeHostDeployRecord), newest first, by type", async () => {
    const regional = sdkClient(emulator, { region: 'ap-guangzhou' })
    const started = await regional.request('DeployCertificateInstance', {
      CertificateId: 'NEW',
      InstanceIdList: ['lb-9|lbl-9'],
      ResourceType: 'clb'
    })
    const listed = await client.request('DescribeHostDeployRecord', {
      CertificateId: 'NEW',
      ResourceType: 'clb'
    })
    expect(listed).toMatchObject({
      TotalCount: 1,
      DeployRecordList: [
        {
          Id: started.DeployRecordId,
          CertId: 'NEW',
          ResourceType: 'clb',
          Region: 'ap-guangzhou',
          Status: 0
        }
      ]
    })
    await client.request('DescribeHostDeployRecordDetail', {
      DeployRecordId: String(started.DeployRecordId)
    })
    await client.request('DescribeHostDeployRecordDetail', {
      DeployRecordId: String(started.DeployRecordId)
    })
    const settled = await client.request('DescribeHostDeployRecord', { CertificateId: 'NEW' })
    expect((settled.DeployRecordList as Item[])[0].Status).toBe(1)
    expect(
      await client.request('DescribeHostDeployRecord', {
        CertificateId: 'NEW',
        ResourceType: 'cdn'
      })
    ).toMatchObject({ TotalCount: 0, DeployRecordList: [] })
    expect(
      (
        await failureOf(
          client.request('DescribeHostDeployRecord', { CertificateId: 'NEW', ResourceType: 'scf' })
        )
      ).code
    ).toBe('InvalidParameterValue')
    // DeployCertificateInstance takes live and mqtt; the SDK's model of this action lists neither.
    for (const ResourceType of ['live', 'mqtt'])
      expect(
        (
          await failureOf(
            client.request('DescribeHostDeployRecord', { CertificateId: 'NEW', ResourceType })
          )
        ).code
      ).toBe('InvalidParameterValue')
  })

  it('deploys to resources in the common Region, reading the status back', async () => {
    const regional = sdkClient(emulator, { region: 'ap-guangzhou' })
    const started = await regional.request('DeployCertificateInstance', {
      CertificateId: 'NEW',
      InstanceIdList: ['lb-9|lbl-9'],
      ResourceType: 'clb',
      IsCache: 0
    })
    expect(started).toMatchObject({ DeployStatus: 1 })
    const id = String(started.DeployRecordId)
    expect(
      await client.request('DescribeHostDeployRecordDetail', { DeployRecordId: id })
    ).toMatchObject({ RunningTotalCount: 1 })
    const settled = await client.request('DescribeHostDeployRecordDetail', {
      DeployRecordId: id,
      Offset: 0,
      Limit: 10
    })
    expect(settled).toMatchObject({ TotalCount: 1, SuccessTotalCount: 1 })
    expect((settled.DeployRecordDetailList as Item[])[0]).toMatchObject({
      InstanceId: 'lb-9',
      ListenerId: 'lbl-9',
      Region: 'ap-guangzhou',
      Status: 1,
      OldCertId: ''
    })
    expect((settled.DeployRecordDetailList as Item[])[0]).not.toHaveProperty('ResourceType')
    expect(serving()['clb lb-9|lbl-9']).toBe('NEW')
  })

  it.each<[string, object, string | undefined, string]>([
    [
      'a regional type without Region',
      { ResourceType: 'clb', InstanceIdList: ['lb-9|lbl-9'] },
      undefined,
      'InvalidParameter.RegionNotEmpty'
    ],
    [
      'an instance in another region',
      { ResourceType: 'clb', InstanceIdList: ['lb-9|lbl-9'] },
      'ap-shanghai',
      'FailedOperation.CertificateNotDeployInstance'
    ],
    [
      'a malformed instance',
      { ResourceType: 'clb', InstanceIdList: ['lb-9'] },
      'ap-guangzhou',
      'FailedOperation.CertificateDeployInstanceFormatError'
    ],
    [
      'a resource already serving it',
      { ResourceType: 'cdn', InstanceIdList: ['www.example.test|on'] },
      undefined,
      'FailedOperation.CertificateNotDeployInstance'
    ],
    [
      'ecdn',
      { ResourceType: 'ecdn', InstanceIdList: ['www.example.test'] },
      undefined,
      'FailedOperation.CertificateHostResourceTypeInvalid'
    ]
  ])('refuses %s', async (_name, params, region, code) => {
    const certificate = code.endsWith('NotDeployInstance') && region === undefined ? 'OLD' : 'NEW'
    const caller = sdkClient(emulator, { region })
    expect(
      (
        await failureOf(
          caller.request('DeployCertificateInstance', { CertificateId: certificate, ...params })
        )
      ).code
    ).toBe(code)
  })
})

describe('the binding task', () => {
  it('counts resources per type and region, and lists them in the detail in each type’s shape', async () => {
    emulator.bind('OLD', 'waf')
    const { CertTaskIds } = await client.request('CreateCertificateBindResourceSyncTask', {
      CertificateIds: ['OLD'],
      IsCache: 0
    })
    const taskId = (CertTaskIds as Item[])[0].TaskId as string
    const result = await client.request('DescribeCertificateBindResourceTaskResult', {
      TaskIds: [taskId]
    })
    const counts = (
      (result.SyncTaskBindResourceResult as Item[])[0].BindResourceResult as Item[]
    ).filter(r => (r.BindResourceRegionResult as Item[]).some(x => (x.TotalCount as number) > 0))
    expect(counts).toEqual([
      {
        ResourceType: 'clb',
        BindResourceRegionResult: [
          { Region: 'ap-guangzhou', TotalCount: 1 },
          { Region: 'ap-shanghai', TotalCount: 1 }
        ]
      },
      { ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 1 }] },
      { ResourceType: 'waf', BindResourceRegionResult: [{ Region: 'ap-guangzhou', TotalCount: 1 }] }
    ])
    const found = await client.request('DescribeCertificateBindResourceTaskDetail', {
      TaskId: taskId,
      Limit: '10',
      Offset: '0'
    })
    expect(found.Status).toBe(1)
    expect(found.CDN).toEqual([
      {
        InstanceList: [
          { Domain: 'www.example.test', CertId: 'OLD', Status: 'online', HttpsBillingSwitch: 'on' }
        ],
        TotalCount: 1,
        Error: ''
      }
    ])
    expect((found.CLB as Item[]).map(e => e.Region)).toEqual(['ap-guangzhou', 'ap-shanghai'])
    const sni = ((found.CLB as Item[])[1].InstanceList as Item[])[0]
    expect(sni).toMatchObject({
      LoadBalancerId: 'lb-2',
      Listeners: [{ ListenerId: 'lbl-2', SniSwitch: 1, Rules: [{ Domain: 'www.example.test' }] }]
    })
    expect(found.TSE).toMatchObject([
      { Region: 'ap-guangzhou', InstanceList: [{ GatewayId: 'gateway-1' }], TotalCount: 1 }
    ])
    // A bare type binding is counted but has no instance to list.
    expect(found.WAF).toEqual([
      { Region: 'ap-guangzhou', InstanceList: [], TotalCount: 1, Error: '' }
    ])
    expect(found.TEO).toEqual([])
    const filtered = await client.request('DescribeCertificateBindResourceTaskDetail', {
      TaskId: taskId,
      ResourceTypes: ['clb'],
      Regions: ['ap-shanghai']
    })
    expect((filtered.CLB as Item[]).map(e => e.Region)).toEqual(['ap-shanghai'])
    expect(filtered.CDN).toEqual([])
  })

  it('refuses a ResourceTypes value the documentation does not list (mqtt, scf, tdmq, gaap)', async () => {
    const { CertTaskIds } = await client.request('CreateCertificateBindResourceSyncTask', {
      CertificateIds: ['OLD'],
      IsCache: 0
    })
    const TaskId = (CertTaskIds as Item[])[0].TaskId
    for (const type of ['scf', 'mqtt', 'tdmq', 'gaap', 'lighthouse']) {
      const refused = await failureOf(
        client.request('DescribeCertificateBindResourceTaskDetail', {
          TaskId,
          ResourceTypes: ['clb', type]
        })
      )
      expect(refused.code).toBe('InvalidParameterValue')
      expect(refused.message).toContain(type)
    }
    // Without the filter: every type, the undocumented filter values' arrays included.
    const all = await client.request('DescribeCertificateBindResourceTaskDetail', { TaskId })
    for (const key of ['SCF', 'MQTT', 'TDMQ', 'GAAP', 'TSE']) expect(all[key]).toBeDefined()
  })

  it('answers Status 0 while the task runs, and an unknown task as invalid', async () => {
    emulator.setOption('taskPolls', 1)
    const { CertTaskIds } = await client.request('CreateCertificateBindResourceSyncTask', {
      CertificateIds: ['OLD'],
      IsCache: 0
    })
    const TaskId = (CertTaskIds as Item[])[0].TaskId
    expect(
      (await client.request('DescribeCertificateBindResourceTaskDetail', { TaskId })).Status
    ).toBe(0)
    expect(
      (await client.request('DescribeCertificateBindResourceTaskDetail', { TaskId })).Status
    ).toBe(1)
    expect(
      (
        await failureOf(
          client.request('DescribeCertificateBindResourceTaskDetail', { TaskId: 'nope' })
        )
      ).code
    ).toBe('FailedOperation.CertificateSyncTaskIdInvalid')
  })

  it('keeps a certificate with resources from being deleted', async () => {
    const answer = await client.request('DeleteCertificates', {
      CertificateIds: ['OLD'],
      IsSync: false
    })
    expect(answer.Fail).toEqual([{ CertId: 'OLD', Msg: 'certificate is bound to cloud resources' }])
  })
})

describe('the invariant check, the admin path and the state file', () => {
  it('records a resource left without its certificate (so it can fail), and nothing otherwise', async () => {
    const id = await startUpdate()
    await detail(id)
    await detail(id)
    expect(emulator.resources.violations()).toEqual([])
    emulator.unbind('OLD')
    await client.request('DeleteCertificate', { CertificateId: 'OLD' })
    const violations = emulator.resources.violations()
    expect(violations.map(v => [v.resource, v.problem])).toEqual([
      ['tse@ap-guangzhou@gateway-1', 'certificate OLD no longer counts it as bound'],
      ['tse@ap-guangzhou@gateway-1', 'certificate OLD is gone']
    ])
    expect((await admin(emulator, 'GET', 'violations')).json.violations).toHaveLength(2)
  })

  it('seeds and lists resources over HTTP, and scripts conflicts', async () => {
    const added = await admin(emulator, 'POST', 'resources', {
      resources: [{ type: 'teo', instance: 'edge.example.test', certId: 'NEW' }]
    })
    expect(added.status).toBe(201)
    expect((await admin(emulator, 'GET', 'resources')).json.resources).toHaveLength(5)
    expect(
      (await admin(emulator, 'POST', 'resources', [{ type: 'clb', instance: 'lb-1|lbl-1' }])).status
    ).toBe(400)
    expect(
      (
        await admin(emulator, 'POST', 'resources', [
          { type: 'cdn', instance: 'x.example.test', certId: 'NOPE' }
        ])
      ).status
    ).toBe(400)
    expect((await admin(emulator, 'POST', 'conflicts', { count: 1 })).status).toBe(200)
    expect((await failureOf(client.request('UpdateCertificateInstance', UPDATE))).code).toBe(
      'FailedOperation.CertificateDeployHasPendingRecord'
    )
  })

  it('opens an earlier run’s update record over HTTP, answers it as running, and counts attempts', async () => {
    const opened = await admin(emulator, 'POST', 'records', {
      from: 'OLD',
      to: 'NEW',
      instances: ['www.example.test'],
      polls: 2
    })
    expect(opened.status).toBe(201)
    const recordId = opened.json.recordId as number
    // A call for OLD, whatever its target, is answered with the running record.
    const answer = await client.request('UpdateCertificateInstance', UPDATE)
    expect(answer).toMatchObject({ DeployRecordId: recordId, DeployStatus: 0 })
    expect(itemsOf(await detail(recordId)).map(i => i.Status)).toEqual([3])
    expect(itemsOf(await detail(recordId)).map(i => i.Status)).toEqual([3])
    expect(itemsOf(await detail(recordId)).map(i => i.Status)).toEqual([1])
    expect(serving()['cdn www.example.test']).toBe('NEW')
    expect((await admin(emulator, 'GET', 'attempts')).json.attempts).toEqual({
      'cdn@@www.example.test': 1
    })
    for (const bad of [
      { from: 'OLD' },
      { from: 'OLD', to: 'NOPE' },
      { from: 'OLD', to: 'NEW', instances: ['nothing.example.test'] }
    ])
      expect((await admin(emulator, 'POST', 'records', bad)).status).toBe(400)
  })

  it('answers DeployStatus 0 for a record it just created when told to, as Tencent’s example does', async () => {
    emulator.setOption('createdDeployStatus', 0)
    await client.request('UpdateCertificateInstance', UPDATE)
    const created = await client.request('UpdateCertificateInstance', UPDATE)
    expect(created.DeployRecordId).toBeGreaterThan(0)
    expect(created.DeployStatus).toBe(0)
    expect(() => emulator.setOption('createdDeployStatus', 2)).toThrow(/0 or 1/)
  })

  it('keeps resources in the state file across a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'resources-state-'))
    const file = join(directory, 'state.json')
    const first = await startEmulator({ stateFile: file })
    try {
      first.seed({
        id: 'KEEP',
        domains: ['keep.example.test'],
        notAfter: new Date(Date.now() + DAY)
      })
      first.resources.seed([
        {
          type: 'clb',
          region: 'ap-beijing',
          instance: 'lb-7|lbl-7',
          certId: 'KEEP',
          fail: { times: 1 }
        }
      ])
      expect(readFileSync(file, 'utf8')).toContain('lb-7|lbl-7')
      await first.stop()
      const second = await startEmulator({ stateFile: file })
      expect(second.resources.all()).toMatchObject([
        {
          type: 'clb',
          region: 'ap-beijing',
          instance: 'lb-7|lbl-7',
          certId: 'KEEP',
          fail: { times: 1 }
        }
      ])
      expect(second.certificates().find(c => c.id === 'KEEP')?.boundTo).toEqual(['clb'])
      expect(second.resources.violations()).toEqual([])
      await second.stop()
    } finally {
      await first.stop()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
