/**
 * The safety rules of the clients' binding checks and deletions (issue 10, items 2, 3, 5, 6),
 * against scripted answers: each test says what Tencent answers, action by action.
 */
import { describe, expect, it } from '@jest/globals'
import type { DeleteOutcome } from '../../src/tencent/client.js'
import { createSslClient } from '../../src/tencent/index.js'
import { meansNotFound, meansRefusal } from '../../src/tencent/read.js'
import { splitOnGone } from '../../src/tencent/batch-tasks.js'
import {
  type Answer,
  FakeClock,
  fakeFetch,
  formOf,
  jsonOf,
  makeDeps,
  type SentRequest,
  v2Error,
  v2Ok,
  v3Error,
  v3Ok
} from './fakes.js'

type Params = Record<string, unknown>
type Script = Record<string, (params: Params) => Answer>

const NOT_FOUND = 'FailedOperation.CertificateNotFound'

/** A client of `api` whose requests are answered by `script`, action by action. */
function rig(api: '3.0' | '2.0', script: Script) {
  const clock = new FakeClock()
  const handler = (request: SentRequest): Answer => {
    const params = api === '3.0' ? jsonOf(request) : formOf(request)
    const action = api === '3.0' ? request.headers['X-TC-Action'] : formOf(request).Action
    const answer = script[action]
    if (!answer) return api === '3.0' ? v3Error('InvalidAction', action) : v2Error(4000, action)
    return answer(params)
  }
  const { fetch, requests } = fakeFetch(clock, handler)
  const client = createSslClient(api, {
    credentials: { secretId: 'AKIDdeletiontest', secretKey: 'deletion-test-secret-key-0123' },
    endpoint: new URL(api === '3.0' ? 'https://ssl.test/' : 'https://wss.test/v2/index.php'),
    timeoutMs: 10_000,
    deps: makeDeps(clock, fetch)
  })
  const sent = (action: string): Params[] =>
    requests
      .filter(r => (api === '3.0' ? r.headers['X-TC-Action'] : formOf(r).Action) === action)
      .map(r => (api === '3.0' ? jsonOf(r) : formOf(r)))
  return { client, sent, run: clock.run.bind(clock) }
}

const ids = (params: Params, name = 'CertificateIds'): string[] => params[name] as string[]

/** A 3.0 account: which certificates exist (the look-up's answer) and what tasks answer. */
function account(existing: string[]) {
  const live = new Set(existing)
  const describe = (params: Params): Answer => {
    const asked = ids(params, 'CertIds')
    const found = asked.filter(id => live.has(id))
    return v3Ok({
      TotalCount: found.length,
      Certificates: found.map(id => ({ CertificateId: id, CertEndTime: '2027-01-15 08:00:00' }))
    })
  }
  return { live, describe }
}

/** CreateCertificateBindResourceSyncTask: a task per id, named `bind-<id>`, unless `refuse` says otherwise. */
const bindTasks =
  (refuse: (batch: string[]) => Answer | undefined = () => undefined) =>
  (params: Params): Answer =>
    refuse(ids(params)) ??
    v3Ok({ CertTaskIds: ids(params).map(id => ({ CertId: id, TaskId: `bind-${id}` })) })

/** DescribeCertificateBindResourceTaskResult answering each task with `result(certId)`. */
const bindResults =
  (result: (certId: string) => Params) =>
  (params: Params): Answer =>
    v3Ok({
      SyncTaskBindResourceResult: ids(params, 'TaskIds').map(taskId => ({
        TaskId: taskId,
        ...result(taskId.slice('bind-'.length))
      }))
    })

/** DescribeCertificateBindResourceTaskDetail for the types the counts leave out. */
const uncounted =
  (arrays: (taskId: string) => Params = () => ({})) =>
  (params: Params): Answer =>
    v3Ok({
      Status: 1,
      TSE: [],
      MQTT: [],
      SCF: [],
      TDMQ: [],
      GAAP: [],
      ...arrays(String(params.TaskId))
    })

const unbound = (): Params => ({
  Status: 1,
  BindResourceResult: [
    { ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 0 }] }
  ]
})

/** The states of a 3.0 check (never null there). */
const checked = <T>(states: T[] | null): T[] => {
  if (states === null) throw new Error('3.0 always checks')
  return states
}

const byId = <T extends { id: string }>(list: T[]): Record<string, T> =>
  Object.fromEntries(list.map(item => [item.id, item]))

