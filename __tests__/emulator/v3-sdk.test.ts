/**
 * API 3.0 driven by the official SDK's CommonClient: uploads, listing, details, deletion (sync
 * and as tasks), binding checks, and the documented error codes.
 */
import { X509Certificate } from 'node:crypto'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { failureOf, gmt8Text, sdkClient } from './helpers.js'

type Item = Record<string, unknown>

let emulator: Emulator
let client: ReturnType<typeof sdkClient>
let ca: TestCa
let chain: TestChain

const DAY = 86_400_000

beforeAll(async () => {
  // No rate limit here: the limit has its own tests, and these must not depend on timing.
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
  client = sdkClient(emulator)
  ca = await makeCa(1)
  chain = await makeChain({ ca, domains: ['a.example.test', 'www.a.example.test'] })
})

afterAll(() => emulator.stop())

const upload = (params: object): Promise<Record<string, unknown>> =>
  client.request('UploadCertificate', params)

const live = (): number => emulator.certificates().filter(c => !c.deleted).length

describe('UploadCertificate', () => {
  it('stores the chain and lists it with the documented fields', async () => {
    const uploaded = await upload({
      CertificatePublicKey: chain.fullchainPem,
      CertificatePrivateKey: chain.keyPem,
      Alias: 'a.example.test 2027',
      Tags: [{ TagKey: 'managed-by', TagValue: 'test' }],
      Repeatable: false
    })
    const id = uploaded.CertificateId as string
    expect(id).toMatch(/^[A-Za-z0-9]{8}$/)
    expect(uploaded.RepeatCertId || '').toBe('')
    expect(uploaded.RequestId).toMatch(/^[0-9a-f-]{36}$/)

    const listed = await client.request('DescribeCertificates', { CertIds: [id] })
    expect(listed.TotalCount).toBe(1)
    const item = (listed.Certificates as Item[])[0]
    const leaf = new X509Certificate(chain.leafPem)
    expect(item).toMatchObject({
      CertificateId: id,
      Domain: 'a.example.test',
      SubjectAltName: ['a.example.test', 'www.a.example.test'],
      Alias: 'a.example.test 2027',
      From: 'upload',
      CertificateType: 'SVR',
      Status: 1,
      IsExpiring: false,
      ProjectId: '0',
      Tags: [{ TagKey: 'managed-by', TagValue: 'test' }],
      CertBeginTime: gmt8Text(new Date(leaf.validFrom)),
      CertEndTime: gmt8Text(new Date(leaf.validTo))
    })
    expect(item.InsertTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)

    const detail = await client.request('DescribeCertificateDetail', { CertificateId: id })
    expect(detail.CertificatePublicKey).toContain(chain.leafPem.trim())
    expect(detail.CertificatePublicKey).toContain(chain.intermediatePems[0].trim())
    expect((detail.CertificatePrivateKey as string).trim()).toBe(chain.keyPem.trim())
    // The detail leaves the main domain out of SubjectAltName (§3.5).
    expect(detail.SubjectAltName).toEqual(['www.a.example.test'])

    const snapshot = emulator.certificates().find(c => c.id === id)
    expect(snapshot?.fingerprint).toBe(leaf.fingerprint256.replace(/:/g, '').toLowerCase())
  })

  it('answers a Repeatable:false duplicate with RepeatCertId, in either documented shape', async () => {
    const fresh = await makeChain({ ca, domains: ['dup.example.test'] })
    const params = {
      CertificatePublicKey: fresh.fullchainPem,
      CertificatePrivateKey: fresh.keyPem,
      Repeatable: false
    }
    const first = (await upload(params)).CertificateId as string
    const before = live()

    const duplicate = await upload(params)
    expect(duplicate.RepeatCertId).toBe(first)
    expect(duplicate.CertificateId || '').toBe('')

    emulator.setOption('duplicateAnswer', 'CertificateId')
    const equal = await upload(params)
    emulator.setOption('duplicateAnswer', 'RepeatCertId')
    expect(equal.CertificateId).toBe(first)
    expect(equal.RepeatCertId).toBe(first)
    expect(live()).toBe(before)

    const check = await client.request('CheckCertificateExist', {
      CertificatePublicKey: fresh.fullchainPem
    })
    expect(check.RepeatCertId).toBe(first)

    // Repeatable defaults to true: a second copy.
    const copy = await upload({ ...params, Repeatable: undefined })
    expect(copy.CertificateId).not.toBe(first)
    expect(live()).toBe(before + 1)
  })

  it('answers CheckCertificateExist with an empty RepeatCertId for an unknown certificate', async () => {
    const unknown = await makeChain({ ca, domains: ['new.example.test'] })
    const check = await client.request('CheckCertificateExist', {
      CertificatePublicKey: unknown.fullchainPem
    })
    expect(check.RepeatCertId || '').toBe('')
  })

  it('accepts a CA certificate without a key', async () => {
    const uploaded = await upload({
      CertificatePublicKey: chain.intermediatePems[0],
      CertificateType: 'CA'
    })
    const listed = await client.request('DescribeCertificates', {
      CertIds: [uploaded.CertificateId],
      CertificateType: 'CA'
    })
    expect(listed.TotalCount).toBe(1)
  })

  it.each([
    ['a key of another certificate', 'FailedOperation.CertificateMismatch'],
    ['text that is not PEM', 'FailedOperation.CertificateParseError'],
    ['a damaged certificate block', 'FailedOperation.CertificateParseError'],
    ['a chain in the wrong order', 'FailedOperation.CertificateChainError'],
    ['a leaf uploaded as CA', 'FailedOperation.CertificateCaError'],
    ['SVR without a key', 'InvalidParameter']
  ])('refuses %s with %s and stores nothing', async (problem, code) => {
    const twoLevels = await makeChain({ domains: ['deep.example.test'], intermediates: 2 })
    const other = await makeChain({ ca, domains: ['other.example.test'] })
    const params: Record<string, object> = {
      'a key of another certificate': {
        CertificatePublicKey: chain.fullchainPem,
        CertificatePrivateKey: other.keyPem
      },
      'text that is not PEM': {
        CertificatePublicKey: 'hello',
        CertificatePrivateKey: chain.keyPem
      },
      'a damaged certificate block': {
        CertificatePublicKey: chain.leafPem.replace(/[A-Za-z]{8}\n/, '!!!!!!!!\n'),
        CertificatePrivateKey: chain.keyPem
      },
      'a chain in the wrong order': {
        CertificatePublicKey:
          twoLevels.leafPem + twoLevels.intermediatePems[1] + twoLevels.intermediatePems[0],
        CertificatePrivateKey: twoLevels.keyPem
      },
      'a leaf uploaded as CA': {
        CertificatePublicKey: chain.fullchainPem,
        CertificatePrivateKey: chain.keyPem,
        CertificateType: 'CA'
      },
      'SVR without a key': { CertificatePublicKey: chain.fullchainPem }
    }
    const before = emulator.certificates().length
    const error = await failureOf(upload(params[problem]))
    expect(error.code).toBe(code)
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(emulator.certificates()).toHaveLength(before)
  })

  it('refuses a missing CertificatePublicKey and unknown parameters', async () => {
    expect((await failureOf(upload({ CertificatePrivateKey: chain.keyPem }))).code).toBe(
      'MissingParameter'
    )
    const typo = await failureOf(
      upload({
        CertificatePublicKey: chain.fullchainPem,
        CertificatePrivateKey: chain.keyPem,
        Repeat: false
      })
    )
    expect(typo.code).toBe('UnknownParameter')
  })
})

