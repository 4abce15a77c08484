/**
 * `mode: list` and `mode: delete` end to end on both APIs (dist/index.js run like a runner,
 * against the emulator). The account is seeded with renewed, unrenewed, expired, purchased and
 * RSA/ECDSA certificates; what each one should be reported as is written down here from the
 * contract, not computed by the action's code.
 */
import 'reflect-metadata'
import { beforeEach, describe, expect, it } from '@jest/globals'
import type { SeedRecord } from '../../emulator/server.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const APIS = ['3.0', '2.0'] as const

const lab = useE2eLab('inventory', { nodeArgs: QUICK_WAITS })

const inDays = (days: number) => new Date(Date.now() + days * DAY)

/** The account: ids chosen here so that the expectations below can name them. */
const ACCOUNT: SeedRecord[] = [
  { id: 'RenOld01', domains: ['renew.example.test'], notAfter: inDays(10) },
  { id: 'RenNew01', domains: ['renew.example.test', '*.renew.example.test'], notAfter: inDays(80) },
  { id: 'LoneEc01', domains: ['lone.example.test'], notAfter: inDays(10) },
  {
    id: 'LoneRsa1',
    domains: ['lone.example.test'],
    notAfter: inDays(20),
    encryptAlgorithm: 'RSA 2048'
  },
  { id: 'Expired1', domains: ['old.example.test'], notAfter: inDays(-5) },
  { id: 'Bought01', domains: ['bought.example.test'], notAfter: inDays(5), from: 'trustasia' },
  { id: 'Project7', domains: ['seven.example.test'], notAfter: inDays(200), projectId: 7 }
]

interface Listed {
  id: string
  alias: string
  domains: string[]
  'not-after': string
  source: string
  type: string
  'key-algorithm': string | null
  'project-id': number | null
  expired: boolean
  expiring: boolean
  'superseded-by': string | null
}

const run = (api: string, inputs: Record<string, string>): Promise<RunResult> =>
  lab.run(undefined, { api, ...inputs })

const certificates = (r: RunResult) => JSON.parse(r.outputs.certificates ?? 'null') as Listed[]
const ids = (r: RunResult, name: string) => JSON.parse(r.outputs[name] ?? 'null') as string[]
const byId = (list: Listed[]) => Object.fromEntries(list.map(c => [c.id, c]))
const live = () =>
  lab.emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)
const CHANGING = [
  'DeleteCertificates',
  'DeleteCertificate',
  'CertDelete',
  'UploadCertificate',
  'CertUpload'
]

