/**
 * The 3.0 ResourceApi (src/tencent/resources.ts) against a scripted fetch: what each call
 * sends (types as Tencent's examples send them, the common Region where it belongs), how it
 * waits and repeats, and how it reads the answers. Signatures are checked with the official SDK.
 */
import { describe, expect, it } from '@jest/globals'
import { TencentApiError } from '../../src/tencent/errors.js'
import { ResourceApiV3 } from '../../src/tencent/resources.js'
import {
  FakeClock,
  fakeFetch,
  jsonOf,
  makeDeps,
  sdkAuthorization,
  v3Error,
  v3Ok,
  type Answer,
  type SentRequest
} from './fakes.js'

const credentials = {
  secretId: 'AKIDRESOURCES000000000000000000000000',
  secretKey: 'resources-secret-key-000000000000'
}

type Script = Record<string, (request: SentRequest, n: number) => Answer>

function setup(script: Script) {
  const clock = new FakeClock()
  const calls = new Map<string, number>()
  const { fetch, requests } = fakeFetch(clock, request => {
    const action = request.headers['X-TC-Action']
    const n = (calls.get(action) ?? 0) + 1
    calls.set(action, n)
    const answer = script[action]
    if (!answer) throw new Error(`unscripted ${action}`)
    return answer(request, n)
  })
  const api = new ResourceApiV3({
    credentials,
    endpoint: new URL('https://ssl.tencentcloudapi.com/'),
    timeoutMs: 10_000,
    deps: makeDeps(clock, fetch)
  })
  const sent = (action: string) => requests.filter(r => r.headers['X-TC-Action'] === action)
  return { api, clock, requests, sent, run: clock.run.bind(clock) }
}

const update = {
  oldCertificateId: 'OLD',
  certificateId: 'NEW',
  types: ['cdn', 'clb'],
  regions: [{ type: 'clb', regions: ['ap-guangzhou', 'ap-shanghai'] }]
}

