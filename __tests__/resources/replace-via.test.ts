/**
 * An earlier run's open record moved the old certificate's resources to N1, while this run's
 * target is NEW. UpdateCertificateInstance(Old=N1) moves every resource of those types and regions
 * bound to N1, not only the ones that came from OLD: it is asked for only when NEW supersedes N1
 * within the run's pool (what a replace of N1 would do anyway), and then every resource its
 * record lists is reported. Otherwise the resources are left on N1 and reported failed. In-process
 * against the emulator; the oracle is the emulator's state.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { ResourceSeed } from '../../emulator/server.js'
import { replaceResources, type ReplaceOptions } from '../../src/resources/replace.js'
import { poolRules } from '../../src/planning/prune-plan.js'
import type { ListedCertificate } from '../../src/tencent/client.js'
import { openLab, type ResourceLab } from '../support/resource-lab.js'

const DAY = 86_400_000
let lab: ResourceLab

beforeEach(async () => {
  lab = await openLab()
  lab.certificate('OLD', 10)
  lab.certificate('N1', 60)
  lab.certificate('NEW', 90)
})

afterEach(async () => {
  const violations = lab.emulator.resources.violations()
  await lab.emulator.stop()
  expect(violations).toEqual([])
})

const FROM_OLD: ResourceSeed = {
  type: 'clb',
  region: 'ap-guangzhou',
  instance: 'lb-gz000001|lbl-gz000001',
  certId: 'OLD'
}
/** A listener that has always served N1: it never used OLD. */
const ON_N1: ResourceSeed = {
  type: 'clb',
  region: 'ap-guangzhou',
  instance: 'lb-other001|lbl-other001',
  certId: 'N1'
}
const OPTIONS: ReplaceOptions = {
  scope: 'all',
  timeoutMs: 60_000,
  rollbackOnFailure: false,
  dryRun: false
}

const serving = () =>
  Object.fromEntries(lab.emulator.resources.all().map(r => [r.instance, r.certId]))
const count = (action: string) => lab.actions().filter(a => a === action).length

async function replace(supersedes?: (newer: string, older: string) => boolean) {
  lab.emulator.resources.seed([FROM_OLD, ON_N1])
  lab.emulator.resources.openUpdate({
    from: 'OLD',
    to: 'N1',
    instances: [FROM_OLD.instance],
    polls: 2
  })
  return replaceResources(lab.api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, {
    clock: lab.clock,
    log: lab.log,
    supersedes
  })
}

describe('what an earlier record moved to N1', () => {
  it('NEW supersedes N1: all of N1’s resources of those types move on, each reported', async () => {
    const result = await replace((newer, older) => newer === 'NEW' && older === 'N1')
    expect(serving()).toEqual({ [FROM_OLD.instance]: 'NEW', [ON_N1.instance]: 'NEW' })
    expect(result.replaced.map(e => [e.instance, e.from, e.to, e.status, e.error]).sort()).toEqual(
      [
        [FROM_OLD.instance, 'OLD', 'NEW', 'success', null],
        [ON_N1.instance, 'N1', 'NEW', 'success', null]
      ].sort()
    )
    expect(result.failures).toEqual([])
    expect(result.free).toEqual(['OLD'])
  })

  it('NEW does not supersede N1: nothing is asked of N1, its resources stay and are reported failed', async () => {
    const result = await replace((newer, older) => newer === 'N1' && older === 'OLD')
    expect(serving()).toEqual({ [FROM_OLD.instance]: 'N1', [ON_N1.instance]: 'N1' })
    // Only the call from OLD (answered with the earlier run's record).
    expect(count('UpdateCertificateInstance')).toBe(1)
    expect(result.replaced).toEqual([
      expect.objectContaining({
        from: 'OLD',
        instance: FROM_OLD.instance,
        status: 'failed',
        error: expect.stringMatching(/serves N1 .*not NEW/)
      })
    ])
    expect(result.failures.map(f => f.instance)).toEqual([FROM_OLD.instance])
    expect(lab.lines.join('\n')).toMatch(
      /moved 1 resource\(s\) to N1, which NEW does not supersede/
    )
  })

  it('without the rule (no pool known): the same, fail safe', async () => {
    const result = await replace(undefined)
    expect(serving()).toEqual({ [FROM_OLD.instance]: 'N1', [ON_N1.instance]: 'N1' })
    expect(count('UpdateCertificateInstance')).toBe(1)
    expect(result.replaced.map(e => e.status)).toEqual(['failed'])
  })
})

describe('poolRules().supersedes', () => {
  const now = new Date('2026-06-01T00:00:00Z')
  const cert = (id: string, days: number, extra: Partial<ListedCertificate> = {}) =>
    ({
      id,
      domains: ['www.example.test'],
      notAfter: new Date(now.getTime() + days * DAY),
      notBefore: new Date(now.getTime() - DAY),
      certType: 'SVR',
      source: 'upload',
      keyAlgorithm: 'RSA',
      projectId: 0,
      alias: id,
      ...extra
    }) as ListedCertificate
  const rule = (listed: ListedCertificate[]) =>
    poolRules(listed, { certType: 'SVR', projectId: 0, now }).supersedes

  it('holds for an uploaded certificate of the pool that the newer one supersedes', () => {
    expect(rule([cert('N1', 60), cert('NEW', 90)])('NEW', 'N1')).toBe(true)
  })

  it.each([
    ['purchased', { source: 'buy' }],
    ['of another project', { projectId: 7 }],
    ['of the other key algorithm', { keyAlgorithm: 'ECDSA' }],
    ['of unknown key algorithm', { keyAlgorithm: null }],
    ['serving a name the newer one does not cover', { domains: ['www.example.test', 'x.test'] }],
    ['of another cert-type', { certType: 'CA' }]
  ] as [string, Partial<ListedCertificate>][])('not for N1 %s', (_, extra) => {
    expect(rule([cert('N1', 60, extra), cert('NEW', 90)])('NEW', 'N1')).toBe(false)
  })

  it('not for a certificate missing from the listing, nor the other way round', () => {
    expect(rule([cert('NEW', 90)])('NEW', 'N1')).toBe(false)
    expect(rule([cert('N1', 60), cert('NEW', 90)])('N1', 'NEW')).toBe(false)
  })

  it('the new certificate of a sync counts', () => {
    const { supersedes: check } = poolRules([cert('N1', 60)], {
      certType: 'SVR',
      projectId: 0,
      now,
      newCertificate: {
        id: 'UP',
        domains: ['www.example.test'],
        notAfter: new Date(now.getTime() + 90 * DAY),
        keyAlgorithm: 'RSA'
      }
    })
    expect(check('UP', 'N1')).toBe(true)
  })
})