describe('3.0 binding check: the types the counts leave out (tse, mqtt, scf, tdmq, gaap)', () => {
  const rigWith = (detail: (params: Params) => Answer) =>
    rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(unbound),
      DescribeCertificateBindResourceTaskDetail: detail
    })

  it('finds a certificate that serves only a TSE gateway or an SCF function bound', async () => {
    const { client, sent, run } = rigWith(
      uncounted(taskId =>
        taskId === 'bind-GW'
          ? { TSE: [{ Region: 'ap-guangzhou', InstanceList: [], TotalCount: 2, Error: '' }] }
          : taskId === 'bind-FN'
            ? { SCF: [{ Region: 'ap-shanghai', InstanceList: [], TotalCount: 1, Error: null }] }
            : {}
      )
    )
    const states = checked(await run(client.checkBindings(['GW', 'FN', 'FREE'])))
    expect(byId(states)).toEqual({
      GW: {
        id: 'GW',
        bound: true,
        reason: 'bound to tse (2)',
        resources: 2,
        places: [{ type: 'tse', region: 'ap-guangzhou', count: 2 }]
      },
      FN: {
        id: 'FN',
        bound: true,
        reason: 'bound to scf (1)',
        resources: 1,
        places: [{ type: 'scf', region: 'ap-shanghai', count: 1 }]
      },
      FREE: { id: 'FREE', bound: false }
    })
    const asked = sent('DescribeCertificateBindResourceTaskDetail')
    expect(asked.map(p => p.TaskId).sort()).toEqual(['bind-FN', 'bind-FREE', 'bind-GW'])
    // Without ResourceTypes (documented: every type): mqtt, scf, tdmq, gaap are no filter values.
    for (const p of asked) expect(Object.keys(p).sort()).toEqual(['Limit', 'TaskId'])
  })

  it('reads null arrays as none of that type', async () => {
    const { client, run } = rigWith(() =>
      v3Ok({ Status: 1, CDN: [], TSE: null, MQTT: null, SCF: null, TDMQ: null, GAAP: null })
    )
    expect(checked(await run(client.checkBindings(['A'])))).toEqual([{ id: 'A', bound: false }])
  })

  it('leaves a certificate not checked when the detail reports none of the types at all', async () => {
    const { client, run } = rigWith(() =>
      v3Ok({ Status: 1, TSE: null, MQTT: null, SCF: null, TDMQ: null, GAAP: null })
    )
    const [state] = checked(await run(client.checkBindings(['A'])))
    expect(state).toMatchObject({
      id: 'A',
      bound: 'unknown',
      reason: expect.stringMatching(/no resource type/)
    })
  })

  it.each([
    ['an entry without a count', uncounted(() => ({ MQTT: [{ Region: 'ap-beijing' }] }))],
    ['an entry with an error', uncounted(() => ({ GAAP: [{ TotalCount: 0, Error: 'timeout' }] }))],
    [
      'an entry of a counted type with an error',
      uncounted(() => ({ CLB: [{ Region: 'ap-guangzhou', TotalCount: 0, Error: 'timeout' }] }))
    ],
    ['a detail still running', () => v3Ok({ Status: 0 })],
    ['a detail that fails', () => v3Error('FailedOperation', 'broke')]
  ])('leaves the certificate not checked on %s, never unbound', async (_, detail) => {
    const { client, run } = rigWith(detail)
    const [state] = checked(await run(client.checkBindings(['A'])))
    expect(state).toMatchObject({ id: 'A', bound: 'unknown' })
  })

  it('a refused detail (the service role) is a configuration error that fails the step', async () => {
    const { client, run } = rigWith(() =>
      v3Error('FailedOperation.RoleNotFoundAuthorization', 'role does not exist')
    )
    const [state] = checked(await run(client.checkBindings(['A'])))
    expect(state).toMatchObject({ id: 'A', bound: 'unknown' })
    expect(state.bound === 'unknown' && state.error?.code).toBe(
      'FailedOperation.RoleNotFoundAuthorization'
    )
  })

  it('asks only about the types the counts do not mention, and nothing once they mention all', async () => {
    const counted = (types: string[]) =>
      bindResults(() => ({
        Status: 1,
        BindResourceResult: types.map(ResourceType => ({
          ResourceType,
          BindResourceRegionResult: [{ Region: '', TotalCount: 0 }]
        }))
      }))
    const some = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: counted(['cdn', 'tse', 'scf']),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    // A type the counts called 0 that the detail counts: bound, the safer of the two answers.
    const tse = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: counted(['cdn', 'tse', 'scf']),
      DescribeCertificateBindResourceTaskDetail: uncounted(() => ({
        TSE: [{ Region: 'ap-guangzhou', TotalCount: 1 }]
      }))
    })
    const [state] = checked(await tse.run(tse.client.checkBindings(['A'])))
    expect(state).toMatchObject({ id: 'A', bound: true, reason: 'bound to tse (1)' })
    await some.run(some.client.checkBindings(['A']))
    expect(
      some.sent('DescribeCertificateBindResourceTaskDetail').map(p => p.ResourceTypes)
    ).toEqual([undefined])
    const all = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: counted([
        'cdn',
        'tse',
        'mqtt',
        'scf',
        'tdmq',
        'gaap'
      ]),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    expect(checked(await all.run(all.client.checkBindings(['A'])))).toEqual([
      { id: 'A', bound: false }
    ])
    expect(all.sent('DescribeCertificateBindResourceTaskDetail')).toEqual([])
  })

  it('is not asked about a certificate the counts already find bound', async () => {
    const { client, sent, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(() => ({
        Status: 1,
        BindResourceResult: [
          { ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 1 }] }
        ]
      })),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    const [state] = checked(await run(client.checkBindings(['A'])))
    expect(state).toMatchObject({ id: 'A', bound: true })
    expect(sent('DescribeCertificateBindResourceTaskDetail')).toEqual([])
  })
})

