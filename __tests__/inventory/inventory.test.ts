/** The `list` mode's inventory (pure), its summary section, and runInventory over a fake client. */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { renderInventory } from '../../src/inventory/inventory-summary.js'
import {
  buildInventory,
  certificateOutput,
  expiringIds,
  type InventoryEntry
} from '../../src/inventory/inventory.js'
import { runInventory } from '../../src/inventory/run-inventory.js'
import type { ListFilter, ListedCertificate } from '../../src/tencent/client.js'
import { accountArb, NOW, oracleSupersedes } from '../planning/supersede-oracle.js'

const DAY = 86_400_000
const WWW = ['example.com', 'www.example.com']

function cert(id: string, days: number, extra: Partial<ListedCertificate> = {}): ListedCertificate {
  return {
    id,
    domains: WWW,
    notAfter: new Date(NOW.getTime() + days * DAY),
    certType: 'SVR',
    source: 'upload',
    keyAlgorithm: 'ECDSA',
    projectId: 0,
    alias: `alias ${id}`,
    ...extra
  }
}

const view = (entries: InventoryEntry[]) =>
  entries.map(e => [e.id, e.expired, e.expiring, e.supersededBy])

describe('buildInventory', () => {
  const account = [
    cert('renewed', 10),
    cert('renewal', 80),
    cert('unrenewed', 20, { domains: ['shop.example.com'] }),
    cert('expired', -5, { domains: ['old.example.com'] }),
    cert('later', 45, { domains: ['late.example.com'] }),
    cert('rsa-sibling', 15, { keyAlgorithm: 'RSA' }),
    cert('bought', 70, { domains: ['api.example.com'], source: 'buy' }),
    cert('api-upload', 25, { domains: ['api.example.com'] }),
    cert('p7', 60, { domains: ['p7.example.com'], projectId: 7 }),
    cert('p0', 5, { domains: ['p7.example.com'], projectId: undefined })
  ]
  const inventory = buildInventory(account, account, { now: NOW, expiringWithinDays: 30 })

  it('judges every certificate against the whole account: any source, any project', () => {
    expect(view(inventory)).toEqual([
      // Expiring first (not expired, within 30 days, nothing supersedes it), by expiry...
      ['rsa-sibling', false, true, null],
      ['unrenewed', false, true, null],
      // ... then every other one by expiry.
      ['expired', true, false, null],
      ['p0', false, false, 'p7'],
      ['renewed', false, false, 'renewal'],
      ['api-upload', false, false, 'bought'],
      ['later', false, false, null],
      ['p7', false, false, null],
      ['bought', false, false, null],
      ['renewal', false, false, null]
    ])
    expect(expiringIds(inventory)).toEqual(['rsa-sibling', 'unrenewed'])
  })

  it('the edge of expiring-within: exactly at the horizon counts, a millisecond past does not', () => {
    const edge = [
      { ...cert('at', 0), notAfter: new Date(NOW.getTime() + 7 * DAY) },
      {
        ...cert('past', 0, { domains: ['b.example.com'] }),
        notAfter: new Date(NOW.getTime() + 7 * DAY + 1)
      },
      { ...cert('now', 0, { domains: ['c.example.com'] }), notAfter: NOW }
    ]
    const entries = buildInventory(edge, edge, { now: NOW, expiringWithinDays: 7 })
    expect(view(entries)).toEqual([
      ['at', false, true, null],
      ['now', true, false, null],
      ['past', false, false, null]
    ])
  })

  it('shows only what is asked, but a superseder outside it still counts', () => {
    const shown = account.filter(c => c.id === 'renewed' || c.id === 'unrenewed')
    const entries = buildInventory(account, shown, { now: NOW, expiringWithinDays: 30 })
    expect(view(entries)).toEqual([
      ['unrenewed', false, true, null],
      ['renewed', false, false, 'renewal']
    ])
  })

  it('agrees with the contract oracle on random accounts', () => {
    fc.assert(
      fc.property(accountArb(30), fc.integer({ min: 0, max: 100 }), (account, days) => {
        const valid = account.filter(c => !Number.isNaN(c.notAfter.getTime()))
        const entries = buildInventory(valid, valid, { now: NOW, expiringWithinDays: days })
        expect(entries.map(e => e.id).sort()).toEqual(valid.map(c => c.id).sort())
        for (const entry of entries) {
          const c = valid.find(x => x.id === entry.id) as ListedCertificate
          const superseders = valid.filter(n => oracleSupersedes(n, c, NOW))
          const latest = Math.max(...superseders.map(n => n.notAfter.getTime()))
          if (superseders.length === 0) expect(entry.supersededBy).toBeNull()
          else {
            const by = valid.find(n => n.id === entry.supersededBy)
            expect(superseders).toContain(by)
            expect(by?.notAfter.getTime()).toBe(latest)
          }
          const end = c.notAfter.getTime()
          expect(entry.expired).toBe(end <= NOW.getTime())
          expect(entry.expiring).toBe(
            end > NOW.getTime() && end <= NOW.getTime() + days * DAY && superseders.length === 0
          )
        }
        // Expiring ones first, each group by expiry.
        const firstOther = entries.findIndex(e => !e.expiring)
        if (firstOther >= 0) expect(entries.slice(firstOther).some(e => e.expiring)).toBe(false)
      }),
      { numRuns: 300 }
    )
  })
})

