/**
 * TC3-HMAC-SHA256 requests for any Tencent Cloud 3.0 service: JSON POST, the common `X-TC-*`
 * headers, and the `{"Response": ...}` envelope. Pure: builds and reads text, sends nothing.
 * See tencent-cloud-ssl-api.md §1.3 (signing) and tencent-deploy-and-oidc-api.md §B.3 (STS).
 */
import type { Credentials } from './client.js'
import { TencentApiError } from './errors.js'
import { isRecord } from './read.js'
import { signTc3 } from './sign.js'
import {
  malformed,
  parseJsonAnswer,
  type ApiAnswer,
  type Protocol,
  type WireRequest
} from './transport.js'

/** Which API a request is for: the signature's scope names the service, whatever the host. */
export interface Tc3Api {
  service: string
  version: string
  /** Sent as `X-TC-Region`; STS requires it, SSL's global actions take none. */
  region?: string
}

export const SSL_API: Readonly<Tc3Api> = Object.freeze({ service: 'ssl', version: '2019-12-05' })

export const stsApi = (region: string): Tc3Api => ({
  service: 'sts',
  version: '2018-08-13',
  region
})

/** `'anonymous'` sends `Authorization: SKIP`, which only these actions accept (§B.3). */
export type Tc3Signer = Credentials | 'anonymous'
const UNSIGNED_ACTIONS = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'])

const CONTENT_TYPE = 'application/json'

export class Tc3ServiceProtocol implements Protocol {
  /** `signer`: what signs when the transport gives no credentials for the attempt. */
  constructor(
    private readonly endpoint: URL,
    private readonly api: Tc3Api,
    private readonly signer: Tc3Signer = 'anonymous'
  ) {}

  build(
    action: string,
    params: Record<string, unknown>,
    timestamp: number,
    credentials?: Credentials
  ): WireRequest {
    const signer = credentials ?? this.signer
    const body = JSON.stringify(params)
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPE,
      'X-TC-Action': action,
      'X-TC-Version': this.api.version,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Language': 'en-US',
      'X-TC-RequestClient': 'tencentcloud-ssl-action'
    }
    if (this.api.region) headers['X-TC-Region'] = this.api.region
    headers.Authorization = this.authorization(signer, action, body, timestamp)
    if (signer !== 'anonymous' && signer.token) headers['X-TC-Token'] = signer.token
    return { url: this.endpoint.href, headers, body }
  }

  private authorization(signer: Tc3Signer, action: string, body: string, timestamp: number) {
    if (signer !== 'anonymous') {
      return signTc3({
        secretId: signer.secretId,
        secretKey: signer.secretKey,
        service: this.api.service,
        host: this.endpoint.hostname.toLowerCase(),
        contentType: CONTENT_TYPE,
        payload: body,
        timestamp
      }).authorization
    }
    // A programming error, not a user's: every other action needs a signature.
    if (!UNSIGNED_ACTIONS.has(action)) throw new Error(`${action} cannot be sent unsigned`)
    return 'SKIP'
  }

  parse(action: string, text: string): ApiAnswer {
    const json = parseJsonAnswer(action, text)
    const response = isRecord(json) ? json.Response : undefined
    if (!isRecord(response)) throw malformed(action, 'the answer has no Response object')
    const requestId = typeof response.RequestId === 'string' ? response.RequestId : ''
    const error = response.Error
    if (error !== undefined && error !== null) {
      if (!isRecord(error) || typeof error.Code !== 'string' || error.Code === '')
        throw malformed(action, 'Response.Error has no Code', requestId)
      const message = typeof error.Message === 'string' ? error.Message : ''
      throw new TencentApiError({ operation: action, code: error.Code, message, requestId })
    }
    return { data: response, requestId }
  }
}
