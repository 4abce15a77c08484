/**
 * The rounds of verify with an injected probe and a clock whose sleeps take no time.
 */
import { describe, expect, it } from '@jest/globals'
import { checkEndpoints, ROUND_INTERVAL_MS } from '../../src/verify/check.js'
import type { Endpoint } from '../../src/verify/endpoints.js'
import type { ProbeResult } from '../../src/verify/probe.js'
import {
  describeCheck,
  listVerdict,
  supersededServed,
  uploadVerdict,
  verifyFailure
} from '../../src/verify/report.js'

const NEW = 'aa'.repeat(32)
const OLD = 'bb'.repeat(32)
const NOW = Date.parse('2026-12-07T00:00:00Z')
const DAY = 86_400_000
const at = (host: string, address: string | null = null): Endpoint => ({ host, port: 443, address })
const served = (fingerprint: string, days = 90, names = ['www.example.com']): ProbeResult => ({
  ok: true,
  fingerprint,
  notAfter: new Date(NOW + days * DAY),
  names
})

function fakeTime() {
  let now = NOW
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      now += ms
    }
  }
}

/** A probe answering per host from a script: one answer per call, the last one repeated. */
function scriptedProbe(script: Record<string, ProbeResult[]>) {
  const calls: string[] = []
  let inFlight = 0
  let maxInFlight = 0
  const probe = async (e: Endpoint): Promise<ProbeResult> => {
    calls.push(e.host)
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    await new Promise(resolve => setImmediate(resolve))
    inFlight--
    const answers = script[e.host]
    return answers.length > 1 ? (answers.shift() as ProbeResult) : answers[0]
  }
  return { probe, calls, maxInFlight: () => maxInFlight }
}

describe('checkEndpoints', () => {
  it('probes again every 15 s only the endpoints that do not match yet, until all do', async () => {
    const time = fakeTime()
    const { probe, calls } = scriptedProbe({
      a: [served(NEW)],
      b: [served(OLD), served(OLD), served(NEW)]
    })
    const checks = await checkEndpoints(
      [at('a'), at('b')],
      { expected: NEW, timeoutMs: 300_000 },
      { probe, ...time }
    )
    expect(checks.map(c => [c.endpoint.host, c.matched, c.rounds])).toEqual([
      ['a', true, 1],
      ['b', true, 3]
    ])
    expect(calls).toEqual(['a', 'b', 'b', 'b'])
    expect(time.sleeps).toEqual([ROUND_INTERVAL_MS, ROUND_INTERVAL_MS])
  })

  it('stops when the next round would pass verify-timeout, with the last answers', async () => {
    const time = fakeTime()
    const { probe } = scriptedProbe({
      a: [served(OLD)],
      b: [{ ok: false, error: 'connect ECONNREFUSED' }]
    })
    const checks = await checkEndpoints(
      [at('a'), at('b')],
      { expected: NEW, timeoutMs: 60_000 },
      { probe, ...time }
    )
    // Rounds at 0, 15, 30, 45 and 60 s: the last one still inside the timeout.
    expect(checks.map(c => c.rounds)).toEqual([5, 5])
    expect(time.now() - NOW).toBe(60_000)
    expect(checks.map(uploadVerdict).map(v => v.status)).toEqual(['mismatch', 'unreachable'])
  })

  it('checks once with verify-timeout 0, and once without an expected fingerprint (list)', async () => {
    const time = fakeTime()
    const { probe, calls } = scriptedProbe({ a: [served(OLD), served(NEW)] })
    await checkEndpoints([at('a')], { expected: NEW, timeoutMs: 0 }, { probe, ...time })
    await checkEndpoints([at('a')], { timeoutMs: 300_000 }, { probe, ...time })
    expect(calls).toEqual(['a', 'a'])
    expect(time.sleeps).toEqual([])
  })

  it('probes at most `concurrency` endpoints at once', async () => {
    const time = fakeTime()
    const hosts = Array.from({ length: 20 }, (_, i) => `h${i}`)
    const { probe, calls, maxInFlight } = scriptedProbe(
      Object.fromEntries(hosts.map(h => [h, [served(NEW)]]))
    )
    await checkEndpoints(
      hosts.map(h => at(h)),
      { expected: NEW, timeoutMs: 0, concurrency: 8 },
      { probe, ...time }
    )
    expect(calls.sort()).toEqual([...hosts].sort())
    expect(maxInFlight()).toBe(8)
  })
})

