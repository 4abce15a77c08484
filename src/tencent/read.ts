/** Helpers for reading untyped API answers defensively, shared by both API versions. */
import { errorMessage, TencentApiError } from './errors.js'

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
    subject
  })
}

/** Tencent's wording for a certificate that no longer exists, in either language. */
export function saysNotFound(message: string): boolean {
  return /CertificateNotFound|not\s+(?:be\s+)?found|not\s+exist|no\s+longer\s+exist|不存在/i.test(
    message
  )
}
