/**
 * The server's time as its answers show it (the HTTP `Date` header). STS's `ExpiredTime` is the
 * server's clock, and the runner's may be behind it: the renewal of temporary credentials asks
 * this clock, never the runner's alone.
 *
 * Each answer's Date (whole seconds, stamped before the answer left) is a lower bound of the
 * server's time when it arrived; the largest offset seen is kept. The estimate is never earlier
 * than the runner's own clock: believing it is later than it is only renews a little early.
 */
export class ServerClock {
  private offsetMs = 0

  constructor(private readonly localNow: () => number) {}

  /** An answer's Date header, and when (runner's clock) the answer arrived. */
  observe(date: string | null | undefined, receivedAt: number): void {
    if (!date) return
    const server = Date.parse(date)
    if (Number.isNaN(server)) return
    this.offsetMs = Math.max(this.offsetMs, server - receivedAt)
  }

  /** Milliseconds since the epoch on the server, as best known. */
  now(): number {
    return this.localNow() + this.offsetMs
  }
}