describe('3.0 binding check', () => {
  it('finds the certificate that disappeared from a batch and checks the others (named in the message)', async () => {
    const { client, sent, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(batch =>
        batch.includes('OLD2') ? v3Error(NOT_FOUND, 'Certificate OLD2 does not exist.') : undefined
      ),
      DescribeCertificateBindResourceTaskResult: bindResults(unbound),
      DescribeCertificateBindResourceTaskDetail: uncounted(),
      DescribeCertificates: account(['OLD1', 'OLD3']).describe
    })
    const states = await run(client.checkBindings(['OLD1', 'OLD2', 'OLD3']))
    expect(states).toEqual([
      { id: 'OLD1', bound: false },
      { id: 'OLD2', bound: 'gone' },
      { id: 'OLD3', bound: false }
    ])
    expect(sent('CreateCertificateBindResourceSyncTask').map(p => ids(p))).toEqual([
      ['OLD1', 'OLD2', 'OLD3'],
      ['OLD1', 'OLD3'],
      ['OLD2']
    ])
  })

  it('finds it by halves when the message names no certificate; no error lands on another', async () => {
    const gone = new Set(['c5'])
    const { client, sent, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(batch =>
        batch.some(id => gone.has(id)) ? v3Error(NOT_FOUND, 'certificate not exist') : undefined
      ),
      DescribeCertificateBindResourceTaskResult: bindResults(unbound),
      DescribeCertificateBindResourceTaskDetail: uncounted(),
      DescribeCertificates: account([]).describe
    })
    const all = Array.from({ length: 8 }, (_, i) => `c${i}`)
    const states = checked(await run(client.checkBindings(all)))
    for (const state of states) {
      expect(state).toEqual(
        state.id === 'c5' ? { id: 'c5', bound: 'gone' } : { id: state.id, bound: false }
      )
    }
    // Every certificate but the gone one was asked about in a call that succeeded.
    const creates = sent('CreateCertificateBindResourceSyncTask').map(p => ids(p))
    expect(creates[0]).toEqual(all)
    expect(creates).toContainEqual(['c5'])
    expect(creates.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(all.length)))
  })

  it('keeps a refused check as an error, but a failed one as "not checked" only', async () => {
    for (const [code, refused] of [
      ['AuthFailure.UnauthorizedOperation', true],
      ['FailedOperation.CAMAuthorizedFail', true],
      ['FailedOperation.CertificateHostResourceInnerInterrupt', false],
      ['InvalidParameter', false]
    ] as const) {
      const { client, run } = rig('3.0', {
        CreateCertificateBindResourceSyncTask: () => v3Error(code, 'no', 'rid-c')
      })
      const states = checked(await run(client.checkBindings(['a', 'b'])))
      for (const state of states) {
        expect(state).toMatchObject({ bound: 'unknown' })
        const error = state.bound === 'unknown' ? state.error : undefined
        if (!refused) expect(error).toBeUndefined()
        else expect(error).toMatchObject({ code, subject: state.id, requestId: 'rid-c' })
      }
    }
  })

  it.each<[string, Params]>([
    ['BindResourceResult null', { Status: 1, BindResourceResult: null }],
    ['BindResourceResult absent', { Status: 1 }],
    [
      'a region list null',
      { Status: 1, BindResourceResult: [{ ResourceType: 'clb', BindResourceRegionResult: null }] }
    ],
    ['a region list absent', { Status: 1, BindResourceResult: [{ ResourceType: 'clb' }] }],
    [
      'a region result null',
      {
        Status: 1,
        BindResourceResult: [
          { ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 0 }] },
          { ResourceType: 'clb', BindResourceRegionResult: [null] }
        ]
      }
    ],
    ['a resource type null', { Status: 1, BindResourceResult: [null] }]
  ])('reads an answer with %s as "not checked", never as unbound', async (_, answer) => {
    const { client, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(() => answer)
    })
    const [state] = checked(await run(client.checkBindings(['x'])))
    expect(state).toMatchObject({ id: 'x', bound: 'unknown' })
    expect(state.bound === 'unknown' && state.reason).toMatch(/^not checked: /)
  })

  it('still reports a binding it can read beside a region it cannot', async () => {
    const { client, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(() => ({
        Status: 1,
        BindResourceResult: [
          { ResourceType: 'cdn', BindResourceRegionResult: [{ TotalCount: 2 }] },
          { ResourceType: 'clb', BindResourceRegionResult: null }
        ]
      }))
    })
    expect(await run(client.checkBindings(['x']))).toEqual([
      {
        id: 'x',
        bound: true,
        reason: 'bound to cdn (2)',
        resources: 2,
        places: [{ type: 'cdn', region: null, count: 2 }]
      }
    ])
  })

  it('reads an empty list of resource types as nothing bound', async () => {
    const { client, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(() => ({
        Status: 1,
        BindResourceResult: []
      })),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    expect(await run(client.checkBindings(['x']))).toEqual([{ id: 'x', bound: false }])
  })

  it('reports a certificate whose lookup ended in CertificateNotFound as gone', async () => {
    const { client, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(() => ({
        Status: 2,
        Error: { Code: NOT_FOUND, Message: 'certificate not exist' }
      })),
      DescribeCertificates: account([]).describe
    })
    expect(await run(client.checkBindings(['x']))).toEqual([{ id: 'x', bound: 'gone' }])
  })

  it('calls a certificate gone on a NotFound for it alone only once a look-up does not find it', async () => {
    const lookUps: [string, (params: Params) => Answer][] = [
      ['still listed', account(['x']).describe],
      ['a look-up that fails', () => v3Error('InternalError', 'try later')]
    ]
    for (const [, lookUp] of lookUps) {
      const { client, sent, run } = rig('3.0', {
        CreateCertificateBindResourceSyncTask: () => v3Error(NOT_FOUND, 'certificate not exist'),
        DescribeCertificates: lookUp
      })
      const [state] = checked(await run(client.checkBindings(['x'])))
      expect(state).toEqual({
        id: 'x',
        bound: 'unknown',
        reason: expect.stringContaining('did not confirm it')
      })
      // Asked (a failing look-up is retried like any call).
      expect(sent('DescribeCertificates').map(p => ids(p, 'CertIds'))).toContainEqual(['x'])
    }
  })

  it('asks for a fresh lookup unless told a cached one will do', async () => {
    const { client, sent, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      DescribeCertificateBindResourceTaskResult: bindResults(unbound),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    await run(client.checkBindings(['a']))
    await run(client.checkBindings(['a'], { fresh: true }))
    await run(client.checkBindings(['a'], { fresh: false }))
    expect(sent('CreateCertificateBindResourceSyncTask').map(p => p.IsCache)).toEqual([0, 0, 1])
  })
})

