/**
 * Listing with filters on both APIs against the emulator, through the project's own clients:
 * the same account gives the same certificates on 3.0 and 2.0, every page is read, and the
 * `list` mode's inventory costs one listing of the account. Virtual time: nothing waits.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fetch from 'node-fetch'
import { startEmulator, type Emulator, type SeedRecord } from '../../emulator/server.js'
import { makeCa, makeChain } from '../../fixtures/certs.js'
import { runInventory } from '../../src/inventory/run-inventory.js'
import {
  createSslClient,
  type ApiVersion,
  type FetchLike,
  type ListFilter,
  type ListedCertificate,
  type SslClient
} from '../../src/tencent/index.js'

const DAY = 86_400_000
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
})
afterAll(async () => {
  await emulator.stop()
})

function client(api: ApiVersion): SslClient {
  let now = Date.now()
  const { secretId, secretKey } = emulator.credentials
  return createSslClient(api, {
    credentials: { secretId, secretKey },
    endpoint: new URL(api === '3.0' ? emulator.url : emulator.v2Url),
    timeoutMs: 10_000,
    deps: {
      fetch: fetch as unknown as FetchLike,
      // The pacer's waits pass on a virtual clock, at once.
      now: () => now,
      sleep: ms => {
        now += ms
        return Promise.resolve()
      },
      random: Math.random,
      debug: () => undefined,
      warning: message => {
        throw new Error(`unexpected warning: ${message}`)
      }
    }
  })
}

const byId = (list: ListedCertificate[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1))
const listRequests = (action: string) => emulator.requests.filter(r => r.action === action)

describe('one account, both APIs', () => {
  let seeded: { id: string; seed: SeedRecord }[]

  beforeAll(async () => {
    emulator.reset()
    const ca = await makeCa(1, 'Listing')
    const rsa = await makeChain({
      ca,
      key: 'rsa',
      domains: ['shop.example.test', 'www.shop.example.test']
    })
    const ec = await makeChain({ ca, domains: ['shop.example.test', 'www.shop.example.test'] })
    const soon = (days: number) => new Date(Date.now() + days * DAY)
    const seeds: SeedRecord[] = [
      { certificatePem: rsa.fullchainPem, privateKeyPem: rsa.keyPem, alias: 'shop rsa' },
      { certificatePem: ec.fullchainPem, privateKeyPem: ec.keyPem, alias: 'shop ec', projectId: 7 },
      { domains: ['api.example.test'], notAfter: soon(20), encryptAlgorithm: 'RSA 4096' },
      { domains: ['api.example.test'], notAfter: soon(80), from: 'trustasia', alias: 'bought' },
      { domains: ['*.example.test'], notAfter: soon(40), encryptAlgorithm: 'SM2' },
      { domains: ['old.example.test'], notAfter: soon(-3), encryptAlgorithm: null, projectId: 7 },
      { domains: ['Client CA'], notAfter: soon(300), certType: 'CA', alias: 'clients' }
    ]
    seeded = emulator.seed(seeds).map((stored, i) => ({ id: stored.id, seed: seeds[i] }))
  })

  const filters: [string, (ids: string[]) => ListFilter][] = [
    ['no filter', () => ({})],
    ['source upload', () => ({ source: 'upload' })],
    ['source buy', () => ({ source: 'buy' })],
    ['type CA', () => ({ certType: 'CA' })],
    ['search key', () => ({ searchKey: 'SHOP' })],
    ['one id', ids => ({ ids: [ids[2]] })],
    ['several ids', ids => ({ ids: [ids[0], ids[3], 'NOSUCHID'] })],
    ['project 7', () => ({ projectId: 7 })],
    [
      'combined',
      ids => ({ searchKey: 'example', source: 'upload', certType: 'SVR', projectId: 0, ids })
    ]
  ]

  it.each(filters)('%s: the same certificates on 3.0 and 2.0', async (_name, filter) => {
    const ids = seeded.map(s => s.id)
    const v3 = byId(await client('3.0').listCertificates(filter(ids)))
    const v2 = byId(await client('2.0').listCertificates(filter(ids)))
    expect(v3.length).toBeGreaterThan(0)
    expect(v2).toEqual(v3)
  })

  it('reads source, type, key algorithm and project as seeded', async () => {
    const listed = new Map((await client('2.0').listCertificates({})).map(c => [c.id, c]))
    const facts = (i: number) => {
      const c = listed.get(seeded[i].id) as ListedCertificate
      return [c.source, c.certType, c.keyAlgorithm, c.projectId]
    }
    expect(seeded.map((_, i) => facts(i))).toEqual([
      ['upload', 'SVR', 'RSA', 0],
      ['upload', 'SVR', 'ECDSA', 7],
      ['upload', 'SVR', 'RSA', 0],
      ['buy', 'SVR', 'ECDSA', 0],
      ['upload', 'SVR', null, 0],
      ['upload', 'SVR', null, 7],
      ['upload', 'CA', 'ECDSA', 0]
    ])
  })

  it('filters as the seeds say (an oracle that does not use the clients)', async () => {
    const ids = (list: ListedCertificate[]) => list.map(c => c.id).sort()
    const where = (test: (seed: SeedRecord, i: number) => boolean) =>
      seeded
        .filter((s, i) => test(s.seed, i))
        .map(s => s.id)
        .sort()
    const v3 = client('3.0')
    expect(ids(await v3.listCertificates({ source: 'buy' }))).toEqual(
      where(s => s.from === 'trustasia')
    )
    expect(ids(await v3.listCertificates({ projectId: 7 }))).toEqual(where(s => s.projectId === 7))
    expect(ids(await v3.listCertificates({ searchKey: 'shop' }))).toEqual(where((_, i) => i < 2))
  })
})

describe('every page', () => {
  beforeAll(() => {
    emulator.reset()
    emulator.seed(
      Array.from({ length: 2345 }, (_, i) => ({
        domains: [`n${i}.example.test`],
        notAfter: new Date(Date.now() + (i + 1) * 3_600_000),
        from: i % 10 === 0 ? 'trustasia' : 'upload'
      }))
    )
  })

  it.each<[ApiVersion, string, number]>([
    ['3.0', 'DescribeCertificates', 3],
    ['2.0', 'CertGetList', 24]
  ])('API %s reads all 2,345 certificates in %s pages', async (api, action, pages) => {
    emulator.clearRequests()
    const listed = await client(api).listCertificates({})
    expect(new Set(listed.map(c => c.id)).size).toBe(2345)
    expect(listRequests(action)).toHaveLength(pages)
    expect(emulator.requests).toHaveLength(pages)
    const uploaded = await client(api).listCertificates({ source: 'upload' })
    expect(uploaded).toHaveLength(2345 - 235)
  })
})

describe('the inventory of 5,000 certificates on 3.0', () => {
  it('takes ceil(5000 / 1000) list requests and nothing else', async () => {
    emulator.reset()
    const seeds: SeedRecord[] = Array.from({ length: 5000 }, (_, i) => ({
      domains: [`n${i % 2500}.example.test`],
      notAfter: new Date(Date.now() + (i + 1) * 3_600_000)
    }))
    emulator.seed(seeds)
    emulator.clearRequests()
    const result = await runInventory(client('3.0'), {
      certificateIds: [],
      searchKey: '',
      source: 'upload',
      expiringWithinDays: 30,
      now: new Date()
    })
    expect(emulator.requests.map(r => r.action)).toEqual(Array(5).fill('DescribeCertificates'))
    expect(result.entries).toHaveLength(5000)
    // The first half (720 of them within 30 days) is renewed by the second, which expires after
    // 104 days: 2,500 superseded, none expiring.
    expect(result.entries.filter(e => e.supersededBy !== null)).toHaveLength(2500)
    expect(result.expiringIds).toHaveLength(0)
  })
})