describe('deletion', () => {
  const uploadNew = async (domain: string): Promise<string> => {
    const fresh = await makeChain({ ca, domains: [domain] })
    const uploaded = await upload({
      CertificatePublicKey: fresh.fullchainPem,
      CertificatePrivateKey: fresh.keyPem
    })
    return uploaded.CertificateId as string
  }
  const seedOne = (overrides: object = {}): string =>
    emulator.seed({
      domains: ['seeded.example.test'],
      notAfter: new Date(Date.now() + 60 * DAY),
      ...overrides
    })[0].id

  it('deletes an uploaded certificate', async () => {
    const id = await uploadNew('gone.example.test')
    const answer = await client.request('DeleteCertificate', { CertificateId: id })
    expect(answer.DeleteResult).toBe(true)
    expect(emulator.certificates().find(c => c.id === id)?.deleted).toBe(true)
    const again = await failureOf(
      client.request('DescribeCertificateDetail', { CertificateId: id })
    )
    expect(again.code).toBe('FailedOperation.CertificateNotFound')
  })

  it('refuses a bound, an issued and a missing certificate', async () => {
    const bound = seedOne({ boundTo: ['cdn'] })
    const issued = seedOne({ from: 'trustasia' })
    const codeOf = async (id: string): Promise<string | undefined> =>
      (await failureOf(client.request('DeleteCertificate', { CertificateId: id }))).code
    expect(await codeOf(bound)).toBe('FailedOperation.DeleteResourceFailed')
    expect(await codeOf(issued)).toBe('FailedOperation.CannotBeDeletedIssued')
    expect(await codeOf('NoSuchId')).toBe('FailedOperation.CertificateNotFound')
    expect(
      emulator.certificates().filter(c => [bound, issued].includes(c.id) && c.deleted)
    ).toEqual([])

    emulator.unbind(bound)
    expect((await client.request('DeleteCertificate', { CertificateId: bound })).DeleteResult).toBe(
      true
    )
  })

  it('deletes in batches with Success and Fail', async () => {
    const [a, b] = [seedOne(), seedOne()]
    const bound = seedOne({ boundTo: ['clb'] })
    const issued = seedOne({ from: 'sheca' })
    const answer = await client.request('DeleteCertificates', {
      CertificateIds: [a, 'NoSuchId', bound, b, issued]
    })
    expect(answer.Success).toEqual([a, b])
    expect(answer.Fail).toEqual([
      { CertId: 'NoSuchId', Msg: 'certificate not exist' },
      { CertId: bound, Msg: 'certificate is bound to cloud resources' },
      { CertId: issued, Msg: 'issued certificate cannot be deleted' }
    ])
    const tooMany = Array.from({ length: 101 }, (_, i) => `id${i}`)
    const error = await failureOf(client.request('DeleteCertificates', { CertificateIds: tooMany }))
    expect(error.code).toBe('FailedOperation.CertificateSyncTaskCertificateIdCountInvalid')
  })

  it('deletes asynchronously: Status 0 while running, then 1, 2 or 4', async () => {
    const free = seedOne()
    const bound = seedOne({ boundTo: ['waf'] })
    const single = await client.request('DeleteCertificate', {
      CertificateId: free,
      IsCheckResource: true
    })
    expect(single.DeleteResult).toBe(false)
    const batch = await client.request('DeleteCertificates', {
      CertificateIds: [bound, 'NoSuchId'],
      IsSync: true
    })
    const taskIds = [
      single.TaskId as string,
      ...(batch.CertTaskIds as { TaskId: string }[]).map(t => t.TaskId)
    ]
    const poll = async (): Promise<Item[]> =>
      (await client.request('DescribeDeleteCertificatesTaskResult', { TaskIds: taskIds }))
        .DeleteTaskResult as Item[]

    const running = await poll()
    expect(running.map(r => r.Status)).toEqual([0, 0, 0])
    expect(emulator.certificates().find(c => c.id === free)?.deleted).toBe(false)

    const done = await poll()
    expect(done.map(r => [r.CertId, r.Status])).toEqual([
      [free, 1],
      [bound, 4],
      ['NoSuchId', 2]
    ])
    expect(done[2].Error).toMatch(/NotFound/)
    expect(emulator.certificates().find(c => c.id === free)?.deleted).toBe(true)
    expect(emulator.certificates().find(c => c.id === bound)?.deleted).toBe(false)
  })

  it('ends asynchronous deletions in Status 3 when the service role is missing', async () => {
    const id = seedOne()
    emulator.setOption({ deleteTaskRole: false, taskPolls: 0 })
    try {
      const { TaskId } = await client.request('DeleteCertificate', {
        CertificateId: id,
        IsCheckResource: true
      })
      const result = await client.request('DescribeDeleteCertificatesTaskResult', {
        TaskIds: [TaskId]
      })
      expect((result.DeleteTaskResult as Item[])[0].Status).toBe(3)
      expect(emulator.certificates().find(c => c.id === id)?.deleted).toBe(false)
    } finally {
      emulator.setOption({ deleteTaskRole: true, taskPolls: 1 })
    }
  })
})

