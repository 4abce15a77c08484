/**
 * STS (`sts`, 2018-08-13) `GetCallerIdentity` (signed, no parameters: the SDK's model is `null`;
 * cloud.tencent.com/document/api/1312/66098) and `AssumeRoleWithWebIdentity`, as
 * tencent-deploy-and-oidc-api.md §B.3 and §B.6 describe it: unsigned (`Authorization: SKIP`), the OIDC token verified against the
 * provider's keys, issuer and client ids, the role's trust conditions checked, and temporary
 * credentials issued that SSL calls must then carry their token with, until `ExpiredTime`.
 * Requests are told apart from SSL ones by `X-TC-Version`, as the host differs only on Tencent.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { SIGNATURE_WINDOW_SECONDS, verifyTc3, type Tc3Request } from './auth.js'
import type { EmulatorContext } from './context.js'
import { verifyJwt } from './jwt.js'
import { ApiError, missing, requireString, type Params } from './params.js'
import { DEFAULT_ACCOUNT_ID } from './options.js'
import { subjectMatches } from './sts-config.js'
import type { V3Result } from './v3.js'

export const STS_VERSION = '2018-08-13'
/** STS's documented frequency limit (tencent-deploy-and-oidc-api.md §B.3). */
const STS_RATE_PER_SECOND = 20
const MAX_DURATION_SECONDS = 43_200
const DEFAULT_DURATION_SECONDS = 7200
const PARAMS = ['ProviderId', 'WebIdentityToken', 'RoleArn', 'RoleSessionName', 'DurationSeconds']

export const isStsRequest = (request: IncomingMessage): boolean =>
  request.headers['x-tc-version'] === STS_VERSION

interface IssuedCredentials {
  secretKey: string
  token: string
  expiresAtMs: number
  /** The assumed role, and its account (the UIN in its ARN). */
  roleArn: string
  account: string
}

/** Temporary credentials handed out, by TmpSecretId. */
export class IssuedCredentialsBook {
  private readonly issued = new Map<string, IssuedCredentials>()

  issue(durationSeconds: number, nowMs: number, roleArn = '') {
    const expiredTime = Math.floor(nowMs / 1000) + durationSeconds
    const secretId = `AKIDSTS${randomBytes(16).toString('hex').toUpperCase()}`
    const record = {
      secretKey: randomBytes(24).toString('base64url'),
      token: randomBytes(96).toString('base64url'),
      expiresAtMs: expiredTime * 1000,
      roleArn,
      account: /^qcs::cam::uin\/(\d+):/.exec(roleArn)?.[1] ?? DEFAULT_ACCOUNT_ID
    }
    this.issued.set(secretId, record)
    return { secretId, ...record, expiredTime }
  }

  find(secretId: string): IssuedCredentials | undefined {
    return this.issued.get(secretId)
  }

  clear(): void {
    this.issued.clear()
  }
}

const header = (request: Tc3Request, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const tokenError = (problem: string): ApiError =>
  new ApiError('InvalidParameter.WebIdentityTokenError', `WebIdentityToken error: ${problem}.`)
const unauthorized = (problem: string): ApiError =>
  new ApiError('UnauthorizedOperation', `The role's trust policy refuses this token: ${problem}.`)

export function handleSts(request: Tc3Request, context: EmulatorContext): V3Result {
  try {
    return { ok: true, fields: answerSts(request, context) }
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, code: error.code, message: error.message }
    return { ok: false, code: 'InternalError', message: `emulator: ${(error as Error).message}` }
  }
}

