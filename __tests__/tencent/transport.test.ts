import type { ClientDeps, FetchLike } from '../../src/tencent/client.js'
import type { RetryPolicy } from '../../src/tencent/retry.js'
import {
  MAX_RESPONSE_BYTES,
  redact,
  Transport,
  type CallOptions
} from '../../src/tencent/transport.js'
import { V2Protocol } from '../../src/tencent/v2.js'
import { Tc3Protocol } from '../../src/tencent/v3.js'
import {
  type Answer,
  apiFailure as failure,
  busiestWindow,
  FakeClock,
  fakeFetch,
  formOf,
  makeDeps,
  networkError,
  sdkAuthorization,
  v2Error,
  v2Ok,
  v3Error,
  v3Ok
} from './fakes.js'

const credentials = {
  secretId: 'AKIDtransporttest',
  secretKey: 'transport-secret-key-0123456789',
  token: 'sts-session-token-abcdefghijklmnop'
}

/** Answers in order; the last one repeats. */
function script(...answers: Answer[]) {
  let i = 0
  return () => answers[Math.min(i++, answers.length - 1)]
}

function setup(
  handler: Parameters<typeof fakeFetch>[1],
  options: { api?: '3.0' | '2.0'; retry?: Partial<RetryPolicy>; timeoutMs?: number } = {}
) {
  const clock = new FakeClock()
  const { fetch, requests } = fakeFetch(clock, handler)
  const deps = makeDeps(clock, fetch)
  const protocol =
    options.api === '2.0'
      ? new V2Protocol(new URL('https://wss.api.qcloud.com/v2/index.php'), credentials, deps.random)
      : new Tc3Protocol(new URL('https://ssl.tencentcloudapi.com/'), credentials)
  const transport = new Transport({
    deps,
    timeoutMs: options.timeoutMs ?? 10_000,
    protocol,
    secrets: [credentials.secretKey, credentials.token],
    retry: options.retry
  })
  const call = (action = 'DescribeCertificates', params = {}, callOptions?: CallOptions) =>
    clock.run(transport.call(action, params, callOptions))
  return { clock, requests, deps, transport, call }
}

describe('what is not retried', () => {
  it.each([
    v3Error('AuthFailure.SignatureFailure'),
    v3Error('AuthFailure.SecretIdNotFound'),
    v3Error('AuthFailure.UnauthorizedOperation'),
    v3Error('InvalidParameter.WithDetailReason'),
    v3Error('MissingParameter'),
    v3Error('FailedOperation.CertificateParseError'),
    v3Error('UnauthorizedOperation'),
    v3Error('LimitExceeded'),
    v3Error('SomethingNobodyKnows'),
    { status: 404, body: 'not found' },
    { status: 403, body: '<html>denied</html>' },
    { status: 302, body: '', headers: { location: 'https://elsewhere.example/' } },
    { body: '<html><body>proxy login</body></html>' },
    { error: networkError('ENOTFOUND') }
  ])('answer %# is sent once', async answer => {
    const { call, requests } = setup(script(answer))
    await failure(call())
    expect(requests).toHaveLength(1)
  })

  it.each([4000, 4100, 4104, 4300, 4400, 5000, 5100, 5500, 6100])(
    '2.0 code %i is sent once',
    async code => {
      const { call, requests } = setup(script(v2Error(code)), { api: '2.0' })
      expect((await failure(call('CertGetList'))).code).toBe(String(code))
      expect(requests).toHaveLength(1)
    }
  )
})

