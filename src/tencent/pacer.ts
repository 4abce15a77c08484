/**
 * Client-side pacing: Tencent allows 10 requests per second per action. Rather than learn that
 * from throttling errors, every attempt waits for a slot in a rolling window per action. The
 * window is a little longer than the server's second so that clock jitter never tips us over.
 */

export interface PacingPolicy {
  /** Sends allowed per action in any window. */
  limit: number
  windowMs: number
}

export const DEFAULT_PACING: Readonly<PacingPolicy> = Object.freeze({ limit: 10, windowMs: 1100 })

export interface PacerClock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export class Pacer {
  /** Send times per action, oldest first; never more than `limit` kept. */
  private readonly sent = new Map<string, number[]>()
  private readonly policy: PacingPolicy

  constructor(
    private readonly clock: PacerClock,
    policy: Partial<PacingPolicy> = {}
  ) {
    this.policy = { ...DEFAULT_PACING, ...policy }
  }

  /** Resolves when a request of `action` may be sent, and counts it as sent. */
  async acquire(action: string): Promise<void> {
    const { limit, windowMs } = this.policy
    let times = this.sent.get(action)
    if (!times) this.sent.set(action, (times = []))
    for (;;) {
      const now = this.clock.now()
      // A clock that jumped backwards must not stall us: a send "in the future" counts as now.
      for (let i = 0; i < times.length; i++) times[i] = Math.min(times[i], now)
      while (times.length > 0 && times[0] <= now - windowMs) times.shift()
      if (times.length < limit) {
        times.push(now)
        return
      }
      // Re-check after waking: concurrent callers may have taken the slot meanwhile.
      await this.clock.sleep(times[0] + windowMs - now)
    }
  }
}