/** DeleteCertificates with IsSync: a task per id (`del-<id>`), unless `answer` says otherwise. */
const deleteTasks =
  (answer: (batch: string[]) => Answer | undefined = () => undefined) =>
  (params: Params): Answer =>
    answer(ids(params)) ??
    v3Ok({
      Success: [],
      Fail: [],
      CertTaskIds: ids(params).map(id => ({ CertId: id, TaskId: `del-${id}` }))
    })

const deleteResults =
  (result: (certId: string) => Params) =>
  (params: Params): Answer =>
    v3Ok({
      DeleteTaskResult: ids(params, 'TaskIds').map(taskId => ({
        TaskId: taskId,
        CertId: taskId.slice('del-'.length),
        ...result(taskId.slice('del-'.length))
      }))
    })

describe('3.0 deletion', () => {
  it('applies a task result only to the certificate it names (CertId), and looks the other up', async () => {
    for (const stillThere of [true, false]) {
      const { client, sent, run } = rig('3.0', {
        // One task for both: its result names A alone.
        DeleteCertificates: () =>
          v3Ok({
            Success: [],
            Fail: [],
            CertTaskIds: [
              { CertId: 'A', TaskId: 'del-A' },
              { CertId: 'B', TaskId: 'del-A' }
            ]
          }),
        DescribeDeleteCertificatesTaskResult: deleteResults(() => ({ Status: 1 })),
        DescribeCertificates: account(stillThere ? ['B'] : []).describe
      })
      const [a, b] = await run(client.deleteCertificates(['A', 'B']))
      expect(a).toEqual({ id: 'A', result: 'deleted' })
      if (stillThere)
        expect(b).toMatchObject({
          id: 'B',
          result: 'failed',
          error: { message: expect.stringContaining('is about A, not this certificate') }
        })
      else expect(b).toEqual({ id: 'B', result: 'gone' })
      expect(sent('DescribeCertificates').map(p => ids(p, 'CertIds'))).toEqual([['B']])
    }
  })

  it('deletes the others when one certificate of the batch disappeared', async () => {
    const { client, sent, run } = rig('3.0', {
      DeleteCertificates: deleteTasks(batch =>
        batch.includes('OLD2') ? v3Error(NOT_FOUND, 'Certificate OLD2 does not exist.') : undefined
      ),
      DescribeDeleteCertificatesTaskResult: deleteResults(() => ({ Status: 1 }))
    })
    const outcomes = await run(client.deleteCertificates(['OLD1', 'OLD2', 'OLD3']))
    expect(outcomes).toEqual([
      { id: 'OLD1', result: 'deleted' },
      { id: 'OLD2', result: 'gone' },
      { id: 'OLD3', result: 'deleted' }
    ])
    expect(sent('DeleteCertificates').map(p => ids(p))).toEqual([
      ['OLD1', 'OLD2', 'OLD3'],
      ['OLD1', 'OLD3'],
      ['OLD2']
    ])
  })

  it('decides "gone" by looking the certificate up, never from the wording of a Fail entry', async () => {
    const wording = 'role SSL_QCSLinkedRoleInReplaceLoadCertificate does not exist'
    for (const stillThere of [true, false]) {
      const { describe: lookUp } = account(stillThere ? ['r'] : [])
      const { client, sent, run } = rig('3.0', {
        DeleteCertificates: () =>
          v3Ok({ Success: [], Fail: [{ CertId: 'r', Msg: wording }], CertTaskIds: [] }),
        DescribeCertificates: lookUp
      })
      const [outcome] = await run(client.deleteCertificates(['r']))
      expect(outcome).toEqual(
        stillThere
          ? { id: 'r', result: 'skipped', reason: `refused by the API: ${wording}` }
          : { id: 'r', result: 'gone' }
      )
      expect(sent('DescribeCertificates')).toEqual([{ CertIds: ['r'], Offset: 0, Limit: 50 }])
    }
  })

  it('decides "gone" by code for a failed task, and looks up a failure that has no code', async () => {
    const errors: Record<string, string> = {
      coded: 'CertificateNotFound',
      prefixed: NOT_FOUND,
      resource: 'ResourceNotFound.Certificate',
      worded: 'role SSL_QCSLinkedRoleInReplaceLoadCertificate does not exist',
      'worded-gone': '证书不存在'
    }
    const { describe: lookUp } = account(['worded'])
    const { client, sent, run } = rig('3.0', {
      DeleteCertificates: deleteTasks(),
      DescribeDeleteCertificatesTaskResult: deleteResults(id => ({ Status: 2, Error: errors[id] })),
      DescribeCertificates: lookUp
    })
    const outcomes = byId(await run(client.deleteCertificates(Object.keys(errors))))
    for (const id of ['coded', 'prefixed', 'resource', 'worded-gone'])
      expect(outcomes[id]).toEqual({ id, result: 'gone' })
    expect(outcomes.worded).toEqual({
      id: 'worded',
      result: 'skipped',
      reason: `the delete task failed: ${errors.worded}`
    })
    // Only the two without a code were looked up.
    expect(sent('DescribeCertificates').map(p => ids(p, 'CertIds'))).toEqual([
      ['worded', 'worded-gone']
    ])
  })

  it("keeps back a certificate whose task ended in status 3, with Tencent's reason and an error", async () => {
    const said = 'FailedOperation.RoleNotFoundAuthorization'
    const { client, run } = rig('3.0', {
      DeleteCertificates: deleteTasks(),
      DescribeDeleteCertificatesTaskResult: deleteResults(() => ({ Status: 3, Error: said }))
    })
    const [outcome] = await run(client.deleteCertificates(['s3']))
    expect(outcome).toMatchObject({
      id: 's3',
      result: 'skipped',
      reason: `the service-linked role is not authorised: ${said}`,
      error: { code: said, subject: 's3', operation: 'DeleteCertificates' }
    })
  })

  it.each([
    ['the delete call timed out', 'timeout'],
    ['the delete call kept failing', 'internal'],
    ['the task never finished', 'slow'],
    ['the task result could not be read', 'unreadable']
  ])('confirms an unclear outcome (%s) by looking the id up', async (_, how) => {
    for (const stillThere of [true, false]) {
      const { describe: lookUp } = account(stillThere ? ['u'] : [])
      const { client, run } = rig('3.0', {
        DeleteCertificates: deleteTasks(() =>
          how === 'timeout'
            ? { hang: true }
            : how === 'internal'
              ? v3Error('InternalError', 'try later')
              : undefined
        ),
        DescribeDeleteCertificatesTaskResult:
          how === 'unreadable' ? () => ({ body: '<html>' }) : deleteResults(() => ({ Status: 0 })),
        DescribeCertificates: lookUp
      })
      const [outcome] = await run(client.deleteCertificates(['u']))
      if (stillThere) expect(outcome).toMatchObject({ id: 'u', result: 'failed' })
      else expect(outcome).toEqual({ id: 'u', result: 'gone' })
    }
  })

  it('reports an unclear outcome as failed when the look-up cannot tell', async () => {
    const lookUps: Record<string, () => Answer> = {
      failing: () => v3Error('AuthFailure.UnauthorizedOperation', 'no list for you'),
      'ignoring the filter': () =>
        v3Ok({ TotalCount: 1, Certificates: [{ CertificateId: 'someone-else' }] }),
      'without its list': () => v3Ok({ TotalCount: 0 })
    }
    for (const lookUp of Object.values(lookUps)) {
      const { client, run } = rig('3.0', {
        DeleteCertificates: () => v3Error('InternalError', 'try later', 'rid-i'),
        DescribeCertificates: lookUp
      })
      const [outcome] = await run(client.deleteCertificates(['u']))
      expect(outcome).toMatchObject({
        id: 'u',
        result: 'failed',
        error: { code: 'InternalError', subject: 'u', requestId: 'rid-i' }
      })
    }
  })
})

