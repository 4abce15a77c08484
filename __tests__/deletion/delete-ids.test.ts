/**
 * `mode: delete`'s execution (src/deletion/delete-ids.ts) with the real clients against the emulator,
 * in-process, on both APIs: the named ids only, the same binding check, cap and dry run as
 * pruning, and a wrong id reported, not fatal. The emulator's store is the oracle.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import fetch from 'node-fetch'
import { recordingLog } from '../../fixtures/log.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { deleteByIds, type DeleteIdsOptions } from '../../src/deletion/delete-ids.js'
import type { FetchLike, SslClient } from '../../src/tencent/client.js'
import { createSslClient } from '../../src/tencent/index.js'

const DAY = 86_400_000
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ rateLimitPerSecond: 0, taskPolls: 0 })
})
afterAll(async () => emulator?.stop())
beforeEach(() => {
  emulator.reset()
  emulator.setOption({ taskPolls: 0 })
})

function clientFor(api: '3.0' | '2.0'): SslClient {
  return createSslClient(
    api,
    {
      credentials: emulator.credentials,
      endpoint: new URL(api === '3.0' ? emulator.url : emulator.v2Url),
      timeoutMs: 10_000,
      deps: {
        fetch: fetch as unknown as FetchLike,
        now: () => Date.now(),
        sleep: ms => new Promise(done => setTimeout(done, ms)),
        random: Math.random,
        debug: () => undefined,
        warning: () => undefined
      }
    },
    // Polls at once: the emulator's tasks settle on their first poll here.
    { poll: { firstDelayMs: 1, stepMs: 1, maxDelayMs: 1 } }
  )
}

function seedAccount() {
  const [plain, bound, bought, otherProject, untouched] = emulator.seed([
    { domains: ['a.example.test'], notAfter: new Date(Date.now() + 10 * DAY) },
    { domains: ['b.example.test'], notAfter: new Date(Date.now() + 20 * DAY), boundTo: ['cdn'] },
    { domains: ['c.example.test'], notAfter: new Date(Date.now() + 30 * DAY), from: 'trustasia' },
    { domains: ['d.example.test'], notAfter: new Date(Date.now() - DAY), projectId: 7 },
    { domains: ['a.example.test'], notAfter: new Date(Date.now() + 90 * DAY) }
  ])
  return { plain, bound, bought, otherProject, untouched }
}

const options = (ids: string[], more: Partial<DeleteIdsOptions> = {}): DeleteIdsOptions => ({
  ids,
  maxDeletions: 20,
  dryRun: false,
  now: new Date(),
  ...more
})

const liveIds = (): string[] =>
  emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)

describe.each(['3.0', '2.0'] as const)('API %s: delete by id', api => {
  it('deletes exactly the named ids that can go; reports bound, refused and unknown ones', async () => {
    const { plain, bound, bought, otherProject, untouched } = seedAccount()
    const named = [plain.id, bound.id, bought.id, otherProject.id, 'NOSUCH01', plain.id]
    const { log: recorder, lines } = recordingLog()
    const result = await deleteByIds(clientFor(api), options(named), recorder)

    expect(liveIds().sort()).toEqual([bound.id, bought.id, untouched.id].sort())
    expect(result.deleted.map(e => e.id)).toEqual([plain.id, otherProject.id])
    expect(result.notFound).toEqual(['NOSUCH01'])
    expect(result.skipped.map(e => e.id)).toEqual([bound.id, bought.id])
    expect(result.failed).toEqual([])
    expect(lines).toContainEqual(expect.stringMatching(/^warning NOSUCH01: no such certificate/))
    // Reported with what the look-up found.
    const first = result.found[0]
    expect(first.domains).toEqual(['a.example.test'])
    expect(first.notAfter.getTime()).toBe(
      plain.notAfter.getTime() - (plain.notAfter.getTime() % 1000)
    )
    expect(result.found.find(e => e.id === otherProject.id)?.expired).toBe(true)
  })

  it('deletes nothing in a dry run and sends nothing that changes state', async () => {
    const { plain, bound } = seedAccount()
    emulator.clearRequests()
    const result = await deleteByIds(
      clientFor(api),
      options([plain.id, bound.id], { dryRun: true }),
      recordingLog().log
    )
    // 2.0 has no read-only binding check: its dry run cannot know what CertDelete would refuse.
    expect(result.deleted.map(e => e.id)).toEqual(api === '3.0' ? [plain.id] : [plain.id, bound.id])
    expect(result.skipped.map(e => e.id)).toEqual(api === '3.0' ? [bound.id] : [])
    expect(emulator.certificates().filter(c => c.deleted)).toEqual([])
    const readOnly = new Set([
      'DescribeCertificates',
      'CreateCertificateBindResourceSyncTask',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskDetail',
      'CertGetList'
    ])
    expect(emulator.requests.filter(r => !readOnly.has(r.action))).toEqual([])
  })

  it('refuses every deletion when the named ids are over max-deletions', async () => {
    const { plain, otherProject, untouched } = seedAccount()
    const result = await deleteByIds(
      clientFor(api),
      options([plain.id, otherProject.id, untouched.id], { maxDeletions: 2 }),
      recordingLog().log
    )
    expect(result.refused?.planned.map(e => e.id)).toEqual([
      plain.id,
      otherProject.id,
      untouched.id
    ])
    expect(emulator.certificates().filter(c => c.deleted)).toEqual([])
  })
})
