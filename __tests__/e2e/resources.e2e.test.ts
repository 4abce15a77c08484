/**
 * Moving and deploying live resources end to end (promise 7): dist/index.js run like a runner
 * against the emulator's resources. The oracle is the emulator's own state (which certificate
 * each resource serves, which certificates live), its request log, and its record of resources
 * ever left without a certificate, checked after every test: none.
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
const DOMAINS = ['www.res.example.test', 'res.example.test']

const lab = useE2eLab('resources', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})
let ca: TestCa
let old: TestChain
let renewed: TestChain

beforeAll(async () => {
  ca = await makeCa(1, 'Resources')
  old = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 20 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

const run = (chain: TestChain | undefined, inputs: Record<string, string>) => lab.run(chain, inputs)

const serving = () => servingOf(lab.emulator)
const live = () => liveOf(lab.emulator)
const changingCalls = () => lab.emulator.requests.filter(r => CHANGING.includes(r.action))
const parse = parseJson

/** Uploads the old certificate and binds `seeds` to it (CDN and CLB by default). */
async function liveOld(seeds?: (oldId: string) => ResourceSeed[]): Promise<string> {
  const first = await run(old, { mode: 'upload' })
  expect(first.status).toBe(0)
  const oldId = first.outputs['certificate-id']
  lab.emulator.resources.seed(
    seeds?.(oldId) ?? [
      { type: 'cdn', instance: 'www.res.example.test', certId: oldId },
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000001|lbl-gz000001', certId: oldId },
      {
        type: 'clb',
        region: 'ap-shanghai',
        instance: 'lb-sh000001|lbl-sh000001|www.res.example.test',
        certId: oldId
      }
    ]
  )
  lab.emulator.clearRequests()
  return oldId
}

/** A CDN domain, and a CLB listener whose move fails twice (the move and its one retry). */
const cdnAndFailingClb = (id: string, message?: string): ResourceSeed[] => [
  { type: 'cdn', instance: 'www.res.example.test', certId: id },
  {
    type: 'clb',
    region: 'ap-guangzhou',
    instance: 'lb-gz000001|lbl-gz000001',
    certId: id,
    fail: { times: 2, message }
  }
]

describe('deploy-to', () => {
  it('binds the uploaded certificate to a regional and a global type and leaves one already serving it', async () => {
    lab.emulator.resources.seed([
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000009|lbl-gz000009' },
      { type: 'teo', instance: 'res.example.test' }
    ])
    const result = await run(renewed, {
      mode: 'upload',
      'deploy-to': 'clb:lb-gz000009|lbl-gz000009@ap-guangzhou\nteo:res.example.test'
    })
    expect(result.status).toBe(0)
    const id = result.outputs['certificate-id']
    expect(serving()).toEqual({
      'clb lb-gz000009|lbl-gz000009': id,
      'teo res.example.test': id
    })
    const replaced = parse<Replaced[]>(result.outputs.replaced)
    expect(replaced.map(r => [r.type, r.region, r.status, r.to])).toEqual([
      ['clb', 'ap-guangzhou', 'success', id],
      ['teo', null, 'success', id]
    ])
    expect(result.summary).toContain('### Resources')

    // Again: both already serve it, nothing is deployed twice.
    lab.emulator.clearRequests()
    const again = await run(renewed, {
      mode: 'upload',
      'deploy-to': 'clb:lb-gz000009|lbl-gz000009@ap-guangzhou\nteo:res.example.test'
    })
    expect(again.status).toBe(0)
    expect(parse<Replaced[]>(again.outputs.replaced).map(r => r.status)).toEqual([
      'unchanged',
      'unchanged'
    ])
    expect(changingCalls()).toEqual([])
  })

  it('refuses a regional type without its region, before any request', async () => {
    const result = await run(renewed, {
      mode: 'upload',
      'deploy-to': 'clb:lb-gz000009|lbl-gz000009'
    })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(/deploy-to/)
    expect(lab.emulator.requests).toEqual([])
  })
})

