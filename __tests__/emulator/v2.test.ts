/**
 * API 2.0 (`/v2/index.php`) with requests signed by the SDK's Sign.sign: the three actions over
 * GET and POST, the refusals with their numeric codes, and the store shared with API 3.0.
 */
import { X509Certificate } from 'node:crypto'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { gmt8Text, sdkClient, v2Call } from './helpers.js'

let emulator: Emulator
let ca: TestCa
let chain: TestChain

const TEMPORARY = { secretId: 'AKIDTEMPV2', secretKey: 'temporary-v2-key', token: 'v2-token' }
const DAY = 86_400_000

beforeAll(async () => {
  emulator = await startEmulator({ rateLimitPerSecond: 0, temporaryCredentials: TEMPORARY })
  ca = await makeCa(1)
  chain = await makeChain({ ca, domains: ['v2.example.test', '*.v2.example.test'] })
})

afterAll(() => emulator.stop())

interface ListData {
  totalNum: number
  list: Record<string, unknown>[]
}

const uploadParams = (c: TestChain, alias = 'v2 upload'): Record<string, string> => ({
  cert: c.fullchainPem,
  key: c.keyPem,
  certType: 'SVR',
  alias
})

/** Every field §1.5 lists for a CertGetList item. */
const LIST_FIELDS = [
  'ownerUin',
  'projectId',
  'from',
  'type',
  'certType',
  'productZhName',
  'domain',
  'alias',
  'status',
  'vulnerability_status',
  'statusMsg',
  'verifyType',
  'certBeginTime',
  'certEndTime',
  'validityPeriod',
  'insertTime',
  'projectInfo',
  'id',
  'subjectAltName',
  'type_name',
  'status_name',
  'is_vip',
  'is_dv',
  'is_wildcard',
  'is_vulnerability'
]

