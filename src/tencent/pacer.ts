/**
 * Client-side pacing: Tencent allows 10 requests per second per action. Rather than learn that
 * from throttling errors, every attempt waits for a slot in a rolling window per action.
 *
 * A slot is held from the moment the request may be sent until its answer came (or it was
 * abandoned), then for one more window. The server counts a request when it arrives, which is
 * somewhere between those two moments however slow the network or the machine: so a send is
 * never counted in the same server window as `limit` earlier ones, with no margin of time to
 * trust. The window is a little longer than the server's second for clocks that tick unevenly.
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

/** Ends a send's flight: call it once its answer came or the request was abandoned. */
export type Release = () => void

/** One send of an action: `end` is when its answer came, Infinity while it is in flight. */
interface Slot {
  end: number
}

export class Pacer {
  private readonly slots = new Map<string, Slot[]>()
  /** Callers waiting because every slot of an action is in flight, woken by a release. */
  private readonly waiting = new Map<string, (() => void)[]>()
  private readonly policy: PacingPolicy

  constructor(
    private readonly clock: PacerClock,
    policy: Partial<PacingPolicy> = {}
  ) {
    this.policy = { ...DEFAULT_PACING, ...policy }
  }

  /** Resolves when a request of `action` may be sent; the slot is held until `release()`. */
  async acquire(action: string): Promise<Release> {
    const { limit, windowMs } = this.policy
    let slots = this.slots.get(action)
    if (!slots) this.slots.set(action, (slots = []))
    for (;;) {
      const now = this.clock.now()
      // A clock that jumped backwards must not stall us: an end "in the future" counts as now.
      for (const slot of slots) if (slot.end !== Infinity) slot.end = Math.min(slot.end, now)
      const held = slots.filter(slot => slot.end > now - windowMs)
      slots.splice(0, slots.length, ...held)
      if (slots.length < limit) return this.take(action, slots)
      const ended = slots.filter(slot => slot.end !== Infinity).map(slot => slot.end)
      // Re-check after waking: concurrent callers may have taken the slot meanwhile.
      if (ended.length > 0) await this.clock.sleep(Math.min(...ended) + windowMs - now)
      else await new Promise<void>(wake => this.waitersOf(action).push(wake))
    }
  }

  private take(action: string, slots: Slot[]): Release {
    const slot: Slot = { end: Infinity }
    slots.push(slot)
    return () => {
      if (slot.end !== Infinity) return
      slot.end = this.clock.now()
      const waiters = this.waitersOf(action).splice(0)
      for (const wake of waiters) wake()
    }
  }

  private waitersOf(action: string): (() => void)[] {
    let waiters = this.waiting.get(action)
    if (!waiters) this.waiting.set(action, (waiters = []))
    return waiters
  }
}