describe('replace in sync', () => {
  it('moves a CDN domain and CLB listeners in two regions onto the renewal, then deletes the old certificate', async () => {
    const oldId = await liveOld()
    const result = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(result.status).toBe(0)
    const newId = result.outputs['certificate-id']
    expect(Object.values(serving())).toEqual([newId, newId, newId])
    const replaced = parse<Replaced[]>(result.outputs.replaced)
    expect(replaced).toHaveLength(3)
    for (const r of replaced) expect(r).toMatchObject({ from: oldId, to: newId, status: 'success' })
    expect(replaced.map(r => r.region).sort()).toEqual(['ap-guangzhou', 'ap-shanghai', null].sort())
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([oldId])
    expect(live()).toEqual([newId])
  })

  it('replace: cdn moves the CDN domain only; the old certificate stays, with the reason', async () => {
    const oldId = await liveOld()
    const result = await run(renewed, { mode: 'sync', replace: 'cdn' })
    expect(result.status).toBe(0)
    const newId = result.outputs['certificate-id']
    expect(serving()).toEqual({
      'cdn www.res.example.test': newId,
      'clb lb-gz000001|lbl-gz000001': oldId,
      'clb lb-sh000001|lbl-sh000001|www.res.example.test': oldId
    })
    expect(parse<string[]>(result.outputs['skipped-ids'])).toEqual([oldId])
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([])
    expect(result.lines.join('\n')).toMatch(new RegExp(`${oldId}[^\\n]*clb`))
    expect(live().sort()).toEqual([oldId, newId].sort())
  })

  it('a resource that fails once moves on its retry, and the old certificate goes', async () => {
    const oldId = await liveOld(id => [
      { type: 'cdn', instance: 'www.res.example.test', certId: id, fail: { times: 1 } },
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000001|lbl-gz000001', certId: id }
    ])
    const result = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(result.status).toBe(0)
    expect(parse<Replaced[]>(result.outputs.replaced).map(r => r.status)).toEqual([
      'success',
      'success'
    ])
    expect(
      lab.emulator.requests.filter(r => r.action === 'UpdateCertificateRecordRetry')
    ).toHaveLength(1)
    expect(live()).not.toContain(oldId)
  })

  it('a resource that keeps failing fails the step, keeps the old certificate, and a re-run finishes the job', async () => {
    const oldId = await liveOld(id => cdnAndFailingClb(id, 'listener is locked'))
    const first = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(first.status).toBe(1)
    const newId = first.outputs['certificate-id']
    const replaced = parse<Replaced[]>(first.outputs.replaced)
    expect(replaced.find(r => r.type === 'clb')).toMatchObject({
      status: 'failed',
      region: 'ap-guangzhou',
      error: expect.stringContaining('listener is locked')
    })
    expect(replaced.find(r => r.type === 'cdn')).toMatchObject({ status: 'success', to: newId })
    expect(parse<string[]>(first.outputs['skipped-ids'])).toEqual([oldId])
    expect(first.lines.join('\n')).toMatch(/clb lb-gz000001\|lbl-gz000001 in ap-guangzhou/)
    expect(live()).toContain(oldId)

    const again = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(again.status).toBe(0)
    expect(again.outputs['certificate-id']).toBe(newId)
    expect(Object.values(serving())).toEqual([newId, newId])
    expect(live()).toEqual([newId])
  })

  it('rollback-on-failure moves the resources that did move back to the old certificate', async () => {
    const oldId = await liveOld(id => cdnAndFailingClb(id))
    const result = await run(renewed, {
      mode: 'sync',
      replace: 'true',
      'rollback-on-failure': 'true'
    })
    expect(result.status).toBe(1)
    expect(Object.values(serving())).toEqual([oldId, oldId])
    const statuses = parse<Replaced[]>(result.outputs.replaced).map(r => [r.type, r.status])
    expect(statuses).toEqual(
      expect.arrayContaining([
        ['cdn', 'rolled-back'],
        ['clb', 'failed']
      ])
    )
    expect(live()).toContain(oldId)

    // The failures spent, a re-run moves both and the old certificate goes.
    const again = await run(renewed, {
      mode: 'sync',
      replace: 'true',
      'rollback-on-failure': 'true'
    })
    expect(again.status).toBe(0)
    const newId = again.outputs['certificate-id']
    expect(Object.values(serving())).toEqual([newId, newId])
    expect(live()).toEqual([newId])
  })

  it('a dry run shows the planned moves and calls nothing that changes state', async () => {
    const oldId = await liveOld()
    const before = serving()
    const result = await run(renewed, { mode: 'sync', replace: 'true', 'dry-run': 'true' })
    expect(result.status).toBe(0)
    expect(changingCalls()).toEqual([])
    expect(serving()).toEqual(before)
    const replaced = parse<Replaced[]>(result.outputs.replaced)
    expect(replaced).toHaveLength(3)
    for (const r of replaced) expect(r).toMatchObject({ from: oldId, to: null, status: 'planned' })
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([oldId])
  })
})