describe.each(APIS)('API %s: list', api => {
  beforeEach(() => void lab.emulator.seed(ACCOUNT))

  it('reports each uploaded certificate with its flags, the expiring ones first', async () => {
    const result = await run(api, { mode: 'list' })
    expect(result.status).toBe(0)
    const list = certificates(result)
    expect(list.map(c => c.id).sort()).toEqual(
      ['RenOld01', 'RenNew01', 'LoneEc01', 'LoneRsa1', 'Expired1', 'Project7'].sort()
    )
    const c = byId(list)
    expect(c.RenOld01).toMatchObject({
      expiring: false,
      expired: false,
      'superseded-by': 'RenNew01'
    })
    expect(c.RenNew01).toMatchObject({ expiring: false, 'superseded-by': null })
    // An RSA and an ECDSA certificate for the same names never supersede each other.
    expect(c.LoneEc01).toMatchObject({
      expiring: true,
      'superseded-by': null,
      'key-algorithm': 'ECDSA'
    })
    expect(c.LoneRsa1).toMatchObject({
      expiring: true,
      'superseded-by': null,
      'key-algorithm': 'RSA'
    })
    expect(c.Expired1).toMatchObject({ expired: true, expiring: false })
    expect(c.Project7['project-id']).toBe(7)
    expect(c.RenOld01).toMatchObject({
      source: 'upload',
      type: 'SVR',
      domains: ['renew.example.test']
    })
    expect(ids(result, 'expiring-ids')).toEqual(['LoneEc01', 'LoneRsa1'])
    expect(list.slice(0, 2).map(x => x.id)).toEqual(['LoneEc01', 'LoneRsa1'])
    expect(result.summary).toMatch(/### Certificates \(6\)/)
    expect(lab.emulator.requests.filter(r => CHANGING.includes(r.action))).toEqual([])
  })

  it.each([
    [{ 'search-key': 'lone' }, ['LoneEc01', 'LoneRsa1']],
    [{ 'certificate-ids': 'RenOld01' }, ['RenOld01']],
    [{ source: 'buy' }, ['Bought01']],
    [{ source: 'all', 'search-key': 'bought' }, ['Bought01']],
    [{ source: 'all', 'certificate-ids': 'Bought01, Expired1' }, ['Bought01', 'Expired1']]
  ])('filters by %j', async (inputs, expected) => {
    const result = await run(api, { mode: 'list', ...inputs })
    expect(result.status).toBe(0)
    expect(
      certificates(result)
        .map(c => c.id)
        .sort()
    ).toEqual([...expected].sort())
  })

  it('looks at the whole account for superseded-by, whatever the filters', async () => {
    const result = await run(api, { mode: 'list', 'certificate-ids': 'RenOld01' })
    expect(byId(certificates(result)).RenOld01['superseded-by']).toBe('RenNew01')
  })

  it('a purchased certificate that expires soon is expiring with source all', async () => {
    const result = await run(api, { mode: 'list', source: 'all' })
    expect(byId(certificates(result)).Bought01).toMatchObject({ source: 'buy', expiring: true })
    expect(ids(result, 'expiring-ids')).toEqual(['Bought01', 'LoneEc01', 'LoneRsa1'])
  })

  it('fail-on-expiring fails the step naming the expiring ones, outputs still set', async () => {
    const result = await run(api, { mode: 'list', 'fail-on-expiring': 'true' })
    expect(result.status).toBe(1)
    const error = result.lines.find(l => l.startsWith('::error'))
    expect(error).toMatch(/LoneEc01, LoneRsa1/)
    expect(ids(result, 'expiring-ids')).toEqual(['LoneEc01', 'LoneRsa1'])
    const quiet = await run(api, {
      mode: 'list',
      'fail-on-expiring': 'true',
      'expiring-within': '5'
    })
    expect(quiet.status).toBe(0)
    expect(ids(quiet, 'expiring-ids')).toEqual([])
  })

  it('gives the same inventory as the other API for the same account', async () => {
    const here = certificates(await run(api, { mode: 'list', source: 'all' }))
    const other = certificates(
      await run(api === '3.0' ? '2.0' : '3.0', { mode: 'list', source: 'all' })
    )
    // `bound` differs by design: 2.0 has no binding check (null), 3.0 asks it (verify.e2e).
    const comparable = (list: Listed[]) =>
      list.map(({ 'not-after': _n, bound: _b, ...rest }: Listed & { bound?: unknown }) => rest)
    expect(comparable(here)).toEqual(comparable(other))
  })
})

describe('list: paging and the summary', () => {
  const many = (n: number): SeedRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      domains: [`h${i}.many.example.test`],
      notAfter: inDays(100 + (i % 50))
    }))

  it('3.0: an account of 5,000 takes five DescribeCertificates calls and nothing else', async () => {
    lab.emulator.seed(many(5000))
    const result = await run('3.0', { mode: 'list' })
    expect(result.status).toBe(0)
    expect(certificates(result)).toHaveLength(5000)
    expect(lab.emulator.requests.map(r => r.action)).toEqual(Array(5).fill('DescribeCertificates'))
    // The summary shows the first 200 rows and counts the rest.
    expect(result.summary).toContain('4800 more')
  })

  it('2.0: pages of 100 past the first', async () => {
    lab.emulator.seed(many(230))
    const result = await run('2.0', { mode: 'list' })
    expect(result.status).toBe(0)
    expect(certificates(result)).toHaveLength(230)
    expect(lab.emulator.requests.filter(r => r.action === 'CertGetList')).toHaveLength(3)
  })
})

