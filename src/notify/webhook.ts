/**
 * One JSON POST to a webhook, retried with backoff on 5xx, 429, timeouts and broken connections
 * (a bounded number of times); a chat robot's own refusal in a 200 answer (WeCom and DingTalk
 * `errcode`, Feishu `code`) is a failure too. The URL is a secret: messages name the webhook by
 * its number and host only. fetch, sleep and randomness are injected.
 */
import type { FetchLike } from '../tencent/client.js'
import type { NotifyFormat } from './settings.js'

export interface WebhookDeps {
  fetch: FetchLike
  sleep: (ms: number) => Promise<void>
  /** In [0, 1): jitter. */
  random: () => number
  debug: (message: string) => void
  /** Per attempt; 10 s by default. */
  timeoutMs?: number
}

export const WEBHOOK_ATTEMPTS = 4
const FIRST_BACKOFF_MS = 1000
const LONGEST_RETRY_AFTER_MS = 30_000

/** How a webhook is named in logs and messages: never its path or query, which hold its key. */
export function webhookName(url: string, index: number): string {
  return `webhook ${index + 1} (${new URL(url).host})`
}

/** Posts `body`; resolves once delivered, throws an Error naming the webhook otherwise. */
export async function postWebhook(
  url: string,
  name: string,
  format: NotifyFormat,
  body: unknown,
  deps: WebhookDeps
): Promise<void> {
  const payload = JSON.stringify(body)
  let last = ''
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    const answer = await attemptPost(url, payload, deps)
    if (answer.kind === 'delivered') {
      const refusal = robotRefusal(format, answer.text)
      if (refusal) throw new Error(`${name} refused the notification: ${refusal}`)
      deps.debug(`${name}: delivered (HTTP ${answer.status}, attempt ${attempt}).`)
      return
    }
    last = answer.problem
    if (!answer.retry) break
    deps.debug(`${name}: ${last} (attempt ${attempt} of ${WEBHOOK_ATTEMPTS}).`)
    if (attempt < WEBHOOK_ATTEMPTS) await deps.sleep(answer.waitMs ?? backoff(attempt, deps.random))
  }
  throw new Error(`Could not deliver the notification to ${name}: ${last}`)
}

type Answer =
  | { kind: 'delivered'; status: number; text: string }
  | { kind: 'failed'; problem: string; retry: boolean; waitMs?: number }

async function attemptPost(url: string, payload: string, deps: WebhookDeps): Promise<Answer> {
  const timeoutMs = deps.timeoutMs ?? 10_000
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const response = await deps.fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: payload,
      signal: controller.signal,
      size: 65_536,
      redirect: 'manual'
    })
    const text = await response.text().catch(() => '')
    const status = response.status
    if (status >= 200 && status < 300) return { kind: 'delivered', status, text }
    const problem = `HTTP ${status}${excerpt(text)}`
    if (status === 429)
      return { kind: 'failed', problem, retry: true, waitMs: retryAfter(response) }
    if (status >= 300 && status < 400)
      return { kind: 'failed', problem: `${problem}, a redirect (not followed)`, retry: false }
    return { kind: 'failed', problem, retry: status >= 500 }
  } catch (error) {
    const problem = controller.signal.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : `the connection failed (${connectionCode(error)})`
    return { kind: 'failed', problem, retry: true }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The system's code for a failed connection (ECONNREFUSED, ENOTFOUND…), never the error's text:
 * node-fetch's message quotes the whole URL, whose path and query are the webhook's secret, in
 * a normalised form that the runner's mask of the input as typed would miss.
 */
function connectionCode(error: unknown): string {
  const codeOf = (value: unknown): string | undefined => {
    const code = (value as { code?: unknown } | null)?.code
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined
  }
  return codeOf(error) ?? codeOf((error as { cause?: unknown } | null)?.cause) ?? 'no code given'
}

/** 1 s, 2 s, 4 s…, each between half and all of it (jitter). */
export function backoff(attempt: number, random: () => number): number {
  const full = FIRST_BACKOFF_MS * 2 ** (attempt - 1)
  return Math.round(full / 2 + (random() * full) / 2)
}

function retryAfter(response: {
  headers: { get(name: string): string | null }
}): number | undefined {
  const seconds = Number(response.headers.get('retry-after'))
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined
  return Math.min(seconds * 1000, LONGEST_RETRY_AFTER_MS)
}

/**
 * Chat robots answer HTTP 200 with an error code of their own when they refuse a message (a
 * wrong key, a keyword the message lacks, a rate limit): WeCom and DingTalk `errcode`, Feishu
 * `code` (or `StatusCode` in its older answers). 0 is success.
 */
export function robotRefusal(format: NotifyFormat, text: string): string | undefined {
  if (format === 'json' || format === 'slack') return undefined
  let answer: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null) return undefined
    answer = parsed as Record<string, unknown>
  } catch {
    return undefined
  }
  const [codeField, messageField] =
    format === 'feishu'
      ? 'code' in answer
        ? ['code', 'msg']
        : ['StatusCode', 'StatusMessage']
      : ['errcode', 'errmsg']
  const code = answer[codeField]
  if (code === undefined || code === 0 || code === '0') return undefined
  return `${codeField} ${String(code)}${answer[messageField] ? `: ${String(answer[messageField])}` : ''}`
}

const excerpt = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 200)
  return line ? `: ${line}` : ''
}
