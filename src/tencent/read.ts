/**
 * Helpers for reading untyped API answers defensively, and for reading what an error code says,
 * shared by both API versions. Pure.
 */
import { errorMessage, TencentApiError } from './errors.js'
import { classifyFailure } from './retry.js'

export type Fields = Record<string, unknown>

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A string field that may be absent or null (then ''); undefined when it has another type. */
export function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : undefined
}

/** An array field that may be absent or null (then []); undefined when it has another type. */
export function optionalArray(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : undefined
}

/** Lower-cased, without empties and repeats, first occurrence first. */
export function domainList(values: unknown[]): string[] {
  const names = values.filter((v): v is string => typeof v === 'string').map(v => v.trim())
  return [...new Set(names.filter(v => v !== '').map(v => v.toLowerCase()))]
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}

/** A copy of `error` that names `subject`: errors are shared across a batch, subjects are not. */
export function errorFor(error: unknown, operation: string, subject: string): TencentApiError {
  if (!(error instanceof TencentApiError))
    return new TencentApiError({
      operation,
      code: 'UnexpectedError',
      message: errorMessage(error),
      subject
    })
  return new TencentApiError({
    operation: error.operation,
    code: error.code,
    message: error.apiMessage,
    requestId: error.requestId,
    httpStatus: error.httpStatus,
    subject,
    attempts: error.attempts
  })
}

/**
 * The certificate does not exist: decided by the error code only, never by the message's
 * wording (a refusal may well say that a *role* "does not exist"). 3.0 codes, with or without
 * the `FailedOperation.` prefix (task results carry the bare name), and 2.0's 5000. A
 * `ResourceNotFound.*` about a role (`ResourceNotFound.RoleNotFound`) is a refusal, not this.
 */
export function meansNotFound(code: string): boolean {
  return (
    code === 'FailedOperation.CertificateNotFound' ||
    code === 'CertificateNotFound' ||
    code === 'ResourceNotFound' ||
    (code.startsWith('ResourceNotFound.') && !/Role/i.test(code)) ||
    code === '5000'
  )
}

/** Codes that refuse the key or the account (CAM, the service role, real-name or project
 * permission): the user's to fix, and the same on every run until they do. */
export function meansRefusal(code: string): boolean {
  return (
    code.startsWith('AuthFailure') ||
    code.startsWith('UnauthorizedOperation') ||
    /(?:^|\.)(?:RoleNotFound(?:Authorization)?|CAMAuthorizedFail|AuthError|NoProjectPermission|NoRealNameAuth)$/.test(
      code
    ) ||
    /^41\d\d$/.test(code)
  )
}

/** Failures that say nothing certain about the server's state: it may have acted (a timeout, a
 * cut-off or unreadable answer, retries that ran out). Anything else is the API's verdict. */
export function leavesOutcomeUnclear(code: string): boolean {
  return (
    classifyFailure(code) !== 'fatal' ||
    /^(?:Timeout|MalformedResponse|UnexpectedError|HttpError\.|NetworkError\.)/.test(code)
  )
}

/**
 * Of `ids` (deletions whose outcome is unclear), those a look-up shows no longer exist. A
 * look-up that fails shows nothing: no certificate is called gone unseen.
 */
export async function confirmedGone(
  ids: string[],
  lookUp: (ids: string[]) => Promise<Map<string, unknown>>,
  debug: (message: string) => void
): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  try {
    const found = await lookUp(ids)
    return new Set(ids.filter(id => !found.has(id)))
  } catch (error) {
    debug(`Could not look the certificates up after their deletion: ${errorMessage(error)}`)
    return new Set()
  }
}
