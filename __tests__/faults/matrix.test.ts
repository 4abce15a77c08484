/**
 * The fault matrix, end to end: dist/index.js spawned as a runner does, against the emulator, in
 * every mode on both APIs, with each fault on the calls that change something (the upload, the
 * deletion). Every cell either succeeds with the state the contract decides or fails with one
 * message naming the operation and Tencent's code; after every run the promises hold
 * (harness.invariantViolations). Cells run concurrently, one emulator each.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Fault } from '../../emulator/server.js'
import {
  ACTIONS,
  APIS,
  closeLabs,
  crashSigns,
  errorLines,
  expectHandledRun,
  fingerprintOf,
  invariantViolations,
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

type Call = 'upload' | 'delete'

interface FaultCase {
  name: string
  /** The calls of a mode it hits; a case with none for a mode is not in that mode's row. */
  calls: (mode: Mode) => Call[]
  fault: (action: string) => Fault
  inputs?: Record<string, string>
}

/** The calls that change something, in the order a run makes them. */
const WRITES: Record<Mode, Call[]> = {
  upload: ['upload'],
  prune: ['delete'],
  sync: ['upload', 'delete']
}
const writes = (mode: Mode): Call[] => WRITES[mode]
const only =
  (call: Call) =>
  (mode: Mode): Call[] =>
    WRITES[mode].filter(c => c === call)

const THROTTLE_BURST = 3

const CASES: FaultCase[] = [
  {
    name: `throttle ×${THROTTLE_BURST}`,
    calls: writes,
    fault: action => ({ kind: 'throttle', action, times: THROTTLE_BURST })
  },
  { name: 'internal-error', calls: writes, fault: action => ({ kind: 'internal-error', action }) },
  { name: 'http-502', calls: writes, fault: action => ({ kind: 'http-502', action }) },
  { name: 'reset', calls: writes, fault: action => ({ kind: 'reset', action }) },
  {
    name: 'lose-response after the upload',
    calls: only('upload'),
    fault: action => ({ kind: 'lose-response', action })
  },
  {
    name: 'lose-response after the delete',
    calls: only('delete'),
    fault: action => ({ kind: 'lose-response', action })
  },
  {
    name: 'latency 1200 ms over request-timeout 1 s',
    calls: writes,
    fault: action => ({ kind: 'latency', action, ms: 1200 }),
    inputs: { 'request-timeout': '1' }
  }
]

/**
 * What the contract makes of a fault: retried and survived (promise 4), except 2.0's 4400,
 * a quota rather than throttling, which is not retried: the first call it hits fails, and
 * since a throttled call is never performed, nothing changes.
 */
function expectation(api: Api, mode: Mode, fault: FaultCase) {
  if (api === '2.0' && fault.name.startsWith('throttle'))
    return { ok: false as const, operation: ACTIONS[api][writes(mode)[0]], code: '4400' }
  return { ok: true as const }
}

const MODES: Mode[] = ['upload', 'prune', 'sync']
const cells = (api: Api) =>
  MODES.flatMap(mode =>
    CASES.filter(c => c.calls(mode).length > 0).map(c => [mode, c.name, c] as const)
  ).map(([mode, name, c]) => ({ api, mode, name, fault: c }))

let chains: Chains

beforeAll(async () => {
  chains = await makeChains()
})

afterAll(closeLabs)

describe.each(APIS)('API %s under faults', api => {
  it.concurrent.each(cells(api))(
    '$mode with $name',
    async ({ mode, fault }) => {
      const lab = await Lab.open()
      const scenario = seedScenario(lab, mode, chains)
      for (const call of fault.calls(mode)) lab.emulator.faults.add(fault.fault(ACTIONS[api][call]))
      const { before, after, result } = await observedRun(
        lab,
        api,
        { ...scenario.inputs, ...fault.inputs },
        { chain: scenario.chain }
      )

      expectHandledRun({ before, after, result }, scenario)

      const expected = expectation(api, mode, fault)
      if (expected.ok) {
        // Every fault hit its call and was survived.
        expect(lab.emulator.faults.pending()).toEqual([])
        expect(errorLines(result)).toEqual([])
        expect(result.status).toBe(0)
        expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual(
          [...scenario.expectDeleted].sort()
        )
        expect(JSON.parse(result.outputs['skipped-ids'])).toEqual(scenario.expectSkipped)
        if (scenario.chain) {
          expect(result.outputs.reused).toBe('false')
          expect(result.outputs.fingerprint).toBe(fingerprintOf(scenario.chain))
        }
        const survivors = before
          .filter(c => !c.deleted && !scenario.expectDeleted.includes(c.id))
          .map(c => c.id)
        if (scenario.chain) survivors.push(result.outputs['certificate-id'])
        expect(
          lab.emulator
            .certificates()
            .filter(c => !c.deleted)
            .map(c => c.id)
            .sort()
        ).toEqual(survivors.sort())
      } else {
        expect(result.status).toBe(1)
        const errors = errorLines(result)
        expect(errors).toHaveLength(1)
        expect(errors[0]).toMatch(namesFailure(expected.operation, expected.code))
        expect(lab.requestsFor(expected.operation)[0]?.fault).toBe(fault.fault('').kind)
        expect(after).toEqual(before)
      }
    },
    RUN_TIMEOUT_MS
  )
})