describe('startUpdate', () => {
  it('repeats the same call until DeployRecordId > 0, with the types and regions it was given', async () => {
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: (_r, n) =>
        v3Ok({ DeployRecordId: n < 3 ? 0 : 1763489, DeployStatus: n < 3 ? 0 : 1 })
    })
    const started = await run(api.startUpdate(update, clock.now + 120_000))
    expect(started).toEqual({
      state: 'started',
      recordId: 1763489,
      alreadyRunning: false,
      requestId: 'rid-ok'
    })
    const bodies = sent('UpdateCertificateInstance').map(r => r.body)
    expect(bodies).toHaveLength(3)
    expect(new Set(bodies).size).toBe(1)
    expect(JSON.parse(bodies[0])).toEqual({
      OldCertificateId: 'OLD',
      CertificateId: 'NEW',
      ResourceTypes: ['cdn', 'clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou', 'ap-shanghai'] }],
      ExpiringNotificationSwitch: 0
    })
    expect(clock.sleeps.filter(ms => ms >= 1000)).toEqual([1000, 2000])
  })

  it('sends no ResourceTypesRegions when no regional type moves', async () => {
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: () => v3Ok({ DeployRecordId: 5, DeployStatus: 1 })
    })
    await run(api.startUpdate({ ...update, types: ['cdn'], regions: [] }, clock.now + 60_000))
    expect(jsonOf(sent('UpdateCertificateInstance')[0])).not.toHaveProperty('ResourceTypesRegions')
  })

  it('says so when the record is a task already running (DeployStatus 0)', async () => {
    const { api, clock, run } = setup({
      UpdateCertificateInstance: () => v3Ok({ DeployRecordId: 77, DeployStatus: 0 })
    })
    const started = await run(api.startUpdate(update, clock.now + 60_000))
    expect(started).toMatchObject({ state: 'started', recordId: 77, alreadyRunning: true })
  })

  it('waits and repeats while another update is pending', async () => {
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: (_r, n) =>
        n === 1
          ? v3Error('FailedOperation.CertificateDeployHasPendingRecord')
          : v3Ok({ DeployRecordId: 9, DeployStatus: 1 })
    })
    expect(await run(api.startUpdate(update, clock.now + 60_000))).toMatchObject({ recordId: 9 })
    expect(sent('UpdateCertificateInstance')).toHaveLength(2)
  })

  it('reads CertificateDeployInstanceEmpty as nothing left to move', async () => {
    const code = 'FailedOperation.CertificateDeployInstanceEmpty'
    const { api, clock, run } = setup({
      UpdateCertificateInstance: () => v3Error(code, 'empty', 'rid-empty')
    })
    expect(await run(api.startUpdate(update, clock.now + 60_000))).toEqual({
      state: 'nothing',
      code,
      requestId: 'rid-empty'
    })
  })

  it('reads CertificateNotDeployInstance as a refusal, with Tencent’s message, never as done', async () => {
    const code = 'FailedOperation.CertificateNotDeployInstance'
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: () =>
        v3Error(code, 'cannot be deployed to these instances', 'rid-no')
    })
    const error = await run(api.startUpdate(update, clock.now + 60_000)).catch(
      e => e as TencentApiError
    )
    expect(error).toBeInstanceOf(TencentApiError)
    expect(error).toMatchObject({
      code,
      apiMessage: 'cannot be deployed to these instances',
      requestId: 'rid-no'
    })
    expect(sent('UpdateCertificateInstance')).toHaveLength(1)
  })

  it('gives up at the deadline with TaskTimeout', async () => {
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: () => v3Ok({ DeployRecordId: 0, DeployStatus: 0 })
    })
    const started = clock.now
    const error = await run(api.startUpdate(update, started + 10_000)).catch(
      e => e as TencentApiError
    )
    expect(error).toBeInstanceOf(TencentApiError)
    expect((error as TencentApiError).code).toBe('TaskTimeout')
    expect((error as TencentApiError).message).toContain('the update task is being created')
    expect(clock.now - started).toBe(10_000)
    expect(sent('UpdateCertificateInstance').length).toBeGreaterThan(2)
  })

  it('fails at once, naming the service role, when it is not authorised', async () => {
    const { api, clock, sent, run } = setup({
      UpdateCertificateInstance: () =>
        v3Error('FailedOperation.RoleNotFoundAuthorization', 'role not found', 'rid-role')
    })
    const error = (await run(api.startUpdate(update, clock.now + 60_000)).catch(
      e => e
    )) as TencentApiError
    expect(error.code).toBe('FailedOperation.RoleNotFoundAuthorization')
    expect(error.message).toMatch(
      /role not found; authorise the service role SSL_QCSLinkedRoleInReplaceLoadCertificate .*RequestId rid-role/
    )
    expect(sent('UpdateCertificateInstance')).toHaveLength(1)
  })
})

const updateItem = (fields: Record<string, unknown>) => ({
  Id: 1,
  CertId: 'NEW',
  OldCertId: 'OLD',
  Status: 1,
  ErrorMsg: null,
  Region: '',
  Domains: [],
  ...fields
})

