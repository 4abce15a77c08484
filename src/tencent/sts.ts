/**
 * STS (`sts`, 2018-08-13): `AssumeRoleWithWebIdentity` exchanges a GitHub OIDC token for
 * temporary credentials of a CAM role; `GetCallerIdentity` (signed, no parameters; cloud.tencent.com
 * /document/api/1312/66098) tells whose account credentials belong to (`AccountId`, the main
 * account's UIN). Unsigned (`Authorization: SKIP`), over the shared
 * transport (pacing, timeouts, backoff), with its own retry list and the GitHub token fetched
 * anew on a retry once it is four minutes old (it lives five). See tencent-deploy-and-oidc-api.md
 * §B.3. The token and the answer's keys never reach a log line or a message.
 */
import type { ClientDeps, Credentials } from './client.js'
import { credentialSource, type CredentialSource } from './credential-source.js'
import { TencentApiError } from './errors.js'
import { isRecord } from './read.js'
import { classifyFailure, type FailureKind } from './retry.js'
import { stsApi, Tc3ServiceProtocol } from './tc3.js'
import type { ServerClock } from './server-clock.js'
import { malformed, Transport, type ClientTuning, type ParamsPerAttempt } from './transport.js'

/** A GitHub token older than this is replaced before a retry (GitHub's live 300 s). */
export const TOKEN_REFRESH_AGE_MS = 4 * 60_000

/** STS allows 20 requests per second; one run sends a handful, so the default pacing holds. */
export const STS_RETRY = Object.freeze({
  maxAttempts: 6,
  baseMs: 500,
  capMs: 10_000,
  // Long enough for a retry to need a fresh GitHub token, short enough to fail within minutes.
  budgetMs: 5 * 60_000
})

const ACTION = 'AssumeRoleWithWebIdentity'

/** Retried besides network errors, timeouts, 5xx and throttling (§B.3 "Retries"). */
const RETRIED = new Set([
  'InvalidParameter.OverLimit',
  'InternalError.SystemError',
  'InternalError.UnknownError'
])

/** STS's retry list: the shared one, but of the `InternalError.*` codes only the passing ones
 * (`GetRoleError`, `IllegalRole` are the role's configuration, not a passing fault). */
export function classifyStsFailure(code: string): FailureKind {
  if (RETRIED.has(code) || code === 'InternalError') return 'retry'
  if (code.startsWith('InternalError.')) return 'fatal'
  return classifyFailure(code)
}

export interface WebIdentityRequest {
  providerId: string
  roleArn: string
  roleSessionName: string
  durationSeconds: number
  /** Asked before the first attempt, and again before a retry once the token in hand is
   * TOKEN_REFRESH_AGE_MS old. The caller masks what it returns. */
  webIdentityToken: () => Promise<string>
}

export interface TemporaryCredentials extends Credentials {
  token: string
  /** Tencent's `ExpiredTime`: the credentials stop working then. */
  expiresAt: Date
}

export interface StsClientOptions {
  /** The `sts-endpoint` input, already validated (endpoint.ts). */
  endpoint: URL
  /** `X-TC-Region`, which STS requires. */
  region: string
  timeoutMs: number
  deps: ClientDeps
  /** Learns the server's time from the exchange's answer (ExpiredTime is the server's clock). */
  serverClock?: ServerClock
}

export class StsClient {
  private readonly transport: Transport

  constructor(
    private readonly options: StsClientOptions,
    tuning: Pick<ClientTuning, 'retry' | 'pacing'> = {}
  ) {
    this.transport = new Transport({
      deps: options.deps,
      timeoutMs: options.timeoutMs,
      protocol: new Tc3ServiceProtocol(options.endpoint, stsApi(options.region), 'anonymous'),
      secrets: [],
      retry: { ...STS_RETRY, ...tuning.retry },
      pacing: tuning.pacing,
      classify: classifyStsFailure,
      serverClock: options.serverClock
    })
  }

  async assumeRoleWithWebIdentity(request: WebIdentityRequest): Promise<TemporaryCredentials> {
    const { now } = this.options.deps
    let held: { token: string; at: number } | undefined
    const params: ParamsPerAttempt = async () => {
      if (held === undefined || now() - held.at > TOKEN_REFRESH_AGE_MS) {
        held = { token: await request.webIdentityToken(), at: now() }
      }
      return {
        params: {
          ProviderId: request.providerId,
          WebIdentityToken: held.token,
          RoleArn: request.roleArn,
          RoleSessionName: request.roleSessionName,
          DurationSeconds: request.durationSeconds
        },
        secrets: [held.token]
      }
    }
    try {
      const answer = await this.transport.call(ACTION, params, {
        subject: `role ${request.roleArn}`
      })
      return readTemporaryCredentials(answer.data, answer.requestId)
    } catch (error) {
      if (!(error instanceof TencentApiError)) throw error
      const hint = likelyCause(error.code, request, held?.token)
      throw hint ? new StsError(error, hint) : error
    }
  }
}

