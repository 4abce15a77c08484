/**
 * Hostile answers: what a proxy, a gateway or a broken server may send instead of Tencent's JSON
 * (emulator 'malformed' faults, and an HTML 502 page every time), on the list, the upload and the
 * delete calls of both APIs. The step fails with one clear message naming the operation and
 * MalformedResponse or the HTTP status, never crashes, and a plan aborted before deleting deletes
 * nothing. Where the answer is broken but the action was performed and the API lets the client
 * find out (2.0 looks for the fingerprint after an unreadable upload; a 2.0 delete answered with
 * code 0 is done), the run succeeds with the right state instead.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Fault, MalformedVariant } from '../../emulator/server.js'
import {
  ACTIONS,
  APIS,
  closeLabs,
  errorLines,
  expectHandledRun,
  Lab,
  makeChains,
  namesFailure,
  observedRun,
  RUN_TIMEOUT_MS,
  seedScenario,
  type Api,
  type Chains,
  type Mode
} from './harness.js'

type Call = 'list' | 'upload' | 'delete'
type Variant = MalformedVariant | 'html-502'

const VARIANTS: Variant[] = [
  'not-json',
  'html-200',
  'missing-fields',
  'wrong-types',
  'huge',
  'html-502'
]
const CALLS: Call[] = ['list', 'upload', 'delete']
/** The mode that makes each call. */
const MODE: Record<Call, Mode> = { list: 'prune', upload: 'upload', delete: 'prune' }
/** Variants where the emulator performs the action before answering with a broken shape. */
const PERFORMED = new Set<Variant>(['missing-fields', 'wrong-types'])

function faultFor(variant: Variant, action: string): Fault {
  // Five 502 pages in a row: every attempt the retry policy allows.
  if (variant === 'html-502') return { kind: 'http-502', action, times: 5 }
  return { kind: 'malformed', variant, action }
}

function expectation(api: Api, call: Call, variant: Variant) {
  if (api === '2.0' && call !== 'list' && PERFORMED.has(variant)) return { ok: true as const }
  return {
    ok: false as const,
    operation: ACTIONS[api][call],
    code: variant === 'html-502' ? 'HttpError.502' : 'MalformedResponse'
  }
}

const cells = (api: Api) => CALLS.flatMap(call => VARIANTS.map(variant => ({ api, call, variant })))

let chains: Chains
beforeAll(async () => {
  chains = await makeChains()
})
afterAll(closeLabs)

describe.each(APIS)('API %s, a malformed answer', api => {
  it.concurrent.each(cells(api))(
    'to the $call call: $variant',
    async ({ call, variant }) => {
      const lab = await Lab.open()
      const scenario = seedScenario(lab, MODE[call], chains)
      const action = ACTIONS[api][call]
      lab.emulator.faults.add(faultFor(variant, action))
      const { before, after, result } = await observedRun(lab, api, scenario.inputs, {
        chain: scenario.chain
      })

      const deletedNow = expectHandledRun({ before, after, result }, scenario)
      expect(result.lines.filter(l => l.length > 10_000)).toEqual([])
      expect(lab.emulator.faults.pending()).toEqual([])

      const expected = expectation(api, call, variant)
      if (expected.ok) {
        expect(errorLines(result)).toEqual([])
        expect(result.status).toBe(0)
        expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual(
          [...scenario.expectDeleted].sort()
        )
        return
      }
      expect(result.status).toBe(1)
      const errors = errorLines(result)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(namesFailure(expected.operation, expected.code))
      if (variant === 'html-502') expect(errors[0]).toContain('HTTP 502')
      // The page itself is not echoed.
      expect(errors[0]).not.toMatch(/<\/?(html|head|body|h1|center)\b|DOCTYPE/i)

      switch (call) {
        case 'list':
          // The plan was aborted before anything was checked or deleted.
          expect(lab.requestsFor(ACTIONS[api].delete)).toEqual([])
          expect(lab.requestsFor('CreateCertificateBindResourceSyncTask')).toEqual([])
          expect(after).toEqual(before)
          break
        case 'upload':
          // Not performed: nothing stored. Performed: the one copy (invariants), nothing deleted.
          if (!PERFORMED.has(variant)) expect(after).toEqual(before)
          else expect(deletedNow).toEqual([])
          break
        case 'delete':
          if (api === '3.0') {
            // Not performed, or its tasks never polled: nothing deleted.
            expect(deletedNow).toEqual([])
          } else {
            // 2.0 deletes one by one: the one that failed is still there, the others went on.
            const planned = [...scenario.expectDeleted, ...scenario.expectSkipped]
            const failed = planned.filter(id => errors[0].includes(id))
            expect(failed).toHaveLength(1)
            expect(after.find(c => c.id === failed[0])?.deleted).toBe(false)
            const others = scenario.expectDeleted.filter(id => id !== failed[0])
            expect(deletedNow.map(c => c.id).sort()).toEqual(others.sort())
          }
          break
      }
    },
    RUN_TIMEOUT_MS
  )
})
