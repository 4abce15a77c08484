/**
 * The keyless credentials stage: the job's GitHub OIDC token, exchanged at STS for temporary
 * credentials of `role-arn`; masked before anything is logged, optionally exported for later
 * steps. I/O only through the injected functions (the toolkit's in production).
 */
import type { Log } from '../runner/log.js'
import type { OidcSettings } from './oidc-settings.js'
import { maskSecret } from '../runner/secrets.js'
import type { ClientDeps } from '../tencent/client.js'
import { errorMessage } from '../tencent/errors.js'
import type { ServerClock } from '../tencent/server-clock.js'
import { StsClient, type TemporaryCredentials } from '../tencent/sts.js'
import type { ClientTuning } from '../tencent/transport.js'
import { RenewingCredentials } from './renewal.js'

/** The names other tools read (tccli, Terraform, the Node SDK), exported in this order. */
export const EXPORTED_VARIABLES = [
  'TENCENTCLOUD_SECRET_ID',
  'TENCENTCLOUD_SECRET_KEY',
  'TENCENTCLOUD_SESSION_TOKEN',
  'TENCENTCLOUD_TOKEN',
  'TENCENTCLOUD_SECURITY_TOKEN'
] as const

const REQUEST_VARIABLES = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']

export interface CredentialsDeps {
  /** Where the runner's token-request variables are looked for. */
  env: NodeJS.ProcessEnv
  /** `core.getIDToken`. */
  getIdToken: (audience: string) => Promise<string>
  /** `core.setSecret`. */
  setSecret: (value: string) => void
  /** `core.exportVariable`. */
  exportVariable: (name: string, value: string) => void
  log: Log
  /** fetch, clock, sleep, random and debug of the STS requests. */
  client: ClientDeps
  /** Per-request timeout in milliseconds (`request-timeout`). */
  timeoutMs: number
  tuning?: Pick<ClientTuning, 'retry' | 'pacing'>
  /** The run's view of the server's time, which STS's ExpiredTime is in. */
  serverClock?: ServerClock
}

/**
 * The first exchange at once (a misconfiguration fails here, before any SSL request), then a new
 * one a minute before each ExpiredTime (renewal.ts).
 */
export async function keylessCredentials(
  oidc: OidcSettings,
  deps: CredentialsDeps & { serverClock: ServerClock }
): Promise<RenewingCredentials> {
  const first = await obtainCredentials(oidc, deps)
  return new RenewingCredentials(
    first,
    () => obtainCredentials(oidc, deps, { renewal: true }),
    deps.serverClock
  )
}

export async function obtainCredentials(
  oidc: OidcSettings,
  deps: CredentialsDeps,
  { renewal = false } = {}
): Promise<TemporaryCredentials> {
  const missing = REQUEST_VARIABLES.filter(name => (deps.env[name] ?? '') === '')
  if (missing.length > 0)
    throw new Error(
      `role-arn needs the job's GitHub OIDC token, but ${missing.join(' and ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} not set: give the job \`permissions: id-token: ` +
        'write` (a job that sets any permissions gets none it does not list). Pull requests ' +
        'from forks never get the token: run this step on push, schedule or workflow_dispatch.'
    )
  if (oidc.ignoredEnvironment.length > 0 && !renewal)
    deps.log.notice(
      `role-arn is set: ${oidc.ignoredEnvironment.join(', ')} from the environment ` +
        'are not used for this step.'
    )
  const what = renewal
    ? 'Renewing the temporary credentials, which expire within a minute: exchanging a fresh'
    : "Exchanging the job's"
  deps.log.info(
    `${what} GitHub OIDC token (audience ${oidc.audience}) for temporary credentials of ` +
      `${oidc.roleArn} at ${oidc.stsEndpoint.host}.`
  )
  const sts = new StsClient(
    {
      endpoint: oidc.stsEndpoint,
      region: oidc.region,
      timeoutMs: deps.timeoutMs,
      deps: deps.client,
      serverClock: deps.serverClock
    },
    deps.tuning
  )
  const credentials = await sts.assumeRoleWithWebIdentity({
    providerId: oidc.providerId,
    roleArn: oidc.roleArn,
    roleSessionName: oidc.roleSessionName,
    durationSeconds: oidc.durationSeconds,
    webIdentityToken: () => gitHubToken(oidc.audience, deps)
  })
  // Promise 5: masked before the first line that follows the exchange.
  for (const secret of [credentials.secretId, credentials.secretKey, credentials.token])
    maskSecret(secret, deps.setSecret)
  deps.log.info(
    `Temporary credentials for session ${oidc.roleSessionName}, valid until ` +
      `${credentials.expiresAt.toISOString()}.`
  )
  if (oidc.exportCredentials) exportCredentials(credentials, deps)
  return credentials
}

async function gitHubToken(audience: string, deps: CredentialsDeps): Promise<string> {
  let token: string
  try {
    token = await deps.getIdToken(audience)
  } catch (error) {
    throw new Error(
      `Could not get the job's GitHub OIDC token for audience ${audience}: ` +
        `${errorMessage(error)}. The job needs \`permissions: id-token: write\`.`,
      { cause: error }
    )
  }
  // The toolkit masks it too; a token that reached us by another way must not slip through.
  maskSecret(token, deps.setSecret)
  return token
}

function exportCredentials(credentials: TemporaryCredentials, deps: CredentialsDeps): void {
  const values = [
    credentials.secretId,
    credentials.secretKey,
    credentials.token,
    credentials.token,
    credentials.token
  ]
  EXPORTED_VARIABLES.forEach((name, i) => deps.exportVariable(name, values[i]))
  deps.log.info(`Exported ${EXPORTED_VARIABLES.join(', ')} for the later steps of this job.`)
}
