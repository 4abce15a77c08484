/**
 * Keyless credentials that outlive ExpiredTime (issue 18 item 9): renewed a minute before it by
 * the server's clock (the answers' Date), one renewal however many requests wait, never handed
 * out expired; the transport asks for them on every attempt and learns the server's time from
 * every answer.
 */
import { describe, expect, it } from '@jest/globals'
import { keylessCredentials } from '../../src/credentials/credentials.js'
import { readOidcSettings } from '../../src/credentials/oidc-settings.js'
import { RENEW_BEFORE_MS, RenewingCredentials } from '../../src/credentials/renewal.js'
import type { TemporaryCredentials } from '../../src/tencent/sts.js'
import { ServerClock } from '../../src/tencent/server-clock.js'
import { Transport } from '../../src/tencent/transport.js'
import { Tc3Protocol } from '../../src/tencent/v3.js'
import {
  apiFailure,
  FakeClock,
  fakeFetch,
  makeDeps,
  START,
  v3Error,
  v3Ok
} from '../tencent/fakes.js'

const temporary = (n: number, expiresAt: number): TemporaryCredentials => ({
  secretId: `AKIDtmp${n}`,
  secretKey: `secret-key-number-${n}`,
  token: `session-token-number-${n}`,
  expiresAt: new Date(expiresAt)
})

describe('ServerClock', () => {
  it("keeps the largest offset a Date showed, and is never earlier than the runner's clock", () => {
    let local = 1_000_000_000_000
    const clock = new ServerClock(() => local)
    expect(clock.now()).toBe(local)
    clock.observe(new Date(local - 60_000).toUTCString(), local)
    expect(clock.now()).toBe(local)
    clock.observe(new Date(local + 120_000).toUTCString(), local)
    clock.observe(new Date(local + 30_000).toUTCString(), local)
    local += 5000
    expect(clock.now()).toBe(local + 120_000)
    clock.observe('not a date', local)
    clock.observe(null, local)
    expect(clock.now()).toBe(local + 120_000)
  })
})

describe('RenewingCredentials', () => {
  function setup(first = temporary(1, 1_000_000)) {
    let now = 0
    let renewals = 0
    const renewed: TemporaryCredentials[] = []
    const source = new RenewingCredentials(
      first,
      async () => {
        renewals++
        const next = temporary(renewals + 1, now + 900_000)
        renewed.push(next)
        return next
      },
      { now: () => now }
    )
    return {
      source,
      at: (ms: number) => void (now = ms),
      renewals: () => renewals,
      renewed
    }
  }

  it('keeps the credentials until a minute before ExpiredTime, then renews them', async () => {
    const { source, at, renewals } = setup()
    at(1_000_000 - RENEW_BEFORE_MS - 1)
    expect((await source.current()).secretId).toBe('AKIDtmp1')
    expect(renewals()).toBe(0)
    at(1_000_000 - RENEW_BEFORE_MS)
    expect((await source.current()).secretId).toBe('AKIDtmp2')
    expect(source.last.secretId).toBe('AKIDtmp2')
    expect((await source.current()).secretId).toBe('AKIDtmp2')
    expect(renewals()).toBe(1)
  })

  it('renews once for requests that ask at the same time', async () => {
    const { source, at, renewals } = setup()
    at(999_999)
    const all = await Promise.all([source.current(), source.current(), source.current()])
    expect(all.map(c => c.secretId)).toEqual(['AKIDtmp2', 'AKIDtmp2', 'AKIDtmp2'])
    expect(renewals()).toBe(1)
  })

  it('fails a request rather than sign it with expired credentials', async () => {
    const failing = new RenewingCredentials(
      temporary(1, 1_000_000),
      () => Promise.reject(new Error('STS is down')),
      { now: () => 990_000 }
    )
    await expect(failing.current()).rejects.toThrow('STS is down')
    const stale = new RenewingCredentials(
      temporary(1, 1_000_000),
      async () => temporary(2, 1_000_000),
      { now: () => 1_000_000 }
    )
    await expect(stale.current()).rejects.toThrow(/expired at .* no request is signed with them/)
  })
})

