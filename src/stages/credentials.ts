/**
 * The credentials stage: the key pair from the inputs, or (with `role-arn`) temporary
 * credentials from STS for the job's GitHub OIDC token; then the run's SSL client.
 */
import { obtainCredentials } from '../credentials/credentials.js'
import type { OidcSettings } from '../credentials/oidc-settings.js'
import type { Outcome } from '../reporting/outcome.js'
import type { Credentials } from '../tencent/client.js'
import { createSslClient } from '../tencent/index.js'
import { ResourceApiV3 } from '../tencent/resources.js'
import type { RunContext } from './context.js'

export async function connect(ctx: RunContext, _outcome: Outcome): Promise<void> {
  const { settings } = ctx
  const credentials = settings.oidc ? await keyless(ctx, settings.oidc) : settings.credentials
  if (!credentials) throw new Error('internal: no credentials were read')
  const options = {
    credentials,
    endpoint: ctx.endpoint,
    timeoutMs: settings.requestTimeoutMs,
    deps: ctx.deps
  }
  ctx.client = createSslClient(settings.api, options)
  if (settings.api === '3.0') ctx.resources = new ResourceApiV3(options)
  ctx.io.log.debug(`API ${settings.api} at ${ctx.endpoint.origin}${ctx.endpoint.pathname}`)
}

/** Promise 8: the GitHub OIDC token, exchanged right before the first SSL request. */
async function keyless(ctx: RunContext, oidc: OidcSettings): Promise<Credentials> {
  const { io } = ctx
  return obtainCredentials(oidc, {
    env: io.env,
    getIdToken: audience => io.idToken(audience),
    setSecret: secret => io.mask(secret),
    exportVariable: (name, value) => io.exportVariable(name, value),
    log: io.log,
    client: ctx.deps,
    timeoutMs: ctx.settings.requestTimeoutMs
  })
}