describe('updateRecord', () => {
  it('sends the ids as strings, pages each type, and names every resource as InstanceIdList does', async () => {
    const clbItems = Array.from({ length: 250 }, (_, i) =>
      updateItem({
        Id: 1000 + i,
        ResourceType: 'clb',
        Region: 'ap-guangzhou',
        InstanceId: `lb-${i}`,
        ListenerId: `lbl-${i}`,
        SniSwitch: 0
      })
    )
    const { api, sent, run } = setup({
      DescribeHostUpdateRecordDetail: request => {
        const offset = Number(jsonOf(request).Offset)
        return v3Ok(
          {
            RecordDetailList: [
              { ResourceType: 'clb', List: clbItems.slice(offset, offset + 200), TotalCount: 250 },
              {
                ResourceType: 'cdn',
                List:
                  offset === 0
                    ? [
                        updateItem({
                          Id: 7,
                          ResourceType: 'cdn',
                          Domains: ['WWW.Example.com'],
                          Status: 2,
                          ErrorMsg: 'CDN \\u57df\\u540d offline'
                        })
                      ]
                    : [],
                TotalCount: 1
              },
              {
                ResourceType: 'cos',
                List:
                  offset === 0
                    ? [
                        updateItem({
                          Id: 8,
                          ResourceType: 'cos',
                          Region: 'ap-hongkong',
                          Bucket: 'assets-1',
                          Domains: ['cdn.example.com'],
                          Status: 3
                        })
                      ]
                    : [],
                TotalCount: 1
              }
            ]
          },
          `rid-${offset}`
        )
      }
    })
    const view = await run(api.updateRecord(1763489))
    expect(sent('DescribeHostUpdateRecordDetail').map(jsonOf)).toEqual([
      { DeployRecordId: '1763489', Limit: '200', Offset: '0' },
      { DeployRecordId: '1763489', Limit: '200', Offset: '200' }
    ])
    expect(view.requestId).toBe('rid-0')
    expect(view.items).toHaveLength(252)
    expect(view.items.find(i => i.detailId === 1249)).toMatchObject({
      type: 'clb',
      region: 'ap-guangzhou',
      instance: 'lb-249|lbl-249'
    })
    expect(view.items.find(i => i.detailId === 7)).toEqual({
      detailId: 7,
      type: 'cdn',
      region: null,
      instance: 'www.example.com',
      status: 2,
      error: 'CDN 域名 offline',
      certId: 'NEW',
      oldCertId: 'OLD'
    })
    expect(view.items.find(i => i.detailId === 8)).toMatchObject({
      instance: 'ap-hongkong|assets-1|cdn.example.com',
      status: 3
    })
  })

  it.each([
    [
      'clb',
      { InstanceId: 'lb-1', ListenerId: 'lbl-1', SniSwitch: 1, Domains: ['a.example.com'] },
      'lb-1|lbl-1|a.example.com'
    ],
    [
      'ddos',
      { InstanceId: 'bgpip-1', Domains: ['a.example.com'], Port: 443 },
      'bgpip-1|a.example.com|443'
    ],
    [
      'apigateway',
      { InstanceId: 'service-1', Domains: ['api.example.com'] },
      'service-1|api.example.com'
    ],
    ['tke', { InstanceId: 'cls-1', Namespace: 'default', SecretName: 'tls' }, 'cls-1|default|tls'],
    [
      'tcb',
      { TCBType: 'HostService', Region: 'ap-shanghai', EnvId: 'env-1', Domains: ['a.example.com'] },
      'HostService|ap-shanghai|env-1|a.example.com'
    ],
    ['gaap', { InstanceId: 'ga-1', ListenerId: 'lsr-1' }, 'ga-1|lsr-1'],
    ['tse', { InstanceId: 'gateway-1' }, 'gateway-1'],
    ['teo', { Domains: ['A.example.com'] }, 'a.example.com']
  ])('names a %s item %s', async (type, fields, instance) => {
    const { api, run } = setup({
      DescribeHostUpdateRecordDetail: () =>
        v3Ok({
          RecordDetailList: [
            {
              ResourceType: type,
              List: [updateItem({ ResourceType: type, ...fields })],
              TotalCount: 1
            }
          ]
        })
    })
    expect((await run(api.updateRecord(1))).items[0].instance).toBe(instance)
  })

  it('refuses an item without Id or Status as a malformed answer', async () => {
    const { api, run } = setup({
      DescribeHostUpdateRecordDetail: () =>
        v3Ok({
          RecordDetailList: [
            { ResourceType: 'cdn', List: [{ Domains: ['a.example.com'] }], TotalCount: 1 }
          ]
        })
    })
    await expect(run(api.updateRecord(1))).rejects.toMatchObject({ code: 'MalformedResponse' })
  })
})

