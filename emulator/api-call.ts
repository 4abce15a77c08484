/**
 * One API request, whichever API it came to, seen the same way by the server's fault logic:
 * its action, and the answers it can give (normal, throttled, internal error, spoiled shapes).
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Tc3Request, V2Request } from './auth.js'
import type { EmulatorContext } from './context.js'
import { withWrongTypes, type ApiVersion } from './faults.js'
import { handleV2, v2Envelope, v2InternalError, v2Params, v2Throttled, V2_PATH } from './v2.js'
import {
  handleV3,
  v3ActionOf,
  v3Envelope,
  v3InternalError,
  v3Throttled,
  type V3Result
} from './v3.js'

export interface Answer {
  /** The JSON body. */
  payload: unknown
  /** Tencent's error code (2.0: the number as text); '' on success. */
  code: string
}

export interface ApiCall {
  api: ApiVersion
  action: string
  /** The SecretId the request names (signed with), if any. */
  secretId?: string
  perform(): Answer
  throttled(): Answer
  internalError(): Answer
  /** Performs the request, then answers the envelope without the action's fields. */
  performWithoutFields(): Answer
  /** Performs the request, then answers its fields with the wrong JSON types. */
  performWithWrongTypes(): Answer
  /** The parts of a syntactically valid body that a padded (huge) answer wraps. */
  paddedEnvelope(): { prefix: string; suffix: string }
  /** The start of a real answer, cut off: not JSON. */
  truncated(): string
}

/** Limits on request bodies: Tencent's 10 MB for TC3 POST and 1 MB for the older signature. */
export const MAX_BODY_BYTES: Record<ApiVersion, number> = { '3.0': 10 << 20, '2.0': 1 << 20 }

export interface ReceivedRequest {
  request: IncomingMessage
  rawQuery: string
  body: Buffer
}

/** A 3.0-style call; `handle` answers it (SSL by default, STS for its version). */
export function v3Call(
  received: ReceivedRequest,
  context: EmulatorContext,
  handle: (request: Tc3Request, context: EmulatorContext) => V3Result = handleV3
): ApiCall {
  const requestId = randomUUID()
  const tc3: Tc3Request = {
    method: received.request.method === 'GET' ? 'GET' : 'POST',
    headers: received.request.headers,
    rawQuery: received.rawQuery,
    body: received.body
  }
  const answer = (result: ReturnType<typeof handleV3>): Answer => ({
    payload: v3Envelope(result, requestId),
    code: result.ok ? '' : result.code
  })
  const credential = /Credential=([^/,\s]+)\//.exec(String(tc3.headers.authorization ?? ''))
  return {
    api: '3.0',
    action: v3ActionOf(tc3),
    secretId: credential?.[1],
    perform: () => answer(handle(tc3, context)),
    throttled: () => answer(v3Throttled(context)),
    internalError: () => answer(v3InternalError()),
    performWithoutFields: () => {
      handle(tc3, context)
      return { payload: { Response: { RequestId: requestId } }, code: '' }
    },
    performWithWrongTypes: () => {
      const result = handle(tc3, context)
      const fields = result.ok ? withWrongTypes(result.fields) : {}
      return { payload: { Response: { ...(fields as object), RequestId: requestId } }, code: '' }
    },
    paddedEnvelope: () => ({
      prefix: `{"Response":{"RequestId":"${requestId}","Padding":"`,
      suffix: '"}}'
    }),
    truncated: () => `{"Response":{"RequestId":"${requestId}","TotalCount":`
  }
}

export function v2Call(received: ReceivedRequest, context: EmulatorContext): ApiCall {
  const v2: V2Request = {
    method: received.request.method === 'GET' ? 'GET' : 'POST',
    host: received.request.headers.host ?? '',
    path: V2_PATH,
    params: v2Params(received.rawQuery, received.body)
  }
  const answer = (result: ReturnType<typeof handleV2>): Answer => ({
    payload: v2Envelope(result),
    code: result.ok ? '' : String(result.code)
  })
  const success = { code: 0, message: '', codeDesc: 'Success' }
  return {
    api: '2.0',
    action: v2.params.Action ?? '',
    secretId: v2.params.SecretId || undefined,
    perform: () => answer(handleV2(v2, context)),
    throttled: () => answer(v2Throttled()),
    internalError: () => answer(v2InternalError()),
    performWithoutFields: () => {
      handleV2(v2, context)
      return { payload: success, code: '' }
    },
    performWithWrongTypes: () => {
      const result = handleV2(v2, context)
      return {
        payload: { ...success, data: withWrongTypes(result.ok ? result.data : {}) },
        code: ''
      }
    },
    paddedEnvelope: () => ({
      prefix: '{"code":0,"message":"","codeDesc":"Success","data":{"padding":"',
      suffix: '"}}'
    }),
    truncated: () => '{"code":0,"message":"","codeDesc":"Success","data":{"totalNum":'
  }
}
