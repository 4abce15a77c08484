/**
 * Tencent's per-action frequency limit, as a rolling window: a request is admitted when fewer
 * than `limit` requests of the same action were admitted in the last 1000 ms. Refused requests
 * do not count, so a client that backs off gets through again.
 */
const WINDOW_MS = 1000

export class RateLimiter {
  private readonly admitted = new Map<string, number[]>()

  admit(key: string, limit: number, nowMs: number): boolean {
    if (limit <= 0) return true
    const recent = (this.admitted.get(key) ?? []).filter(time => nowMs - time < WINDOW_MS)
    this.admitted.set(key, recent)
    if (recent.length >= limit) return false
    recent.push(nowMs)
    return true
  }

  clear(): void {
    this.admitted.clear()
  }
}
