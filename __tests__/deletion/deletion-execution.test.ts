/**
 * The deletion execution shared by prune and delete (src/deletion/deletion.ts) over a scripted client:
 * the order of binding checks and deletions (pipelining, the cap's need for the whole plan),
 * the replace seam, dry runs, and what becomes of each certificate.
 */
import { describe, expect, it } from '@jest/globals'
import { recordingLog } from '../../fixtures/log.js'
import {
  executeDeletion,
  type BoundHook,
  type DeletionOptions,
  type SkippedEntry
} from '../../src/deletion/deletion.js'
import type { PlanEntry } from '../../src/planning/prune-plan.js'
import type {
  BindingCheckOptions,
  BindingState,
  DeleteOutcome,
  SslClient
} from '../../src/tencent/client.js'
import { TencentApiError } from '../../src/tencent/errors.js'

const entries = (n: number, prefix = 'e'): PlanEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(4, '0')}`,
    domains: ['a.example.com'],
    notAfter: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    alias: '',
    expired: false,
    reason: 'superseded'
  }))

const ids = (list: { id: string }[]): string[] => list.map(e => e.id)

interface Event {
  kind: 'check-start' | 'check-end' | 'delete-start' | 'delete-end'
  ids: string[]
  fresh?: boolean
}

/**
 * A client whose answers come from `bindings` and `deletes`, one call per batch, each answered
 * after `delay(kind, ids)` turns of the event loop, recording when each call starts and ends.
 */
function scripted(
  options: {
    bindings?: (id: string, fresh: boolean) => BindingState | 'throw'
    deletes?: (id: string) => DeleteOutcome | 'throw'
    delay?: (kind: 'check' | 'delete', ids: string[]) => number
    api?: '3.0' | '2.0'
  } = {}
) {
  const events: Event[] = []
  const turns = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
  }
  let active = 0
  let mostActive = 0
  const enter = (): void => void (mostActive = Math.max(mostActive, ++active))
  const client: SslClient = {
    api: options.api ?? '3.0',
    upload: () => Promise.reject(new Error('not used')),
    findIdentical: () => Promise.reject(new Error('not used')),
    listUploaded: () => Promise.reject(new Error('not used')),
    listCertificates: () => Promise.reject(new Error('not used')),
    findByIds: () => Promise.reject(new Error('not used')),
    async checkBindings(batch: string[], check: BindingCheckOptions = {}) {
      if (options.api === '2.0') return null
      const fresh = check.fresh !== false
      events.push({ kind: 'check-start', ids: batch, fresh })
      enter()
      await turns(options.delay?.('check', batch) ?? 1)
      active--
      events.push({ kind: 'check-end', ids: batch, fresh })
      const states = batch.map(id => options.bindings?.(id, fresh) ?? { id, bound: false })
      if (states.includes('throw')) throw new Error('the check broke')
      return states as BindingState[]
    },
    async deleteCertificates(batch: string[]) {
      events.push({ kind: 'delete-start', ids: batch })
      enter()
      await turns(options.delay?.('delete', batch) ?? 1)
      active--
      events.push({ kind: 'delete-end', ids: batch })
      const outcomes = batch.map(id => options.deletes?.(id) ?? { id, result: 'deleted' })
      if (outcomes.includes('throw')) throw new Error('the delete call broke')
      return outcomes as DeleteOutcome[]
    }
  }
  const calls = (kind: Event['kind']) => events.filter(e => e.kind === kind)
  return { client, events, calls, mostActive: () => mostActive }
}

const run = (client: SslClient, list: PlanEntry[], options: Partial<DeletionOptions> = {}) =>
  executeDeletion(
    client,
    list,
    { maxDeletions: 10_000, dryRun: false, ...options },
    recordingLog().log
  )

describe('pipelined execution', () => {
  it('deletes a batch as soon as its check answers when the cap cannot trip', async () => {
    const plan = entries(450)
    // Later batches answer their checks more slowly.
    const { client, events, calls } = scripted({
      delay: (kind, batch) =>
        kind === 'check' ? 2 + (10 * plan.findIndex(e => e.id === batch[0])) / 100 : 3
    })
    const result = await run(client, plan, { maxDeletions: 450, batchesInFlight: 5 })
    expect(ids(result.deleted)).toEqual(ids(plan))
    const firstDelete = events.findIndex(e => e.kind === 'delete-start')
    const lastCheckEnd = events.map(e => e.kind).lastIndexOf('check-end')
    expect(firstDelete).toBeLessThan(lastCheckEnd)
    // Batches of 100 at most, each id checked and deleted once.
    for (const e of events) expect(e.ids.length).toBeLessThanOrEqual(100)
    expect(
      calls('check-start')
        .flatMap(e => e.ids)
        .sort()
    ).toEqual(ids(plan))
    expect(
      calls('delete-start')
        .flatMap(e => e.ids)
        .sort()
    ).toEqual(ids(plan))
  })

  it('keeps no more batches in flight than it is told', async () => {
    const { client, mostActive } = scripted({ delay: () => 3 })
    await run(client, entries(1000), { batchesInFlight: 3 })
    expect(mostActive()).toBe(3)
    const wide = scripted({ delay: () => 3 })
    await run(wide.client, entries(1000))
    expect(wide.mostActive()).toBe(10)
  })

  it('waits for every check before deleting when the cap could trip', async () => {
    const plan = entries(300)
    // 50 are bound: 250 free, within a cap of 260 that the 300 planned exceed.
    const bound = new Set(ids(plan).slice(0, 50))
    const { client, events } = scripted({
      bindings: id =>
        bound.has(id)
          ? { id, bound: true, reason: 'bound to cdn (1)', resources: 1 }
          : { id, bound: false },
      delay: () => 2
    })
    const result = await run(client, plan, { maxDeletions: 260 })
    const firstDelete = events.findIndex(e => e.kind === 'delete-start')
    const lastCheckEnd = events.map(e => e.kind).lastIndexOf('check-end')
    expect(firstDelete).toBeGreaterThan(lastCheckEnd)
    expect(result.refused).toBeUndefined()
    expect(result.deleted).toHaveLength(250)
    expect(ids(result.skipped)).toEqual([...bound])
  })

  it('refuses, deleting nothing, when the checked plan is over the cap', async () => {
    const plan = entries(300)
    const { client, calls } = scripted()
    const result = await run(client, plan, { maxDeletions: 299 })
    expect(calls('delete-start')).toEqual([])
    expect(result.deleted).toEqual([])
    expect(ids(result.refused?.planned ?? [])).toEqual(ids(plan))
    expect(result.refused?.message).toMatch(/300 certificates, more than max-deletions \(299\)/)
  })

  it('checks every batch in a dry run and deletes nothing', async () => {
    const plan = entries(250)
    const { client, calls } = scripted({
      bindings: id =>
        id === 'e0007'
          ? { id, bound: true, reason: 'bound to clb (2)', resources: 2 }
          : { id, bound: false }
    })
    const result = await run(client, plan, { dryRun: true })
    expect(calls('delete-start')).toEqual([])
    expect(calls('check-start')).toHaveLength(3)
    expect(result.deleted).toHaveLength(249)
    expect(result.skipped.map(e => [e.id, e.skipReason])).toEqual([['e0007', 'bound to clb (2)']])
  })

  it("reports every outcome in the plan's order, whatever order the batches finished in", async () => {
    const plan = entries(300)
    const { client } = scripted({
      delay: (_, batch) => (batch[0] === 'e0000' ? 20 : 1),
      bindings: id =>
        id.endsWith('1')
          ? { id, bound: 'unknown', reason: 'the binding check did not finish within 120 s' }
          : { id, bound: false },
      deletes: id => (id.endsWith('2') ? { id, result: 'gone' } : { id, result: 'deleted' })
    })
    const result = await run(client, plan)
    expect(ids(result.deleted)).toEqual(ids(plan).filter(id => !id.endsWith('1')))
    expect(result.gone).toEqual(ids(plan).filter(id => id.endsWith('2')))
    expect(ids(result.skipped)).toEqual(ids(plan).filter(id => id.endsWith('1')))
  })
})

describe('what becomes of each certificate', () => {
  const refusedCheck = new TencentApiError({
    operation: 'CreateCertificateBindResourceSyncTask',
    code: 'AuthFailure.UnauthorizedOperation',
    message: 'CAM denied',
    subject: 'e0001'
  })

  it('counts one gone at its binding check as already gone, without asking to delete it', async () => {
    const { client, calls } = scripted({
      bindings: id => (id === 'e0001' ? { id, bound: 'gone' } : { id, bound: false })
    })
    const result = await run(client, entries(3))
    expect(ids(result.deleted)).toEqual(['e0000', 'e0001', 'e0002'])
    expect(result.gone).toEqual(['e0001'])
    expect(calls('delete-start').flatMap(e => e.ids)).toEqual(['e0000', 'e0002'])
  })

  it('keeps back what could not be checked, and fails the step only for a refused check', async () => {
    const { client, calls } = scripted({
      bindings: id =>
        id === 'e0001'
          ? { id, bound: 'unknown', reason: 'refused', error: refusedCheck }
          : id === 'e0002'
            ? { id, bound: 'unknown', reason: 'not checked: BindResourceResult is null' }
            : { id, bound: false }
    })
    const result = await run(client, entries(3))
    expect(calls('delete-start').flatMap(e => e.ids)).toEqual(['e0000'])
    expect(ids(result.skipped)).toEqual(['e0001', 'e0002'])
    expect(result.failed.map(f => [f.entry.id, f.error.code])).toEqual([
      ['e0001', 'AuthFailure.UnauthorizedOperation']
    ])
  })

  it('keeps back a refused deletion (skipped-ids) and fails the step with its error', async () => {
    const roleError = new TencentApiError({
      operation: 'DeleteCertificates',
      code: 'FailedOperation.RoleNotFoundAuthorization',
      message: 'role',
      subject: 'e0000'
    })
    const { client } = scripted({
      deletes: id =>
        id === 'e0000'
          ? {
              id,
              result: 'skipped',
              reason: 'the service-linked role is not authorised',
              error: roleError
            }
          : { id, result: 'skipped', reason: 'refused by the API: not yet expired' }
    })
    const result = await run(client, entries(2))
    expect(ids(result.skipped)).toEqual(['e0000', 'e0001'])
    expect(result.failed.map(f => f.entry.id)).toEqual(['e0000'])
    expect(result.deleted).toEqual([])
  })

  it('never deletes what a check that threw was asked about, and goes on with the others', async () => {
    const plan = entries(250)
    const { client, calls } = scripted({
      bindings: id => (id === 'e0150' ? 'throw' : { id, bound: false }),
      deletes: id => (id === 'e0210' ? 'throw' : { id, result: 'deleted' })
    })
    const result = await run(client, plan)
    const deleted = calls('delete-start').flatMap(e => e.ids)
    expect(deleted.filter(id => id >= 'e0100' && id < 'e0200')).toEqual([])
    expect(result.skipped).toHaveLength(100)
    expect(result.skipped[0].skipReason).toBe('the binding check failed: the check broke')
    // The batch whose delete call threw is failed, named one by one; the first batch went.
    expect(result.failed.map(f => f.entry.id)).toEqual(ids(plan).slice(200))
    expect(result.failed[0].error.message).toContain('for e0200')
    expect(result.deleted).toHaveLength(100)
  })

  it('deletes without a check on an API that has none, noting it once', async () => {
    const { client, calls } = scripted({ api: '2.0' })
    const { log, lines } = recordingLog()
    const result = await executeDeletion(
      client,
      entries(250),
      { maxDeletions: 300, dryRun: false },
      log
    )
    expect(result.deleted).toHaveLength(250)
    expect(calls('delete-start')).toHaveLength(3)
    expect(lines.filter(l => l.includes('no read-only binding check'))).toHaveLength(1)
  })

  it('treats an id planned twice as one', async () => {
    const [one] = entries(1)
    const { client, calls } = scripted()
    const result = await run(client, [one, one])
    expect(ids(result.deleted)).toEqual([one.id])
    expect(calls('delete-start').flatMap(e => e.ids)).toEqual([one.id])
  })
})

describe('the replace seam (onBound)', () => {
  const bindingsWithMove = (bound: Set<string>, moved: Set<string>) => (id: string) =>
    bound.has(id) && !moved.has(id)
      ? ({ id, bound: true, reason: 'bound to cdn (1)', resources: 1 } as const)
      : ({ id, bound: false } as const)

  it('hands every bound certificate over once, re-checks the freed ones fresh, then deletes them', async () => {
    const plan = entries(250)
    const bound = new Set(['e0003', 'e0120', 'e0240'])
    const moved = new Set<string>()
    const seen: { ids: string[]; dryRun: boolean }[] = []
    const hook: BoundHook = async (list, context) => {
      seen.push({ ids: ids(list), ...context })
      expect(list.every(e => e.skipReason === 'bound to cdn (1)')).toBe(true)
      // Moves two of them; e0240's resources cannot be moved.
      for (const id of ['e0003', 'e0120']) moved.add(id)
      return list.filter(e => moved.has(e.id))
    }
    const { client, calls } = scripted({ bindings: bindingsWithMove(bound, moved) })
    const result = await run(client, plan, { onBound: hook, maxDeletions: 250 })
    expect(seen).toEqual([{ ids: ['e0003', 'e0120', 'e0240'], dryRun: false }])
    const rechecks = calls('check-start').filter(e => e.ids.includes('e0003'))
    expect(rechecks.map(e => e.fresh)).toEqual([true, true])
    expect(result.deleted).toHaveLength(249)
    expect(result.skipped.map(e => [e.id, e.skipReason])).toEqual([['e0240', 'bound to cdn (1)']])
  })

  it('never deletes one that the fresh check still finds bound', async () => {
    const bound = new Set(['e0001'])
    const { client, calls } = scripted({ bindings: bindingsWithMove(bound, new Set()) })
    const hook: BoundHook = async list => list
    const result = await run(client, entries(2), { onBound: hook })
    expect(calls('delete-start').flatMap(e => e.ids)).toEqual(['e0000'])
    expect(ids(result.skipped)).toEqual(['e0001'])
  })

  it('in a dry run reports the freed ones as would-be deleted, without a re-check', async () => {
    const bound = new Set(['e0001'])
    const { client, calls } = scripted({ bindings: bindingsWithMove(bound, new Set()) })
    const result = await run(client, entries(3), {
      dryRun: true,
      onBound: async (list, context) => (context.dryRun ? list : [])
    })
    expect(ids(result.deleted)).toEqual(['e0000', 'e0001', 'e0002'])
    expect(calls('check-start')).toHaveLength(1)
    expect(calls('delete-start')).toEqual([])
  })

  it('refuses before calling the hook when the free ones alone are over the cap', async () => {
    const bound = new Set(['e0001'])
    const { client } = scripted({ bindings: bindingsWithMove(bound, new Set()) })
    let called = false
    const result = await run(client, entries(4), {
      maxDeletions: 2,
      onBound: async list => ((called = true), list)
    })
    expect(called).toBe(false)
    expect(result.refused?.planned).toHaveLength(3)
    // The bound one waiting for the hook is kept back with its reason: skipped-ids lists it.
    expect(result.skipped.map(e => e.id)).toEqual(['e0001'])
  })

  it('refuses when the freed ones take the plan over the cap', async () => {
    const bound = new Set(['e0001', 'e0002'])
    const moved = new Set<string>()
    const { client, calls } = scripted({ bindings: bindingsWithMove(bound, moved) })
    const result = await run(client, entries(4), {
      maxDeletions: 3,
      onBound: async list => (list.forEach(e => moved.add(e.id)), list)
    })
    expect(calls('delete-start')).toEqual([])
    expect(ids(result.refused?.planned ?? []).sort()).toEqual(['e0000', 'e0001', 'e0002', 'e0003'])
  })

  for (const dryRun of [false, true])
    it(`counts the ones the hook would move before it moves anything (dry run: ${dryRun})`, async () => {
      const bound = new Set(['e0001', 'e0002', 'e0003'])
      const { client, calls } = scripted({ bindings: bindingsWithMove(bound, new Set()) })
      let called = false
      // e0003 has nowhere to move: it stays bound, skipped with its reason, and is not counted.
      const hook: BoundHook = Object.assign(
        async (list: SkippedEntry[]) => ((called = true), list),
        {
          movable: (list: SkippedEntry[]) => list.filter(e => e.id !== 'e0003')
        }
      )
      const result = await run(client, entries(4), { maxDeletions: 2, dryRun, onBound: hook })
      expect(called).toBe(false)
      expect(calls('delete-start')).toEqual([])
      expect(ids(result.refused?.planned ?? [])).toEqual(['e0000', 'e0001', 'e0002'])
      expect(result.refused?.message).toMatch(
        /max-deletions \(2\).*2 of them are still bound.*nothing was moved/
      )
      expect(result.skipped.map(e => [e.id, e.skipReason])).toEqual([['e0003', 'bound to cdn (1)']])
      expect(result.deleted).toEqual([])
    })

  it('moves when the free ones and the movable ones fit the cap', async () => {
    const bound = new Set(['e0001'])
    const moved = new Set<string>()
    const { client } = scripted({ bindings: bindingsWithMove(bound, moved) })
    const hook: BoundHook = Object.assign(
      async (list: SkippedEntry[]) => (list.forEach(e => moved.add(e.id)), list),
      { movable: (list: SkippedEntry[]) => list }
    )
    const result = await run(client, entries(3), { maxDeletions: 3, dryRun: true, onBound: hook })
    expect(result.refused).toBeUndefined()
    expect(ids(result.deleted)).toEqual(['e0000', 'e0001', 'e0002'])
  })
})
