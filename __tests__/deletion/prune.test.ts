/** Prune execution (src/deletion/prune.ts) over a scripted client: what is deleted, skipped, failed. */
import { describe, expect, it } from '@jest/globals'
import { recordingLog } from '../../fixtures/log.js'
import { prune, type PruneOptions } from '../../src/deletion/prune.js'
import type {
  BindingState,
  DeleteOutcome,
  ListedCertificate,
  SslClient
} from '../../src/tencent/client.js'
import { TencentApiError } from '../../src/tencent/errors.js'

const DAY = 86_400_000
const NOW = new Date('2026-11-28T00:00:00Z')

/** Four renewals of one domain: r1..r3 are superseded by r4. */
const listed: ListedCertificate[] = [1, 2, 3, 4].map(n => ({
  id: `r${n}`,
  domains: ['a.example.com'],
  notAfter: new Date(NOW.getTime() + n * 10 * DAY),
  certType: 'SVR',
  source: 'upload',
  keyAlgorithm: 'ECDSA',
  projectId: 0,
  alias: `r${n}`
}))

function scriptedClient(
  bindings: (ids: string[]) => BindingState[] | null,
  deletes: (ids: string[]) => DeleteOutcome[] = ids => ids.map(id => ({ id, result: 'deleted' }))
) {
  const deleteCalls: string[][] = []
  const client: SslClient = {
    api: '3.0',
    upload: () => Promise.reject(new Error('not used')),
    findIdentical: () => Promise.reject(new Error('not used')),
    listUploaded: () => Promise.resolve(listed),
    findByIds: () => Promise.reject(new Error('not used')),
    listCertificates: () => Promise.reject(new Error('not used')),
    checkBindings: ids => Promise.resolve(bindings(ids)),
    deleteCertificates: ids => {
      deleteCalls.push(ids)
      return Promise.resolve(deletes(ids))
    }
  }
  return { client, deleteCalls }
}

const options = (overrides: Partial<PruneOptions> = {}): PruneOptions => ({
  scope: ['a.example.com'],
  keep: 1,
  expiredOnly: false,
  maxDeletions: 20,
  dryRun: false,
  certType: 'SVR',
  now: NOW,
  ...overrides
})

const unbound = (ids: string[]): BindingState[] => ids.map(id => ({ id, bound: false }))

describe('prune', () => {
  it('deletes the superseded certificates, nothing else', async () => {
    const { client, deleteCalls } = scriptedClient(unbound)
    const result = await prune(client, options(), recordingLog().log)
    expect(result.deleted.map(e => e.id)).toEqual(['r1', 'r2', 'r3'])
    expect(deleteCalls).toEqual([['r1', 'r2', 'r3']])
    expect(result.failed).toEqual([])
  })

  it('skips a bound certificate with a warning, and never asks to delete it', async () => {
    const { client, deleteCalls } = scriptedClient(ids =>
      ids.map(id =>
        id === 'r2'
          ? { id, bound: true, reason: 'bound to cdn (1)', resources: 1 }
          : { id, bound: false }
      )
    )
    const { log, lines } = recordingLog()
    const result = await prune(client, options(), log)
    expect(deleteCalls).toEqual([['r1', 'r3']])
    expect(result.skipped.map(e => [e.id, e.skipReason])).toEqual([['r2', 'bound to cdn (1)']])
    expect(lines).toContainEqual(expect.stringMatching(/^warning Skipped r2 .*bound to cdn/))
  })

  it('fails, without deleting, a certificate whose binding check was refused; it is kept back too', async () => {
    const refusal = new TencentApiError({
      operation: 'CreateCertificateBindResourceSyncTask',
      code: 'AuthFailure.UnauthorizedOperation',
      message: 'CAM denied',
      requestId: 'rid-1',
      subject: 'r1'
    })
    const { client, deleteCalls } = scriptedClient(ids =>
      ids.map(id =>
        id === 'r1'
          ? { id, bound: 'unknown', reason: 'refused', error: refusal }
          : { id, bound: 'unknown', reason: 'the binding lookup timed out' }
      )
    )
    const result = await prune(client, options(), recordingLog().log)
    expect(deleteCalls).toEqual([])
    expect(result.failed.map(f => [f.entry.id, f.error.code])).toEqual([
      ['r1', 'AuthFailure.UnauthorizedOperation']
    ])
    // Still in the account: in skipped (skipped-ids) as well as failing the step.
    expect(result.skipped.map(e => e.id)).toEqual(['r1', 'r2', 'r3'])
  })

  it('refuses a plan over max-deletions before deleting anything, naming the plan', async () => {
    const { client, deleteCalls } = scriptedClient(unbound)
    const result = await prune(client, options({ maxDeletions: 2 }), recordingLog().log)
    expect(deleteCalls).toEqual([])
    expect(result.deleted).toEqual([])
    expect(result.refused?.planned.map(e => e.id)).toEqual(['r1', 'r2', 'r3'])
    expect(result.refused?.message).toMatch(/3 certificates, more than max-deletions \(2\)/)
  })

  it('counts only the deletions that would be attempted against the cap', async () => {
    const { client } = scriptedClient(ids =>
      ids.map(id =>
        id === 'r1'
          ? { id, bound: true, reason: 'bound to clb (1)', resources: 1 }
          : { id, bound: false }
      )
    )
    const result = await prune(client, options({ maxDeletions: 2 }), recordingLog().log)
    expect(result.refused).toBeUndefined()
    expect(result.deleted.map(e => e.id)).toEqual(['r2', 'r3'])
  })

  it('deletes nothing in a dry run and reports what would go', async () => {
    const { client, deleteCalls } = scriptedClient(unbound)
    const result = await prune(client, options({ dryRun: true }), recordingLog().log)
    expect(deleteCalls).toEqual([])
    expect(result.deleted.map(e => e.id)).toEqual(['r1', 'r2', 'r3'])
  })

  it('maps every outcome, counting an id already gone as deleted', async () => {
    const error = new TencentApiError({
      operation: 'DeleteCertificates',
      code: 'InternalError',
      message: 'boom',
      requestId: 'rid-9',
      subject: 'r3'
    })
    const { client } = scriptedClient(unbound, () => [
      { id: 'r1', result: 'gone' },
      { id: 'r2', result: 'skipped', reason: 'refused by the API: not yet expired' },
      { id: 'r3', result: 'failed', error }
    ])
    const result = await prune(client, options(), recordingLog().log)
    expect(result.deleted.map(e => e.id)).toEqual(['r1'])
    expect(result.skipped.map(e => e.id)).toEqual(['r2'])
    expect(result.failed.map(f => f.error.message)).toEqual([error.message])
  })

  it('fails a certificate the delete call gave no outcome for', async () => {
    const { client } = scriptedClient(unbound, () => [{ id: 'r1', result: 'deleted' }])
    const result = await prune(client, options(), recordingLog().log)
    expect(result.failed.map(f => [f.entry.id, f.error.code])).toEqual([
      ['r2', 'MalformedResponse'],
      ['r3', 'MalformedResponse']
    ])
  })

  it('works without a binding check (API 2.0)', async () => {
    const { client, deleteCalls } = scriptedClient(() => null)
    const result = await prune(client, options(), recordingLog().log)
    expect(deleteCalls).toEqual([['r1', 'r2', 'r3']])
    expect(result.deleted).toHaveLength(3)
  })
})
