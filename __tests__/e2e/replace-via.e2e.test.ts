/**
 * An earlier run's update record moved the old certificate's resources to N1; this sync's target
 * is N2. UpdateCertificateInstance(Old=N1) moves every resource of those types and regions on N1,
 * not only the ones that came from the old certificate, so it is sent only when N2 supersedes N1
 * within the run's pool, and then every resource it moved is in `replaced`. Otherwise the
 * resources stay on N1 and are reported failed. dist/index.js run like a runner against the
 * emulator; the oracle is the emulator's state.
 */
import 'reflect-metadata'
import { afterEach, beforeAll, expect, it } from '@jest/globals'
import type { ResourceSeed } from '../../emulator/server.js'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS } from '../../fixtures/runner.js'
import { parseJson, servingOf, type Replaced } from '../support/resource-oracle.js'

const DAY = 86_400_000
const DOMAINS = ['www.via.example.test', 'via.example.test']
const FROM_OLD = 'lb-gz000001|lbl-gz000001'
/** A listener that has always served N1: it never used the old certificate. */
const ON_N1 = 'lb-gz000002|lbl-gz000002'

const lab = useE2eLab('replace-via', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})
let ca: TestCa
let old: TestChain
let renewed: TestChain

beforeAll(async () => {
  ca = await makeCa(1, 'Via')
  old = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 20 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

const clbOn = (certId: string, instance: string): ResourceSeed => ({
  type: 'clb',
  region: 'ap-guangzhou',
  instance,
  certId
})

async function upload(chain: TestChain): Promise<string> {
  const result = await lab.run(chain, { mode: 'upload' })
  expect(result.status).toBe(0)
  return result.outputs['certificate-id']
}

/** OLD's listener moved to N1 by an earlier run's open record; another listener on N1 all along. */
async function syncAfterEarlierMoveTo(n1Domains: string[]) {
  const oldId = await upload(old)
  const n1 = await upload(
    await makeChain({ ca, domains: n1Domains, notAfter: new Date(Date.now() + 60 * DAY) })
  )
  lab.emulator.resources.seed([clbOn(oldId, FROM_OLD), clbOn(n1, ON_N1)])
  lab.emulator.resources.openUpdate({ from: oldId, to: n1, instances: [FROM_OLD], polls: 2 })
  lab.emulator.clearRequests()
  const result = await lab.run(renewed, { mode: 'sync', replace: 'true' })
  const n2 = result.outputs['certificate-id']
  const replaced = parseJson<Replaced[]>(result.outputs.replaced)
  return { oldId, n1, n2, result, replaced }
}

it('N2 supersedes N1: N1’s listeners move on to N2, and every one is in replaced', async () => {
  const { oldId, n1, n2, result, replaced } = await syncAfterEarlierMoveTo(DOMAINS)
  expect(result.status).toBe(0)
  expect(servingOf(lab.emulator)).toEqual({ [`clb ${FROM_OLD}`]: n2, [`clb ${ON_N1}`]: n2 })
  expect(replaced.map(r => [r.instance, r.from, r.to, r.status]).sort()).toEqual(
    [
      [FROM_OLD, oldId, n2, 'success'],
      [ON_N1, n1, n2, 'success']
    ].sort()
  )
})

it('N2 does not supersede N1 (N1 serves one more name): nothing moves from N1, and the step fails naming it', async () => {
  const { oldId, n1, n2, result, replaced } = await syncAfterEarlierMoveTo([
    ...DOMAINS,
    'extra.via.example.test'
  ])
  expect(result.status).toBe(1)
  expect(servingOf(lab.emulator)).toEqual({ [`clb ${FROM_OLD}`]: n1, [`clb ${ON_N1}`]: n1 })
  expect(replaced).toEqual([
    {
      from: oldId,
      to: n1,
      type: 'clb',
      region: 'ap-guangzhou',
      instance: FROM_OLD,
      status: 'failed',
      error: expect.stringContaining(`it serves ${n1} `)
    }
  ])
  expect(replaced[0].error).toContain(`not ${n2}`)
  expect(result.lines.join('\n')).toContain(`which ${n2} does not supersede`)
})
