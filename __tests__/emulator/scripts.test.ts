/**
 * The emulator's scripted situations (emulator/scripts.ts), driven through the official SDK and
 * the admin path: another client's deletion between two requests, binding answers that do not
 * say what is bound, refused deletions, and the CertIds filter the action looks ids up with.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { rawRequest, sdkClient } from './helpers.js'

const DAY = 86_400_000
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
})
afterAll(() => emulator.stop())
beforeEach(() => {
  emulator.reset()
  emulator.setOption({ taskPolls: 0 })
})

const seed = (n: number, boundTo: string[] = []) =>
  emulator.seed(
    Array.from({ length: n }, (_, i) => ({
      domains: [`s${i}.example.test`],
      notAfter: new Date(Date.now() + (10 + i) * DAY),
      boundTo
    }))
  )

const call = (action: string, params: object) => sdkClient(emulator).request(action, params)

async function bindResult(id: string): Promise<Record<string, unknown>> {
  const created = await call('CreateCertificateBindResourceSyncTask', {
    CertificateIds: [id],
    IsCache: 0
  })
  const [{ TaskId }] = created.CertTaskIds as { TaskId: string }[]
  const answer = await call('DescribeCertificateBindResourceTaskResult', { TaskIds: [TaskId] })
  return (answer.SyncTaskBindResourceResult as Record<string, unknown>[])[0]
}

async function deleteWithTask(id: string) {
  const started = await call('DeleteCertificates', { CertificateIds: [id], IsSync: true })
  const tasks = started.CertTaskIds as { TaskId: string }[]
  const results =
    tasks.length === 0
      ? []
      : ((await call('DescribeDeleteCertificatesTaskResult', { TaskIds: tasks.map(t => t.TaskId) }))
          .DeleteTaskResult as Record<string, unknown>[])
  return { started, results }
}

describe('delete-after: another client deletes a certificate between two requests', () => {
  it('deletes it right after the named action is answered, once', async () => {
    const [a, b] = seed(2)
    emulator.scripts.add({ kind: 'delete-after', action: 'DescribeCertificates', id: b.id })
    const listed = await call('DescribeCertificates', { Limit: 100 })
    // The list still showed it; it is gone for the next request.
    expect(
      (listed.Certificates as { CertificateId: string }[]).map(c => c.CertificateId)
    ).toContain(b.id)
    expect(emulator.certificates().find(c => c.id === b.id)?.deleted).toBe(true)
    expect(emulator.scripts.pending()).toEqual([])
    const refused = await call('CreateCertificateBindResourceSyncTask', {
      CertificateIds: [a.id, b.id],
      IsCache: 0
    }).catch((error: { code?: string; message: string }) => error)
    expect(refused).toMatchObject({ code: 'FailedOperation.CertificateNotFound' })
    expect((refused as Error).message).toBe(`Certificate ${b.id} does not exist.`)
  })

  it('waits for skipNext requests, and deletes even a bound certificate', async () => {
    const [bound] = seed(1, ['cdn'])
    emulator.scripts.add({
      kind: 'delete-after',
      action: 'DescribeCertificates',
      id: bound.id,
      skipNext: 1
    })
    await call('DescribeCertificates', {})
    expect(emulator.certificates()[0].deleted).toBe(false)
    expect(emulator.scripts.pending()).toMatchObject([{ skipNext: 0 }])
    await call('DescribeCertificates', {})
    expect(emulator.certificates()[0].deleted).toBe(true)
  })
})

describe('binding-answer: a settled task that does not say what is bound', () => {
  it.each([
    ['result-null', (r: Record<string, unknown>) => expect(r.BindResourceResult).toBeNull()],
    [
      'result-absent',
      (r: Record<string, unknown>) => expect('BindResourceResult' in r).toBe(false)
    ],
    [
      'regions-null',
      (r: Record<string, unknown>) =>
        expect(
          (r.BindResourceResult as Record<string, unknown>[])[0].BindResourceRegionResult
        ).toBeNull()
    ],
    [
      'region-null',
      (r: Record<string, unknown>) =>
        expect(
          (r.BindResourceResult as Record<string, unknown>[])[0].BindResourceRegionResult
        ).toEqual([null])
    ]
  ] as const)('%s', async (shape, check) => {
    const [scripted, plain] = seed(2)
    emulator.scripts.add({ kind: 'binding-answer', id: scripted.id, shape })
    const result = await bindResult(scripted.id)
    expect(result.Status).toBe(1)
    check(result)
    // Other certificates answer in full.
    const full = await bindResult(plain.id)
    expect((full.BindResourceResult as unknown[]).length).toBeGreaterThan(5)
  })
})

describe('refuse-delete: deletions Tencent refuses, the certificate stays', () => {
  it('ends the task in Status 3 with the role message', async () => {
    const [c] = seed(1)
    emulator.scripts.add({ kind: 'refuse-delete', id: c.id, as: 'task-status-3' })
    const { results } = await deleteWithTask(c.id)
    expect(results).toMatchObject([
      { CertId: c.id, Status: 3, Error: 'role does not exist, please authorise' }
    ])
    expect(emulator.certificates()[0].deleted).toBe(false)
  })

  it('ends the task in Status 2 with the given message', async () => {
    const [c] = seed(1)
    emulator.scripts.add({ kind: 'refuse-delete', id: c.id, as: 'task-failed', message: 'nope' })
    const { results } = await deleteWithTask(c.id)
    expect(results).toMatchObject([{ CertId: c.id, Status: 2, Error: 'nope' }])
    expect(emulator.certificates()[0].deleted).toBe(false)
  })

  it('answers a Fail entry instead of a task, with or without the binding check', async () => {
    const [c, other] = seed(2)
    emulator.scripts.add({ kind: 'refuse-delete', id: c.id, as: 'fail-entry' })
    const { started } = await deleteWithTask(c.id)
    expect(started).toMatchObject({
      Fail: [{ CertId: c.id, Msg: 'certificate not yet expired, cannot be deleted' }],
      CertTaskIds: []
    })
    const plain = await call('DeleteCertificates', { CertificateIds: [c.id, other.id] })
    expect(plain).toMatchObject({ Success: [other.id], Fail: [{ CertId: c.id }] })
    expect(emulator.certificates().map(x => x.deleted)).toEqual([false, true])
  })
})

describe('scripts over the admin path', () => {
  const admin = async (method: string, body?: unknown) => {
    const response = await rawRequest(emulator.port, {
      method,
      path: '/_emulator/scripts',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, json: JSON.parse(response.text) as Record<string, unknown> }
  }

  it('adds, lists and clears scripts, refusing malformed ones', async () => {
    const added = await admin('POST', [
      { kind: 'binding-answer', id: 'A1', shape: 'result-null' },
      { kind: 'refuse-delete', id: 'A2', as: 'fail-entry' }
    ])
    expect(added.status).toBe(201)
    expect((await admin('GET')).json.scripts).toHaveLength(2)
    for (const bad of [
      { kind: 'binding-answer', id: 'A1', shape: 'sideways' },
      { kind: 'refuse-delete', id: 'A1', as: 'politely' },
      { kind: 'delete-after', id: 'A1' },
      { kind: 'teleport', id: 'A1' },
      { kind: 'refuse-delete', as: 'fail-entry' }
    ])
      expect((await admin('POST', bad)).status).toBe(400)
    expect((await admin('DELETE')).json).toEqual({ scripts: [] })
  })
})

describe('CertIds: the filter the action looks ids up with', () => {
  it('lists only the asked ids, of any source, type and project', async () => {
    const [a, , c] = emulator.seed([
      { domains: ['a.example.test'], notAfter: new Date(Date.now() + DAY), from: 'trustasia' },
      { domains: ['b.example.test'], notAfter: new Date(Date.now() + DAY) },
      {
        domains: ['c.example.test'],
        notAfter: new Date(Date.now() + DAY),
        projectId: 7,
        certType: 'CA'
      }
    ])
    const listed = await call('DescribeCertificates', {
      CertIds: [a.id, c.id, 'NOSUCH01'],
      Limit: 50
    })
    expect(listed.TotalCount).toBe(2)
    expect(
      (listed.Certificates as { CertificateId: string }[]).map(x => x.CertificateId).sort()
    ).toEqual([a.id, c.id].sort())
  })
})