/** An STS refusal whose message ends with the configuration to check. */
export class StsError extends TencentApiError {
  constructor(
    error: TencentApiError,
    readonly hint: string
  ) {
    super({
      operation: error.operation,
      code: error.code,
      message: error.apiMessage,
      requestId: error.requestId,
      httpStatus: error.httpStatus,
      subject: error.subject
    })
    this.name = 'StsError'
    this.message = `${this.message}. ${hint}`
  }
}

/** What to check for each refusal that a retry cannot cure. */
export function likelyCause(
  code: string,
  request: Pick<WebIdentityRequest, 'providerId' | 'roleArn'>,
  token?: string
): string | undefined {
  const claims = token === undefined ? undefined : readClaims(token)
  const shown = (name: string): string => JSON.stringify(claims?.[name] ?? '(unknown)')
  switch (code) {
    case 'InvalidParameter.WebIdentityTokenError':
      return (
        `Tencent refused the GitHub token (audience ${shown('aud')}, issuer ${shown('iss')}): ` +
        `check that oidc-provider-id '${request.providerId}' names the CAM identity provider ` +
        'whose URL is that issuer, that the audience input is one of its client ids, that its ' +
        "public keys are GitHub's current ones, and that the token had not expired (it lives " +
        "five minutes; check this machine's clock)"
      )
    case 'ResourceNotFound.RoleNotFound':
      return `No CAM role matches role-arn '${request.roleArn}': check the account id and the role name`
    case 'UnauthorizedOperation':
      return (
        `The trust policy of role '${request.roleArn}' does not admit this token ` +
        `(subject ${shown('sub')}, audience ${shown('aud')}): its identity provider must be ` +
        `'${request.providerId}' and its oidc:sub and oidc:aud conditions must match`
      )
    case 'InvalidParameter.ParamError':
      return 'A parameter was refused: check role-arn, oidc-provider-id and role-session-name'
    case 'InternalError.GetRoleError':
    case 'InternalError.IllegalRole':
      return `Check that role-arn '${request.roleArn}' names a role of an identity provider`
    default:
      return undefined
  }
}

/** The JWT's claims, for messages only (never trusted); undefined when unreadable. */
function readClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
    return isRecord(payload) ? payload : undefined
  } catch {
    return undefined
  }
}

function readTemporaryCredentials(data: unknown, requestId: string): TemporaryCredentials {
  const response = isRecord(data) ? data : {}
  const fields = isRecord(response.Credentials) ? response.Credentials : {}
  const text = (name: string): string => {
    const value = fields[name]
    if (typeof value !== 'string' || value === '')
      throw malformed(ACTION, `Credentials.${name} is missing`, requestId)
    return value
  }
  const credentials = {
    secretId: text('TmpSecretId'),
    secretKey: text('TmpSecretKey'),
    token: text('Token')
  }
  const expired = response.ExpiredTime
  if (typeof expired !== 'number' || !Number.isFinite(expired) || expired <= 0)
    throw malformed(ACTION, 'ExpiredTime is not a Unix time', requestId)
  return { ...credentials, expiresAt: new Date(expired * 1000) }
}

/** The main account (UIN) that `credentials` belong to: STS `GetCallerIdentity`'s `AccountId`,
 * asked with the same credentials (keys, or temporary ones with their token). */
export async function getCallerAccount(
  options: StsClientOptions & { credentials: Credentials | CredentialSource },
  tuning: Pick<ClientTuning, 'retry' | 'pacing'> = {}
): Promise<string> {
  const transport = new Transport({
    deps: options.deps,
    timeoutMs: options.timeoutMs,
    protocol: new Tc3ServiceProtocol(options.endpoint, stsApi(options.region)),
    secrets: [],
    credentials: credentialSource(options.credentials),
    serverClock: options.serverClock,
    retry: { ...STS_RETRY, ...tuning.retry },
    pacing: tuning.pacing,
    classify: classifyStsFailure
  })
  const answer = await transport.call('GetCallerIdentity', {})
  const data = isRecord(answer.data) ? answer.data : {}
  const account = data.AccountId
  if (typeof account !== 'string' || !/^\d{1,20}$/.test(account))
    throw malformed('GetCallerIdentity', 'AccountId is not an account id', answer.requestId)
  return account
}
