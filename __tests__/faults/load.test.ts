/**
 * Load: pruning 110 certificates among five thousand against the emulator's rate limit
 * (10 requests per second per action, its default) with no added latency. The action must pace
 * itself so that no request is throttled, list in pages of 1000, delete in batches of at most
 * 100 (3.0), and leave exactly the superseded certificates gone. No timing is asserted here:
 * timing belongs to bench/.
 */
import 'reflect-metadata'
import { afterAll, describe, expect, it } from '@jest/globals'
import type { SeedRecord } from '../../emulator/server.js'
import {
  closeLabs,
  crashSigns,
  DAY,
  invariantViolations,
  Lab,
  observedRun,
  RUN_TIMEOUT_MS
} from './harness.js'
import { startRecorder, type Recorder } from './recorder.js'

const SCOPE = ['load.example.test', 'www.load.example.test']
const THROTTLE_CODES = /^(RequestLimitExceeded.*|LimitExceeded\.RateLimitExceeded|4400)$/

const recorders: Recorder[] = []
afterAll(async () => {
  await Promise.all(recorders.map(r => r.stop()))
  await closeLabs()
})

const at = (days: number, minutes = 0): Date => new Date(Date.now() + days * DAY + minutes * 60_000)

/**
 * `duplicates` older copies of SCOPE plus one newer, then `others` out of scope: other domains,
 * SCOPE plus a domain outside it, and SCOPE issued by Tencent or of type CA.
 */
function population(duplicates: number, others: number): SeedRecord[] {
  const seeds: SeedRecord[] = []
  for (let i = 0; i < duplicates; i++) seeds.push({ domains: SCOPE, notAfter: at(30, -i) })
  seeds.push({ domains: SCOPE, notAfter: at(90) })
  for (let i = 0; i < others; i++) {
    const kind = i % 10
    if (kind === 0) seeds.push({ domains: SCOPE, notAfter: at(10), from: 'trustasia' })
    else if (kind === 1) seeds.push({ domains: SCOPE, notAfter: at(10), certType: 'CA' })
    else if (kind === 2)
      seeds.push({ domains: [...SCOPE, `extra-${i}.example.test`], notAfter: at(10) })
    else seeds.push({ domains: [`site-${i}.example.test`], notAfter: at(10 + (i % 50)) })
  }
  return seeds
}

async function pruneAtScale(api: '3.0' | '2.0', duplicates: number, others: number) {
  const lab = await Lab.open()
  expect(lab.emulator.options().rateLimitPerSecond).toBe(10)
  expect(lab.emulator.options().latencyMs).toBe(0)
  const recorder = await startRecorder(lab.emulator.url)
  recorders.push(recorder)
  const seeded = lab.emulator.seed(population(duplicates, others))
  const doomed = seeded.slice(0, duplicates).map(c => c.id)
  const endpoint = api === '3.0' ? recorder.url : `${recorder.url}/v2/index.php`
  const run = await observedRun(lab, api, {
    mode: 'prune',
    'prune-domains': SCOPE.join('\n'),
    'max-deletions': String(duplicates),
    endpoint
  })
  return { lab, recorder, seeded, doomed, ...run }
}

// 110, not more: each deletion costs one DescribeCertificateBindResourceTaskDetail (the types the
// counts leave out), paced at 10 a second. bench/ measures the thousands.
describe('API 3.0: 110 to prune among 5,000', () => {
  it(
    'paces under the rate limit, lists in pages of 1000, deletes in batches of 100',
    async () => {
      const { lab, recorder, seeded, doomed, before, after, result } = await pruneAtScale(
        '3.0',
        110,
        4889
      )
      expect(seeded).toHaveLength(5000)
      expect(crashSigns(result)).toEqual([])
      expect(result.lines.filter(l => l.startsWith('::error::'))).toEqual([])
      expect(result.status).toBe(0)

      // Not one request was throttled, nor refused for any other reason.
      const requests = lab.emulator.requests
      expect(requests.filter(r => THROTTLE_CODES.test(r.code))).toEqual([])
      expect(requests.filter(r => r.status !== 200 || r.code !== '')).toEqual([])
      expect(recorder.calls).toHaveLength(requests.length)

      // The end state: exactly the 110 superseded duplicates are gone.
      expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual([...doomed].sort())
      const gone = after.filter(c => c.deleted).map(c => c.id)
      expect(gone.sort()).toEqual([...doomed].sort())
      expect(after.filter(c => !c.deleted)).toHaveLength(4890)
      expect(invariantViolations({ before, after, result, scope: SCOPE })).toEqual([])

      // Listing: every page asks for 1000 uploaded SVR certificates, as many pages as those need.
      const pages = recorder.paramsOf('DescribeCertificates')
      expect(pages.length).toBeGreaterThan(0)
      for (const page of pages) expect(page).toMatchObject({ Limit: 1000, FilterSource: 'upload' })
      const listed = lab.emulator
        .certificates()
        .filter(c => c.from === 'upload' && c.certType === 'SVR').length
      expect(pages).toHaveLength(Math.ceil(listed / 1000))
      expect(pages.map(p => p.Offset)).toEqual(pages.map((_, i) => i * 1000))

      // Deletion: batches of at most 100 ids, each id once, 2 requests for 110.
      const batches = recorder.paramsOf('DeleteCertificates').map(p => p.CertificateIds as string[])
      expect(batches).toHaveLength(2)
      for (const ids of batches) expect(ids.length).toBeLessThanOrEqual(100)
      expect(batches.flat().sort()).toEqual([...doomed].sort())
      // The binding check before it is batched the same way.
      const checks = recorder.paramsOf('CreateCertificateBindResourceSyncTask')
      for (const check of checks)
        expect((check.CertificateIds as string[]).length).toBeLessThanOrEqual(100)
      expect(checks.flatMap(c => c.CertificateIds as string[]).sort()).toEqual([...doomed].sort())
      // Each one's task was asked, once, about the types the counts leave out.
      const details = recorder.paramsOf('DescribeCertificateBindResourceTaskDetail')
      expect(details).toHaveLength(110)
      expect(new Set(details.map(d => d.TaskId)).size).toBe(110)
    },
    RUN_TIMEOUT_MS
  )
})

describe('API 2.0: 60 to prune among 300', () => {
  it(
    'deletes one by one, paced under the rate limit, without a throttling answer',
    async () => {
      const { lab, recorder, doomed, before, after, result } = await pruneAtScale('2.0', 60, 239)
      expect(crashSigns(result)).toEqual([])
      expect(result.status).toBe(0)

      const requests = lab.emulator.requests
      expect(requests.filter(r => THROTTLE_CODES.test(r.code))).toEqual([])
      expect(requests.filter(r => r.status !== 200 || r.code !== '')).toEqual([])

      expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual([...doomed].sort())
      expect(
        after
          .filter(c => c.deleted)
          .map(c => c.id)
          .sort()
      ).toEqual([...doomed].sort())
      expect(invariantViolations({ before, after, result, scope: SCOPE })).toEqual([])

      // More than 10 deletions: one request per certificate, so pacing had to hold them back.
      const deletes = recorder.paramsOf('CertDelete').map(p => p.id as string)
      expect(deletes.sort()).toEqual([...doomed].sort())
    },
    RUN_TIMEOUT_MS
  )
})
