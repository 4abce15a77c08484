/**
 * A year of renewals under API faults (promise 7, issue 18 item 5): twelve months of `sync` with
 * `replace`, one run per key algorithm each month (an ECDSA and an RSA certificate for the same
 * names, served side by side), each run with throttling, 5xx, reset connections or lost answers
 * injected into the calls that move resources. dist/index.js runs like a runner.
 *
 * The oracle is the emulator's state, read after every run, never the action's report: no
 * resource was ever left without a live certificate (`resources.violations()`), every resource
 * serves a certificate of its own key algorithm, each resource was given at most two moves per
 * run (`resources.attempts()`: update record items and retries), and at the end every resource
 * serves the newest certificate of its key algorithm.
 */
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import type { Fault } from '../../emulator/faults.js'
import type { ResourceSeed } from '../../emulator/server.js'
import { makeCa, makeChain, type TestCa } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, ROOT } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['www.year.example.test', 'year.example.test']
const SHORT_BACKOFF = ['--import', join(ROOT, 'fixtures', 'short-backoff.mjs')]
type Algorithm = 'ec' | 'rsa'

const lab = useE2eLab('renewal-year', {
  nodeArgs: [...QUICK_WAITS, ...SHORT_BACKOFF],
  options: { recordPolls: 1, creationPolls: 1, rateLimitPerSecond: 0 }
})
let ca: TestCa

beforeAll(async () => {
  ca = await makeCa(1, 'Year')
})

/** The resources of each key algorithm. */
const RESOURCES: Record<Algorithm, Omit<ResourceSeed, 'certId'>[]> = {
  ec: [
    { type: 'cdn', instance: 'www.year.example.test' },
    {
      type: 'clb',
      region: 'ap-guangzhou',
      instance: 'lb-gz000001|lbl-gz000001',
      fail: { times: 3 }
    }
  ],
  rsa: [
    { type: 'clb', region: 'ap-shanghai', instance: 'lb-sh000001|lbl-sh000001|year.example.test' },
    { type: 'teo', instance: 'year.example.test' }
  ]
}
const keyOf = (r: { type: string; region?: string | null; instance: string }) =>
  `${r.type}@${r.region ?? ''}@${r.instance}`

/** Month `m`'s faults: each kind the promise names, on the calls a move makes. */
function faultsFor(m: number): Fault[] {
  const all: Fault[][] = [
    [{ kind: 'throttle', action: 'UpdateCertificateInstance', times: 2 }],
    [{ kind: 'internal-error', action: 'DescribeHostUpdateRecordDetail', times: 2 }],
    [{ kind: 'lose-response', action: 'UpdateCertificateInstance', times: 1 }],
    [{ kind: 'http-502', action: 'CreateCertificateBindResourceSyncTask', times: 2 }],
    [{ kind: 'reset', action: 'DescribeCertificateBindResourceTaskDetail', times: 2 }],
    [{ kind: 'lose-response', action: 'UploadCertificate', times: 1 }],
    [{ kind: 'reset', action: 'DescribeHostUpdateRecordDetail', times: 1 }],
    [{ kind: 'lose-response', action: 'DescribeHostUpdateRecordDetail', times: 1 }],
    [{ kind: 'internal-error', action: 'DeleteCertificates', times: 1 }],
    [{ kind: 'throttle', action: 'DescribeCertificateBindResourceTaskResult', times: 2 }],
    [{ kind: 'http-502', action: 'UpdateCertificateInstance', times: 1 }],
    [{ kind: 'lose-response', action: 'DeleteCertificates', times: 1 }]
  ]
  return all[m % all.length]
}

describe('a year of renewals under API faults', () => {
  it('ends with every resource on the newest certificate of its key algorithm, none ever without one, each tried at most twice per run', async () => {
    const newest: Partial<Record<Algorithm, string>> = {}
    // Month 0: the first certificate of each algorithm, and the resources on it.
    for (const algorithm of ['ec', 'rsa'] as const) {
      const chain = await makeChain({
        ca,
        key: algorithm,
        domains: DOMAINS,
        notAfter: new Date(Date.now() + 30 * DAY)
      })
      const first = await lab.run(chain, { mode: 'upload' })
      expect(first.status).toBe(0)
      newest[algorithm] = first.outputs['certificate-id']
      lab.emulator.resources.seed(
        RESOURCES[algorithm].map(r => ({ ...r, certId: newest[algorithm] }))
      )
    }
    const algorithmOf = new Map<string, Algorithm>()
    for (const algorithm of ['ec', 'rsa'] as const)
      for (const r of RESOURCES[algorithm]) algorithmOf.set(keyOf(r), algorithm)
    const issued = new Map<string, Algorithm>([
      [newest.ec as string, 'ec'],
      [newest.rsa as string, 'rsa']
    ])
    const statuses: number[] = []

    for (let month = 1; month <= 12; month++)
      for (const algorithm of ['ec', 'rsa'] as const) {
        const chain = await makeChain({
          ca,
          key: algorithm,
          domains: DOMAINS,
          notAfter: new Date(Date.now() + (30 + 30 * month) * DAY)
        })
        for (const fault of faultsFor(month * 2 + (algorithm === 'rsa' ? 1 : 0)))
          lab.emulator.faults.add(fault)
        // Half the months, Tencent answers DeployStatus 0 for a record it just created.
        lab.emulator.setOption('createdDeployStatus', month % 2)
        // In two of those, the Guangzhou listener refuses its next three moves.
        if (algorithm === 'ec' && (month === 2 || month === 8)) {
          const [gz] = lab.emulator.resources.all().filter(r => r.region === 'ap-guangzhou')
          lab.emulator.resources.seed({
            type: gz.type,
            region: gz.region as string,
            instance: gz.instance,
            certId: gz.certId as string,
            fail: { times: 3, message: 'listener is locked' }
          })
        }
        const before = lab.emulator.resources.attempts()
        const result = await lab.run(chain, {
          mode: 'sync',
          replace: 'true',
          'replace-timeout': '120'
        })
        statuses.push(result.status ?? -1)
        const id = result.outputs['certificate-id']
        expect(id).toBeTruthy()
        newest[algorithm] = id
        issued.set(id, algorithm)
        // Every injected fault met a request: the run went through it.
        expect(lab.emulator.faults.pending()).toEqual([])
        lab.emulator.faults.clear()

        // The oracle, after every run.
        expect(lab.emulator.resources.violations()).toEqual([])
        const live = new Set(
          lab.emulator
            .certificates()
            .filter(c => !c.deleted)
            .map(c => c.id)
        )
        const after = lab.emulator.resources.attempts()
        for (const r of lab.emulator.resources.all()) {
          expect(r.certId).not.toBeNull()
          expect(live.has(r.certId as string)).toBe(true)
          // Never moved onto a certificate of the other key algorithm.
          expect([r.key, issued.get(r.certId as string)]).toEqual([r.key, algorithmOf.get(r.key)])
          expect([r.key, (after[r.key] ?? 0) - (before[r.key] ?? 0) <= 2]).toEqual([r.key, true])
        }
      }

    const serving = Object.fromEntries(lab.emulator.resources.all().map(r => [r.key, r.certId]))
    const expected = Object.fromEntries(
      [...algorithmOf].map(([key, algorithm]) => [key, newest[algorithm]])
    )
    expect(serving).toEqual(expected)
    // The scripted listener failed its first moves: at least one run said so, and the last ran clean.
    expect(statuses).toContain(1)
    expect(statuses.slice(-2)).toEqual([0, 0])
  }, 900_000)
})
