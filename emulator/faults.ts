/**
 * Scripted faults: one-shot or n-times entries, matched by API and action, that replace or
 * spoil an answer so tests can exercise retries and defensive parsing.
 *
 * Whether the action is performed:
 * - not performed: internal-error, http-502, reset, throttle, malformed not-json / html-200 /
 *   huge (the gateway failed before the service ran);
 * - performed: lose-response (the change is made, the answer never arrives), malformed
 *   missing-fields / wrong-types (the service answered with a broken shape), latency (a
 *   delay, then the normal answer), clock-jump (the normal answer, after which the server's
 *   clock has moved on by `ms`: its Date shows it, and credentials age by it).
 */
export type ApiVersion = '3.0' | '2.0'

export type MalformedVariant = 'not-json' | 'html-200' | 'missing-fields' | 'wrong-types' | 'huge'

export const FAULT_KINDS = [
  'internal-error',
  'http-502',
  'reset',
  'lose-response',
  'latency',
  'throttle',
  'malformed',
  'clock-jump'
] as const

const MALFORMED_VARIANTS: readonly MalformedVariant[] = [
  'not-json',
  'html-200',
  'missing-fields',
  'wrong-types',
  'huge'
]

interface FaultTarget {
  /** Action name (`UploadCertificate`, `CertGetList`); absent or '*' matches every action. */
  action?: string
  /** Only requests to this API; absent matches both. */
  api?: ApiVersion
  /** How many requests it hits (default 1). */
  times?: number
  /** Matching requests to let through first, e.g. 2 to hit the 3rd call (default 0). */
  skipNext?: number
}

export type Fault = FaultTarget &
  (
    | { kind: 'internal-error' | 'http-502' | 'reset' | 'lose-response' | 'throttle' }
    | { kind: 'latency'; ms: number }
    | { kind: 'clock-jump'; ms: number }
    | { kind: 'malformed'; variant: MalformedVariant }
  )

const isCount = (value: unknown, min: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min

/** Checks a fault that may come from JSON; throws TypeError saying what is wrong. */
export function checkFault(input: unknown): Fault {
  const fault = input as Record<string, unknown>
  if (typeof input !== 'object' || input === null) throw new TypeError('a fault is an object')
  if (!FAULT_KINDS.includes(fault.kind as never)) {
    throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`)
  }
  if (fault.action !== undefined && typeof fault.action !== 'string') {
    throw new TypeError('fault action must be a string')
  }
  if (fault.api !== undefined && fault.api !== '3.0' && fault.api !== '2.0') {
    throw new TypeError("fault api must be '3.0' or '2.0'")
  }
  if (fault.times !== undefined && !isCount(fault.times, 1)) {
    throw new TypeError('fault times must be an integer >= 1')
  }
  if (fault.skipNext !== undefined && !isCount(fault.skipNext, 0)) {
    throw new TypeError('fault skipNext must be an integer >= 0')
  }
  if ((fault.kind === 'latency' || fault.kind === 'clock-jump') && !isCount(fault.ms, 0)) {
    throw new TypeError(`a ${fault.kind} fault needs ms, an integer >= 0`)
  }
  if (fault.kind === 'malformed' && !MALFORMED_VARIANTS.includes(fault.variant as never)) {
    throw new TypeError(`a malformed fault needs variant: ${MALFORMED_VARIANTS.join(', ')}`)
  }
  return { ...fault } as unknown as Fault
}

interface Entry {
  fault: Fault
  timesLeft: number
  skipLeft: number
}

export class FaultQueue {
  private entries: Entry[] = []

  add(fault: Fault): void {
    const checked = checkFault(fault)
    this.entries.push({
      fault: checked,
      timesLeft: checked.times ?? 1,
      skipLeft: checked.skipNext ?? 0
    })
  }

  clear(): void {
    this.entries = []
  }

  /** Faults still armed, with what is left of their counts. */
  pending(): Fault[] {
    return this.entries.map(({ fault, timesLeft, skipLeft }) => ({
      ...fault,
      times: timesLeft,
      skipNext: skipLeft
    }))
  }

  /**
   * The fault that hits this request, if any. Every matching entry sees the request: one still
   * skipping counts it down; the first that is not skipping fires.
   */
  take(api: ApiVersion, action: string): Fault | undefined {
    let fired: Entry | undefined
    for (const entry of this.entries) {
      const { fault } = entry
      const actionMatches =
        fault.action === undefined || fault.action === '*' || fault.action === action
      if (!actionMatches || (fault.api !== undefined && fault.api !== api)) continue
      if (entry.skipLeft > 0) entry.skipLeft--
      else if (!fired) fired = entry
    }
    if (!fired) return undefined
    fired.timesLeft--
    if (fired.timesLeft === 0) this.entries = this.entries.filter(entry => entry !== fired)
    return fired.fault
  }
}

/**
 * The same fields with the wrong JSON types: numbers and booleans become strings, strings
 * become arrays, arrays become objects keyed by index, objects become arrays of their values.
 */
export function withWrongTypes(fields: unknown): unknown {
  if (Array.isArray(fields)) return { ...fields }
  if (typeof fields !== 'object' || fields === null) return fields
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, wrongType(value)]))
}

function wrongType(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return { ...value }
  if (typeof value === 'object' && value !== null) return Object.values(value)
  return value
}