describe('actions', () => {
  it('uploads (POST, HmacSHA256) and lists (GET, HmacSHA1) with every documented field', async () => {
    const uploaded = await v2Call(emulator, 'CertUpload', uploadParams(chain), {
      method: 'POST',
      signatureMethod: 'HmacSHA256'
    })
    expect(uploaded).toMatchObject({ code: 0, codeDesc: 'Success' })
    const id = (uploaded.data as { id: string }).id
    expect(id).toMatch(/^[A-Za-z0-9]{8}$/)

    const listed = await v2Call(emulator, 'CertGetList', { id, withCert: '1' })
    expect(listed.code).toBe(0)
    const data = listed.data as ListData
    expect(data.totalNum).toBe(1)
    const item = data.list[0]
    expect(Object.keys(item)).toEqual(expect.arrayContaining([...LIST_FIELDS, 'cert']))
    expect(item.projectInfo).toEqual(
      expect.objectContaining({ projectId: expect.anything(), name: expect.any(String) })
    )
    const leaf = new X509Certificate(chain.leafPem)
    expect(item).toMatchObject({
      id,
      from: 'upload',
      certType: 'SVR',
      domain: 'v2.example.test',
      alias: 'v2 upload',
      subjectAltName: ['v2.example.test', '*.v2.example.test'],
      is_wildcard: true,
      status: 1,
      certBeginTime: gmt8Text(new Date(leaf.validFrom)),
      certEndTime: gmt8Text(new Date(leaf.validTo))
    })
    expect(item.cert).toContain(chain.leafPem.trim())

    const withoutCert = await v2Call(emulator, 'CertGetList', { id })
    expect((withoutCert.data as ListData).list[0]).not.toHaveProperty('cert')
  })

  it("shows a metadata seed's key through a stand-in PEM of its algorithm", async () => {
    const seeded = emulator.seed(
      ['RSA 2048', 'ECC 384', 'SM2', null].map(encryptAlgorithm => ({
        domains: ['stand-in.example.test'],
        notAfter: new Date(Date.now() + DAY),
        encryptAlgorithm
      }))
    )
    const keys: (string | undefined)[] = []
    for (const { id } of seeded) {
      const listed = await v2Call(emulator, 'CertGetList', { id, withCert: '1' })
      const cert = (listed.data as ListData).list[0].cert as string
      keys.push(cert === '' ? undefined : new X509Certificate(cert).publicKey.asymmetricKeyType)
    }
    expect(keys).toEqual(['rsa', 'ec', undefined, undefined])
  })

  it('always stores a new copy: 2.0 has no Repeatable', async () => {
    const again = await makeChain({ ca, domains: ['copies.example.test'] })
    const first = await v2Call(emulator, 'CertUpload', uploadParams(again), { method: 'POST' })
    const second = await v2Call(emulator, 'CertUpload', uploadParams(again), { method: 'POST' })
    expect((first.data as { id: string }).id).not.toBe((second.data as { id: string }).id)
    const fingerprint = new X509Certificate(again.leafPem).fingerprint256
      .replace(/:/g, '')
      .toLowerCase()
    expect(emulator.certificates().filter(c => c.fingerprint === fingerprint)).toHaveLength(2)
  })

  it('refuses a bad upload with code 4000 and a message naming the problem', async () => {
    const other = await makeChain({ ca, domains: ['other.example.test'] })
    const mismatch = await v2Call(emulator, 'CertUpload', {
      ...uploadParams(chain),
      key: other.keyPem
    })
    expect(mismatch.code).toBe(4000)
    expect(mismatch.message).toMatch(/Mismatch/)
    const garbage = await v2Call(emulator, 'CertUpload', {
      ...uploadParams(chain),
      cert: 'garbage'
    })
    expect(garbage.code).toBe(4000)
    expect(garbage.message).toMatch(/Parse/)
    const noKey = await v2Call(emulator, 'CertUpload', {
      cert: chain.fullchainPem,
      certType: 'SVR'
    })
    expect(noKey.code).toBe(4000)
  })

  it('deletes (GET and POST), and refuses missing (5000), bound and issued (5100) ones', async () => {
    const [a, b, bound, issued] = emulator.seed([
      { domains: ['a.del.test'], notAfter: new Date(Date.now() + DAY) },
      { domains: ['b.del.test'], notAfter: new Date(Date.now() + DAY) },
      { domains: ['c.del.test'], notAfter: new Date(Date.now() + DAY), boundTo: ['cdn'] },
      { domains: ['d.del.test'], notAfter: new Date(Date.now() + DAY), from: 'trustasia' }
    ])
    expect(await v2Call(emulator, 'CertDelete', { id: a.id })).toMatchObject({ code: 0, data: [] })
    expect(await v2Call(emulator, 'CertDelete', { id: b.id }, { method: 'POST' })).toMatchObject({
      code: 0
    })
    expect((await v2Call(emulator, 'CertDelete', { id: a.id })).code).toBe(5000)
    expect((await v2Call(emulator, 'CertDelete', { id: bound.id })).code).toBe(5100)
    expect((await v2Call(emulator, 'CertDelete', { id: issued.id })).code).toBe(5100)
    const deleted = emulator
      .certificates()
      .filter(c => c.deleted)
      .map(c => c.id)
    expect(deleted).toEqual(expect.arrayContaining([a.id, b.id]))
    expect(deleted).not.toContain(bound.id)
    expect(deleted).not.toContain(issued.id)
  })

  it('shares one store with API 3.0', async () => {
    const shared = await makeChain({ ca, domains: ['shared.example.test'] })
    const viaV2 = (await v2Call(emulator, 'CertUpload', uploadParams(shared, 'shared'))).data as {
      id: string
    }
    const client = sdkClient(emulator)
    const listed = await client.request('DescribeCertificates', { CertIds: [viaV2.id] })
    expect(listed.TotalCount).toBe(1)
    await client.request('DeleteCertificate', { CertificateId: viaV2.id })
    expect((await v2Call(emulator, 'CertGetList', { id: viaV2.id })).data).toMatchObject({
      totalNum: 0
    })
  })
})