describe('replace in sync with a newer certificate already in the account', () => {
  it('moves the resources onto the certificate just uploaded, as sync says, not the newest', async () => {
    const oldId = await liveOld(id => [
      { type: 'cdn', instance: 'www.res.example.test', certId: id }
    ])
    const farther = await makeChain({
      ca,
      domains: [...DOMAINS, 'extra.res.example.test'],
      notAfter: new Date(Date.now() + 150 * DAY)
    })
    const newest = await run(farther, { mode: 'upload' })
    const result = await run(renewed, { mode: 'sync', replace: 'true' })
    expect(result.status).toBe(0)
    const uploaded = result.outputs['certificate-id']
    expect(serving()).toEqual({ 'cdn www.res.example.test': uploaded })
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([oldId])
    expect(live().sort()).toEqual([uploaded, newest.outputs['certificate-id']].sort())
  })
})

describe('replace in prune', () => {
  it('moves resources onto the newest certificate that supersedes theirs', async () => {
    const oldId = await liveOld()
    const middle = await makeChain({
      ca,
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 60 * DAY)
    })
    const mid = await run(middle, { mode: 'upload' })
    const newest = await run(renewed, { mode: 'upload' })
    const newId = newest.outputs['certificate-id']
    const result = await run(undefined, {
      mode: 'prune',
      'prune-domains': DOMAINS.join(','),
      replace: 'true'
    })
    expect(result.status).toBe(0)
    expect(Object.values(serving())).toEqual([newId, newId, newId])
    expect(parse<string[]>(result.outputs['deleted-ids']).sort()).toEqual(
      [oldId, mid.outputs['certificate-id']].sort()
    )
    expect(live()).toEqual([newId])
  })
})

describe('resources the binding counts leave out (tse, mqtt, scf, tdmq, gaap)', () => {
  it('prune keeps a certificate that serves only a TSE gateway; with replace it moves, then goes', async () => {
    const oldId = await liveOld(id => [
      { type: 'tse', region: 'ap-guangzhou', instance: 'gateway-1', certId: id }
    ])
    const newest = await run(renewed, { mode: 'upload' })
    const newId = newest.outputs['certificate-id']
    const inputs = { mode: 'prune', 'prune-domains': DOMAINS.join(',') }

    const kept = await run(undefined, inputs)
    expect(kept.status).toBe(0)
    expect(parse<string[]>(kept.outputs['skipped-ids'])).toEqual([oldId])
    expect(kept.lines.join('\n')).toMatch(/bound to tse \(1\)/)
    expect(live()).toContain(oldId)

    const moved = await run(undefined, { ...inputs, replace: 'true' })
    expect(moved.status).toBe(0)
    expect(serving()).toEqual({ 'tse gateway-1': newId })
    expect(parse<string[]>(moved.outputs['deleted-ids'])).toEqual([oldId])
    expect(live()).toEqual([newId])
  })
})