describe('report', () => {
  const check = (result: ProbeResult, matched = false) => ({
    endpoint: at('www.example.com', '127.0.0.1'),
    result,
    matched,
    rounds: 2
  })

  it("shapes the verified entries as the contract's output", () => {
    expect(uploadVerdict(check(served(NEW), true))).toEqual({
      host: 'www.example.com',
      port: 443,
      address: '127.0.0.1',
      status: 'match',
      fingerprint: NEW,
      'not-after': new Date(NOW + 90 * DAY).toISOString(),
      error: null
    })
    expect(uploadVerdict(check({ ok: false, error: 'boom' }))).toMatchObject({
      status: 'unreachable',
      fingerprint: null,
      'not-after': null,
      error: 'boom'
    })
  })

  it('names the certificate this run superseded when an endpoint still serves it', () => {
    const old = {
      id: 'Old00001',
      notAfter: new Date(NOW + 10 * DAY + 400),
      domains: ['www.example.com']
    }
    const other = {
      id: 'Oth00001',
      notAfter: new Date(NOW + 10 * DAY),
      domains: ['other.example.com']
    }
    const c = check(served(OLD, 10))
    expect(supersededServed(c, [other, old])).toBe(old)
    expect(describeCheck(c, uploadVerdict(c), [old])).toMatch(
      /www.example.com:443 via 127.0.0.1 still serves another certificate \(SHA-256 b+, not after .*\): Old00001, the certificate this run superseded; the move has not reached it\./
    )
    expect(describeCheck(c, uploadVerdict(c), [other])).not.toContain('superseded')
  })

  it('fails naming the hosts that mismatch or are unreachable', () => {
    const verdicts = [
      uploadVerdict(check(served(NEW), true)),
      uploadVerdict({ ...check(served(OLD)), endpoint: at('old.example.com') }),
      uploadVerdict({
        ...check({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:1' }),
        endpoint: at('down.example.com')
      })
    ]
    expect(verifyFailure(verdicts, 300)).toBe(
      'verify: 2 of 3 endpoint(s) do not serve the uploaded certificate within 300 s: ' +
        'old.example.com:443 (serves another certificate), ' +
        'down.example.com:443 (unreachable: connect ECONNREFUSED 127.0.0.1:1)'
    )
    expect(verifyFailure(verdicts.slice(0, 1), 300)).toBeUndefined()
  })

  it('list: ok, or expiring within the days (an expired one too)', () => {
    const now = new Date(NOW)
    expect(listVerdict(check(served(NEW, 40)), now, 30).status).toBe('ok')
    expect(listVerdict(check(served(NEW, 20)), now, 30).status).toBe('expiring')
    expect(listVerdict(check(served(NEW, -1)), now, 30).status).toBe('expiring')
    expect(listVerdict(check({ ok: false, error: 'x' }), now, 30).status).toBe('unreachable')
  })
})

describe('checkEndpoints with slow probes', () => {
  it('stops at the timeout by the clock when the probes themselves take long', async () => {
    const time = fakeTime()
    const probe = async (): Promise<ProbeResult> => {
      await time.sleep(10_000) // a connect timeout
      return { ok: false, error: 'no TLS handshake within 10 s' }
    }
    const checks = await checkEndpoints(
      [at('a')],
      { expected: NEW, timeoutMs: 60_000 },
      { probe, ...time }
    )
    // 0-10 s probe, sleep to 25, probe to 35, sleep to 50, probe to 60: then 75 > 60.
    expect(checks[0].rounds).toBe(3)
  })
})
