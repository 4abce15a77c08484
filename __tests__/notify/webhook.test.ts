/** One webhook POST: retries with backoff (injected sleep), robots' own refusals, the URL kept out. */
import { describe, expect, it } from '@jest/globals'
import type { FetchLike, FetchResponse } from '../../src/tencent/client.js'
import {
  backoff,
  postWebhook,
  robotRefusal,
  WEBHOOK_ATTEMPTS,
  webhookName,
  type WebhookDeps
} from '../../src/notify/webhook.js'

const URL_ = 'https://hooks.example.test/services/T000/B000/s3cretpath?key=s3cret'
const NAME = webhookName(URL_, 0)

const answer = (
  status: number,
  text = '',
  headers: Record<string, string> = {}
): FetchResponse => ({
  status,
  headers: { get: name => headers[name.toLowerCase()] ?? null },
  text: async () => text
})

/** A fetch that plays `script` in order (an Error is thrown), recording each call. */
function scripted(script: (FetchResponse | Error)[]) {
  const calls: { url: string; init: Parameters<FetchLike>[1] }[] = []
  const sleeps: number[] = []
  const debug: string[] = []
  const deps: WebhookDeps = {
    fetch: async (url, init) => {
      calls.push({ url, init })
      const next = script.shift() ?? answer(200)
      if (next instanceof Error) throw next
      return next
    },
    sleep: async ms => void sleeps.push(ms),
    random: () => 0.5,
    debug: m => void debug.push(m)
  }
  return { deps, calls, sleeps, debug }
}

describe('postWebhook', () => {
  it('posts the JSON once, with its content type, following no redirect', async () => {
    const { deps, calls, sleeps } = scripted([answer(200, 'ok')])
    await postWebhook(URL_, NAME, 'slack', { text: 'hi' }, deps)
    expect(calls).toHaveLength(1)
    expect(calls[0].url).toBe(URL_)
    expect(calls[0].init).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"text":"hi"}',
      redirect: 'manual'
    })
    expect(sleeps).toEqual([])
  })

  it('retries 5xx, 429 and broken connections with growing waits, then delivers', async () => {
    const { deps, calls, sleeps } = scripted([
      answer(502),
      new Error('socket hang up'),
      answer(429, '', { 'retry-after': '3' }),
      answer(204)
    ])
    await postWebhook(URL_, NAME, 'json', {}, deps)
    expect(calls).toHaveLength(4)
    // 1 s and 2 s halfway into their jitter; Retry-After for the 429.
    expect(sleeps).toEqual([750, 1500, 3000])
  })

  it('fails after its attempts, naming the webhook by number and host only', async () => {
    const { deps, calls, sleeps, debug } = scripted(
      Array.from({ length: 9 }, () => answer(503, 'busy'))
    )
    const error = await postWebhook(URL_, NAME, 'json', {}, deps).catch((e: Error) => e)
    expect(calls).toHaveLength(WEBHOOK_ATTEMPTS)
    expect(sleeps).toHaveLength(WEBHOOK_ATTEMPTS - 1)
    expect(String(error)).toContain(
      'Could not deliver the notification to webhook 1 (hooks.example.test): HTTP 503: busy'
    )
    for (const text of [String(error), ...debug]) expect(text).not.toContain('s3cret')
  })

  it('names a refused connection by its code, never by the message, which quotes the URL', async () => {
    // node-fetch's own wording: the whole request URL, normalised.
    const refused = Object.assign(
      new Error(`request to ${URL_} failed, reason: connect ECONNREFUSED 127.0.0.1:443`),
      { code: 'ECONNREFUSED' }
    )
    const { deps, debug } = scripted(Array.from({ length: 9 }, () => refused))
    const error = await postWebhook(URL_, NAME, 'json', {}, deps).catch((e: Error) => e)
    expect(String(error)).toContain('the connection failed (ECONNREFUSED)')
    for (const text of [String(error), ...debug]) expect(text).not.toContain('s3cret')
  })

  it('does not retry a 4xx or a redirect', async () => {
    for (const status of [400, 404, 302]) {
      const { deps, calls } = scripted([answer(status)])
      await expect(postWebhook(URL_, NAME, 'json', {}, deps)).rejects.toThrow(`HTTP ${status}`)
      expect(calls).toHaveLength(1)
    }
  })

  it('retries a timeout', async () => {
    const { deps, calls } = scripted([])
    let first = true
    const hanging: FetchLike = (url, init) =>
      first
        ? new Promise((_, reject) => {
            first = false
            init.signal?.addEventListener('abort', () => reject(new Error('aborted')))
          })
        : deps.fetch(url, init)
    await postWebhook(URL_, NAME, 'json', {}, { ...deps, fetch: hanging, timeoutMs: 1 })
    expect(calls).toHaveLength(1)
  })

  it("fails on a robot's own refusal in a 200 answer, without retrying", async () => {
    const { deps, calls } = scripted([
      answer(200, '{"errcode":93000,"errmsg":"invalid webhook url"}')
    ])
    await expect(postWebhook(URL_, NAME, 'wecom', {}, deps)).rejects.toThrow(
      'webhook 1 (hooks.example.test) refused the notification: errcode 93000: invalid webhook url'
    )
    expect(calls).toHaveLength(1)
  })
})

describe('robotRefusal', () => {
  it.each([
    ['wecom', '{"errcode":0,"errmsg":"ok"}', undefined],
    [
      'dingtalk',
      '{"errcode":310000,"errmsg":"keywords not in content"}',
      'errcode 310000: keywords not in content'
    ],
    ['feishu', '{"code":0,"msg":"success","data":{}}', undefined],
    [
      'feishu',
      '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
      'code 19021: sign match fail or timestamp is not within one hour from current time'
    ],
    ['feishu', '{"StatusCode":0,"StatusMessage":"success"}', undefined],
    ['slack', '{"errcode":1}', undefined],
    ['json', 'not json', undefined],
    ['wecom', 'ok', undefined]
  ] as const)('%s %s', (format, text, refusal) => {
    expect(robotRefusal(format, text)).toBe(refusal)
  })
})

it('backs off 1 s, 2 s, 4 s, each between half and all of it', () => {
  expect([1, 2, 3].map(n => backoff(n, () => 0))).toEqual([500, 1000, 2000])
  expect([1, 2, 3].map(n => backoff(n, () => 0.999999))).toEqual([1000, 2000, 4000])
})
