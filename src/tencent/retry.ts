/**
 * Which failures are worth another attempt, and how long to wait before it.
 *
 * Classification works on `TencentApiError.code`: 3.0 string codes, 2.0 numeric codes as strings,
 * and the transport's own codes (`HttpError.<status>`, `NetworkError.<errno>`, `Timeout`,
 * `MalformedResponse`). Anything not listed here is not retried.
 */

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number
  /** Backoff before retry n (0-based) is random() * min(capMs, baseMs * 2^n): full jitter. */
  baseMs: number
  capMs: number
  /** No retry starts once this much time (injected clock) has passed since the first attempt. */
  budgetMs: number
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseMs: 500,
  capMs: 8000,
  budgetMs: 60_000
})

/** `retry`: try again after a backoff. `skew`: try once more with the server's clock. */
export type FailureKind = 'retry' | 'skew' | 'fatal'

/** Network failures that say nothing about the server's state, or prove it never saw us. */
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  // A body cut off mid-way (node-fetch), and routes that may come back. ENOTFOUND is not
  // here: a name that does not exist is a wrong endpoint, not a passing fault.
  'ERR_STREAM_PREMATURE_CLOSE',
  'EHOSTUNREACH',
  'ENETUNREACH'
])

/** Failures that happened before the request could reach the server. */
const NEVER_SENT = new Set([
  'NetworkError.ECONNREFUSED',
  'NetworkError.EAI_AGAIN',
  'NetworkError.EHOSTUNREACH',
  'NetworkError.ENETUNREACH'
])

const SKEW_CODES = new Set(['AuthFailure.SignatureExpire', '4500'])

/** Throttling: the server refused to act, so a retry is always safe. 2.0 code 4400 is a quota. */
export function isThrottling(code: string): boolean {
  return (
    code === 'RequestLimitExceeded' ||
    code.startsWith('RequestLimitExceeded.') ||
    code === 'LimitExceeded.RateLimitExceeded' ||
    code === 'HttpError.429'
  )
}

export function classifyFailure(code: string): FailureKind {
  if (SKEW_CODES.has(code)) return 'skew'
  if (isThrottling(code)) return 'retry'
  if (code === 'InternalError' || code.startsWith('InternalError.')) return 'retry'
  if (/^HttpError\.5\d\d$/.test(code)) return 'retry'
  if (code === 'Timeout') return 'retry'
  if (code.startsWith('NetworkError.') && RETRYABLE_NETWORK.has(code.slice(13))) return 'retry'
  if (code === '6000' || code === '6200') return 'retry'
  return 'fatal'
}

/**
 * True when the failure proves the server did not act on the request, so even a non-idempotent
 * call may be repeated: throttling, a clock-skew refusal, or a connection that never opened.
 */
export function provesNotProcessed(code: string): boolean {
  return isThrottling(code) || SKEW_CODES.has(code) || NEVER_SENT.has(code)
}

/** Milliseconds to wait before retry number `retryIndex` (0 for the first retry). */
export function backoffDelay(
  policy: RetryPolicy,
  retryIndex: number,
  random: () => number
): number {
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** retryIndex)
}

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides }
}