describe('binding checks', () => {
  it('reports bound resource types with TotalCount 1 once the task finishes', async () => {
    const [bound, free] = emulator.seed([
      {
        domains: ['cdn.example.test'],
        notAfter: new Date(Date.now() + 30 * DAY),
        boundTo: ['cdn']
      },
      { domains: ['free.example.test'], notAfter: new Date(Date.now() + 30 * DAY) }
    ])
    emulator.bind(bound.id, 'clb')
    const created = await client.request('CreateCertificateBindResourceSyncTask', {
      CertificateIds: [bound.id, free.id],
      IsCache: 0
    })
    const taskIds = (created.CertTaskIds as { CertId: string; TaskId: string }[]).map(t => t.TaskId)
    const poll = async (): Promise<Item[]> =>
      (await client.request('DescribeCertificateBindResourceTaskResult', { TaskIds: taskIds }))
        .SyncTaskBindResourceResult as Item[]
    expect((await poll()).map(r => r.Status)).toEqual([0, 0])
    const [boundResult, freeResult] = await poll()
    const counts = (result: Item): Record<string, number> =>
      Object.fromEntries(
        (
          result.BindResourceResult as {
            ResourceType: string
            BindResourceRegionResult: { TotalCount: number }[]
          }[]
        ).map(r => [
          r.ResourceType,
          r.BindResourceRegionResult.reduce((sum, x) => sum + x.TotalCount, 0)
        ])
      )
    expect(boundResult.Status).toBe(1)
    expect(counts(boundResult)).toMatchObject({ cdn: 1, clb: 1, waf: 0, teo: 0 })
    expect(Object.values(counts(freeResult)).every(n => n === 0)).toBe(true)
    expect(Object.keys(counts(freeResult))).toEqual(
      expect.arrayContaining(['clb', 'cdn', 'teo', 'cos'])
    )

    const missing = await failureOf(
      client.request('CreateCertificateBindResourceSyncTask', {
        CertificateIds: ['NoSuchId'],
        IsCache: 0
      })
    )
    expect(missing.code).toBe('FailedOperation.CertificateNotFound')
  })
})