describe('what is retried', () => {
  it.each([
    ['RequestLimitExceeded', v3Error('RequestLimitExceeded')],
    ['RequestLimitExceeded.UinLimitExceeded', v3Error('RequestLimitExceeded.UinLimitExceeded')],
    ['LimitExceeded.RateLimitExceeded', v3Error('LimitExceeded.RateLimitExceeded')],
    ['InternalError', v3Error('InternalError')],
    ['InternalError.BackendResponseEmpty', v3Error('InternalError.BackendResponseEmpty')],
    ['HTTP 502', { status: 502, body: '<html>bad gateway</html>' }],
    ['HTTP 503', { status: 503, body: '' }],
    ['HTTP 429', { status: 429, body: '' }],
    ['a reset', { error: networkError('ECONNRESET', 'read ECONNRESET') }],
    ['a refused connection', { error: networkError('ECONNREFUSED') }],
    ['a DNS hiccup', { error: networkError('EAI_AGAIN') }],
    ['socket hang up', { error: new Error('socket hang up') }],
    ['a timeout', { hang: true }],
    ['a body that never arrives', { hangBody: true }]
  ])('%s, then success: two sends', async (_name, first) => {
    const { call, requests } = setup(script(first, v3Ok({ TotalCount: 0 })))
    const result = await call()
    expect(result.data).toMatchObject({ TotalCount: 0 })
    expect(requests).toHaveLength(2)
  })

  it.each([6000, 6200])('2.0 code %i, then success: two sends', async code => {
    const { call, requests } = setup(script(v2Error(code), v2Ok({ ok: 1 })), { api: '2.0' })
    expect((await call('CertGetList')).data).toEqual({ ok: 1 })
    expect(requests).toHaveLength(2)
  })

  it('gives up after 5 attempts in all, with full-jitter backoff in between', async () => {
    const { call, requests, clock } = setup(script(v3Error('InternalError')))
    const error = await failure(call())
    expect(error.code).toBe('InternalError')
    expect(requests).toHaveLength(5)
    // random() is 0.5 in makeDeps: half of min(8000, 500 * 2^n)
    const backoffSleeps = clock.sleeps
    expect(backoffSleeps).toEqual([250, 500, 1000, 2000])
  })

  it('caps the backoff', async () => {
    const { call, requests, clock } = setup(script(v3Error('InternalError')), {
      retry: { maxAttempts: 8, budgetMs: 1e9 }
    })
    await failure(call())
    expect(requests).toHaveLength(8)
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(8000)
  })

  it('starts no retry once the time budget is spent', async () => {
    const { call, requests, clock } = setup(script(v3Error('InternalError')), {
      retry: { maxAttempts: 50, baseMs: 1000, capMs: 1000, budgetMs: 2200 }
    })
    const start = clock.now
    await failure(call())
    // Sleeps of 500 ms each (random 0.5): retries start at 500, 1000, 1500, 2000; the next
    // would start at 2500, past the budget.
    expect(requests).toHaveLength(5)
    expect(requests.at(-1)!.at - start).toBeLessThan(2200)
  })

  it('times out a request whose fetch ignores the abort signal, and aborts it', async () => {
    const { call, requests, clock } = setup(script({ hang: true }), {
      retry: { maxAttempts: 2 },
      timeoutMs: 7000
    })
    const start = clock.now
    const error = await failure(call())
    expect(error.code).toBe('Timeout')
    expect(requests).toHaveLength(2)
    for (const request of requests) expect(request.signal?.aborted).toBe(true)
    expect(requests[1].at - start).toBeGreaterThanOrEqual(7000)
  })

  it('reports a fetch that honours the abort signal as a Timeout too', async () => {
    const { call, requests } = setup(script({ abortable: true }), { retry: { maxAttempts: 1 } })
    expect((await failure(call())).code).toBe('Timeout')
    expect(requests[0].signal?.aborted).toBe(true)
  })

  it.each([
    [true, 7000],
    [false, 0]
  ])(
    'with settleAfterTimeout %s, the retry after a timeout starts at least %i ms after it',
    async (settleAfterTimeout, settleMs) => {
      const { call, requests } = setup(script({ hang: true }, v3Ok({ ok: 1 })), {
        timeoutMs: 7000
      })
      await call('UploadCertificate', {}, { settleAfterTimeout })
      expect(requests).toHaveLength(2)
      const sinceTimeout = requests[1].at - (requests[0].at + 7000)
      expect(sinceTimeout).toBeGreaterThanOrEqual(settleMs)
      // random() is 0.5 in makeDeps: the plain first backoff is 250 ms, far below the timeout.
      if (!settleAfterTimeout) expect(sinceTimeout).toBeLessThan(1000)
    }
  )

  it('leaves no timer behind after an answer', async () => {
    const { call, clock } = setup(script(v3Ok({})))
    await call()
    expect(clock.pendingTimers).toBe(0)
  })
})

