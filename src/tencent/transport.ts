/**
 * The request loop shared by both API versions: pacing, a timeout on every attempt, retries with
 * backoff, clock-skew correction, a cap on the answer's size, and one error type for every way a
 * call can fail. What goes on the wire and how an answer is read is the `Protocol`'s business.
 *
 * Bodies are never logged (they hold private keys and certificates), and every error message is
 * scrubbed of the credentials and of the private key of the call.
 */
import type { ClientDeps, Credentials } from './client.js'
import type { CredentialSource } from './credential-source.js'
import { TencentApiError } from './errors.js'
import { Pacer, type PacingPolicy } from './pacer.js'
import type { PollPolicy } from './poll.js'
import type { ServerClock } from './server-clock.js'
import {
  backoffDelay,
  classifyFailure,
  provesNotProcessed,
  retryPolicy,
  type FailureKind,
  type RetryPolicy
} from './retry.js'

/** Answers above this are refused: no SSL answer comes near it, and memory is finite. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024
/** A sensible per-request timeout for callers that have no opinion. */
export const DEFAULT_TIMEOUT_MS = 30_000

export interface WireRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface ApiAnswer {
  data: unknown
  requestId: string
}

/** How one API version signs a request and reads an answer. */
export interface Protocol {
  /** Builds and signs one attempt; called anew for every retry (fresh timestamp and nonce).
   * `credentials`: what the transport's source gave for this attempt (none: unsigned STS). */
  build(
    action: string,
    params: Record<string, unknown>,
    timestamp: number,
    credentials?: Credentials
  ): WireRequest
  /** Reads a 2xx answer; throws TencentApiError for an API error or an unreadable answer. */
  parse(action: string, text: string): ApiAnswer
}

export interface CallOptions {
  /** The call creates something: only failures that prove nothing was done are retried here;
   * anything ambiguous is thrown at once so the caller can look before trying again. */
  nonIdempotent?: boolean
  /** What the call is about (a certificate id), named in error messages. */
  subject?: string
  /** Values of this call that must never appear in a message (a private key). */
  secrets?: string[]
  /** After a timeout, wait as long again before retrying: a request that timed out here may
   * still be completing there, and the retry must not race it (3.0 UploadCertificate). */
  settleAfterTimeout?: boolean
}

/** Parameters computed anew for every attempt (STS: a short-lived token fetched again when old),
 * with the values among them that must never appear in a message. */
export type ParamsPerAttempt = (
  attempt: number
) => Promise<{ params: Record<string, unknown>; secrets?: string[] }>

export interface CallResult extends ApiAnswer {
  attempts: number
  /** Attempts that may have reached the server and been acted on (the answered one included);
   * failures that prove the request was not processed do not count. */
  maybeProcessed: number
}

export interface TransportOptions {
  deps: ClientDeps
  timeoutMs: number
  protocol: Protocol
  /** Values (secret key, token) to scrub from every message; the secret key and token of every
   * credentials the source gives are scrubbed too. */
  secrets: string[]
  /** Asked before every attempt; absent for the unsigned STS exchange. */
  credentials?: CredentialSource
  /** Learns the server's time from every answer's Date (credentials/renewal.ts asks it). */
  serverClock?: ServerClock
  retry?: Partial<RetryPolicy>
  pacing?: Partial<PacingPolicy>
  /** Which failures are retried; the SSL classification unless an API needs its own (STS). */
  classify?: (code: string) => FailureKind
}

interface Exchange {
  status: number
  text: string
  date: string | null
}

/** Thrown inside an attempt: the error, with the HTTP status and Date of the answer if one came. */
class AttemptFailure {
  constructor(
    readonly error: TencentApiError,
    readonly status: number | undefined,
    readonly date: string | null
  ) {}
}

export class Transport {
  readonly policy: RetryPolicy
  private readonly pacer: Pacer
  private readonly deps: ClientDeps
  private readonly setTimer: NonNullable<ClientDeps['setTimer']>
  /** Server clock minus ours, learnt from the Date of a SignatureExpire answer. */
  private skewMs = 0

  constructor(private readonly options: TransportOptions) {
    this.deps = options.deps
    this.policy = retryPolicy(options.retry)
    this.pacer = new Pacer(this.deps, options.pacing)
    this.setTimer = this.deps.setTimer ?? realTimer
  }

