/**
 * Signature checks of both APIs. The signatures are recomputed with the project's verified
 * signer (src/tencent/sign.ts); the checks around them (ids, tokens, clock window, replay)
 * follow Tencent's error codes.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { signTc3, signV2, utcDate, v2SourceString } from '../src/tencent/sign.js'
import type { RuntimeOptions } from './options.js'
import type { IssuedCredentialsBook } from './sts.js'

/** Tencent refuses requests signed more than 5 minutes from its clock. */
export const SIGNATURE_WINDOW_SECONDS = 300

/** TC3 signs the host without its port, though the Host header carries one. */
export const hostWithoutPort = (host: string): string => host.replace(/:\d+$/, '')

interface KnownSecret {
  secretKey: string
  /** Set for temporary credentials: the token that must come with them. */
  token?: string
  /** Set for credentials STS issued: they stop working then (server clock). */
  expiresAtMs?: number
}

function lookupSecret(
  options: RuntimeOptions,
  secretId: string,
  issued?: IssuedCredentialsBook
): KnownSecret | undefined {
  const fromSts = issued?.find(secretId)
  if (fromSts) return fromSts
  const temporary = options.temporaryCredentials
  if (temporary && secretId === temporary.secretId) {
    return { secretKey: temporary.secretKey, token: temporary.token }
  }
  if (secretId === options.secretId) return { secretKey: options.secretKey }
  return undefined
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)]
  return x.length === y.length && timingSafeEqual(x, y)
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export interface Tc3Request {
  method: 'GET' | 'POST'
  headers: IncomingHttpHeaders
  /** The query string exactly as received, without `?`. */
  rawQuery: string
  body: Buffer
}

export interface AuthFailure {
  code: string
  message: string
}

const fail = (code: string, message: string): AuthFailure => ({ code, message })

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/

/** Headers the emulator can re-sign (signTc3 covers these; the SDK signs the first two). */
const VERIFIABLE_HEADERS = new Set(['content-type', 'host', 'x-tc-action'])

/** Checks a TC3-HMAC-SHA256 request to `service` (`ssl`, or `sts` for GetCallerIdentity);
 * undefined when it is authentic. */
export function verifyTc3(
  request: Tc3Request,
  options: RuntimeOptions,
  nowMs: number,
  issued?: IssuedCredentialsBook,
  expectedService = 'ssl'
): AuthFailure | undefined {
  const timestampText = header(request.headers, 'x-tc-timestamp')
  if (timestampText === undefined) {
    return fail('MissingParameter', 'The request is missing a required parameter `Timestamp`.')
  }
  const parsed = AUTHORIZATION.exec(header(request.headers, 'authorization')?.trim() ?? '')
  const scope = parsed?.[1].split('/') ?? []
  if (!parsed || scope.length !== 4 || scope[3] !== 'tc3_request') {
    return fail('AuthFailure.InvalidAuthorization', 'Authorization header format invalid.')
  }
  const [secretId, date, service] = scope
  const signedHeaders = parsed[2].split(';')
  if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) {
    return fail(
      'AuthFailure.InvalidAuthorization',
      'SignedHeaders must include content-type and host.'
    )
  }
  const secret = lookupSecret(options, secretId, issued)
  if (!secret) return fail('AuthFailure.SecretIdNotFound', 'The SecretId is not found.')
  if (secret.token !== undefined && header(request.headers, 'x-tc-token') !== secret.token) {
    return fail('AuthFailure.TokenFailure', 'Token verification failed.')
  }
  if (secret.expiresAtMs !== undefined && nowMs >= secret.expiresAtMs) {
    return fail('AuthFailure.TokenFailure', 'The token has expired.')
  }
  const timestamp = Number(timestampText)
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp)) {
    return fail('InvalidParameter', 'The value type of parameter `Timestamp` is not valid.')
  }
  const serverSeconds = Math.floor(nowMs / 1000)
  if (Math.abs(serverSeconds - timestamp) > SIGNATURE_WINDOW_SECONDS) {
    return fail(
      'AuthFailure.SignatureExpire',
      `Signature expired. Timestamp: ${timestamp}, server time: ${serverSeconds}.`
    )
  }
  if (service !== expectedService || date !== utcDate(timestamp)) {
    return fail(
      'AuthFailure.SignatureFailure',
      `Credential scope ${date}/${service} does not match ${utcDate(timestamp)}/${expectedService}.`
    )
  }
  const unverifiable = signedHeaders.filter(name => !VERIFIABLE_HEADERS.has(name))
  if (unverifiable.length > 0) {
    return fail(
      'AuthFailure.SignatureFailure',
      `The emulator re-signs only content-type, host and x-tc-action, not ${unverifiable.join(', ')}.`
    )
  }
  const expected = signTc3({
    secretId,
    secretKey: secret.secretKey,
    service: expectedService,
    host: hostWithoutPort(header(request.headers, 'host') ?? ''),
    contentType: header(request.headers, 'content-type') ?? '',
    payload: request.body,
    timestamp,
    method: request.method,
    query: request.rawQuery,
    action: signedHeaders.includes('x-tc-action')
      ? (header(request.headers, 'x-tc-action') ?? '')
      : undefined
  })
  if (expected.signedHeaders !== parsed[2] || !sameText(expected.signature, parsed[3])) {
    return fail(
      'AuthFailure.SignatureFailure',
      'The provided credentials could not be validated. Please check your signature is correct.'
    )
  }
  return undefined
}