/** More faults in a row than the 5 attempts allow: the step fails cleanly, nothing changes. */
describe('a burst of 5 faults on the upload, more than the retries allow', () => {
  it.concurrent.each([
    { api: '3.0', kind: 'throttle', code: 'RequestLimitExceeded' },
    { api: '2.0', kind: 'internal-error', code: '6000' }
  ] as const)(
    'API $api, $kind: fails naming the operation and code after 5 attempts, changing nothing',
    async ({ api, kind, code }) => {
      const lab = await Lab.open()
      const scenario = seedScenario(lab, 'sync', chains)
      const upload = ACTIONS[api].upload
      lab.emulator.faults.add({ kind, action: upload, times: 5 })
      const { before, after, result } = await observedRun(lab, api, scenario.inputs, {
        chain: scenario.chain
      })
      expect(crashSigns(result)).toEqual([])
      expect(result.status).toBe(1)
      const errors = errorLines(result)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(namesFailure(upload, code))
      expect(lab.requestsFor(upload)).toHaveLength(5)
      expect(lab.emulator.faults.pending()).toEqual([])
      expect(after).toEqual(before)
      expect(
        invariantViolations({
          before,
          after,
          result,
          scope: scenario.scope,
          uploaded: scenario.chain
        })
      ).toEqual([])
    },
    RUN_TIMEOUT_MS
  )
})

/** Nothing is deleted by a dry run or a refused plan, whatever the network does meanwhile. */
describe('dry run and refused plan under faults', () => {
  it.concurrent.each(APIS)(
    'API %s: a dry-run sync survives a reset and a 502 on the listing, changes nothing',
    async api => {
      const lab = await Lab.open()
      const scenario = seedScenario(lab, 'sync', chains)
      lab.emulator.faults.add({ kind: 'reset', action: ACTIONS[api].list })
      lab.emulator.faults.add({ kind: 'http-502', action: ACTIONS[api].list })
      const { before, after, result } = await observedRun(
        lab,
        api,
        { ...scenario.inputs, 'dry-run': 'true' },
        { chain: scenario.chain }
      )
      expect(crashSigns(result)).toEqual([])
      expect(result.status).toBe(0)
      expect(lab.emulator.faults.pending()).toEqual([])
      // 2.0 has no read-only binding check: the bound certificate is in the plan.
      const planned = [...scenario.expectDeleted, ...(api === '2.0' ? scenario.expectSkipped : [])]
      expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual(planned.sort())
      expect(after).toEqual(before)
      expect(
        invariantViolations({
          before,
          after,
          result,
          scope: scenario.scope,
          uploaded: scenario.chain,
          dryRun: true
        })
      ).toEqual([])
    },
    RUN_TIMEOUT_MS
  )

  it.concurrent.each(APIS)(
    'API %s: a plan over max-deletions, listed through an internal error, deletes nothing',
    async api => {
      const lab = await Lab.open()
      const scenario = seedScenario(lab, 'prune', chains)
      lab.emulator.faults.add({ kind: 'internal-error', action: ACTIONS[api].list })
      const { before, after, result } = await observedRun(lab, api, {
        ...scenario.inputs,
        'max-deletions': '1'
      })
      expect(crashSigns(result)).toEqual([])
      expect(result.status).toBe(1)
      const errors = errorLines(result)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain('max-deletions (1)')
      expect(lab.emulator.faults.pending()).toEqual([])
      expect(lab.requestsFor(ACTIONS[api].delete)).toEqual([])
      expect(after).toEqual(before)
      expect(
        invariantViolations({ before, after, result, scope: scenario.scope, refused: true })
      ).toEqual([])
    },
    RUN_TIMEOUT_MS
  )
})
