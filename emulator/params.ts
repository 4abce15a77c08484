/**
 * API 3.0 parameters: typed readers that answer the gateway's errors for a missing or
 * wrongly typed parameter. A GET request carries everything as strings (`Limit=10`,
 * `CertIds.0=abc`), so its values are coerced after unflattening.
 */
import type { Tag } from './store.js'

/** An API 3.0 error: becomes `Response.Error {Code, Message}`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

export interface Params {
  values: Record<string, unknown>
  /** Values came from a query string: numbers and booleans arrive as text. */
  fromQuery: boolean
  /** The common Region (X-TC-Region), when the request names one. */
  region?: string
}

const wrongType = (name: string): ApiError =>
  new ApiError('InvalidParameter', `The value type of parameter \`${name}\` is not valid.`)

export const missing = (name: string): ApiError =>
  new ApiError('MissingParameter', `The request is missing a required parameter \`${name}\`.`)

export function readString(params: Params, name: string): string | undefined {
  const value = params.values[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw wrongType(name)
  return value
}

export function requireString(params: Params, name: string): string {
  const value = readString(params, name)
  if (value === undefined || value === '') throw missing(name)
  return value
}

export function readInteger(params: Params, name: string): number | undefined {
  let value = params.values[name]
  if (value === undefined || value === null) return undefined
  if (params.fromQuery && typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value)
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(name)
  return value
}

export function readBoolean(params: Params, name: string): boolean | undefined {
  let value = params.values[name]
  if (value === undefined || value === null) return undefined
  if (params.fromQuery && typeof value === 'string') {
    value = { true: true, false: false, '1': true, '0': false }[value] ?? value
  }
  if (typeof value !== 'boolean') throw wrongType(name)
  return value
}

export function readStringArray(params: Params, name: string): string[] | undefined {
  const value = params.values[name]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some(item => typeof item !== 'string')) throw wrongType(name)
  return value as string[]
}

export function readIntegerArray(params: Params, name: string): number[] | undefined {
  const value = params.values[name]
  if (value === undefined || value === null) return undefined
  const numbers = Array.isArray(value)
    ? value.map(item => (params.fromQuery && typeof item === 'string' ? Number(item) : item))
    : undefined
  if (!numbers || numbers.some(item => typeof item !== 'number' || !Number.isInteger(item))) {
    throw wrongType(name)
  }
  return numbers as number[]
}

export function readTags(params: Params, name: string): Tag[] | undefined {
  const value = params.values[name]
  if (value === undefined || value === null) return undefined
  const valid =
    Array.isArray(value) &&
    value.every(
      tag =>
        typeof tag === 'object' &&
        tag !== null &&
        typeof tag.TagKey === 'string' &&
        (tag.TagValue === undefined || typeof tag.TagValue === 'string')
    )
  if (!valid) throw wrongType(name)
  return (value as Partial<Tag>[]).map(tag => ({
    TagKey: tag.TagKey as string,
    TagValue: tag.TagValue ?? ''
  }))
}

/** `CertIds.0=a&Tags.0.TagKey=k` → `{CertIds: ['a'], Tags: [{TagKey: 'k'}]}`. */
export function unflatten(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [key, value] of pairs) {
    const path = key.split('.')
    let node = root
    path.slice(0, -1).forEach(segment => {
      if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {}
      node = node[segment] as Record<string, unknown>
    })
    node[path[path.length - 1]] = value
  }
  return arraysFromIndexes(root) as Record<string, unknown>
}

function arraysFromIndexes(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node
  const entries = Object.entries(node).map(([k, v]) => [k, arraysFromIndexes(v)] as const)
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v)
  }
  return Object.fromEntries(entries)
}

/** A value outside the documented ones, refused as a strict server would refuse it. */
const undocumented = (name: string, value: unknown, allowed: readonly unknown[]): ApiError =>
  new ApiError(
    'InvalidParameterValue',
    `The value \`${String(value)}\` of parameter \`${name}\` is not valid; it takes ${allowed.join(', ')}.`
  )

/** A string parameter that takes only the documented `allowed` values. */
export function readEnum(
  params: Params,
  name: string,
  allowed: readonly string[]
): string | undefined {
  const value = readString(params, name)
  if (value !== undefined && !allowed.includes(value)) throw undocumented(name, value, allowed)
  return value
}

/** A string-list parameter whose every item is one of the documented `allowed` values. */
export function readEnumArray(
  params: Params,
  name: string,
  allowed: readonly string[]
): string[] | undefined {
  const values = readStringArray(params, name)
  const wrong = values?.find(value => !allowed.includes(value))
  if (wrong !== undefined) throw undocumented(name, wrong, allowed)
  return values
}
