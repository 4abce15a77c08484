/**
 * Replace that reports only what really happened (issue 18, items 1 to 5): dist/index.js run like
 * a runner against the emulator. The oracle is the emulator's own state, never the action's
 * report: which certificate each resource serves, which certificates live, its record of
 * resources ever left without a certificate (none, checked after every test), and how many
 * moves each resource was given (`resources.attempts()`: update record items and retries).
 */
import 'reflect-metadata'
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import type { ResourceSeed } from '../../emulator/server.js'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS } from '../../fixtures/runner.js'
import {
  CHANGING,
  liveOf,
  parseJson,
  servingOf,
  type Replaced
} from '../support/resource-oracle.js'

const DAY = 86_400_000
const DOMAINS = ['www.trust.example.test', 'trust.example.test']
const CDN = 'www.trust.example.test'
const CLB = 'lb-gz000001|lbl-gz000001'

const lab = useE2eLab('replace-trust', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})
let ca: TestCa
let old: TestChain
let middle: TestChain
let renewed: TestChain

beforeAll(async () => {
  ca = await makeCa(1, 'Trust')
  old = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 20 * DAY) })
  middle = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 60 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

const run = (chain: TestChain | undefined, inputs: Record<string, string>) => lab.run(chain, inputs)
const serving = () => servingOf(lab.emulator)
const live = () => liveOf(lab.emulator)
const changingCalls = () =>
  lab.emulator.requests
    .filter(r => CHANGING.includes(r.action) && r.action !== 'UploadCertificate')
    .map(r => r.action)
const count = (action: string) => lab.emulator.requests.filter(r => r.action === action).length
const parse = parseJson

async function upload(chain: TestChain): Promise<string> {
  const result = await run(chain, { mode: 'upload' })
  expect(result.status).toBe(0)
  return result.outputs['certificate-id']
}

const cdnOn = (certId: string, extra: Partial<ResourceSeed> = {}): ResourceSeed => ({
  type: 'cdn',
  instance: CDN,
  certId,
  ...extra
})
const clbOn = (certId: string, extra: Partial<ResourceSeed> = {}): ResourceSeed => ({
  type: 'clb',
  region: 'ap-guangzhou',
  instance: CLB,
  certId,
  ...extra
})

describe('a renewal that is not valid yet supersedes nothing', () => {
  it('sync: nothing moves onto it and the old certificate stays, and the step says so', async () => {
    const oldId = await upload(old)
    lab.emulator.resources.seed([cdnOn(oldId), clbOn(oldId)])
    const future = await makeChain({
      ca,
      domains: DOMAINS,
      notBefore: new Date(Date.now() + 2 * DAY),
      notAfter: new Date(Date.now() + 92 * DAY)
    })
    lab.emulator.clearRequests()
    const result = await run(future, { mode: 'sync', replace: 'true' })
    expect(result.status).toBe(0)
    const newId = result.outputs['certificate-id']
    expect(newId).not.toBe(oldId)
    expect(serving()).toEqual({ [`cdn ${CDN}`]: oldId, [`clb ${CLB}`]: oldId })
    expect(live().sort()).toEqual([oldId, newId].sort())
    expect(parse<Replaced[]>(result.outputs.replaced)).toEqual([])
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([])
    expect(changingCalls()).toEqual([])
    const log = result.lines.join('\n')
    expect(log).toMatch(/not valid before [^\n]*supersedes nothing/)
    expect(log).toMatch(new RegExp(`Kept ${oldId}[^\\n]*${newId} supersedes it once valid`))

    // Once valid (here: the same certificate, reused, with an older one that is), a run goes on.
    const again = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(again.status).toBe(0)
    const validId = again.outputs['certificate-id']
    expect(serving()).toEqual({ [`cdn ${CDN}`]: validId, [`clb ${CLB}`]: validId })
    expect(live()).not.toContain(oldId)
  })

  it('deploy-to: a certificate not valid yet is deployed nowhere; the resource keeps its own', async () => {
    const oldId = await upload(old)
    lab.emulator.resources.seed([cdnOn(oldId)])
    const future = await makeChain({
      ca,
      domains: DOMAINS,
      notBefore: new Date(Date.now() + 2 * DAY),
      notAfter: new Date(Date.now() + 92 * DAY)
    })
    lab.emulator.clearRequests()
    const result = await run(future, { mode: 'upload', 'deploy-to': `cdn:${CDN}` })
    expect(result.status).toBe(0)
    expect(serving()).toEqual({ [`cdn ${CDN}`]: oldId })
    expect(count('DeployCertificateInstance')).toBe(0)
    expect(parse<Replaced[]>(result.outputs.replaced)).toEqual([])
    expect(result.lines.join('\n')).toMatch(/deploy-to: nothing deployed[^\n]*not valid before/)
  })

  it('prune: a newer certificate in the account that is not valid yet takes nothing', async () => {
    const oldId = await upload(old)
    lab.emulator.resources.seed([cdnOn(oldId)])
    const future = await makeChain({
      ca,
      domains: DOMAINS,
      notBefore: new Date(Date.now() + DAY),
      notAfter: new Date(Date.now() + 92 * DAY)
    })
    const futureId = await upload(future)
    lab.emulator.clearRequests()
    const result = await run(undefined, {
      mode: 'prune',
      'prune-domains': DOMAINS.join(','),
      replace: 'true'
    })
    expect(result.status).toBe(0)
    expect(serving()).toEqual({ [`cdn ${CDN}`]: oldId })
    expect(live().sort()).toEqual([oldId, futureId].sort())
    expect(changingCalls()).toEqual([])
    expect(result.lines.join('\n')).toMatch(
      new RegExp(`Kept ${oldId}[^\\n]*${futureId} supersedes it once valid`)
    )
  })
})

