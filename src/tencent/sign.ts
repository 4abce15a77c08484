/**
 * Request signing for Tencent Cloud, as pure functions.
 *
 * TC3-HMAC-SHA256 (API 3.0) and the legacy API 2.0 HmacSHA256/HmacSHA1 signature, exactly as
 * Tencent documents them (the API documentation's "Signature v3" and legacy "Signature" pages).
 */
import { createHash, createHmac } from 'node:crypto'

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

const hmac = (key: string | Buffer, msg: string): Buffer =>
  createHmac('sha256', key).update(msg, 'utf8').digest()

/** `YYYY-MM-DD` of a Unix timestamp in UTC: the credential scope never uses local time. */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10)
}

export interface Tc3Input {
  secretId: string
  secretKey: string
  /** Always `ssl` for this action, whatever host the request goes to. */
  service: string
  /** Host name as signed: lower-case, without port. */
  host: string
  /** Content-Type exactly as sent. */
  contentType: string
  /** The exact body bytes sent. */
  payload: string | Buffer
  timestamp: number
  method?: 'POST' | 'GET'
  /** Canonical query string for GET; empty for POST. */
  query?: string
  /** When set, `x-tc-action` is signed too (the current official demos do so). */
  action?: string
}

export interface Tc3Signature {
  authorization: string
  signature: string
  canonicalRequest: string
  stringToSign: string
  credentialScope: string
  signedHeaders: string
}

export function signTc3(input: Tc3Input): Tc3Signature {
  const method = input.method ?? 'POST'
  const headers: [string, string][] = [
    ['content-type', input.contentType.trim().toLowerCase()],
    ['host', input.host.trim().toLowerCase()]
  ]
  if (input.action !== undefined) headers.push(['x-tc-action', input.action.toLowerCase()])
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const canonicalHeaders = headers.map(([k, v]) => `${k}:${v}\n`).join('')
  const signedHeaders = headers.map(([k]) => k).join(';')
  const canonicalRequest = [
    method,
    '/',
    input.query ?? '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.payload)
  ].join('\n')
  const date = utcDate(input.timestamp)
  const credentialScope = `${date}/${input.service}/tc3_request`
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(input.timestamp),
    credentialScope,
    sha256Hex(canonicalRequest)
  ].join('\n')
  const kDate = hmac(`TC3${input.secretKey}`, date)
  const kService = hmac(kDate, input.service)
  const kSigning = hmac(kService, 'tc3_request')
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex')
  const authorization =
    `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`
  return {
    authorization,
    signature,
    canonicalRequest,
    stringToSign,
    credentialScope,
    signedHeaders
  }
}

export type V2SignatureMethod = 'HmacSHA256' | 'HmacSHA1'

/** Byte-order comparison (upper case before lower case), as the 2.0 signature requires. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * The 2.0 source string: METHOD + host + path + '?' + the parameters sorted by name in byte
 * order, `_` replaced by `.` in names, values raw (not URL-encoded).
 */
export function v2SourceString(
  method: 'GET' | 'POST',
  host: string,
  path: string,
  params: Record<string, string>
): string {
  const pairs = Object.keys(params)
    .filter(name => name !== 'Signature')
    .sort(byteOrder)
    .map(name => `${name.replace(/_/g, '.')}=${params[name]}`)
  return `${method}${host}${path}?${pairs.join('&')}`
}

/** Base64 HMAC of the source string; SHA-256 only when the method says exactly `HmacSHA256`. */
export function signV2(secretKey: string, source: string, method: string | undefined): string {
  const algorithm = method === 'HmacSHA256' ? 'sha256' : 'sha1'
  return createHmac(algorithm, secretKey).update(source, 'utf8').digest('base64')
}
