/**
 * Clients for the emulator tests, built on the official SDK so the emulator is checked against
 * an independent implementation: CommonClient for API 3.0, Sign.sign3 for hand-made 3.0
 * requests, Sign.sign for 2.0 (whose source string is assembled here, not by the project).
 */
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http'
import { createRequire } from 'node:module'
import type { LookupFunction } from 'node:net'
import type { Emulator } from '../../emulator/server.js'

const require = createRequire(import.meta.url)

interface SdkClient {
  request(action: string, params: object): Promise<Record<string, unknown>>
}
type SdkClientClass = new (
  endpoint: string,
  version: string,
  config: {
    credential: { secretId: string; secretKey: string; token?: string }
    region: string
    profile: { httpProfile: Record<string, unknown> }
  }
) => SdkClient

interface SignClass {
  sign(secretKey: string, source: string, method: string): string
  sign3(input: {
    method: string
    url: string
    payload: Buffer
    timestamp: number
    service: string
    secretId: string
    secretKey: string
    multipart: boolean
    boundary?: string
    headers: Record<string, string>
  }): string
}

const { CommonClient } = require('tencentcloud-sdk-nodejs-common') as {
  CommonClient: SdkClientClass
}
export const Sign = require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign')
  .default as SignClass

/** Resolves every name to loopback, so the SDK can keep `ssl.tencentcloudapi.com` as endpoint. */
type LookupCallback = (error: null, address: unknown, family?: number) => void
const toLoopback = ((_host: string, options: { all?: boolean }, callback: LookupCallback) =>
  options?.all
    ? callback(null, [{ address: '127.0.0.1', family: 4 }])
    : callback(null, '127.0.0.1', 4)) as unknown as LookupFunction
export const loopbackAgent = new Agent({ lookup: toLoopback })

export const SSL_HOST = 'ssl.tencentcloudapi.com'

export interface SdkError extends Error {
  code?: string
  httpCode?: number
  requestId?: string
}

export interface ClientOptions {
  credential?: { secretId: string; secretKey: string; token?: string }
  reqMethod?: 'GET' | 'POST'
  /** The common Region (X-TC-Region); none by default. */
  region?: string
}

/**
 * The official SDK's CommonClient aimed at the emulator: endpoint `ssl.tencentcloudapi.com:PORT`
 * keeps the signing scope `ssl`, and the agent sends the connection to 127.0.0.1.
 */
export function sdkClient(emulator: Emulator, options: ClientOptions = {}): SdkClient {
  const { secretId, secretKey } = emulator.credentials
  return new CommonClient(SSL_HOST, '2019-12-05', {
    credential: options.credential ?? { secretId, secretKey },
    region: options.region ?? '',
    profile: {
      httpProfile: {
        endpoint: `${SSL_HOST}:${emulator.port}`,
        protocol: 'http://',
        agent: loopbackAgent,
        reqMethod: options.reqMethod ?? 'POST'
      }
    }
  })
}

/** The error a request fails with; fails the test when it succeeds. */
export async function failureOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise
  } catch (error) {
    return error as SdkError
  }
  throw new Error('expected the request to fail, but it succeeded')
}

/** A call of the admin path `/_emulator/<resource>`, its JSON answer parsed. */
export async function admin(
  emulator: Emulator,
  method: string,
  resource: string,
  body?: unknown
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await rawRequest(emulator.port, {
    method,
    path: `/_emulator/${resource}`,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: response.status, json: JSON.parse(response.text) }
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

export function rawRequest(
  port: number,
  options: {
    method: string
    path: string
    headers?: Record<string, string>
    body?: string | Buffer
  }
): Promise<RawResponse> {
  // Node frames a DELETE body only when told its length.
  const headers = { ...options.headers }
  if (options.body !== undefined)
    headers['Content-Length'] = String(Buffer.byteLength(options.body))
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers },
      response => {
        const chunks: Buffer[] = []
        response.on('data', chunk => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8')
          })
        )
        response.on('error', reject)
      }
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

export interface V3RawOptions {
  secretId?: string
  secretKey?: string
  timestamp?: number
  service?: string
  token?: string
  version?: string
  contentType?: string
  /** Sent instead of the signed body (to tamper with it). */
  sentBody?: string
  /** Sent instead of the signed Content-Type. */
  sentContentType?: string
  /** Rewrites the Authorization header before sending. */
  authorization?: (signed: string) => string
}