describe('clock skew (AuthFailure.SignatureExpire, 2.0 code 4500)', () => {
  const hourAhead = (clock: FakeClock): Answer => ({
    ...v3Error('AuthFailure.SignatureExpire', 'signature expired'),
    headers: { date: new Date(clock.now + 3_600_000).toUTCString() }
  })

  it('retries once with the Date header’s time, and keeps the offset', async () => {
    const clock = new FakeClock()
    const answers = [hourAhead(clock), v3Ok({}), v3Ok({})]
    const { fetch, requests } = fakeFetch(clock, () => answers.shift()!)
    const deps = makeDeps(clock, fetch)
    const transport = new Transport({
      deps,
      timeoutMs: 1000,
      protocol: new Tc3Protocol(new URL('https://ssl.tencentcloudapi.com/'), credentials),
      secrets: []
    })
    await clock.run(transport.call('DescribeCertificates', {}))
    expect(requests).toHaveLength(2)
    const stamp = (i: number) => Number(requests[i].headers['X-TC-Timestamp'])
    const ours = Math.floor(clock.now / 1000)
    expect(Math.abs(stamp(0) - ours)).toBeLessThanOrEqual(1)
    expect(Math.abs(stamp(1) - (ours + 3600))).toBeLessThanOrEqual(1)
    // The retry is signed for the corrected time.
    expect(requests[1].headers.Authorization).toBe(sdkAuthorization(requests[1], credentials))

    await clock.run(transport.call('UploadCertificate', {}))
    expect(Math.abs(stamp(2) - (Math.floor(clock.now / 1000) + 3600))).toBeLessThanOrEqual(1)
  })

  it('retries only once', async () => {
    const clock = new FakeClock()
    const { call, requests } = setup(() => hourAhead(clock))
    const error = await failure(call())
    expect(error.code).toBe('AuthFailure.SignatureExpire')
    expect(requests).toHaveLength(2)
  })

  it('does not retry without a Date header to learn from', async () => {
    const { call, requests } = setup(
      script({ ...v3Error('AuthFailure.SignatureExpire'), headers: { date: 'garbage' } })
    )
    await failure(call())
    expect(requests).toHaveLength(1)
  })

  it('2.0 code 4500: new Timestamp from Date, new Nonce', async () => {
    const clock = new FakeClock()
    const { fetch, requests } = fakeFetch(
      clock,
      script(
        { ...v2Error(4500), headers: { date: new Date(clock.now - 7_200_000).toUTCString() } },
        v2Ok([])
      )
    )
    let n = 0
    const deps = makeDeps(clock, fetch, () => (n++ % 10) / 10)
    const transport = new Transport({
      deps,
      timeoutMs: 1000,
      protocol: new V2Protocol(
        new URL('https://wss.api.qcloud.com/v2/index.php'),
        credentials,
        deps.random
      ),
      secrets: []
    })
    await clock.run(transport.call('CertGetList', {}))
    expect(requests).toHaveLength(2)
    const [first, second] = requests.map(formOf)
    expect(Number(second.Timestamp) - Number(first.Timestamp)).toBeGreaterThanOrEqual(-7201)
    expect(Number(second.Timestamp) - Number(first.Timestamp)).toBeLessThanOrEqual(-7199)
    expect(second.Nonce).not.toBe(first.Nonce)
  })
})