  async call(
    action: string,
    params: Record<string, unknown> | ParamsPerAttempt,
    options: CallOptions = {}
  ): Promise<CallResult> {
    const { deps, policy } = this
    const secrets = [...this.options.secrets, ...(options.secrets ?? [])]
    const started = deps.now()
    let maybeProcessed = 0
    let skewCorrected = false
    let retries = 0
    for (let attempt = 1; ; attempt++) {
      // The slot is held until the answer (or the timeout): see pacer.ts. Credentials are asked
      // for after the wait for it, which may be long, so that none expire before the signature.
      const release = await this.pacer.acquire(action)
      let sentAt = 0
      try {
        const { answer, status } = await this.prepareAndSend(action, params, attempt, secrets, {
          sent: at => (sentAt = at)
        }).finally(release)
        maybeProcessed++
        this.trace(action, attempt, String(status), 'OK', answer.requestId, sentAt)
        return { ...answer, attempts: attempt, maybeProcessed }
      } catch (thrown) {
        if (!(thrown instanceof AttemptFailure)) throw thrown
        const { error: raw, date, status } = thrown
        const error = scrub(raw, options.subject, secrets)
        this.trace(action, attempt, String(status ?? '-'), error.code, error.requestId, sentAt)
        if (!provesNotProcessed(error.code)) maybeProcessed++

        const kind = (this.options.classify ?? classifyFailure)(error.code)
        const mayRepeat = !options.nonIdempotent || provesNotProcessed(error.code)
        if (kind === 'fatal' || !mayRepeat || attempt >= policy.maxAttempts)
          throw error.after(attempt)
        if (kind === 'skew') {
          const serverNow = date === null ? NaN : Date.parse(date)
          if (skewCorrected || Number.isNaN(serverNow)) throw error.after(attempt)
          skewCorrected = true
          this.skewMs = serverNow - deps.now()
          deps.debug(`${action}: clock corrected by ${Math.round(this.skewMs / 1000)} s (Date)`)
          continue
        }
        const backoff = backoffDelay(policy, retries++, deps.random)
        const settle = options.settleAfterTimeout && error.code === 'Timeout'
        const delay = settle ? Math.max(backoff, this.options.timeoutMs) : backoff
        if (deps.now() - started + delay >= policy.budgetMs) throw error.after(attempt)
        deps.debug(`${action}: retrying in ${Math.round(delay)} ms`)
        await deps.sleep(delay)
      }
    }
  }

  /** The attempt's parameters and credentials (both may change per attempt), then the attempt. */
  private async prepareAndSend(
    action: string,
    params: Record<string, unknown> | ParamsPerAttempt,
    attempt: number,
    secrets: string[],
    report: { sent: (at: number) => void }
  ): Promise<{ answer: ApiAnswer; status: number }> {
    const prepared = typeof params === 'function' ? await params(attempt) : { params }
    secrets.push(...(prepared.secrets ?? []))
    // Asked per attempt: a retry after a renewal signs with the new credentials.
    const signer = await this.options.credentials?.current()
    if (signer) secrets.push(signer.secretKey, signer.token ?? '')
    const sentAt = this.deps.now()
    report.sent(sentAt)
    const timestamp = Math.floor((sentAt + this.skewMs) / 1000)
    return this.attempt(action, prepared.params, timestamp, signer)
  }

  /** One attempt; throws an AttemptFailure. */
  private async attempt(
    action: string,
    params: Record<string, unknown>,
    timestamp: number,
    signer: Credentials | undefined
  ): Promise<{ answer: ApiAnswer; status: number }> {
    const wire = this.options.protocol.build(action, params, timestamp, signer)
    let exchange: Exchange
    try {
      exchange = await this.exchange(wire)
    } catch (error) {
      throw new AttemptFailure(transportError(action, error), undefined, null)
    }
    const { status, text, date } = exchange
    this.options.serverClock?.observe(date, this.deps.now())
    try {
      if (status < 200 || status > 299) throw httpError(action, status, text, this.options.protocol)
      return { answer: this.options.protocol.parse(action, text), status }
    } catch (error) {
      const apiError =
        error instanceof TencentApiError ? error : malformed(action, 'the answer could not be read')
      throw new AttemptFailure(apiError, status, date)
    }
  }