describe('look-up by id', () => {
  it('3.0: calls a certificate uploaded only when From says upload, never when it is missing', async () => {
    const item = (id: string, from?: string) => ({
      CertificateId: id,
      CertEndTime: '2027-01-15 08:00:00',
      ...(from === undefined ? {} : { From: from })
    })
    const { client, run } = rig('3.0', {
      DescribeCertificates: () =>
        v3Ok({
          TotalCount: 4,
          Certificates: [
            item('up', 'upload'),
            item('empty', ''),
            item('none'),
            item('bought', 'trustasia')
          ]
        })
    })
    const found = await run(client.findByIds(['up', 'empty', 'none', 'bought']))
    expect(Object.fromEntries([...found].map(([id, c]) => [id, c.uploaded]))).toEqual({
      up: true,
      empty: false,
      none: false,
      bought: false
    })
  })

  it('3.0: asks DescribeCertificates for at most 50 ids at once, whatever their source', async () => {
    const wanted = Array.from({ length: 120 }, (_, i) => `id${i}`)
    const { describe: lookUp } = account(wanted.filter((_, i) => i % 3 === 0))
    const { client, sent, run } = rig('3.0', { DescribeCertificates: lookUp })
    const found = await run(client.findByIds(wanted))
    expect([...found.keys()].sort()).toEqual(wanted.filter((_, i) => i % 3 === 0).sort())
    const asked = sent('DescribeCertificates')
    expect(asked.map(p => ids(p, 'CertIds').length)).toEqual([50, 50, 20])
    for (const params of asked)
      expect(Object.keys(params).sort()).toEqual(['CertIds', 'Limit', 'Offset'])
    expect(found.get('id0')).toMatchObject({
      id: 'id0',
      notAfter: new Date('2027-01-15T00:00:00Z')
    })
  })

  it('2.0: one CertGetList per id, and no answer without its list reads as "not found"', async () => {
    const { client, sent, run } = rig('2.0', {
      CertGetList: params =>
        params.id === 'there'
          ? v2Ok({
              totalNum: 1,
              list: [
                {
                  id: 'there',
                  from: 'trustasia',
                  domain: 'a.example',
                  certEndTime: '2027-01-15 08:00:00'
                }
              ]
            })
          : params.id === 'broken'
            ? v2Ok({})
            : v2Ok({ totalNum: 0, list: [] })
    })
    const found = await run(client.findByIds(['there', 'absent']))
    expect([...found.keys()]).toEqual(['there'])
    expect(found.get('there')).toMatchObject({ uploaded: false, domains: ['a.example'] })
    expect(sent('CertGetList').map(p => p.id)).toEqual(['there', 'absent'])
    await expect(run(client.findByIds(['broken']))).rejects.toMatchObject({
      code: 'MalformedResponse'
    })
  })
})

