/**
 * Bounded waiting for Tencent's asynchronous tasks (binding checks, checked deletes): the first
 * two looks half a second apart, then half a second longer each time up to five, and never more
 * than two minutes in all, so a task that never finishes costs a bounded delay and is reported
 * as such. A quick task is seen done a second after it started; one that takes ten seconds costs
 * seven looks (each look asks about up to 100 tasks at once).
 */

export interface PollPolicy {
  /** Wait before the first look, and between the first and the second. */
  firstDelayMs: number
  /** How much longer each later wait is than the one before. */
  stepMs: number
  maxDelayMs: number
  totalMs: number
}

export const DEFAULT_POLL: Readonly<PollPolicy> = Object.freeze({
  firstDelayMs: 500,
  stepMs: 500,
  maxDelayMs: 5000,
  totalMs: 120_000
})

export interface PollClock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}

/**
 * Waits, then calls `check`, until it returns true or the total wait is spent.
 * Returns whether `check` reported completion.
 */
export async function pollUntilDone(
  clock: PollClock,
  policy: PollPolicy,
  check: () => Promise<boolean>
): Promise<boolean> {
  const deadline = clock.now() + policy.totalMs
  for (let look = 0; ; look++) {
    const delay = policy.firstDelayMs + Math.max(0, look - 1) * policy.stepMs
    const wait = Math.min(delay, policy.maxDelayMs, deadline - clock.now())
    if (wait <= 0) return false
    await clock.sleep(wait)
    if (await check()) return true
  }
}