describe('retry, rollback and deploy records', () => {
  it('retries one item of one record, both ids as numbers', async () => {
    const { api, sent, run } = setup({ UpdateCertificateRecordRetry: () => v3Ok({}) })
    await run(api.retryUpdate(1763489, 90000001))
    expect(jsonOf(sent('UpdateCertificateRecordRetry')[0])).toEqual({
      DeployRecordId: 1763489,
      DeployRecordDetailId: 90000001
    })
  })

  it('returns the rollback record id, and refuses an answer without one', async () => {
    const { api, sent, run } = setup({
      UpdateCertificateRecordRollback: (_r, n) => v3Ok(n === 1 ? { DeployRecordId: 8848499 } : {})
    })
    expect(await run(api.rollbackUpdate(17747848))).toBe(8848499)
    expect(jsonOf(sent('UpdateCertificateRecordRollback')[0])).toEqual({ DeployRecordId: 17747848 })
    await expect(run(api.rollbackUpdate(17747848))).rejects.toMatchObject({
      code: 'MalformedResponse'
    })
  })

  it('reads a deploy record: its id as a string, Offset and Limit as numbers, items of the given type', async () => {
    const { api, sent, run } = setup({
      DescribeHostDeployRecordDetail: () =>
        v3Ok({
          TotalCount: 1,
          DeployRecordDetailList: [
            {
              Id: 3,
              CertId: 'NEW',
              OldCertId: '',
              InstanceId: 'lb-1',
              ListenerId: 'lbl-1',
              SniSwitch: 0,
              Region: 'ap-guangzhou',
              Status: 1
            }
          ]
        })
    })
    const view = await run(api.deployRecord(55, 'clb'))
    expect(jsonOf(sent('DescribeHostDeployRecordDetail')[0])).toEqual({
      DeployRecordId: '55',
      Offset: 0,
      Limit: 200
    })
    expect(view.items).toEqual([
      {
        detailId: 3,
        type: 'clb',
        region: 'ap-guangzhou',
        instance: 'lb-1|lbl-1',
        status: 1,
        error: '',
        certId: 'NEW',
        oldCertId: ''
      }
    ])
  })
})

describe('deploy', () => {
  it('sends the common Region as X-TC-Region, outside the signed body, and repeats while another deploy is pending', async () => {
    const { api, clock, requests, sent, run } = setup({
      DeployCertificateInstance: (_r, n) =>
        n === 1
          ? v3Error('FailedOperation.CertificateDeployHasPendingRecord')
          : v3Ok({ DeployRecordId: 31, DeployStatus: 1 })
    })
    const started = await run(
      api.deploy(
        { certificateId: 'NEW', type: 'clb', region: 'ap-shanghai', instances: ['lb-1|lbl-1'] },
        clock.now + 60_000
      )
    )
    expect(started).toEqual({ recordId: 31, alreadyRunning: false })
    const [first, second] = sent('DeployCertificateInstance')
    expect(second.body).toBe(first.body)
    expect(first.headers['X-TC-Region']).toBe('ap-shanghai')
    expect(jsonOf(first)).toEqual({
      CertificateId: 'NEW',
      InstanceIdList: ['lb-1|lbl-1'],
      ResourceType: 'clb',
      IsCache: 0
    })
    for (const request of requests)
      expect(request.headers.Authorization).toBe(sdkAuthorization(request, credentials))
  })

  it('sends no Region for a global type', async () => {
    const { api, clock, sent, run } = setup({
      DeployCertificateInstance: () => v3Ok({ DeployRecordId: 32, DeployStatus: 0 })
    })
    const started = await run(
      api.deploy(
        { certificateId: 'NEW', type: 'cdn', region: null, instances: ['www.example.com'] },
        clock.now + 60_000
      )
    )
    expect(started.alreadyRunning).toBe(true)
    expect(sent('DeployCertificateInstance')[0].headers).not.toHaveProperty('X-TC-Region')
  })
})