describe.each(APIS)('API %s: delete', api => {
  beforeEach(
    () =>
      void lab.emulator.seed([
        ...ACCOUNT,
        { id: 'BoundCdn', domains: ['cdn.example.test'], notAfter: inDays(30), boundTo: ['cdn'] }
      ])
  )

  it('deletes exactly the named ids, whatever their domains or project', async () => {
    const result = await run(api, { mode: 'delete', 'certificate-ids': 'RenNew01,Project7' })
    expect(result.status).toBe(0)
    expect(ids(result, 'deleted-ids').sort()).toEqual(['Project7', 'RenNew01'])
    expect(live()).not.toContain('RenNew01')
    expect(live()).not.toContain('Project7')
    expect(live()).toContain('RenOld01')
  })

  it('skips a bound id with the reason and deletes the others', async () => {
    const result = await run(api, { mode: 'delete', 'certificate-ids': 'BoundCdn\nExpired1' })
    expect(ids(result, 'deleted-ids')).toEqual(['Expired1'])
    expect(ids(result, 'skipped-ids')).toEqual(['BoundCdn'])
    expect(result.lines.some(l => l.startsWith('::warning') && l.includes('BoundCdn'))).toBe(true)
    expect(live()).toContain('BoundCdn')
  })

  it('reports an id that does not exist as a warning, in neither output', async () => {
    const result = await run(api, { mode: 'delete', 'certificate-ids': 'NoSuch01,Expired1' })
    expect(result.status).toBe(0)
    expect(ids(result, 'deleted-ids')).toEqual(['Expired1'])
    expect(ids(result, 'skipped-ids')).toEqual([])
    expect(result.lines.some(l => l.startsWith('::warning') && l.includes('NoSuch01'))).toBe(true)
    expect(result.summary).toMatch(/not found \| NoSuch01/)
  })

  it('never deletes a purchased certificate: kept back before any delete call', async () => {
    const result = await run(api, { mode: 'delete', 'certificate-ids': 'Bought01' })
    expect(live()).toContain('Bought01')
    expect(lab.emulator.requests.filter(r => CHANGING.includes(r.action))).toEqual([])
    expect(ids(result, 'deleted-ids')).toEqual([])
    expect(ids(result, 'skipped-ids')).toEqual(['Bought01'])
    // 2.0 has no binding check, and says so whenever it may delete.
    const warned = result.lines.some(
      l => l.startsWith('::warning::') && l.includes("api '2.0' has no binding check")
    )
    expect(warned).toBe(api === '2.0')
  })

  it('fails over max-deletions before deleting anything', async () => {
    const result = await run(api, {
      mode: 'delete',
      'certificate-ids': 'RenOld01,LoneEc01,Expired1',
      'max-deletions': '2'
    })
    expect(result.status).toBe(1)
    expect(ids(result, 'deleted-ids')).toEqual([])
    expect(ids(result, 'skipped-ids').sort()).toEqual(['Expired1', 'LoneEc01', 'RenOld01'])
    expect(live()).toEqual(expect.arrayContaining(['RenOld01', 'LoneEc01', 'Expired1']))
  })

  it('a dry run reports what would go and calls nothing that changes state', async () => {
    const result = await run(api, {
      mode: 'delete',
      'certificate-ids': 'RenOld01,Expired1',
      'dry-run': 'true'
    })
    expect(result.status).toBe(0)
    expect(ids(result, 'deleted-ids').sort()).toEqual(['Expired1', 'RenOld01'])
    expect(lab.emulator.requests.filter(r => CHANGING.includes(r.action))).toEqual([])
    expect(live()).toEqual(expect.arrayContaining(['RenOld01', 'Expired1']))
  })
})
