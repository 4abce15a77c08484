/**
 * How long and how often the one waiter (wait.ts) asks about Tencent's asynchronous tasks
 * (binding checks, checked deletes): half a second first, then half a second longer each time up
 * to five, and never more than two minutes in all, so a task that never finishes costs a bounded
 * delay and is reported as such (each look asks about up to 100 tasks at once).
 */

export interface PollPolicy {
  /** Wait before the first look. */
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