describe('non-idempotent calls', () => {
  const once = { nonIdempotent: true }

  it.each([
    ['a timeout', { hang: true }],
    ['a reset', { error: networkError('ECONNRESET') }],
    ['HTTP 502', { status: 502, body: '' }],
    ['InternalError', v3Error('InternalError')]
  ])('%s is thrown at once for the caller to re-check', async (_name, answer) => {
    const { call, requests } = setup(script(answer, v3Ok({})))
    await failure(call('UploadCertificate', {}, once))
    expect(requests).toHaveLength(1)
  })

  it.each([
    ['throttling', v3Error('RequestLimitExceeded')],
    ['rate limit', v3Error('LimitExceeded.RateLimitExceeded')],
    ['a refused connection', { error: networkError('ECONNREFUSED') }]
  ])('%s proves nothing was done: retried', async (_name, answer) => {
    const { call, requests } = setup(script(answer, v3Ok({ CertificateId: 'x' })))
    const result = await call('UploadCertificate', {}, once)
    expect(requests).toHaveLength(2)
    expect(result.maybeProcessed).toBe(1)
  })

  it.each([
    [[v3Ok({})], 1],
    [[{ hang: true }, v3Ok({})], 2],
    [[{ error: networkError('ECONNRESET') }, v3Error('InternalError'), v3Ok({})], 3],
    [[v3Error('RequestLimitExceeded'), { error: networkError('ECONNREFUSED') }, v3Ok({})], 1]
  ] as [Answer[], number][])(
    'counts the attempts that may have reached the server (%#)',
    async (answers, expected) => {
      const { call } = setup(script(...answers))
      expect((await call()).maybeProcessed).toBe(expected)
    }
  )
})

describe('answers that cannot be read', () => {
  it.each([
    ['HTML', { body: '<!DOCTYPE html><html>maintenance</html>' }],
    ['plain text', { body: 'OK' }],
    ['empty', { body: '' }],
    ['no Response', { body: '{"Data":1}' }],
    ['Response not an object', { body: '{"Response":[1]}' }],
    ['Error without Code', { body: '{"Response":{"Error":{"Message":"x"},"RequestId":"r"}}' }],
    ['JSON null', { body: 'null' }]
  ])('%s → MalformedResponse, not a crash', async (_name, answer) => {
    const { call, requests } = setup(script(answer))
    const error = await failure(call())
    expect(error.code).toBe('MalformedResponse')
    expect(requests).toHaveLength(1)
  })

  it('2.0 without a code → MalformedResponse', async () => {
    const { call } = setup(script({ body: '{"data":[]}' }), { api: '2.0' })
    expect((await failure(call('CertGetList'))).code).toBe('MalformedResponse')
  })

  it('refuses an answer announced larger than 32 MiB', async () => {
    const { call } = setup(
      script({ body: '{}', headers: { 'content-length': String(MAX_RESPONSE_BYTES + 1) } })
    )
    const error = await failure(call())
    expect(error.code).toBe('MalformedResponse')
    expect(error.message).toContain('32 MiB')
  })

  it('refuses a body larger than 32 MiB from a fetch that does not enforce `size`', async () => {
    const { call } = setup(script({ body: 'x'.repeat(MAX_RESPONSE_BYTES + 1) }))
    expect((await failure(call())).code).toBe('MalformedResponse')
  })

  it('maps node-fetch’s max-size error, and asks it to enforce the cap without redirects', async () => {
    const tooBig = Object.assign(new Error('content size over limit'), { type: 'max-size' })
    const { call, requests } = setup(script({ error: tooBig }))
    expect((await failure(call())).code).toBe('MalformedResponse')
    expect(requests[0].init.size).toBe(MAX_RESPONSE_BYTES)
    expect(requests[0].init.redirect).toBe('manual')
  })

  it('keeps Tencent’s code from a non-2xx answer in the message', async () => {
    const { call } = setup(script({ status: 400, ...v3Error('InvalidParameter', 'bad', 'rid-9') }))
    const error = await failure(call())
    expect(error.code).toBe('HttpError.400')
    expect(error.httpStatus).toBe(400)
    expect(error.requestId).toBe('rid-9')
    expect(error.message).toContain('InvalidParameter')
  })
})