/** A binding detail page shaped as the SDK's response model, for certificate OLD. */
function detailPage(offset: number) {
  const lbs = Array.from({ length: 150 }, (_, i) => ({
    LoadBalancerId: `lb-${i}`,
    Listeners: [{ ListenerId: `lbl-${i}`, SniSwitch: 0, Certificate: { CertId: 'OLD' }, Rules: [] }]
  }))
  return {
    Status: 1,
    CacheTime: '2026-12-03 12:00:00',
    CLB: [
      {
        Region: 'ap-guangzhou',
        InstanceList: lbs.slice(offset, offset + 100),
        TotalCount: 150,
        Error: ''
      },
      {
        Region: 'ap-shanghai',
        InstanceList:
          offset === 0
            ? [
                {
                  LoadBalancerId: 'lb-sni',
                  Listeners: [
                    {
                      ListenerId: 'lbl-sni',
                      SniSwitch: 1,
                      Rules: [
                        { Domain: 'a.example.com', Certificate: { CertId: 'OLD' } },
                        { Domain: 'b.example.com', Certificate: { CertId: 'OTHER' } }
                      ]
                    },
                    { ListenerId: 'lbl-other', SniSwitch: 0, Certificate: { CertId: 'OTHER' } }
                  ]
                }
              ]
            : [],
        TotalCount: 1,
        Error: ''
      }
    ],
    CDN:
      offset === 0
        ? [
            {
              InstanceList: [{ Domain: 'www.example.com', CertId: 'OLD' }],
              TotalCount: 1,
              Error: ''
            }
          ]
        : [],
    TKE: [
      {
        Region: 'ap-beijing',
        InstanceList:
          offset === 0
            ? [
                {
                  ClusterId: 'cls-1',
                  NamespaceList: [{ Name: 'default', SecretList: [{ Name: 'tls', CertId: 'OLD' }] }]
                }
              ]
            : [],
        TotalCount: 1
      }
    ],
    TCB: [
      {
        Region: 'ap-shanghai',
        Environments:
          offset === 0
            ? [
                {
                  Environment: { ID: 'env-1' },
                  AccessService: { InstanceList: [{ Domain: 'a.example.com' }] },
                  HostService: null
                }
              ]
            : []
      }
    ],
    TEO:
      offset === 0
        ? [{ InstanceList: [{ Host: 'edge.example.com', CertId: 'OLD' }], TotalCount: 1 }]
        : [],
    TSE: [
      {
        Region: 'ap-guangzhou',
        InstanceList:
          offset === 0
            ? [{ GatewayId: 'gateway-1', CertificateList: [{ Id: 'gw-c', CertId: 'OLD' }] }]
            : [],
        TotalCount: 1
      }
    ],
    GAAP:
      offset === 0
        ? [
            {
              InstanceList: [{ InstanceId: 'ga-1', ListenerList: [{ ListenerId: 'lsr-1' }] }],
              TotalCount: 1
            }
          ]
        : [],
    WAF: [
      { Region: 'ap-guangzhou', InstanceList: [], TotalCount: 3, Error: 'waf lookup timed out' }
    ]
  }
}

