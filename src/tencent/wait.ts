/**
 * The one waiter for Tencent's asynchronous work (binding tasks, update and deploy records, the
 * creation of an update task): sleep, ask, repeat, within a total time. Pure apart from the
 * injected clock, so tests wait no real time.
 *
 * The check answers a tri-state verdict: `done` with a typed value, `failed` with a reason, or
 * `pending` with an optional progress note. Running out of time is a state of its own
 * (`timeout`, with the last progress seen), never a thrown error, so every caller decides
 * what an unfinished wait means for it. An error thrown by the check ends the wait with it.
 */
import type { PollPolicy } from './poll.js'

export type { PollPolicy }

export type Verdict<T> =
  | { state: 'done'; value: T }
  | { state: 'failed'; reason: string }
  | { state: 'pending'; progress?: string }

export type WaitResult<T> =
  Exclude<Verdict<T>, { state: 'pending' }> | { state: 'timeout'; progress?: string }

export interface WaitClock {
  /** Milliseconds since the epoch. */
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export const done = <T>(value: T): Verdict<T> => ({ state: 'done', value })
export const pending = <T>(progress?: string): Verdict<T> => ({ state: 'pending', progress })

/**
 * Sleeps `firstDelayMs` (0: asks at once), asks, then waits a step longer each time up to
 * `maxDelayMs`, until the check settles or `totalMs` is spent. The last ask happens at the
 * deadline, not after it.
 */
export async function waitFor<T>(
  clock: WaitClock,
  policy: PollPolicy,
  check: () => Promise<Verdict<T>>
): Promise<WaitResult<T>> {
  const deadline = clock.now() + policy.totalMs
  let progress: string | undefined
  for (
    let delay = policy.firstDelayMs;
    ;
    // At least 1 ms between asks, so a zero policy cannot spin on a clock that only sleep moves.
    delay = Math.max(1, Math.min(policy.maxDelayMs, delay + policy.stepMs))
  ) {
    const left = deadline - clock.now()
    if (left <= 0) return { state: 'timeout', progress }
    const wait = Math.min(delay, left)
    if (wait > 0) await clock.sleep(wait)
    const verdict = await check()
    if (verdict.state !== 'pending') return verdict
    progress = verdict.progress
  }
}

/** The policy with its total set to what is left before `deadline` (never below 0). */
export function until(policy: PollPolicy, deadline: number, now: number): PollPolicy {
  return { ...policy, totalMs: Math.max(0, deadline - now) }
}
