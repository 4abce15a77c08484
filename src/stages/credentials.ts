/**
 * The credentials stage: the key pair from the inputs, or (with `role-arn`) temporary
 * credentials from STS for the job's GitHub OIDC token; then the run's SSL client.
 */
import { InputError } from '../input-error.js'
import type { Outcome } from '../outcome.js'
import type { Credentials } from '../tencent/client.js'
import { createSslClient } from '../tencent/index.js'
import type { RunContext } from './context.js'

export async function connect(ctx: RunContext, _outcome: Outcome): Promise<void> {
  const { settings } = ctx
  const credentials = settings.credentials ?? (await keyless(ctx))
  ctx.client = createSslClient(settings.api, {
    credentials,
    endpoint: ctx.endpoint,
    timeoutMs: settings.requestTimeoutMs,
    deps: ctx.deps
  })
  ctx.io.log.debug(`API ${settings.api} at ${ctx.endpoint.origin}${ctx.endpoint.pathname}`)
}

async function keyless(_ctx: RunContext): Promise<Credentials> {
  throw new InputError('role-arn', 'keyless credentials are not available in this build')
}
