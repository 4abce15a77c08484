/**
 * The credentials stage: the key pair from the inputs, or (with `role-arn`) temporary
 * credentials from STS for the job's GitHub OIDC token, renewed before they expire; then the
 * run's SSL client.
 */
import { keylessCredentials } from '../credentials/credentials.js'
import type { OidcSettings } from '../credentials/oidc-settings.js'
import type { RenewingCredentials } from '../credentials/renewal.js'
import type { Outcome } from '../reporting/outcome.js'
import { createSslClient } from '../tencent/index.js'
import { ServerClock } from '../tencent/server-clock.js'
import { ResourceApiV3 } from '../tencent/resources.js'
import type { RunContext } from './context.js'

export async function connect(ctx: RunContext, _outcome: Outcome): Promise<void> {
  const { settings } = ctx
  // One view of the server's time for every client of the run (STS's ExpiredTime is in it).
  const serverClock = new ServerClock(ctx.deps.now)
  const credentials = settings.oidc
    ? await keyless(ctx, settings.oidc, serverClock)
    : settings.credentials
  if (!credentials) throw new Error('internal: no credentials were read')
  const options = {
    credentials,
    endpoint: ctx.endpoint,
    timeoutMs: settings.requestTimeoutMs,
    deps: ctx.deps,
    serverClock
  }
  ctx.clientOptions = options
  ctx.client = createSslClient(settings.api, options)
  if (settings.api === '3.0') ctx.resources = new ResourceApiV3(options)
  ctx.io.log.debug(`API ${settings.api} at ${ctx.endpoint.origin}${ctx.endpoint.pathname}`)
}

/** Promise 8: the GitHub OIDC token, exchanged right before the first SSL request, and again
 * a minute before the credentials expire. */
async function keyless(
  ctx: RunContext,
  oidc: OidcSettings,
  serverClock: ServerClock
): Promise<RenewingCredentials> {
  const { io } = ctx
  return keylessCredentials(oidc, {
    env: io.env,
    getIdToken: audience => io.idToken(audience),
    setSecret: secret => io.mask(secret),
    exportVariable: (name, value) => io.exportVariable(name, value),
    log: io.log,
    client: ctx.deps,
    timeoutMs: ctx.settings.requestTimeoutMs,
    serverClock
  })
}