describe('EncryptAlgorithm and ProjectId', () => {
  it('lists the uploaded key as Tencent writes it, the project as a string', async () => {
    const rsa = await makeChain({ ca, key: 'rsa', domains: ['rsa.example.test'] })
    const ec = await makeChain({ ca, domains: ['ec.example.test'] })
    const uploaded = async (c: TestChain, projectId: number) =>
      (
        await upload({
          CertificatePublicKey: c.fullchainPem,
          CertificatePrivateKey: c.keyPem,
          ProjectId: projectId
        })
      ).CertificateId as string
    const ids = [await uploaded(rsa, 0), await uploaded(ec, 7)]
    const seeded = emulator.seed([
      { domains: ['m1.example.test'], notAfter: new Date(Date.now() + DAY) },
      {
        domains: ['m2.example.test'],
        notAfter: new Date(Date.now() + DAY),
        encryptAlgorithm: 'SM2'
      },
      { domains: ['m3.example.test'], notAfter: new Date(Date.now() + DAY), encryptAlgorithm: null }
    ])
    ids.push(...seeded.map(s => s.id))
    const listed = await client.request('DescribeCertificates', { CertIds: ids })
    const byId = new Map((listed.Certificates as Item[]).map(c => [c.CertificateId, c]))
    expect(ids.map(id => [byId.get(id)?.EncryptAlgorithm, byId.get(id)?.ProjectId])).toEqual([
      ['RSA 2048', '0'],
      ['ECC 256', '7'],
      ['ECC 256', '0'],
      ['SM2', '0'],
      [null, '0']
    ])
  })
})

