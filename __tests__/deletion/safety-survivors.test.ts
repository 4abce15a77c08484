/**
 * Behaviours a hand-made mutation run over the safety modules left unpinned (issue 18, "Tests
 * the safety code still lacks"): each test here fails when its one-line rule breaks. The
 * clients' own binding and deletion rules are pinned in __tests__/tencent/deletion.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import { recordingLog } from '../../fixtures/log.js'
import { executeDeletion } from '../../src/deletion/deletion.js'
import { checkMaxDeletions, type PlanEntry } from '../../src/planning/prune-plan.js'
import { replaceResources, type ReplaceOptions } from '../../src/resources/replace.js'
import type { BindingState, SslClient } from '../../src/tencent/client.js'
import { TencentApiError } from '../../src/tencent/errors.js'
import type { BindingDetails } from '../../src/tencent/resources.js'

const entry = (id: string): PlanEntry => ({
  id,
  domains: ['a.example.com'],
  notAfter: new Date(Date.UTC(2026, 0, 1)),
  alias: '',
  expired: false,
  reason: 'superseded'
})

const ROLE = 'FailedOperation.RoleNotFoundAuthorization'
const roleRefusal = (operation: string) =>
  new TencentApiError({ operation, code: ROLE, message: 'role does not exist' })

/** A 3.0 client whose binding check answers `states` for the batch it is asked about. */
function client(states: (ids: string[]) => BindingState[]) {
  const deleted: string[] = []
  const fake = {
    api: '3.0',
    checkBindings: async (ids: string[]) => states(ids),
    deleteCertificates: async (ids: string[]) => {
      deleted.push(...ids)
      return ids.map(id => ({ id, result: 'deleted' as const }))
    }
  } as unknown as SslClient
  return { fake, deleted }
}

const execute = (fake: SslClient, list: PlanEntry[], more: object = {}) =>
  executeDeletion(fake, list, { maxDeletions: 20, dryRun: false, ...more }, recordingLog().log)

describe('deletion execution', () => {
  it('a certificate the client answer leaves out is not checked, never free', async () => {
    const { fake, deleted } = client(ids => ids.slice(1).map(id => ({ id, bound: false })))
    const result = await execute(fake, [entry('left-out'), entry('free')])
    expect(deleted).toEqual(['free'])
    expect(result.skipped.map(e => [e.id, e.skipReason])).toEqual([
      ['left-out', expect.stringMatching(/not checked/)]
    ])
  })

  it('hands the replace hook only bound certificates: one whose check was refused does not move, and the refusal fails the step', async () => {
    const handed: string[][] = []
    const { fake, deleted } = client(ids =>
      ids.map(id =>
        id === 'refused'
          ? {
              id,
              bound: 'unknown',
              reason: 'the binding lookup failed',
              error: roleRefusal('DescribeCertificateBindResourceTaskResult')
            }
          : { id, bound: true, reason: 'bound to cdn (1)', resources: 1 }
      )
    )
    const result = await execute(fake, [entry('refused'), entry('bound')], {
      onBound: async (list: PlanEntry[]) => {
        handed.push(list.map(e => e.id))
        return []
      }
    })
    expect(handed).toEqual([['bound']])
    expect(deleted).toEqual([])
    expect(result.failed.map(f => [f.entry.id, f.error.code])).toEqual([['refused', ROLE]])
  })

  it('a cap that cannot be computed fails closed: nothing is deleted', async () => {
    expect(() => checkMaxDeletions({ delete: [entry('a')] }, NaN)).toThrow(/max-deletions/)
    const { fake, deleted } = client(ids => ids.map(id => ({ id, bound: false })))
    const result = await execute(fake, [entry('a'), entry('b')], { maxDeletions: NaN })
    expect(deleted).toEqual([])
    expect(result.deleted).toEqual([])
    expect(result.refused?.planned.map(e => e.id)).toEqual(['a', 'b'])
  })
})

describe('replace', () => {
  const OPTIONS: ReplaceOptions = {
    scope: 'all',
    timeoutMs: 60_000,
    rollbackOnFailure: false,
    dryRun: false
  }
  const context = { clock: { now: () => 0, sleep: async () => undefined }, log: recordingLog().log }
  const cdn = { type: 'cdn', region: null, instance: 'www.example.test' }

  it('moves nothing when the binding details are refused, and the refusal fails the step', async () => {
    let moves = 0
    const api = {
      bindingDetails: async () => {
        throw roleRefusal('DescribeCertificateBindResourceTaskDetail')
      },
      startUpdate: async () => {
        moves++
        throw new Error('must not be called')
      }
    } as unknown as Parameters<typeof replaceResources>[0]
    const result = await replaceResources(api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, context)
    expect(moves).toBe(0)
    expect(result.free).toEqual([])
    expect(result.errors.map(e => e.code)).toEqual([ROLE])
  })

  it('a fresh check that reports problems but no resources is not free', async () => {
    let looks = 0
    const api = {
      bindingDetails: async (ids: string[]) => {
        looks++
        return new Map<string, BindingDetails>(
          ids.map(id => [
            id,
            looks === 1
              ? { certId: id, resources: [cdn], problems: [] }
              : {
                  certId: id,
                  resources: [],
                  problems: ['clb in ap-guangzhou: 1 counted, 0 listed']
                }
          ])
        )
      },
      startUpdate: async () => ({
        state: 'nothing' as const,
        code: 'FailedOperation.CertificateDeployInstanceEmpty',
        requestId: 'rid-1'
      })
    } as unknown as Parameters<typeof replaceResources>[0]
    const result = await replaceResources(api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, context)
    expect(looks).toBe(2)
    expect(result.free).toEqual([])
    expect(result.certificates[0].keptBecause).toMatch(/counted, 0 listed/)
  })
})
