/**
 * In-memory fakes for the API layer's tests: a virtual clock (no real waiting), a recording
 * fetch, answer builders, and the official SDK's signer as an independent oracle.
 */
import { createRequire } from 'node:module'
import type { ClientDeps, FetchLike, FetchResponse } from '../../src/tencent/client.js'
import { TencentApiError } from '../../src/tencent/errors.js'

export const START = Date.UTC(2026, 10, 28, 12, 0, 0)

interface Timer {
  at: number
  seq: number
  fire: () => void
}

/** Virtual time: `sleep` and timers fire only when `run` advances the clock to them. */
export class FakeClock {
  now = START
  readonly sleeps: number[] = []
  private timers: Timer[] = []
  private seq = 0

  readonly clock = (): number => this.now

  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    return new Promise(resolve => this.schedule(ms, resolve))
  }

  readonly setTimer = (ms: number, fire: () => void): (() => void) => {
    const timer = this.schedule(ms, fire)
    return () => {
      this.timers = this.timers.filter(t => t !== timer)
    }
  }

  get pendingTimers(): number {
    return this.timers.length
  }

  /** Runs `work` to the end, moving time forward whenever nothing else can happen. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false
    work.then(
      () => (settled = true),
      () => (settled = true)
    )
    for (;;) {
      await new Promise(resolve => setImmediate(resolve))
      if (settled) return work
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers.shift()
      if (!next) throw new Error('stuck: the work waits for something that never happens')
      this.now = Math.max(this.now, next.at)
      next.fire()
    }
  }

  private schedule(ms: number, fire: () => void): Timer {
    const timer = { at: this.now + Math.max(0, ms), seq: this.seq++, fire }
    this.timers.push(timer)
    return timer
  }
}

export interface SentRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: string
  /** Virtual time of the send. */
  at: number
  signal?: AbortSignal
  init: Parameters<FetchLike>[1]
}

export interface Answer {
  status?: number
  body?: string
  headers?: Record<string, string>
  /** Never answers, and ignores the abort signal. */
  hang?: boolean
  /** Never answers until aborted, then rejects as node-fetch does (AbortError). */
  abortable?: boolean
  /** Headers arrive, the body never does. */
  hangBody?: boolean
  /** Rejects like a failed connection. */
  error?: unknown
}

export type Handler = (request: SentRequest) => Answer | Promise<Answer>

/** A fetch that records every request and answers with `handler`. */
export function fakeFetch(clock: FakeClock, handler: Handler) {
  const requests: SentRequest[] = []
  const fetch: FetchLike = async (url, init) => {
    const request: SentRequest = {
      url,
      method: init.method,
      headers: { ...init.headers },
      body: init.body ?? '',
      at: clock.now,
      signal: init.signal,
      init
    }
    requests.push(request)
    const answer = await handler(request)
    if (answer.error !== undefined) throw answer.error
    if (answer.hang) return new Promise<FetchResponse>(() => undefined)
    if (answer.abortable)
      return new Promise<FetchResponse>((_, reject) =>
        init.signal?.addEventListener('abort', () =>
          reject(
            Object.assign(new Error('The operation was aborted.'), {
              name: 'AbortError',
              type: 'aborted'
            })
          )
        )
      )
    const headers = new Map(
      Object.entries({ date: new Date(clock.now).toUTCString(), ...answer.headers }).map(
        ([k, v]) => [k.toLowerCase(), v]
      )
    )
    return {
      status: answer.status ?? 200,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      text: () =>
        answer.hangBody ? new Promise<string>(() => undefined) : Promise.resolve(answer.body ?? '')
    }
  }
  return { fetch, requests }
}

export interface TestDeps extends ClientDeps {
  debugLines: string[]
  warnings: string[]
}

export function makeDeps(clock: FakeClock, fetch: FetchLike, random = () => 0.5): TestDeps {
  const debugLines: string[] = []
  const warnings: string[] = []
  return {
    fetch,
    now: clock.clock,
    sleep: clock.sleep,
    setTimer: clock.setTimer,
    random,
    debug: line => debugLines.push(line),
    warning: line => warnings.push(line),
    debugLines,
    warnings
  }
}

/** The TencentApiError a call fails with; fails the test when it succeeds or throws another. */
export async function apiFailure(promise: Promise<unknown>): Promise<TencentApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(TencentApiError)
    return error as TencentApiError
  }
  throw new Error('expected a failure')
}

/** A Node system error as node-fetch reports it (FetchError with `code`). */
export function networkError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(`request to https://example/ failed, reason: ${message}`), {
    type: 'system',
    code,
    errno: code
  })
}

export const v3Ok = (fields: Record<string, unknown>, requestId = 'rid-ok'): Answer => ({
  body: JSON.stringify({ Response: { ...fields, RequestId: requestId } })
})

export const v3Error = (code: string, message = 'something', requestId = 'rid-err'): Answer => ({
  body: JSON.stringify({
    Response: { Error: { Code: code, Message: message }, RequestId: requestId }
  })
})

export const v2Ok = (data: unknown): Answer => ({
  body: JSON.stringify({ code: 0, message: '', codeDesc: 'Success', data })
})

export const v2Error = (code: number, message = 'something'): Answer => ({
  body: JSON.stringify({ code, message, codeDesc: 'Failure', data: [] })
})

/** The most sends found in any window of `windowMs` (half-open) among `times`. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

interface SdkSign {
  sign(secretKey: string, signStr: string, signMethod: string): string
  sign3(input: {
    method?: string
    url?: string
    payload: unknown
    timestamp: number
    service: string
    secretId: string
    secretKey: string
    multipart: boolean
    boundary: string
    headers: Record<string, string>
  }): string
}

/** The official SDK's signer (CommonJS), an oracle independent of src/tencent/sign.ts. */
export const Sign: SdkSign = createRequire(import.meta.url)(
  'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign'
).default

/** What the SDK signs for a request our 3.0 client sent. */
export function sdkAuthorization(
  request: SentRequest,
  credentials: { secretId: string; secretKey: string }
): string {
  return Sign.sign3({
    method: 'POST',
    url: request.url,
    payload: Buffer.from(request.body),
    timestamp: Number(request.headers['X-TC-Timestamp']),
    service: 'ssl',
    secretId: credentials.secretId,
    secretKey: credentials.secretKey,
    multipart: false,
    boundary: '',
    headers: { 'Content-Type': request.headers['Content-Type'] }
  })
}

/** The 2.0 signature of a sent form, recomputed with the SDK from a source string built here. */
export function sdkV2Signature(request: SentRequest, secretKey: string): string {
  const url = new URL(request.url)
  const params = Object.fromEntries(new URLSearchParams(request.body))
  delete params.Signature
  const query = Object.keys(params)
    .sort()
    .map(name => `${name}=${params[name]}`)
    .join('&')
  return Sign.sign(secretKey, `POST${url.host}${url.pathname}?${query}`, params.SignatureMethod)
}

export function formOf(request: SentRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.body))
}

export function jsonOf(request: SentRequest): Record<string, unknown> {
  return JSON.parse(request.body) as Record<string, unknown>
}
