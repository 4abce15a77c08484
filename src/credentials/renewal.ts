/**
 * Temporary credentials that outlive their `ExpiredTime`: renewed (a fresh GitHub token, a new
 * exchange) a minute before STS's `ExpiredTime`, by the server's clock as its answers show it,
 * so a run longer than `role-duration` (a long `replace-timeout`) goes on. A request is never
 * signed with credentials that have expired: a renewal that fails fails the request.
 */
import type { Credentials } from '../tencent/client.js'
import type { CredentialSource } from '../tencent/credential-source.js'
import type { ServerClock } from '../tencent/server-clock.js'
import type { TemporaryCredentials } from '../tencent/sts.js'

/** Renewed this long before `ExpiredTime`: a request in flight then still arrives in time. */
export const RENEW_BEFORE_MS = 60_000

export class RenewingCredentials implements CredentialSource {
  private held: TemporaryCredentials
  /** One renewal at a time, however many requests ask for credentials meanwhile. */
  private renewal: Promise<TemporaryCredentials> | undefined

  constructor(
    first: TemporaryCredentials,
    private readonly renew: () => Promise<TemporaryCredentials>,
    private readonly clock: Pick<ServerClock, 'now'>
  ) {
    this.held = first
  }

  /** The credentials in hand (the last ones STS gave). */
  get last(): TemporaryCredentials {
    return this.held
  }

  async current(): Promise<Credentials> {
    if (this.clock.now() >= this.held.expiresAt.getTime() - RENEW_BEFORE_MS) {
      this.renewal ??= this.renew().finally(() => (this.renewal = undefined))
      this.held = await this.renewal
    }
    // Renewed ones that are already stale mean a clock or an STS we cannot trust: stop.
    if (this.clock.now() >= this.held.expiresAt.getTime())
      throw new Error(
        `The temporary credentials from STS expired at ${this.held.expiresAt.toISOString()} ` +
          'by the server clock, and no fresh ones could be had; no request is signed with them.'
      )
    return this.held
  }
}