describe('max-deletions with replace', () => {
  const twoBound = async (): Promise<[string, string]> => {
    const oldId = await upload(old)
    const midId = await upload(middle)
    lab.emulator.resources.seed([
      cdnOn(oldId),
      { type: 'cdn', instance: 'trust.example.test', certId: midId }
    ])
    lab.emulator.clearRequests()
    return [oldId, midId]
  }

  for (const dryRun of ['false', 'true'])
    it(`two bound superseded certificates over a cap of 1 fail before anything moves (dry-run: ${dryRun})`, async () => {
      const [oldId, midId] = await twoBound()
      const before = serving()
      const result = await run(renewed, {
        mode: 'sync',
        replace: 'true',
        'max-deletions': '1',
        'dry-run': dryRun
      })
      expect(result.status).toBe(1)
      expect(serving()).toEqual(before)
      expect(changingCalls()).toEqual([])
      expect(live()).toEqual(expect.arrayContaining([oldId, midId]))
      expect(parse<string[]>(result.outputs['skipped-ids']).sort()).toEqual([oldId, midId].sort())
      expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([])
      expect(result.lines.join('\n')).toMatch(/::error::[^\n]*max-deletions/)
      expect(result.summary).toContain('over max-deletions')
    })
})

describe('rollback-on-failure, per old certificate', () => {
  it('rolls back an earlier run’s open record too: every resource ends on the old certificate', async () => {
    const oldId = await upload(old)
    const newId = await upload(renewed)
    lab.emulator.resources.seed([cdnOn(oldId), clbOn(oldId, { fail: {} })])
    // An earlier run moved the CDN domain (its record still running); this run moves the CLB.
    lab.emulator.resources.openUpdate({ from: oldId, to: newId, instances: [CDN], polls: 2 })
    lab.emulator.clearRequests()
    const result = await run(renewed, {
      mode: 'sync',
      replace: 'true',
      'rollback-on-failure': 'true'
    })
    expect(result.status).toBe(1)
    expect(serving()).toEqual({ [`cdn ${CDN}`]: oldId, [`clb ${CLB}`]: oldId })
    const replaced = parse<Replaced[]>(result.outputs.replaced)
    expect(replaced.map(r => [r.type, r.status]).sort()).toEqual([
      ['cdn', 'rolled-back'],
      ['clb', 'failed']
    ])
    expect(live()).toContain(oldId)
  })

  it('a refused rollback is reported with its error and fails the step, never a clean success', async () => {
    const oldId = await upload(old)
    lab.emulator.resources.seed([cdnOn(oldId), clbOn(oldId, { fail: {} })])
    lab.emulator.faults.add({
      kind: 'internal-error',
      action: 'UpdateCertificateRecordRollback',
      times: 50
    })
    lab.emulator.clearRequests()
    const result = await run(renewed, {
      mode: 'sync',
      replace: 'true',
      'rollback-on-failure': 'true'
    })
    expect(result.status).toBe(1)
    const newId = result.outputs['certificate-id']
    // The oracle: the CDN domain still serves the renewal, the rollback never happened.
    expect(serving()).toEqual({ [`cdn ${CDN}`]: newId, [`clb ${CLB}`]: oldId })
    const cdn = parse<Replaced[]>(result.outputs.replaced).find(r => r.type === 'cdn')
    expect(cdn?.error).toMatch(/rollback[^\n]*refused/)
    expect(result.lines.join('\n')).toMatch(/::error::[^\n]*cdn www\.trust\.example\.test/)
  })
})

describe('each resource once', () => {
  it('DeployStatus 0 for a record just created: one retry per resource, one entry per resource', async () => {
    lab.emulator.setOption('createdDeployStatus', 0)
    const oldId = await upload(old)
    lab.emulator.resources.seed([cdnOn(oldId), clbOn(oldId, { fail: { message: 'locked' } })])
    const before = lab.emulator.resources.attempts()
    lab.emulator.clearRequests()
    const result = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(result.status).toBe(1)
    const newId = result.outputs['certificate-id']
    expect(serving()).toEqual({ [`cdn ${CDN}`]: newId, [`clb ${CLB}`]: oldId })
    const replaced = parse<Replaced[]>(result.outputs.replaced)
    expect(replaced.map(r => [r.type, r.status]).sort()).toEqual([
      ['cdn', 'success'],
      ['clb', 'failed']
    ])
    const attempts = lab.emulator.resources.attempts()
    const clbKey = `clb@ap-guangzhou@${CLB}`
    expect((attempts[clbKey] ?? 0) - (before[clbKey] ?? 0)).toBe(2)
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
    expect(live()).toContain(oldId)
  })
})
