/**
 * The rounds of `verify`: every endpoint is probed (a bounded number at once, each connect with
 * its own timeout); those that do not serve the expected certificate yet are probed again every
 * ROUND_INTERVAL_MS until all do or the timeout passes (0: one round). Time comes from the
 * injected clock and sleep, so tests of minutes of rounds take none.
 */
import { forEachLimited } from '../concurrency.js'
import type { Endpoint } from './endpoints.js'
import type { ProbeResult, TlsProbe } from './probe.js'

export const ROUND_INTERVAL_MS = 15_000
export const CONNECT_TIMEOUT_MS = 10_000
export const CONCURRENCY = 8

export interface CheckDeps {
  probe: TlsProbe
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export interface CheckOptions {
  /** The fingerprint every endpoint must serve; absent: one round, nothing is waited for. */
  expected?: string
  /** How long to keep checking (ms); 0: one round. */
  timeoutMs: number
  intervalMs?: number
  connectTimeoutMs?: number
  concurrency?: number
  /** Called after each round with the endpoints still not serving `expected`. */
  onRound?: (round: number, pending: number) => void
}

export interface EndpointCheck {
  endpoint: Endpoint
  /** The last probe's answer. */
  result: ProbeResult
  /** `expected` was served. */
  matched: boolean
  /** Rounds it was probed in. */
  rounds: number
}

export async function checkEndpoints(
  endpoints: readonly Endpoint[],
  options: CheckOptions,
  deps: CheckDeps
): Promise<EndpointCheck[]> {
  const interval = options.intervalMs ?? ROUND_INTERVAL_MS
  const deadline = deps.now() + options.timeoutMs
  // Rounds at 0, 15, 30 s... up to the timeout; the clock also stops them when probes are slow.
  const maxRounds = Math.floor(options.timeoutMs / interval) + 1
  const checks: EndpointCheck[] = endpoints.map(endpoint => ({
    endpoint,
    result: { ok: false, error: 'not checked' },
    matched: false,
    rounds: 0
  }))
  for (let round = 1; ; round++) {
    const pending = checks.filter(c => !c.matched)
    await forEachLimited(pending, options.concurrency ?? CONCURRENCY, async check => {
      check.result = await deps.probe(
        check.endpoint,
        options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
      )
      check.rounds++
      check.matched =
        options.expected !== undefined &&
        check.result.ok &&
        check.result.fingerprint === options.expected
    })
    const left = checks.filter(c => !c.matched).length
    options.onRound?.(round, left)
    if (options.expected === undefined || left === 0 || round >= maxRounds) break
    if (deps.now() + interval > deadline) break
    await deps.sleep(interval)
  }
  return checks
}