describe('the transport with a credential source', () => {
  it('signs each attempt with what the source gives then, and feeds the server clock', async () => {
    const clock = new FakeClock()
    const given = [temporary(1, 0), temporary(2, 0)]
    const asked: string[] = []
    const source = {
      current: async () => {
        const credentials = given[Math.min(asked.length, 1)]
        asked.push(credentials.secretId)
        return credentials
      }
    }
    const { fetch, requests } = fakeFetch(clock, () =>
      requests.length === 1
        ? { ...v3Error('InternalError'), headers: { date: new Date(START + 90_000).toUTCString() } }
        : v3Ok({})
    )
    const serverClock = new ServerClock(clock.clock)
    const transport = new Transport({
      deps: makeDeps(clock, fetch),
      timeoutMs: 1000,
      protocol: new Tc3Protocol(new URL('https://ssl.tencentcloudapi.com/')),
      secrets: [],
      credentials: source,
      serverClock
    })
    await clock.run(transport.call('DescribeCertificates', {}))
    expect(asked).toEqual(['AKIDtmp1', 'AKIDtmp2'])
    expect(requests.map(r => /Credential=(\w+)\//.exec(r.headers.Authorization)?.[1])).toEqual([
      'AKIDtmp1',
      'AKIDtmp2'
    ])
    expect(requests.map(r => r.headers['X-TC-Token'])).toEqual([
      'session-token-number-1',
      'session-token-number-2'
    ])
    // The first answer's Date was 90 s ahead of the runner: the clock now is at least that.
    expect(serverClock.now()).toBeGreaterThanOrEqual(START + 90_000)
    expect(serverClock.now()).toBeGreaterThan(clock.now)
  })

  it('asks for the credentials after the wait for a pacing slot, right before signing', async () => {
    // Ten answers take 2 s each: the 11th request waits for a slot, and its credentials are
    // asked for only then, so a long wait cannot leave it signing with expired ones.
    const clock = new FakeClock()
    const askedAt: number[] = []
    const source = {
      current: async () => {
        askedAt.push(clock.now)
        return temporary(1, 0)
      }
    }
    const { fetch, requests } = fakeFetch(clock, async () => {
      await clock.sleep(2000)
      return v3Ok({})
    })
    const transport = new Transport({
      deps: makeDeps(clock, fetch),
      timeoutMs: 5000,
      protocol: new Tc3Protocol(new URL('https://ssl.tencentcloudapi.com/')),
      secrets: [],
      credentials: source
    })
    const start = clock.now
    await clock.run(
      Promise.all(Array.from({ length: 11 }, () => transport.call('DescribeCertificates', {})))
    )
    expect(requests).toHaveLength(11)
    expect(askedAt.slice(0, 10).every(at => at === start)).toBe(true)
    expect(askedAt[10] - start).toBeGreaterThanOrEqual(2000)
    expect(requests[10].at).toBe(askedAt[10])
  })

  it("scrubs a renewed secret from an error's message", async () => {
    const clock = new FakeClock()
    const credentials = temporary(7, 0)
    const { fetch } = fakeFetch(clock, () =>
      v3Error('AuthFailure.TokenFailure', `bad token ${credentials.token}`)
    )
    const transport = new Transport({
      deps: makeDeps(clock, fetch),
      timeoutMs: 1000,
      protocol: new Tc3Protocol(new URL('https://ssl.tencentcloudapi.com/')),
      secrets: [],
      credentials: { current: async () => credentials }
    })
    const error = await apiFailure(clock.run(transport.call('DescribeCertificates', {})))
    expect(error.message).toContain('bad token ***')
    expect(error.message).not.toContain(credentials.token)
  })
})

describe('keylessCredentials', () => {
  it('exchanges a fresh GitHub token for each renewal, and exports the last credentials', async () => {
    const clock = new FakeClock()
    let exchanges = 0
    const { fetch } = fakeFetch(clock, () => {
      exchanges++
      return v3Ok({
        Credentials: {
          TmpSecretId: `AKIDrenewed${exchanges}`,
          TmpSecretKey: `renewed-secret-key-${exchanges}`,
          Token: `renewed-session-token-${exchanges}`
        },
        ExpiredTime: Math.floor(clock.now / 1000) + 900
      })
    })
    const tokens: string[] = []
    const lines: string[] = []
    const info = (line: string) => void lines.push(line)
    const exported: [string, string][] = []
    const oidc = readOidcSettings(
      name =>
        ({
          'role-arn': 'qcs::cam::uin/100000000001:roleName/r',
          'oidc-provider-id': 'github',
          'export-credentials': 'true'
        })[name] ?? '',
      {}
    )!
    const serverClock = new ServerClock(clock.clock)
    const source = await clock.run(
      keylessCredentials(oidc, {
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'u', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' },
        getIdToken: async () => {
          tokens.push(`token-${tokens.length + 1}`)
          return `eyJ.${tokens.length}.sig`
        },
        setSecret: () => undefined,
        exportVariable: (name, value) => exported.push([name, value]),
        log: { debug: () => undefined, info, notice: info, warning: info },
        client: makeDeps(clock, fetch),
        timeoutMs: 1000,
        serverClock
      })
    )
    expect((await source.current()).secretId).toBe('AKIDrenewed1')
    clock.now += 841_000
    expect((await clock.run(source.current())).secretId).toBe('AKIDrenewed2')
    expect(tokens).toHaveLength(2)
    expect(lines.filter(l => l.startsWith('Renewing the temporary credentials'))).toHaveLength(1)
    const last = exported.filter(([name]) => name === 'TENCENTCLOUD_SECRET_ID').pop()
    expect(last).toEqual(['TENCENTCLOUD_SECRET_ID', 'AKIDrenewed2'])
  })
})