describe('CertGetList paging and filters', () => {
  let paged: Emulator
  beforeAll(async () => {
    paged = await startEmulator({ rateLimitPerSecond: 0 })
    paged.seed(
      Array.from({ length: 45 }, (_, i) => ({
        domains: i === 0 ? ['*.wild.test'] : [`n${i}.page.test`],
        notAfter: new Date(Date.now() + 30 * DAY),
        insertTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
        alias: `page-${i}`,
        certType: i % 10 === 3 ? ('CA' as const) : ('SVR' as const)
      }))
    )
  })
  afterAll(() => paged.stop())

  const list = async (params: Record<string, string>): Promise<ListData> =>
    (await v2Call(paged, 'CertGetList', params)).data as ListData

  it('pages from 1 with count 20 by default, newest first', async () => {
    const first = await list({})
    expect(first.totalNum).toBe(45)
    expect(first.list.map(i => i.alias)).toEqual(
      Array.from({ length: 20 }, (_, i) => `page-${44 - i}`)
    )
    const third = await list({ page: '3', count: '20' })
    expect(third.list.map(i => i.alias)).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0'])
    expect((await v2Call(paged, 'CertGetList', { page: '0' })).code).toBe(4000)
  })

  it('filters by searchKey, certType, id and altDomain (wildcards cover one label)', async () => {
    expect((await list({ searchKey: 'page-4' })).totalNum).toBe(6) // 4, 40..44
    expect((await list({ certType: 'CA' })).totalNum).toBe(5) // 3, 13, 23, 33, 43
    expect((await list({ altDomain: 'x.wild.test' })).list.map(i => i.alias)).toEqual(['page-0'])
    expect((await list({ altDomain: 'a.b.wild.test' })).totalNum).toBe(0)
    expect((await list({ altDomain: 'n7.page.test' })).list.map(i => i.alias)).toEqual(['page-7'])
  })
})

describe('signature checks', () => {
  it('uses SHA-256 only when SignatureMethod is exactly HmacSHA256', async () => {
    const sha1Claimed256 = await v2Call(
      emulator,
      'CertGetList',
      {},
      {
        signatureMethod: 'hmacsha256',
        hmac: 'HmacSHA1'
      }
    )
    expect(sha1Claimed256.code).toBe(0)
    const sha256Claimed = await v2Call(
      emulator,
      'CertGetList',
      {},
      { signatureMethod: 'HmacSHA256' }
    )
    expect(sha256Claimed.code).toBe(0)
    const mixed = await v2Call(
      emulator,
      'CertGetList',
      {},
      {
        signatureMethod: 'HmacSHA256',
        hmac: 'HmacSHA1'
      }
    )
    expect(mixed.code).toBe(4100)
  })

  it.each<{ case: string; options: Parameters<typeof v2Call>[3]; code: number }>([
    { case: 'a wrong secret key', options: { secretKey: 'wrong' }, code: 4100 },
    { case: 'a wrong key over POST', options: { secretKey: 'wrong', method: 'POST' }, code: 4100 },
    { case: 'an unknown SecretId', options: { secretId: 'AKIDNOBODY' }, code: 4104 },
    { case: 'a timestamp 301 s old', options: { timestamp: -301 }, code: 4500 },
    { case: 'a missing Nonce', options: { drop: ['Nonce'] }, code: 4000 },
    { case: 'a missing Signature', options: { drop: ['Signature'] }, code: 4000 },
    {
      case: 'temporary credentials without Token',
      options: { secretId: TEMPORARY.secretId, secretKey: TEMPORARY.secretKey },
      code: 4105
    },
    {
      case: 'temporary credentials with the wrong Token',
      options: { secretId: TEMPORARY.secretId, secretKey: TEMPORARY.secretKey, token: 'x' },
      code: 4105
    },
    {
      case: 'temporary credentials with their Token',
      options: {
        secretId: TEMPORARY.secretId,
        secretKey: TEMPORARY.secretKey,
        token: TEMPORARY.token
      },
      code: 0
    }
  ])('answers $case with code $code', async ({ options = {}, code }) => {
    const timestamp =
      options.timestamp === undefined
        ? undefined
        : Math.floor(Date.now() / 1000) + options.timestamp
    const answer = await v2Call(emulator, 'CertGetList', {}, { ...options, timestamp })
    expect(answer.code).toBe(code)
  })

  it('refuses a nonce used twice by the same SecretId (4500), not one used by another', async () => {
    const nonce = 424242
    expect((await v2Call(emulator, 'CertGetList', {}, { nonce })).code).toBe(0)
    expect((await v2Call(emulator, 'CertGetList', { page: '1' }, { nonce })).code).toBe(4500)
    const temporary = {
      nonce,
      secretId: TEMPORARY.secretId,
      secretKey: TEMPORARY.secretKey,
      token: TEMPORARY.token
    }
    expect((await v2Call(emulator, 'CertGetList', {}, temporary)).code).toBe(0)
  })

  it('answers an unknown action with 4000', async () => {
    expect((await v2Call(emulator, 'DescribeInstances', {})).code).toBe(4000)
  })
})