/** Nonces seen per SecretId within the signature window: a repeat is a replay. */
export class NonceBook {
  private readonly seen = new Map<string, Map<string, number>>()

  /** Records the nonce; false when it was already used within the window. */
  admit(secretId: string, nonce: string, nowMs: number): boolean {
    const nonces = this.seen.get(secretId) ?? new Map<string, number>()
    this.seen.set(secretId, nonces)
    for (const [old, expiresAt] of nonces) if (expiresAt <= nowMs) nonces.delete(old)
    if (nonces.has(nonce)) return false
    nonces.set(nonce, nowMs + SIGNATURE_WINDOW_SECONDS * 1000)
    return true
  }

  clear(): void {
    this.seen.clear()
  }
}

export interface V2Failure {
  code: number
  codeDesc: string
  message: string
}

export interface V2Request {
  method: 'GET' | 'POST'
  /** The Host header as received (host:port): the 2.0 source string uses it verbatim. */
  host: string
  path: string
  params: Record<string, string>
}

const REQUIRED_V2 = ['Action', 'Nonce', 'SecretId', 'Signature', 'Timestamp']

/** Checks a 2.0 request's signature, clock and nonce; undefined when it is authentic. */
export function verifyV2(
  request: V2Request,
  options: RuntimeOptions,
  nowMs: number,
  nonces: NonceBook,
  issued?: IssuedCredentialsBook
): V2Failure | undefined {
  const { params } = request
  const absent = REQUIRED_V2.find(name => (params[name] ?? '') === '')
  if (absent) {
    return { code: 4000, codeDesc: 'MissingParameter', message: `missing parameter ${absent}` }
  }
  const secret = lookupSecret(options, params.SecretId, issued)
  if (!secret) {
    return { code: 4104, codeDesc: 'SecretIdNotFound', message: 'SecretId does not exist' }
  }
  if (secret.token !== undefined && params.Token !== secret.token) {
    return { code: 4105, codeDesc: 'TokenFailure', message: 'token verification failed' }
  }
  if (secret.expiresAtMs !== undefined && nowMs >= secret.expiresAtMs) {
    return { code: 4105, codeDesc: 'TokenFailure', message: 'the token has expired' }
  }
  if (!/^\d+$/.test(params.Timestamp) || !/^\d+$/.test(params.Nonce)) {
    return { code: 4000, codeDesc: 'InvalidParameter', message: 'Timestamp and Nonce are integers' }
  }
  if (Math.abs(Math.floor(nowMs / 1000) - Number(params.Timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    return {
      code: 4500,
      codeDesc: 'RequestExpired',
      message: 'Timestamp is more than 5 minutes from the server time'
    }
  }
  const source = v2SourceString(request.method, request.host, request.path, params)
  const expected = signV2(secret.secretKey, source, params.SignatureMethod)
  if (!sameText(expected, params.Signature)) {
    return { code: 4100, codeDesc: 'AuthFailure', message: 'signature verification failed' }
  }
  if (!nonces.admit(params.SecretId, params.Nonce, nowMs)) {
    return { code: 4500, codeDesc: 'RequestReplayed', message: 'Nonce already used' }
  }
  return undefined
}