describe('2.0 deletion', () => {
  it('decides "gone" by code, and confirms an unclear failure by looking the id up', async () => {
    const live = new Set(['flaky-there'])
    const { client, sent, run } = rig('2.0', {
      CertDelete: params => {
        const id = String(params.id)
        if (id === 'absent') return v2Error(5000, 'certificate absent not exist')
        if (id === 'worded') return v2Error(4000, 'role does not exist')
        if (id.startsWith('flaky')) return v2Error(6000, 'internal error')
        return v2Ok([])
      },
      CertGetList: params =>
        v2Ok(
          live.has(String(params.id))
            ? { totalNum: 1, list: [{ id: params.id, from: 'upload' }] }
            : { totalNum: 0, list: [] }
        )
    })
    const outcomes: Record<string, DeleteOutcome> = byId(
      await run(client.deleteCertificates(['ok', 'absent', 'worded', 'flaky-there', 'flaky-gone']))
    )
    expect(outcomes.ok).toEqual({ id: 'ok', result: 'deleted' })
    expect(outcomes.absent).toEqual({ id: 'absent', result: 'gone' })
    // A parameter error that says "does not exist" is the API's refusal, not a disappearance.
    expect(outcomes.worded).toMatchObject({ result: 'skipped', error: { code: '4000' } })
    expect(outcomes['flaky-there']).toMatchObject({ result: 'failed', error: { code: '6000' } })
    expect(outcomes['flaky-gone']).toEqual({ id: 'flaky-gone', result: 'gone' })
    expect(sent('CertGetList').map(p => p.id)).toEqual(['flaky-there', 'flaky-gone'])
  })
})

