/**
 * A resource lab for the replace and deploy tests: an in-process emulator with certificates and
 * resources seeded, the 3.0 ResourceApi pointed at it over real HTTP, and a clock whose sleeps
 * take no time (they move the clock on instead), so waits of minutes run in milliseconds.
 */
import fetch from 'node-fetch'
import { recordingLog } from '../../fixtures/log.js'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js'
import type { Log } from '../../src/runner/log.js'
import type { ClientDeps, FetchLike } from '../../src/tencent/client.js'
import { ResourceApiV3 } from '../../src/tencent/resources.js'

const DAY = 86_400_000

/** Real time plus what was slept: the emulator checks signatures against its real clock, and a
 * test's sleeps (a few minutes at most) stay inside its 5-minute window. */
export class SkippingClock {
  private skipped = 0
  readonly sleeps: number[] = []
  readonly now = (): number => Date.now() + this.skipped
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.skipped += ms
    await new Promise(resolve => setImmediate(resolve))
  }
  get sleptMs(): number {
    return this.skipped
  }
}

export { recordingLog }

export interface ResourceLab {
  emulator: Emulator
  api: ResourceApiV3
  clock: SkippingClock
  log: Log
  lines: string[]
  /** Seeds a metadata certificate for `domains` expiring in `days`; its id. */
  certificate(id: string, days?: number, domains?: string[]): string
  /** Actions the emulator received, in order. */
  actions(): string[]
}

export async function openLab(options: EmulatorOptions = {}): Promise<ResourceLab> {
  const emulator = await startEmulator({ rateLimitPerSecond: 0, taskPolls: 1, ...options })
  const clock = new SkippingClock()
  const { log, lines } = recordingLog()
  const deps: ClientDeps = {
    fetch: fetch as unknown as FetchLike,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    debug: line => lines.push(`debug ${line}`),
    warning: line => lines.push(`warning ${line}`),
    // Requests answer in milliseconds; a timer would only keep jest waiting.
    setTimer: () => () => undefined
  }
  const api = new ResourceApiV3({
    credentials: {
      secretId: emulator.credentials.secretId,
      secretKey: emulator.credentials.secretKey
    },
    endpoint: new URL(emulator.url),
    timeoutMs: 30_000,
    deps
  })
  return {
    emulator,
    api,
    clock,
    log,
    lines,
    certificate(id, days = 60, domains = ['www.example.test']) {
      emulator.seed({ id, domains, notAfter: new Date(Date.now() + days * DAY) })
      return id
    },
    actions: () => emulator.requests.map(r => r.action)
  }
}