function answerSts(request: Tc3Request, context: EmulatorContext): Record<string, unknown> {
  const action = header(request, 'x-tc-action') ?? ''
  if (action === '') throw missing('Action')
  if (action === 'GetCallerIdentity') return getCallerIdentity(request, context)
  if (action !== 'AssumeRoleWithWebIdentity')
    throw new ApiError('InvalidAction', `The action \`${action}\` is not found.`)
  const authorization = header(request, 'authorization')
  if (authorization !== undefined && authorization !== 'SKIP')
    throw new ApiError(
      'AuthFailure.InvalidAuthorization',
      'AssumeRoleWithWebIdentity is called unsigned: Authorization: SKIP.'
    )
  checkTimestamp(header(request, 'x-tc-timestamp'), context.now())
  if (!header(request, 'x-tc-region')) throw missing('Region')
  const limit = context.options.rateLimitPerSecond === 0 ? 0 : STS_RATE_PER_SECOND
  if (!context.rateLimiter.admit(`sts ${action}`, limit, Date.now()))
    throw new ApiError(
      'RequestLimitExceeded',
      `Your current request times exceeds the frequency limit \`${limit}\` for a second.`
    )
  const params = readJson(request.body)
  const asked = {
    providerId: requireString(params, 'ProviderId'),
    token: requireString(params, 'WebIdentityToken'),
    roleArn: requireString(params, 'RoleArn'),
    sessionName: requireString(params, 'RoleSessionName'),
    duration: readDuration(params)
  }
  if (!/^[\w+=,.@-]{2,128}$/.test(asked.sessionName))
    throw new ApiError(
      'InvalidParameter.ParamError',
      'RoleSessionName must match [\\w+=,.@-]{2,128}.'
    )
  const claims = verifyToken(asked.providerId, asked.token, context)
  const role = context.options.stsRoles.find(r => r.arn === asked.roleArn)
  if (!role) throw new ApiError('ResourceNotFound.RoleNotFound', 'The role does not exist.')
  if (role.provider !== asked.providerId)
    throw unauthorized(`it trusts identity provider ${role.provider}`)
  const sub = typeof claims.sub === 'string' ? claims.sub : ''
  if (role.subjects.length > 0 && !role.subjects.some(p => subjectMatches(p, sub)))
    throw unauthorized(`oidc:sub ${sub} does not match`)
  const lifetime = context.options.stsCredentialSeconds || asked.duration
  const issued = context.issued.issue(lifetime, context.now(), asked.roleArn)
  return {
    Credentials: {
      Token: issued.token,
      TmpSecretId: issued.secretId,
      TmpSecretKey: issued.secretKey
    },
    ExpiredTime: issued.expiredTime,
    Expiration: new Date(issued.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }
}

/** Signature, issuer, audience and expiry, as Tencent checks a token against the provider. */
function verifyToken(
  providerId: string,
  token: string,
  context: EmulatorContext
): Record<string, unknown> {
  const provider = context.options.oidcProviders.find(p => p.name === providerId)
  if (!provider) throw tokenError(`no identity provider is named ${providerId}`)
  const checked = verifyJwt(token, provider.jwks)
  if (!checked.ok) throw tokenError(checked.problem)
  const { claims } = checked
  if (claims.iss !== provider.issuer) throw tokenError(`iss is not ${provider.issuer}`)
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!audiences.some(aud => provider.clientIds.includes(aud as string)))
    throw tokenError('aud is none of the client ids of the provider')
  const nowSeconds = context.now() / 1000
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)
    throw tokenError('the token has expired')
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 60)
    throw tokenError('the token is not valid yet')
  return claims
}

function checkTimestamp(text: string | undefined, nowMs: number): void {
  if (text === undefined) throw missing('Timestamp')
  const serverSeconds = Math.floor(nowMs / 1000)
  if (!/^\d+$/.test(text))
    throw new ApiError('InvalidParameter', 'The value type of parameter `Timestamp` is not valid.')
  if (Math.abs(serverSeconds - Number(text)) > SIGNATURE_WINDOW_SECONDS)
    throw new ApiError(
      'AuthFailure.SignatureExpire',
      `Signature expired. Timestamp: ${text}, server time: ${serverSeconds}.`
    )
}

/** Whose the signing credentials are: the role's account for STS-issued ones (Type CAMRole, as
 * the doc's AssumeRole example), else `callerAccounts` (Type CAMUser). */
function getCallerIdentity(request: Tc3Request, context: EmulatorContext): Record<string, unknown> {
  const denied = verifyTc3(request, context.options, context.now(), context.issued, 'sts')
  if (denied) throw new ApiError(denied.code, denied.message)
  if (!header(request, 'x-tc-region')) throw missing('Region')
  const limit = context.options.rateLimitPerSecond === 0 ? 0 : STS_RATE_PER_SECOND
  if (!context.rateLimiter.admit('sts GetCallerIdentity', limit, Date.now()))
    throw new ApiError(
      'RequestLimitExceeded',
      `Your current request times exceeds the frequency limit \`${limit}\` for a second.`
    )
  readJson(request.body, [])
  const secretId = /Credential=([^/]+)\//.exec(header(request, 'authorization') ?? '')?.[1] ?? ''
  const issued = context.issued.find(secretId)
  if (issued) {
    const roleId = issued.roleArn.split('/').pop() ?? ''
    return {
      Arn: `qcs::sts:${issued.account}:assumed-role/${roleId}`,
      AccountId: issued.account,
      UserId: `${roleId}:session`,
      PrincipalId: issued.account,
      Type: 'CAMRole'
    }
  }
  const account = context.options.callerAccounts[secretId] ?? DEFAULT_ACCOUNT_ID
  return {
    Arn: `qcs::cam::uin/${account}:uin/${account}`,
    AccountId: account,
    UserId: account,
    PrincipalId: account,
    Type: 'CAMUser'
  }
}

function readJson(body: Buffer, known: readonly string[] = PARAMS): Params {
  let values: unknown
  try {
    values = JSON.parse(body.toString('utf8') || '{}')
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.')
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw new ApiError('InvalidParameter', 'The request body must be a JSON object.')
  const unknown = Object.keys(values).find(name => !known.includes(name))
  if (unknown !== undefined)
    throw new ApiError('UnknownParameter', `The parameter \`${unknown}\` is not recognized.`)
  return { values: values as Record<string, unknown>, fromQuery: false }
}

function readDuration(params: Params): number {
  const value = params.values.DurationSeconds
  if (value === undefined || value === null) return DEFAULT_DURATION_SECONDS
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new ApiError('InvalidParameter.ParamError', 'DurationSeconds must be a positive integer.')
  if (value > MAX_DURATION_SECONDS)
    throw new ApiError(
      'InvalidParameter.OverTimeError',
      `DurationSeconds exceeds ${MAX_DURATION_SECONDS}.`
    )
  return value
}
