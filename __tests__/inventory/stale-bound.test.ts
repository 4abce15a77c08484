/** Stale-bound in `list` (src/inventory/stale-bound.ts): who is asked, and what the states say. */
import { describe, expect, it } from '@jest/globals'
import { renderInventory } from '../../src/inventory/inventory-summary.js'
import { buildInventory, certificateOutput, expiringIds } from '../../src/inventory/inventory.js'
import { findStaleBound, staleBoundCandidates } from '../../src/inventory/stale-bound.js'
import type { BindingState, ListedCertificate } from '../../src/tencent/client.js'
import { NOW } from '../planning/supersede-oracle.js'

const DAY = 86_400_000

function cert(id: string, days: number, domains = ['www.example.com']): ListedCertificate {
  return {
    id,
    domains,
    notAfter: new Date(NOW.getTime() + days * DAY),
    certType: 'SVR',
    source: 'upload',
    keyAlgorithm: 'ECDSA',
    projectId: 0,
    alias: id
  }
}

const ACCOUNT = [
  cert('soonOld', 10), // superseded by renewal, within the window: asked
  cert('lateOld', 50), // superseded, outside the window: not asked
  cert('renewal', 90),
  cert('goneOld', -3), // expired: not asked
  cert('shopOld', 20, ['shop.example.com']), // superseded by shopNew: asked
  cert('shopNew', 200, ['shop.example.com']),
  cert('lone', 5, ['lone.example.com']) // nothing newer: expiring already, not asked
]
const entries = buildInventory(ACCOUNT, ACCOUNT, { now: NOW, expiringWithinDays: 30 })

function fakeClient(answer: (ids: string[]) => BindingState[] | null) {
  const asked: string[][] = []
  return {
    asked,
    checkBindings: async (ids: string[]) => {
      asked.push(ids)
      return answer(ids)
    }
  }
}

describe('stale-bound', () => {
  it('asks only for superseded, unexpired certificates that expire within the window', () => {
    expect(
      staleBoundCandidates(entries, NOW, 30)
        .map(e => e.id)
        .sort()
    ).toEqual(['shopOld', 'soonOld'])
  })

  it('marks the bound ones stale-bound and expiring, counts their resources, sorts them first', async () => {
    const client = fakeClient(ids =>
      ids.map(id =>
        id === 'soonOld'
          ? { id, bound: true, reason: 'bound to cdn', resources: 3 }
          : { id, bound: false }
      )
    )
    const result = await findStaleBound(client, entries, { now: NOW, expiringWithinDays: 30 })
    expect(client.asked.map(ids => [...ids].sort())).toEqual([['shopOld', 'soonOld']])
    expect(result.staleBoundIds).toEqual(['soonOld'])
    const byId = Object.fromEntries(result.entries.map(e => [e.id, certificateOutput(e)]))
    expect(byId.soonOld).toMatchObject({ bound: 3, expiring: true, 'superseded-by': 'renewal' })
    expect(byId.shopOld).toMatchObject({ bound: 0, expiring: false })
    expect(byId.lateOld).toMatchObject({ bound: null, expiring: false })
    expect(byId.lone).toMatchObject({ bound: null, expiring: true })
    expect(expiringIds(result.entries)).toEqual(['lone', 'soonOld'])
    const markdown = renderInventory(result.entries, 30)
    expect(markdown).toContain('1 stale-bound (superseded, still used)')
    expect(markdown).toMatch(/\| stale-bound \| soonOld \|/)
  })

  it('leaves bound null, with the reason, where the check could not tell', async () => {
    const client = fakeClient(ids =>
      ids.map(id =>
        id === 'soonOld'
          ? { id, bound: 'unknown', reason: 'the binding task did not finish' }
          : { id, bound: 'gone' }
      )
    )
    const result = await findStaleBound(client, entries, { now: NOW, expiringWithinDays: 30 })
    expect(result.staleBoundIds).toEqual([])
    expect(result.unchecked).toEqual([
      { id: 'soonOld', reason: 'the binding task did not finish' },
      { id: 'shopOld', reason: 'deleted meanwhile' }
    ])
    expect(result.entries.every(e => (e.bound ?? null) === null)).toBe(true)
  })

  it('api 2.0 has no binding check: nothing marked, and it says so', async () => {
    const result = await findStaleBound(
      fakeClient(() => null),
      entries,
      { now: NOW, expiringWithinDays: 30 }
    )
    expect(result).toMatchObject({ staleBoundIds: [], noBindingCheck: true, asked: 2 })
  })

  it('makes no request when no certificate is a candidate', async () => {
    const client = fakeClient(() => [])
    const result = await findStaleBound(client, entries, { now: NOW, expiringWithinDays: 1 })
    expect(client.asked).toEqual([])
    expect(result.asked).toBe(0)
  })
})
