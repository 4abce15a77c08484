/**
 * The verify stage (src/stages/verify.ts) in-process: an injected TLS probe and a clock whose
 * sleeps take no time, so rounds of minutes run at once.
 */
import { describe, expect, it } from '@jest/globals'
import { recordingIO } from '../../fixtures/io.js'
import { emptyOutcome, outputsFor, type Outcome } from '../../src/reporting/outcome.js'
import { readSettings } from '../../src/settings/inputs.js'
import type { RunContext } from '../../src/stages/context.js'
import { verify } from '../../src/stages/verify.js'
import { resolveEndpoints, type Endpoint } from '../../src/verify/endpoints.js'
import type { ProbeResult } from '../../src/verify/probe.js'

const NEW = 'aa'.repeat(32)
const OLD = 'bb'.repeat(32)
const START = Date.parse('2026-12-07T00:00:00Z')
const DAY = 86_400_000
const OLD_NOT_AFTER = new Date(START + 10 * DAY)

function setup(inputs: Record<string, string>, serve: (e: Endpoint, call: number) => ProbeResult) {
  const io = recordingIO({ 'secret-id': 'id', 'secret-key': 'key', ...inputs })
  const settings = readSettings(io.input, {})
  let now = START
  const calls: string[] = []
  const ctx = {
    io,
    settings,
    verify: resolveEndpoints(settings.verify, ['www.example.com']),
    deps: {
      now: () => now,
      sleep: async (ms: number) => void (now += ms)
    },
    tlsProbe: async (e: Endpoint) => {
      calls.push(e.host)
      return serve(e, calls.filter(h => h === e.host).length)
    },
    now: () => new Date(now)
  } as unknown as RunContext
  const outcome: Outcome = { ...emptyOutcome(), mode: settings.mode }
  outcome.leaf = {
    notAfter: new Date(START + 90 * DAY),
    domains: ['www.example.com'],
    fingerprint: NEW
  }
  return { ctx, outcome, io, calls, elapsed: () => now - START }
}

const served = (fingerprint: string, notAfter: Date, names = ['www.example.com']): ProbeResult => ({
  ok: true,
  fingerprint,
  notAfter,
  names
})

describe('the verify stage', () => {
  it('fails naming a host left on the certificate this run superseded, after verify-timeout', async () => {
    const { ctx, outcome, io, calls, elapsed } = setup(
      {
        mode: 'sync',
        cert: 'x',
        key: 'y',
        verify: 'www.example.com\napi.example.com',
        'verify-timeout': '120'
      },
      e =>
        e.host === 'api.example.com'
          ? served(NEW, new Date(START + 90 * DAY))
          : served(OLD, OLD_NOT_AFTER)
    )
    outcome.prune = {
      dryRun: false,
      scope: ['www.example.com'],
      deleted: [
        {
          id: 'OldCert1',
          domains: ['www.example.com'],
          notAfter: OLD_NOT_AFTER,
          alias: '',
          expired: false,
          reason: 'superseded',
          supersededByNew: true
        }
      ],
      kept: [],
      skipped: [],
      failed: [],
      refused: []
    }
    await verify(ctx, outcome)
    // Rounds at 0, 15, ..., 120 s: 9 for the host left behind, 1 for the other.
    expect(calls.filter(h => h === 'www.example.com')).toHaveLength(9)
    expect(calls.filter(h => h === 'api.example.com')).toHaveLength(1)
    expect(elapsed()).toBe(120_000)
    expect(outcome.verified.map(v => [v.host, v.status])).toEqual([
      ['www.example.com', 'mismatch'],
      ['api.example.com', 'match']
    ])
    expect(outcome.problems).toEqual([
      'verify: 1 of 2 endpoint(s) do not serve the uploaded certificate within 120 s: www.example.com:443 (serves another certificate)'
    ])
    expect(io.lines.join('\n')).toContain(
      'OldCert1, the certificate this run superseded; the move has not reached it.'
    )
    expect(JSON.parse(outputsFor(outcome).verified)).toHaveLength(2)
  })

  it("expands 'true' and ends as soon as every endpoint matches", async () => {
    const { ctx, outcome, calls, elapsed } = setup(
      { mode: 'upload', cert: 'x', key: 'y', verify: 'true' },
      (_e, call) =>
        call < 3 ? served(OLD, OLD_NOT_AFTER) : served(NEW, new Date(START + 90 * DAY))
    )
    await verify(ctx, outcome)
    expect(calls).toEqual(['www.example.com', 'www.example.com', 'www.example.com'])
    expect(elapsed()).toBe(30_000)
    expect(outcome.verified).toMatchObject([
      { host: 'www.example.com', port: 443, address: null, status: 'match' }
    ])
    expect(outcome.problems).toEqual([])
  })

  it('a dry run looks once and does not fail', async () => {
    const { ctx, outcome, io, calls } = setup(
      { mode: 'sync', cert: 'x', key: 'y', verify: 'www.example.com', 'dry-run': 'true' },
      () => ({ ok: false, error: 'connect ECONNREFUSED' })
    )
    await verify(ctx, outcome)
    expect(calls).toHaveLength(1)
    expect(outcome.problems).toEqual([])
    expect(io.lines.join('\n')).toMatch(/notice: Dry run: verify: 1 of 1 endpoint/)
  })

  it('list: one look; an expiring served certificate fails only with fail-on-expiring', async () => {
    for (const failOnExpiring of ['false', 'true']) {
      const { ctx, outcome, calls } = setup(
        {
          mode: 'list',
          verify: 'www.example.com\nok.example.com',
          'fail-on-expiring': failOnExpiring
        },
        e => served(OLD, e.host === 'ok.example.com' ? new Date(START + 60 * DAY) : OLD_NOT_AFTER)
      )
      await verify(ctx, outcome)
      expect(calls).toHaveLength(2)
      expect(outcome.verified.map(v => v.status)).toEqual(['expiring', 'ok'])
      expect(outcome.problems).toHaveLength(failOnExpiring === 'true' ? 1 : 0)
    }
  })

  it('does nothing without verify', async () => {
    const { ctx, outcome, calls } = setup({ mode: 'sync', cert: 'x', key: 'y' }, () =>
      served(NEW, OLD_NOT_AFTER)
    )
    await verify(ctx, outcome)
    expect(calls).toEqual([])
    expect(outputsFor(outcome).verified).toBe('[]')
  })
})