  /** POST with a timeout that holds even for a fetch that ignores the abort signal. */
  private async exchange(wire: WireRequest): Promise<Exchange> {
    const controller = new AbortController()
    let cancel = (): void => undefined
    let fired = false
    const timedOut = new Promise<never>((_, reject) => {
      cancel = this.setTimer(this.options.timeoutMs, () => {
        fired = true
        reject(new TimeoutSignal())
        controller.abort()
      })
    })
    timedOut.catch(() => undefined)
    try {
      const response = await Promise.race([
        this.deps.fetch(wire.url, {
          method: 'POST',
          headers: wire.headers,
          body: wire.body,
          signal: controller.signal,
          size: MAX_RESPONSE_BYTES,
          redirect: 'manual'
        }),
        timedOut
      ])
      if (Number(response.headers.get('content-length')) > MAX_RESPONSE_BYTES)
        throw new TooLargeSignal()
      const text = await Promise.race([response.text(), timedOut])
      if (Buffer.byteLength(text, 'utf8') > MAX_RESPONSE_BYTES) throw new TooLargeSignal()
      return { status: response.status, text, date: response.headers.get('date') }
    } catch (error) {
      controller.abort()
      // Whatever the aborted fetch threw, the cause was our timeout.
      throw fired ? new TimeoutSignal() : error
    } finally {
      cancel()
    }
  }

  /** Never a body, a header value or a message: those may hold keys. */
  private trace(
    action: string,
    attempt: number,
    status: string,
    code: string,
    requestId: string,
    sentAt: number
  ): void {
    const took = this.deps.now() - sentAt
    this.deps.debug(
      `${action} attempt ${attempt}: HTTP ${status}, ${code}, ` +
        `RequestId ${requestId || '-'}, ${took} ms`
    )
  }
}

class TimeoutSignal extends Error {}
class TooLargeSignal extends Error {}

function realTimer(ms: number, fire: () => void): () => void {
  const timer = setTimeout(fire, ms)
  return () => clearTimeout(timer)
}

export function malformed(action: string, problem: string, requestId = ''): TencentApiError {
  return new TencentApiError({
    operation: action,
    code: 'MalformedResponse',
    message: problem,
    requestId
  })
}

/** The answer's JSON; a MalformedResponse, saying when it is an HTML page (a gateway's), if not. */
export function parseJsonAnswer(action: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const looksHtml = /^\s*</.test(text)
    throw malformed(action, `the answer is not JSON${looksHtml ? ' (an HTML page)' : ''}`)
  }
}

/** A failure before an answer was read: timeout, network, oversized answer. */
function transportError(action: string, error: unknown): TencentApiError {
  if (error instanceof TimeoutSignal)
    return new TencentApiError({ operation: action, code: 'Timeout', message: 'no answer in time' })
  const detail = error as { type?: unknown; code?: unknown; cause?: { code?: unknown } }
  if (error instanceof TooLargeSignal || detail?.type === 'max-size')
    return malformed(action, `the answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`)
  const message = error instanceof Error ? error.message : String(error)
  const code =
    typeof detail?.code === 'string'
      ? detail.code
      : typeof detail?.cause?.code === 'string'
        ? detail.cause.code
        : /socket hang up|premature close/i.test(message)
          ? 'ECONNRESET'
          : 'Unknown'
  return new TencentApiError({ operation: action, code: `NetworkError.${code}`, message })
}

function httpError(action: string, status: number, text: string, protocol: Protocol) {
  // A gateway error page says nothing useful; a Tencent error envelope does.
  let said = ''
  let requestId = ''
  try {
    protocol.parse(action, text)
  } catch (error) {
    if (error instanceof TencentApiError && error.code !== 'MalformedResponse') {
      said = `; ${error.code}: ${error.apiMessage}`
      requestId = error.requestId
    }
  }
  return new TencentApiError({
    operation: action,
    code: `HttpError.${status}`,
    message: `the API answered HTTP ${status}${said}`,
    requestId,
    httpStatus: status
  })
}

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g
const MAX_MESSAGE_CHARS = 1000

/** Removes every secret (and each line of a multi-line one) and any private key from `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(PRIVATE_KEY_BLOCK, '[private key removed]')
  for (const secret of secrets) {
    const pieces = [secret, ...secret.split(/\r?\n/).map(line => line.trim())]
    for (const piece of pieces) if (piece.length >= 8) out = out.split(piece).join('***')
  }
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out
}

function scrub(error: TencentApiError, subject: string | undefined, secrets: string[]) {
  return new TencentApiError({
    operation: error.operation,
    code: redact(error.code, secrets),
    message: redact(error.apiMessage, secrets),
    requestId: error.requestId,
    httpStatus: error.httpStatus,
    subject: subject ?? error.subject
  })
}

/** Knobs for tests and callers; every field has a documented default. */
export interface ClientTuning {
  retry?: Partial<RetryPolicy>
  pacing?: Partial<PacingPolicy>
  poll?: Partial<PollPolicy>
}