describe('splitOnGone', () => {
  it('asks the named ids alone and the rest together, or splits in halves', () => {
    expect(splitOnGone(['a1', 'b2', 'c3'], 'Certificate b2 does not exist')).toEqual([
      ['a1', 'c3'],
      ['b2']
    ])
    expect(splitOnGone(['a1', 'b2', 'c3'], 'not exist')).toEqual([['a1', 'b2'], ['c3']])
    expect(splitOnGone(['a1', 'b2'], 'a1 and b2 do not exist')).toEqual([['a1'], ['b2']])
  })

  it('always makes smaller groups that together hold every id once', () => {
    for (let n = 2; n <= 9; n++) {
      const all = Array.from({ length: n }, (_, i) => `x${i}`)
      for (const message of ['', 'x0', `x${n - 1} x1`, all.join(' ')]) {
        const groups = splitOnGone(all, message)
        expect(groups.flat().sort()).toEqual([...all].sort())
        for (const group of groups) expect(group.length).toBeLessThan(n)
        for (const group of groups) expect(group.length).toBeGreaterThan(0)
      }
    }
  })
})

describe('what an error code says', () => {
  it('calls a certificate gone only for the not-found codes, never for a role', () => {
    const gone = [
      'FailedOperation.CertificateNotFound',
      'CertificateNotFound',
      'ResourceNotFound',
      'ResourceNotFound.Certificate',
      '5000'
    ]
    const notGone = [
      'ResourceNotFound.RoleNotFound',
      'FailedOperation.RoleNotFoundAuthorization',
      'FailedOperation',
      'InvalidParameter',
      '5100',
      'FailedOperation.CertificateNotFoundX'
    ]
    for (const code of gone) expect([code, meansNotFound(code)]).toEqual([code, true])
    for (const code of notGone) expect([code, meansNotFound(code)]).toEqual([code, false])
  })

  it('reads permission and service-role codes as refusals', () => {
    const refusals = [
      'AuthFailure.UnauthorizedOperation',
      'UnauthorizedOperation',
      'FailedOperation.RoleNotFoundAuthorization',
      'RoleNotFoundAuthorization',
      'ResourceNotFound.RoleNotFound',
      'FailedOperation.CAMAuthorizedFail',
      'FailedOperation.NoProjectPermission',
      '4102'
    ]
    const others = [
      'FailedOperation.CertificateNotFound',
      'InvalidParameter',
      'InternalError',
      'FailedOperation.CannotBeDeletedIssued',
      '5100'
    ]
    for (const code of refusals) expect([code, meansRefusal(code)]).toEqual([code, true])
    for (const code of others) expect([code, meansRefusal(code)]).toEqual([code, false])
  })
})

