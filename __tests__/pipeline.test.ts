/** The pipeline in-process (src/main.ts `run` with a recording ActionIO): one failure, one summary, the mode's outputs. */
import { describe, expect, it } from '@jest/globals'
import { recordingIO } from '../fixtures/io.js'
import { run } from '../src/main.js'
import { outputsFor, emptyOutcome } from '../src/reporting/outcome.js'

const keys = { 'secret-id': 'AKIDtest', 'secret-key': 'secret-value' }

describe('run', () => {
  it('fails once, before any request, writes a summary, and sets the mode outputs', async () => {
    const io = recordingIO({ ...keys, mode: 'prune', 'prune-domains': 'a.example.com', keep: 'x' })
    await run(io)
    expect(io.failures).toHaveLength(1)
    expect(io.failures[0]).toMatch(/keep/)
    expect(io.summaries).toHaveLength(1)
    expect(io.summaries[0]).toContain('**Failed:**')
    expect(io.outputs).toEqual({
      'deleted-ids': '[]',
      'skipped-ids': '[]',
      replaced: '[]',
      'account-id': '',
      notified: '[]'
    })
  })

  it('masks the secret key before anything else', async () => {
    const io = recordingIO({ ...keys, mode: 'upload', cert: 'missing.pem', key: 'missing.pem' })
    await run(io)
    expect(io.masked[0]).toBe('secret-value')
    expect(io.failures[0]).toMatch(/Input 'key'/)
  })
})

describe('outputsFor', () => {
  it('gives each mode its own outputs only', () => {
    const outcome = { ...emptyOutcome(), mode: 'list' as const }
    expect(Object.keys(outputsFor(outcome)).sort()).toEqual([
      'account-id',
      'certificates',
      'expiring-ids',
      'notified',
      'stale-bound-ids',
      'verified'
    ])
    outcome.mode = 'upload' as never
    expect(Object.keys(outputsFor(outcome))).toContain('certificate-id')
  })

  it('gives the certificate outputs once an upload is recorded', () => {
    const outcome = {
      ...emptyOutcome(),
      mode: 'sync' as const,
      leaf: {
        notAfter: new Date('2027-01-02T03:04:05Z'),
        domains: ['a.example.com'],
        fingerprint: 'ab'
      },
      certificate: {
        id: 'Ab12Cd34',
        domains: ['a.example.com'],
        notAfter: new Date('2027-01-02T03:04:05Z'),
        fingerprint: 'ab',
        state: 'new',
        reused: false
      },
      deletedIds: ['Old00001']
    }
    expect(outputsFor(outcome)).toMatchObject({
      'certificate-id': 'Ab12Cd34',
      reused: 'false',
      'not-after': '2027-01-02T03:04:05.000Z',
      domains: '["a.example.com"]',
      'deleted-ids': '["Old00001"]',
      'skipped-ids': '[]'
    })
  })
})

describe('run against the emulator, with sleeps that take no time', () => {
  it('a replacement that never settles times out at replace-timeout: failed, old certificate kept', async () => {
    const { startEmulator } = await import('../emulator/server.js')
    const { makeChain } = await import('../fixtures/certs.js')
    const { SkippingClock } = await import('./support/resource-lab.js')
    // The injected clock runs ahead of the real one: the emulator's per-second limit would see
    // the pacer's requests as a burst.
    const emulator = await startEmulator({ rateLimitPerSecond: 0 })
    try {
      emulator.setOption({ taskPolls: 0, recordPolls: 0, creationPolls: 0 })
      const domains = ['slow.example.test']
      const [old] = emulator.seed({ domains, notAfter: new Date(Date.now() + 10 * 86_400_000) })
      emulator.resources.seed({
        type: 'cdn',
        instance: 'slow.example.test',
        certId: old.id,
        settlePolls: 100_000
      })
      const chain = await makeChain({ domains })
      const io = recordingIO({
        mode: 'sync',
        cert: chain.fullchainPem,
        key: chain.keyPem,
        endpoint: emulator.url,
        'secret-id': emulator.credentials.secretId,
        'secret-key': emulator.credentials.secretKey,
        replace: 'true',
        'replace-timeout': '30'
      })
      const clock = new SkippingClock()
      await run(io, clock)
      expect(io.failures).toHaveLength(1)
      expect(io.failures[0]).toMatch(/cdn slow\.example\.test/)
      const replaced = JSON.parse(io.outputs.replaced) as { status: string; error: string }[]
      expect(replaced).toEqual([expect.objectContaining({ status: 'failed' })])
      expect(replaced[0].error).toMatch(/30 s|timed out|did not finish|within/i)
      expect(JSON.parse(io.outputs['skipped-ids'])).toEqual([old.id])
      expect(emulator.certificates().find(c => c.id === old.id)?.deleted).toBe(false)
      // The wait was the timeout's, on the injected clock: about 30 s, not minutes.
      expect(clock.sleptMs).toBeGreaterThanOrEqual(30_000)
      expect(clock.sleptMs).toBeLessThan(40_000)
      expect(emulator.resources.violations()).toEqual([])
    } finally {
      await emulator.stop()
    }
  })
})

describe('prepare', () => {
  it('no longer warns of a role-duration shorter than replace-timeout: credentials are renewed', async () => {
    const keyless = {
      mode: 'prune',
      'prune-domains': 'a.example.com',
      'role-arn': 'qcs::cam::uin/100000000001:roleName/ci',
      'oidc-provider-id': 'github',
      replace: 'true',
      'replace-timeout': '900'
    }
    const short = recordingIO({ ...keyless, 'role-duration': '900' })
    await run(short)
    expect(short.lines.filter(l => l.includes('role-duration'))).toEqual([])
    const long = recordingIO({ ...keyless, 'role-duration': '1800' })
    await run(long)
    expect(long.lines.filter(l => l.includes('role-duration'))).toEqual([])
    // Both then fail at the token request: no runner gives this test one.
    expect(long.failures[0]).toMatch(/id-token: write/)
  })
})
