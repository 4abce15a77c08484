/**
 * API 3.0 (ssl, 2019-12-05): headers, TC3 signature, rate limit, parameters, then the action.
 * Every answer is HTTP 200 with `{"Response": {..., "RequestId"}}`, errors in `Response.Error`.
 */
import { verifyTc3, type Tc3Request } from './auth.js'
import type { EmulatorContext } from './context.js'
import { ApiError, unflatten, type Params } from './params.js'
import {
  checkCertificateExist,
  describeCertificateDetail,
  describeCertificates,
  uploadCertificate
} from './v3-certificates.js'
import {
  createCertificateBindResourceSyncTask,
  deleteCertificate,
  deleteCertificates,
  describeCertificateBindResourceTaskResult,
  describeDeleteCertificatesTaskResult,
  settleBinding
} from './v3-deletion.js'
import { modifyCertificatesExpiringNotificationSwitch } from './v3-reminders.js'
import { resourceActions } from './v3-resources.js'

export const V3_VERSION = '2019-12-05'

export type V3Result =
  { ok: true; fields: Record<string, unknown> } | { ok: false; code: string; message: string }

interface ActionSpec {
  /** Every documented parameter; anything else is UnknownParameter, as on Tencent. */
  params: string[]
  handle: (params: Params, context: EmulatorContext) => Record<string, unknown>
}

const ACTIONS: Record<string, ActionSpec> = {
  UploadCertificate: {
    params: [
      'CertificatePublicKey',
      'CertificatePrivateKey',
      'CertificateType',
      'Alias',
      'ProjectId',
      'CertificateUse',
      'Tags',
      'Repeatable',
      'KeyPassword'
    ],
    handle: uploadCertificate
  },
  CheckCertificateExist: { params: ['CertificatePublicKey'], handle: checkCertificateExist },
  DescribeCertificates: {
    params: [
      'Offset',
      'Limit',
      'SearchKey',
      'CertificateType',
      'ProjectId',
      'ExpirationSort',
      'CertificateStatus',
      'Deployable',
      'Upload',
      'Renew',
      'FilterSource',
      'IsSM',
      'FilterExpiring',
      'Hostable',
      'Tags',
      'IsPendingIssue',
      'CertIds',
      'ServiceId'
    ],
    handle: describeCertificates
  },
  DescribeCertificateDetail: { params: ['CertificateId'], handle: describeCertificateDetail },
  DeleteCertificate: {
    params: ['CertificateId', 'IsCheckResource'],
    handle: deleteCertificate
  },
  DeleteCertificates: { params: ['CertificateIds', 'IsSync'], handle: deleteCertificates },
  DescribeDeleteCertificatesTaskResult: {
    params: ['TaskIds'],
    handle: describeDeleteCertificatesTaskResult
  },
  CreateCertificateBindResourceSyncTask: {
    params: ['CertificateIds', 'IsCache'],
    handle: createCertificateBindResourceSyncTask
  },
  DescribeCertificateBindResourceTaskResult: {
    params: ['TaskIds'],
    handle: describeCertificateBindResourceTaskResult
  },
  ModifyCertificatesExpiringNotificationSwitch: {
    params: ['CertificateIds', 'SwitchStatus'],
    handle: modifyCertificatesExpiringNotificationSwitch
  },
  ...resourceActions(settleBinding)
}

export const V3_ACTIONS = Object.keys(ACTIONS)

const failure = (code: string, message: string): V3Result => ({ ok: false, code, message })

const headerOf = (request: Tc3Request, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

export const v3ActionOf = (request: Tc3Request): string => headerOf(request, 'x-tc-action') ?? ''

export function v3Throttled(context: EmulatorContext): V3Result {
  const limit = context.options.rateLimitPerSecond
  return failure(
    context.options.throttleCode,
    `Your current request times exceeds the frequency limit \`${limit}\` for a second. ` +
      'Please reduce the frequency of calls.'
  )
}

export const v3InternalError = (): V3Result =>
  failure('InternalError', 'An internal error has occurred. Retry your request.')

export function handleV3(request: Tc3Request, context: EmulatorContext): V3Result {
  return context.store.batch(() => answerV3(request, context))
}

function answerV3(request: Tc3Request, context: EmulatorContext): V3Result {
  try {
    const action = v3ActionOf(request)
    if (action === '') return failure('MissingParameter', 'The request is missing `Action`.')
    const version = headerOf(request, 'x-tc-version')
    if (version === undefined)
      return failure('MissingParameter', 'The request is missing `Version`.')
    if (version !== V3_VERSION) {
      return failure('NoSuchVersion', `Version ${version} does not exist; use ${V3_VERSION}.`)
    }
    const denied = verifyTc3(request, context.options, context.now(), context.issued)
    if (denied) return failure(denied.code, denied.message)
    const spec = ACTIONS[action]
    if (!spec) return failure('InvalidAction', `The action \`${action}\` is not found.`)
    const key = `3.0 ${action}`
    if (!context.rateLimiter.admit(key, context.options.rateLimitPerSecond, Date.now())) {
      return v3Throttled(context)
    }
    const params = { ...readParams(request), region: headerOf(request, 'x-tc-region') }
    const unknown = Object.keys(params.values).find(name => !spec.params.includes(name))
    if (unknown !== undefined) {
      return failure('UnknownParameter', `The parameter \`${unknown}\` is not recognized.`)
    }
    return { ok: true, fields: spec.handle(params, context) }
  } catch (error) {
    if (error instanceof ApiError) return failure(error.code, error.message)
    return failure('InternalError', `emulator: ${(error as Error).message}`)
  }
}

function readParams(request: Tc3Request): Params {
  if (request.method === 'GET') {
    return { values: unflatten(new URLSearchParams(request.rawQuery)), fromQuery: true }
  }
  const text = request.body.toString('utf8')
  if (text.trim() === '') return { values: {}, fromQuery: false }
  let values: unknown
  try {
    values = JSON.parse(text)
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.')
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ApiError('InvalidParameter', 'The request body must be a JSON object.')
  }
  return { values: values as Record<string, unknown>, fromQuery: false }
}

/** `{"Response": ...}` with fields, or with Error, and the request id. */
export function v3Envelope(result: V3Result, requestId: string): unknown {
  const fields = result.ok
    ? result.fields
    : { Error: { Code: result.code, Message: result.message } }
  return { Response: { ...fields, RequestId: requestId } }
}