describe('DescribeCertificates listing', () => {
  let big: Emulator
  let bigClient: ReturnType<typeof sdkClient>
  const TOTAL = 1205
  const base = Date.UTC(2026, 0, 1)

  beforeAll(async () => {
    big = await startEmulator({ rateLimitPerSecond: 0 })
    bigClient = sdkClient(big)
    big.seed(
      Array.from({ length: TOTAL }, (_, i) => ({
        domains: [`host${i}.example.test`],
        notAfter: new Date(base + 90 * DAY),
        insertTime: new Date(base + i * 1000),
        alias: `cert-${i}`,
        from: i % 100 === 0 ? 'trustasia' : 'upload',
        certType: i % 50 === 1 ? ('CA' as const) : ('SVR' as const),
        tags: i % 7 === 0 ? [{ TagKey: 'team', TagValue: 'seven' }] : []
      }))
    )
  })

  afterAll(() => big.stop())

  const list = (params: object): Promise<{ TotalCount: number; Certificates: Item[] }> =>
    bigClient.request('DescribeCertificates', params) as never

  it('pages with Offset/Limit, newest insert first, Limit 10 by default and at most 1000', async () => {
    const first = await list({})
    expect(first.TotalCount).toBe(TOTAL)
    expect(first.Certificates).toHaveLength(10)
    expect(first.Certificates[0].Alias).toBe(`cert-${TOTAL - 1}`)

    expect((await list({ Limit: 5000 })).Certificates).toHaveLength(1000)

    const seen: string[] = []
    for (let offset = 0; offset < TOTAL; offset += 500) {
      const page = await list({ Offset: offset, Limit: 500 })
      seen.push(...page.Certificates.map(c => c.Alias as string))
    }
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => `cert-${TOTAL - 1 - i}`))
    expect((await list({ Offset: TOTAL, Limit: 10 })).Certificates).toEqual([])
  })

  it('filters by source, type, search key, ids and tags', async () => {
    const issued = Array.from({ length: TOTAL }, (_, i) => i).filter(i => i % 100 === 0)
    const bought = await list({ FilterSource: 'buy', Limit: 1000 })
    expect(bought.TotalCount).toBe(issued.length)
    expect(bought.Certificates.every(c => c.From === 'trustasia')).toBe(true)
    expect((await list({ FilterSource: 'upload' })).TotalCount).toBe(TOTAL - issued.length)

    const caCount = Array.from({ length: TOTAL }, (_, i) => i).filter(i => i % 50 === 1).length
    expect((await list({ CertificateType: 'CA' })).TotalCount).toBe(caCount)

    const search = await list({ SearchKey: 'HOST1204.example' })
    expect(search.Certificates.map(c => c.Domain)).toEqual(['host1204.example.test'])
    expect((await list({ SearchKey: 'cert-120' })).TotalCount).toBe(1 + 5) // 120, 1200..1204

    const ids = big
      .certificates()
      .slice(0, 3)
      .map(c => c.id)
    expect((await list({ CertIds: ids })).Certificates.map(c => c.CertificateId).sort()).toEqual(
      [...ids].sort()
    )
    const tagged = await list({ Tags: [{ TagKey: 'team', TagValue: 'seven' }], Limit: 1000 })
    expect(tagged.TotalCount).toBe(Math.ceil(TOTAL / 7))
  })

  it('writes times in GMT+8 and flags certificates close to expiry', async () => {
    const now = Date.now()
    const [fixed, expiringSoon] = big.seed([
      {
        domains: ['time.example.test'],
        notBefore: new Date(Date.UTC(2029, 11, 31, 16, 0, 0)),
        notAfter: new Date(Date.UTC(2030, 0, 1, 0, 0, 0)),
        insertTime: new Date(Date.UTC(2026, 10, 27, 20, 30, 5))
      },
      { domains: ['soon.example.test'], notAfter: new Date(now + 10 * DAY) }
    ])
    const [item] = (await list({ CertIds: [fixed.id] })).Certificates
    expect(item.CertBeginTime).toBe('2030-01-01 00:00:00')
    expect(item.CertEndTime).toBe('2030-01-01 08:00:00')
    expect(item.InsertTime).toBe('2026-11-28 04:30:05')
    expect(item.IsExpiring).toBe(false)
    const [expiring] = (await list({ CertIds: [expiringSoon.id] })).Certificates
    expect(expiring.IsExpiring).toBe(true)
  })

  it('filters by status and expiry, and knows an expired certificate (Status 3)', async () => {
    const now = Date.now()
    const [expired, expiring] = big.seed([
      { domains: ['expired.example.test'], notAfter: new Date(now - DAY) },
      { domains: ['expiring.example.test'], notAfter: new Date(now + 5 * DAY) }
    ])
    const pair = [expired.id, expiring.id]
    const byStatus = await list({ CertIds: pair, CertificateStatus: [3] })
    expect(byStatus.Certificates.map(c => c.CertificateId)).toEqual([expired.id])
    expect(byStatus.Certificates[0].Status).toBe(3)
    expect((await list({ CertIds: pair, CertificateStatus: [1] })).TotalCount).toBe(1)
    const soon = await list({ FilterExpiring: 1, Limit: 1000 })
    expect(soon.Certificates.map(c => c.CertificateId)).toContain(expiring.id)
    expect(soon.Certificates.map(c => c.CertificateId)).not.toContain(expired.id)
    expect(soon.Certificates.every(c => c.IsExpiring === true)).toBe(true)
    expect((await list({ IsSM: 1 })).TotalCount).toBe(0)
  })

  it('works over GET as well (TC3 with a query string)', async () => {
    const getClient = sdkClient(big, { reqMethod: 'GET' })
    const ids = big
      .certificates()
      .slice(0, 2)
      .map(c => c.id)
    const page = (await getClient.request('DescribeCertificates', { CertIds: ids, Limit: 1 })) as {
      TotalCount: number
      Certificates: Item[]
    }
    expect(page.TotalCount).toBe(2)
    expect(page.Certificates).toHaveLength(1)
  })
})