describe('bindingDetails', () => {
  it('starts a task (IsCache as asked), waits for it, and reads every page of its details', async () => {
    const { api, sent, run } = setup({
      CreateCertificateBindResourceSyncTask: () =>
        v3Ok({ CertTaskIds: [{ CertId: 'OLD', TaskId: 't-1' }] }),
      DescribeCertificateBindResourceTaskResult: (_r, n) =>
        v3Ok({
          SyncTaskBindResourceResult: [
            { TaskId: 't-1', Status: n < 2 ? 0 : 1, BindResourceResult: [] }
          ]
        }),
      DescribeCertificateBindResourceTaskDetail: request =>
        v3Ok(detailPage(Number(jsonOf(request).Offset)))
    })
    const found = (await run(api.bindingDetails(['OLD'], true))).get('OLD')
    expect(jsonOf(sent('CreateCertificateBindResourceSyncTask')[0])).toEqual({
      CertificateIds: ['OLD'],
      IsCache: 0
    })
    expect(sent('DescribeCertificateBindResourceTaskResult')).toHaveLength(2)
    expect(sent('DescribeCertificateBindResourceTaskDetail').map(jsonOf)).toEqual([
      { TaskId: 't-1', Limit: '100', Offset: '0' },
      { TaskId: 't-1', Limit: '100', Offset: '100' }
    ])
    const names = found?.resources.map(r => `${r.type}@${r.region ?? '-'}:${r.instance}`) ?? []
    expect(names).toHaveLength(150 + 7)
    expect(names).toEqual(
      expect.arrayContaining([
        'clb@ap-guangzhou:lb-149|lbl-149',
        'clb@ap-shanghai:lb-sni|lbl-sni|a.example.com',
        'cdn@-:www.example.com',
        'tke@ap-beijing:cls-1|default|tls',
        'tcb@ap-shanghai:AccessService|ap-shanghai|env-1|a.example.com',
        'teo@-:edge.example.com',
        'tse@ap-guangzhou:gateway-1',
        'gaap@-:ga-1|lsr-1'
      ])
    )
    expect(names.some(n => n.includes('b.example.com') || n.includes('lbl-other'))).toBe(false)
    expect(found?.problems).toEqual([
      'waf in ap-guangzhou: waf lookup timed out',
      'waf in ap-guangzhou: 3 counted, 0 listed'
    ])
  })

  it('reuses a recent result when not asked for a fresh one, and reports a failed lookup as a problem', async () => {
    const { api, sent, run } = setup({
      CreateCertificateBindResourceSyncTask: () =>
        v3Ok({ CertTaskIds: [{ CertId: 'A', TaskId: 't-a' }] }),
      DescribeCertificateBindResourceTaskResult: () =>
        v3Ok({
          SyncTaskBindResourceResult: [
            {
              TaskId: 't-a',
              Status: 2,
              Error: { Code: 'FailedOperation', Message: 'lookup broke' }
            }
          ]
        })
    })
    const found = await run(api.bindingDetails(['A', 'B'], false))
    expect(jsonOf(sent('CreateCertificateBindResourceSyncTask')[0])).toEqual({
      CertificateIds: ['A', 'B'],
      IsCache: 1
    })
    expect(found.get('A')).toEqual({
      certId: 'A',
      resources: [],
      problems: ['the binding lookup failed: FailedOperation: lookup broke']
    })
    expect(found.get('B')?.problems).toEqual(['no binding check task was created for it'])
    expect(sent('DescribeCertificateBindResourceTaskDetail')).toHaveLength(0)
  })

  it('throws, naming the service role, when the lookup says it is missing', async () => {
    const { api, run } = setup({
      CreateCertificateBindResourceSyncTask: () =>
        v3Ok({ CertTaskIds: [{ CertId: 'A', TaskId: 't-a' }] }),
      DescribeCertificateBindResourceTaskResult: () =>
        v3Ok({
          SyncTaskBindResourceResult: [
            {
              TaskId: 't-a',
              Status: 2,
              Error: { Code: 'FailedOperation.RoleNotFoundAuthorization', Message: 'no role' }
            }
          ]
        })
    })
    await expect(run(api.bindingDetails(['A'], true))).rejects.toThrow(
      /SSL_QCSLinkedRoleInReplaceLoadCertificate/
    )
  })

  it('reports a task that never finishes as a problem, not as free', async () => {
    const { api, run } = setup({
      CreateCertificateBindResourceSyncTask: () =>
        v3Ok({ CertTaskIds: [{ CertId: 'A', TaskId: 't-a' }] }),
      DescribeCertificateBindResourceTaskResult: () =>
        v3Ok({ SyncTaskBindResourceResult: [{ TaskId: 't-a', Status: 0 }] })
    })
    const found = await run(api.bindingDetails(['A'], true))
    expect(found.get('A')).toEqual({
      certId: 'A',
      resources: [],
      problems: ['the binding check did not finish within 120 s']
    })
  })
})