describe('refusals that read like "not found" (mutation survivors)', () => {
  it('a binding task ending in Status 2 with a role code: not checked, with the refusal, never gone', async () => {
    for (const code of [
      'FailedOperation.RoleNotFoundAuthorization',
      'ResourceNotFound.RoleNotFound',
      'UnauthorizedOperation'
    ]) {
      const { client, run } = rig('3.0', {
        CreateCertificateBindResourceSyncTask: bindTasks(),
        DescribeCertificateBindResourceTaskResult: bindResults(() => ({
          Status: 2,
          Error: { Code: code, Message: 'role does not exist' }
        }))
      })
      const [state] = checked(await run(client.checkBindings(['R'])))
      expect(state).toMatchObject({ id: 'R', bound: 'unknown' })
      expect(state.bound === 'unknown' && state.error?.code).toBe(code)
    }
  })

  it('a batch call refused with a code that is no not-found code, whose message says "does not exist": a refusal for every id, none gone', async () => {
    const message = 'The certificate a1 does not exist or the role does not exist'
    const { client, sent, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: () =>
        v3Error('FailedOperation.RoleNotFoundAuthorization', message)
    })
    const states = checked(await run(client.checkBindings(['a1', 'b2'])))
    expect(states.map(s => s.bound)).toEqual(['unknown', 'unknown'])
    for (const state of states)
      expect(state.bound === 'unknown' && state.error?.code).toBe(
        'FailedOperation.RoleNotFoundAuthorization'
      )
    // Not split to find "the one that does not exist": the code is not a not-found code.
    expect(sent('CreateCertificateBindResourceSyncTask')).toHaveLength(1)

    const deletion = rig('3.0', {
      DeleteCertificates: () => v3Error('FailedOperation', 'certificate a1 does not exist'),
      DescribeCertificates: account(['a1', 'b2']).describe
    })
    const outcomes = await deletion.run(deletion.client.deleteCertificates(['a1', 'b2']))
    expect(outcomes.map(o => o.result)).toEqual(['skipped', 'skipped'])
    expect(deletion.sent('DeleteCertificates')).toHaveLength(1)
  })

  it('a certificate the task answers leave out is not checked, never free', async () => {
    const { client, run } = rig('3.0', {
      CreateCertificateBindResourceSyncTask: bindTasks(),
      // Only a1's task is answered; b2's never is.
      DescribeCertificateBindResourceTaskResult: params =>
        v3Ok({
          SyncTaskBindResourceResult: ids(params, 'TaskIds')
            .filter(taskId => taskId === 'bind-a1')
            .map(TaskId => ({ TaskId, ...unbound() }))
        }),
      DescribeCertificateBindResourceTaskDetail: uncounted()
    })
    const states = checked(await run(client.checkBindings(['a1', 'b2'])))
    expect(byId(states).a1).toEqual({ id: 'a1', bound: false })
    expect(byId(states).b2).toMatchObject({ id: 'b2', bound: 'unknown' })
  })
})