/** A 3.0 request signed with the SDK's Sign.sign3, sent with `Host: ssl.tencentcloudapi.com:PORT`. */
export function v3Signed(
  emulator: Emulator,
  action: string,
  params: object,
  options: V3RawOptions = {}
): Promise<RawResponse> {
  const body = JSON.stringify(params)
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const contentType = options.contentType ?? 'application/json'
  const signed = Sign.sign3({
    method: 'POST',
    url: `https://${SSL_HOST}/`,
    payload: Buffer.from(body),
    timestamp,
    service: options.service ?? 'ssl',
    secretId: options.secretId ?? emulator.credentials.secretId,
    secretKey: options.secretKey ?? emulator.credentials.secretKey,
    multipart: false,
    headers: { 'Content-Type': contentType }
  })
  const headers: Record<string, string> = {
    Host: `${SSL_HOST}:${emulator.port}`,
    'Content-Type': options.sentContentType ?? contentType,
    'X-TC-Action': action,
    'X-TC-Version': options.version ?? '2019-12-05',
    'X-TC-Timestamp': String(timestamp),
    Authorization: options.authorization ? options.authorization(signed) : signed
  }
  if (options.token !== undefined) headers['X-TC-Token'] = options.token
  return rawRequest(emulator.port, {
    method: 'POST',
    path: '/',
    headers,
    body: options.sentBody ?? body
  })
}

/** v3Signed, with the answer parsed. */
export async function v3Raw(
  emulator: Emulator,
  action: string,
  params: object,
  options: V3RawOptions = {}
): Promise<RawResponse & { json: { Response: Record<string, unknown> } }> {
  const response = await v3Signed(emulator, action, params, options)
  return { ...response, json: JSON.parse(response.text) }
}

export interface V2Options {
  method?: 'GET' | 'POST'
  secretId?: string
  secretKey?: string
  /** Sent as SignatureMethod; the HMAC is SHA-256 only when it is exactly `HmacSHA256`. */
  signatureMethod?: string
  /** The HMAC actually used, when a test wants it to differ from SignatureMethod. */
  hmac?: 'HmacSHA1' | 'HmacSHA256'
  timestamp?: number
  nonce?: number
  token?: string
  /** Parameters removed after signing. */
  drop?: string[]
}

export interface V2Response {
  code: number
  message: string
  codeDesc: string
  data?: unknown
}

let nonceCounter = Math.floor(Math.random() * 1_000_000)

/**
 * A 2.0 request: METHOD + host:port + /v2/index.php + ? + params sorted by name, raw values,
 * signed with the SDK's Sign.sign; sent as a query (GET) or form body (POST).
 */
export async function v2Call(
  emulator: Emulator,
  action: string,
  params: Record<string, string>,
  options: V2Options = {}
): Promise<V2Response> {
  const method = options.method ?? 'GET'
  const all: Record<string, string> = {
    ...params,
    Action: action,
    SecretId: options.secretId ?? emulator.credentials.secretId,
    Timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    Nonce: String(options.nonce ?? ++nonceCounter)
  }
  if (options.signatureMethod !== undefined) all.SignatureMethod = options.signatureMethod
  if (options.token !== undefined) all.Token = options.token
  const host = `127.0.0.1:${emulator.port}`
  const source =
    `${method}${host}/v2/index.php?` +
    Object.keys(all)
      .sort()
      .map(name => `${name}=${all[name]}`)
      .join('&')
  const hmac =
    options.hmac ?? (options.signatureMethod === 'HmacSHA256' ? 'HmacSHA256' : 'HmacSHA1')
  all.Signature = Sign.sign(options.secretKey ?? emulator.credentials.secretKey, source, hmac)
  for (const name of options.drop ?? []) delete all[name]
  const encoded = new URLSearchParams(all).toString()
  const response =
    method === 'GET'
      ? await rawRequest(emulator.port, { method, path: `/v2/index.php?${encoded}` })
      : await rawRequest(emulator.port, {
          method,
          path: '/v2/index.php',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: encoded
        })
  return JSON.parse(response.text) as V2Response
}

/** `YYYY-MM-DD HH:mm:ss` in GMT+8, computed here field by field (not with the emulator's code). */
export function gmt8Text(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  return (
    `${shifted.getUTCFullYear()}-${two(shifted.getUTCMonth() + 1)}-${two(shifted.getUTCDate())} ` +
    `${two(shifted.getUTCHours())}:${two(shifted.getUTCMinutes())}:${two(shifted.getUTCSeconds())}`
  )
}