describe('pacing through the transport', () => {
  it('sends at most 10 requests of one action in any 1000 ms, retries included', async () => {
    let n = 0
    const { clock, requests, transport } = setup(() =>
      n++ % 7 === 3 ? v3Error('RequestLimitExceeded') : v3Ok({})
    )
    const calls = Array.from({ length: 60 }, () => transport.call('DescribeCertificates', {}))
    const other = Array.from({ length: 10 }, () => transport.call('UploadCertificate', {}))
    await clock.run(Promise.all([...calls, ...other]))
    const times = (action: string) =>
      requests.filter(r => r.headers['X-TC-Action'] === action).map(r => r.at)
    expect(times('DescribeCertificates').length).toBeGreaterThan(60)
    expect(busiestWindow(times('DescribeCertificates'), 1000)).toBeLessThanOrEqual(10)
    expect(busiestWindow(times('UploadCertificate'), 1000)).toBeLessThanOrEqual(10)
  })
})

describe('what is written down', () => {
  const privateKey =
    '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPRIVATEPARTONE\n' +
    'hRANCAAQPRIVATEPARTTWOxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n-----END PRIVATE KEY-----'
  const certificate = '-----BEGIN CERTIFICATE-----\nMIIBCERTIFICATEBODY\n-----END CERTIFICATE-----'

  it('logs action, attempt, status, code, RequestId and duration; never a body or secret', async () => {
    const echo = `bad key ${privateKey} for ${credentials.secretKey} token ${credentials.token}`
    const { call, deps } = setup(
      script(v3Error('InternalError', echo, 'rid-1'), v3Error('InvalidParameter', echo, 'rid-2'))
    )
    const error = await failure(
      call(
        'UploadCertificate',
        { CertificatePublicKey: certificate, CertificatePrivateKey: privateKey },
        { secrets: [privateKey], subject: 'certificate "example.com"' }
      )
    )
    expect(deps.debugLines).toContainEqual(
      expect.stringMatching(
        /^UploadCertificate attempt 1: HTTP 200, InternalError, RequestId rid-1, \d+ ms$/
      )
    )
    expect(deps.debugLines).toContainEqual(
      expect.stringMatching(
        /^UploadCertificate attempt 2: HTTP 200, InvalidParameter, RequestId rid-2, \d+ ms$/
      )
    )
    expect(error.message).toContain('UploadCertificate for certificate "example.com" failed')
    expect(error.message).toContain('InvalidParameter')
    expect(error.message).toContain('rid-2')
    const written = [...deps.debugLines, ...deps.warnings, error.message, error.apiMessage]
    for (const text of written) {
      expect(text).not.toContain('PRIVATEPARTONE')
      expect(text).not.toContain('PRIVATEPARTTWO')
      expect(text).not.toContain('CERTIFICATEBODY')
      expect(text).not.toContain(credentials.secretKey)
      expect(text).not.toContain(credentials.token)
      expect(text).not.toContain('TC3-HMAC-SHA256')
    }
  })

  it('logs a successful attempt too', async () => {
    const { call, deps } = setup(script({ ...v3Ok({}, 'rid-ok-7') }))
    await call('DescribeCertificates', { Offset: 0 })
    expect(deps.debugLines).toContainEqual(
      expect.stringMatching(
        /^DescribeCertificates attempt 1: HTTP 200, OK, RequestId rid-ok-7, \d+ ms$/
      )
    )
  })

  it('scrubs secrets from network error messages', async () => {
    const leaky = networkError('ECONNRESET', `boom ${credentials.secretKey}`)
    const { call } = setup(script({ error: leaky }), { retry: { maxAttempts: 1 } })
    const error = await failure(call())
    expect(error.code).toBe('NetworkError.ECONNRESET')
    expect(error.message).not.toContain(credentials.secretKey)
  })

  it('redact() removes each line of a multi-line secret and any private key block', () => {
    const text = `x MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPRIVATEPARTONE y ${privateKey}`
    const out = redact(text, [privateKey])
    expect(out).not.toContain('PRIVATEPARTONE')
    expect(out).not.toContain('PRIVATEPARTTWO')
  })
})

describe('fits node-fetch', () => {
  it('node-fetch’s fetch type-checks as FetchLike (compile-time)', () => {
    type NodeFetch = typeof import('node-fetch').default
    const fits = (f: NodeFetch): FetchLike => f as unknown as FetchLike
    expect(typeof fits).toBe('function')
    const deps: Partial<ClientDeps> = {}
    expect(deps.setTimer).toBeUndefined()
  })
})