describe('certificateOutput', () => {
  it("has the contract's keys, in its order, and its types", () => {
    const [entry] = buildInventory([cert('a', 10)], [cert('a', 10)], {
      now: NOW,
      expiringWithinDays: 30
    })
    const output = certificateOutput(entry)
    expect(Object.keys(output)).toEqual([
      'id',
      'alias',
      'domains',
      'not-after',
      'source',
      'type',
      'key-algorithm',
      'project-id',
      'expired',
      'expiring',
      'superseded-by',
      'bound'
    ])
    expect(JSON.parse(JSON.stringify(output))).toEqual({
      id: 'a',
      alias: 'alias a',
      domains: WWW,
      'not-after': new Date(NOW.getTime() + 10 * DAY).toISOString(),
      source: 'upload',
      type: 'SVR',
      'key-algorithm': 'ECDSA',
      'project-id': 0,
      expired: false,
      expiring: true,
      'superseded-by': null,
      bound: null
    })
    const unknown = buildInventory(
      [cert('u', 10, { keyAlgorithm: null, projectId: undefined })],
      [cert('u', 10, { keyAlgorithm: null, projectId: undefined })],
      { now: NOW, expiringWithinDays: 30 }
    )
    expect(certificateOutput(unknown[0])).toMatchObject({
      'key-algorithm': null,
      'project-id': null
    })
  })
})

describe('renderInventory', () => {
  it('counts each status and lists the rows in order, escaping cells', () => {
    const account = [
      cert('exp', -1, { domains: ['old.example.com'] }),
      cert('soon', 3, { alias: 'a | b' }),
      cert('renewal', 90),
      cert('other', 60, {
        domains: ['other.example.com'],
        keyAlgorithm: null,
        projectId: undefined
      })
    ]
    const text = renderInventory(
      buildInventory(account, account, { now: NOW, expiringWithinDays: 1 }),
      1
    )
    expect(text).toContain('### Certificates (4)')
    expect(text).toContain(
      '0 expiring within 1 day with nothing newer covering them, 1 expired, 1 superseded, 2 valid.'
    )
    const rows = text
      .split('\n')
      .filter(line => /^\| (expiring|expired|superseded|valid) /.test(line))
    expect(rows.map(row => row.split(' | ')[1])).toEqual(['exp', 'soon', 'other', 'renewal'])
    expect(rows[1]).toContain('| a \\| b |')
    expect(rows[1].endsWith('| renewal |')).toBe(true)
    expect(rows[2]).toContain('| unknown | unknown |')
  })

  it('shows 200 rows and the count of the rest', () => {
    const account = Array.from({ length: 250 }, (_, i) =>
      cert(`c${String(i).padStart(3, '0')}`, 100 + i, { domains: [`n${i}.example.com`] })
    )
    const text = renderInventory(
      buildInventory(account, account, { now: NOW, expiringWithinDays: 30 }),
      30
    )
    const rows = text.split('\n').filter(line => line.startsWith('| valid |'))
    expect(rows).toHaveLength(200)
    expect(rows[199]).toContain('| c199 |')
    expect(text).toContain('… and 50 more, in the `certificates` output.')
    expect(text).toContain('### Certificates (250)')
  })

  it('says so when nothing matches', () => {
    expect(renderInventory([], 30)).toContain('No certificate matches the filters.')
  })
})

describe('runInventory', () => {
  const account = [
    cert('up', 10),
    cert('up-renewal', 80),
    cert('bought', 20, { domains: ['b.example.com'], source: 'buy' }),
    cert('ca', 20, { domains: ['client ca'], certType: 'CA' })
  ]
  function fakeClient(searchResult: ListedCertificate[] = []) {
    const calls: ListFilter[] = []
    const client = {
      listCertificates: (filter: ListFilter) => {
        calls.push(filter)
        return Promise.resolve(Object.keys(filter).length === 0 ? account : searchResult)
      }
    }
    return { client, calls }
  }
  const request = {
    certificateIds: [],
    searchKey: '',
    source: 'upload' as const,
    expiringWithinDays: 30,
    now: NOW
  }

  it('lists the account once without search-key, filtering source, type and ids itself', async () => {
    const { client, calls } = fakeClient()
    const ids = async (extra: Partial<Parameters<typeof runInventory>[1]>) =>
      (await runInventory(client, { ...request, ...extra })).entries.map(e => e.id)
    expect(await ids({})).toEqual(['ca', 'up', 'up-renewal'])
    expect(await ids({ source: 'buy' })).toEqual(['bought'])
    expect(await ids({ source: 'all', certType: 'SVR' })).toEqual(['bought', 'up', 'up-renewal'])
    expect(await ids({ source: 'all', certificateIds: ['bought', 'up', 'nope'] })).toEqual([
      'bought',
      'up'
    ])
    expect(calls).toEqual([{}, {}, {}, {}])
  })

  it('with search-key, asks the API which match and judges them against the account', async () => {
    const { client, calls } = fakeClient([account[0]])
    const result = await runInventory(client, {
      ...request,
      searchKey: 'exam',
      certificateIds: ['up']
    })
    expect(calls).toEqual([
      {},
      { searchKey: 'exam', source: 'upload', certType: undefined, ids: ['up'] }
    ])
    expect(result.entries.map(e => [e.id, e.supersededBy])).toEqual([['up', 'up-renewal']])
    expect(result.certificates.map(c => c.id)).toEqual(['up'])
    expect(result.expiringIds).toEqual([])
    expect(result.accountSize).toBe(4)
  })
})
