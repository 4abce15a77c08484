/** The per-action rate limit and every scripted fault, seen by the SDK and by raw HTTP. */
import { setTimeout as sleep } from 'node:timers/promises'
import { makeChain, type TestChain } from '../../fixtures/certs.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  failureOf,
  rawRequest,
  sdkClient,
  v2Call,
  v3Raw,
  v3Signed,
  type SdkError
} from './helpers.js'

const DAY = 86_400_000

describe('rate limit', () => {
  let limited: Emulator
  let client: ReturnType<typeof sdkClient>

  beforeAll(async () => {
    limited = await startEmulator()
    client = sdkClient(limited)
  })
  beforeEach(() => limited.reset())
  afterEach(() =>
    limited.setOption({ rateLimitPerSecond: 10, throttleCode: 'RequestLimitExceeded' })
  )
  afterAll(() => limited.stop())

  const burst = (count: number, action = 'DescribeCertificates') =>
    Promise.allSettled(Array.from({ length: count }, () => client.request(action, {})))

  it('is 10 per second per action by default: the 11th quick call is throttled, other actions are not', async () => {
    expect(limited.options().rateLimitPerSecond).toBe(10)
    const results = await burst(11)
    const refused = results.filter(r => r.status === 'rejected')
    expect(refused).toHaveLength(1)
    expect((refused[0] as PromiseRejectedResult).reason.code).toBe('RequestLimitExceeded')

    const other = await failureOf(
      client.request('DescribeCertificateDetail', { CertificateId: 'NoSuchId' })
    )
    expect(other.code).toBe('FailedOperation.CertificateNotFound')

    const throttled = limited.requests.filter(r => r.code === 'RequestLimitExceeded')
    expect(throttled.map(r => [r.api, r.action, r.status])).toEqual([
      ['3.0', 'DescribeCertificates', 200]
    ])
  })

  it('answers with the configured throttle code', async () => {
    limited.setOption({ rateLimitPerSecond: 1, throttleCode: 'LimitExceeded.RateLimitExceeded' })
    const results = await burst(2)
    const refused = results.filter(r => r.status === 'rejected') as PromiseRejectedResult[]
    expect(refused.map(r => r.reason.code)).toEqual(['LimitExceeded.RateLimitExceeded'])
  })

  it('uses a rolling one-second window', async () => {
    limited.setOption('rateLimitPerSecond', 2)
    expect((await burst(3)).filter(r => r.status === 'rejected')).toHaveLength(1)
    const firstAdmitted = limited.requests[0].time
    await sleep(Math.max(0, firstAdmitted + 1020 - Date.now()))
    expect((await burst(1))[0].status).toBe('fulfilled')
  })

  it('is off at 0', async () => {
    limited.setOption('rateLimitPerSecond', 0)
    expect((await burst(25)).filter(r => r.status === 'rejected')).toHaveLength(0)
  })

  it('throttles API 2.0 with code 4400', async () => {
    limited.setOption('rateLimitPerSecond', 1)
    const codes = await Promise.all([
      v2Call(limited, 'CertGetList', {}),
      v2Call(limited, 'CertGetList', {})
    ])
    expect(codes.map(c => c.code).sort()).toEqual([0, 4400])
  })
})

describe('faults', () => {
  let emulator: Emulator
  let client: ReturnType<typeof sdkClient>
  let chain: TestChain

  beforeAll(async () => {
    emulator = await startEmulator({ rateLimitPerSecond: 0 })
    client = sdkClient(emulator)
    chain = await makeChain({ domains: ['faults.example.test'] })
  })
  afterEach(() => {
    emulator.faults.clear()
    emulator.setOption('latencyMs', 0)
  })
  afterAll(() => emulator.stop())

  const list = () => client.request('DescribeCertificates', {})
  const uploadParams = () => ({
    CertificatePublicKey: chain.fullchainPem,
    CertificatePrivateKey: chain.keyPem,
    Repeatable: false
  })
  const stored = () =>
    emulator.certificates().filter(c => !c.deleted && c.domains.includes('faults.example.test'))

  it('internal-error: InternalError in an HTTP 200 envelope (2.0: code 6000), once', async () => {
    emulator.faults.add({ kind: 'internal-error' })
    const raw = await v3Raw(emulator, 'DescribeCertificates', {})
    expect(raw.status).toBe(200)
    expect(raw.json.Response.Error).toMatchObject({ Code: 'InternalError' })
    await expect(list()).resolves.toHaveProperty('TotalCount')

    emulator.faults.add({ kind: 'internal-error', api: '2.0' })
    expect((await v2Call(emulator, 'CertGetList', {})).code).toBe(6000)
  })

  it('http-502: an HTML body with status 502', async () => {
    emulator.faults.add({ kind: 'http-502', action: 'DescribeCertificates' })
    const raw = await v3Signed(emulator, 'DescribeCertificates', {})
    expect(raw.status).toBe(502)
    expect(raw.headers['content-type']).toMatch(/text\/html/)
    expect(raw.text).toMatch(/<html/i)
    emulator.faults.add({ kind: 'http-502' })
    expect((await failureOf(list())).httpCode).toBe(502)
  })

  it('reset: the socket is destroyed and nothing is done', async () => {
    const before = stored().length
    emulator.faults.add({ kind: 'reset', action: 'UploadCertificate' })
    const error = await failureOf(client.request('UploadCertificate', uploadParams()))
    expect(error.code).toBeUndefined()
    expect(stored()).toHaveLength(before)
    expect(emulator.requests.at(-1)).toMatchObject({
      action: 'UploadCertificate',
      status: 0,
      fault: 'reset'
    })

    emulator.faults.add({ kind: 'reset', api: '2.0' })
    await expect(
      rawRequest(emulator.port, { method: 'GET', path: '/v2/index.php?Action=CertGetList' })
    ).rejects.toThrow()
  })

  it('lose-response: the change is made, the answer never comes', async () => {
    const before = stored().length
    emulator.faults.add({ kind: 'lose-response', action: 'UploadCertificate' })
    await failureOf(client.request('UploadCertificate', uploadParams()))
    expect(stored()).toHaveLength(before + 1)
    const retried = await client.request('UploadCertificate', uploadParams())
    expect(retried.RepeatCertId).toBe(stored()[0].id)
    expect(stored()).toHaveLength(before + 1)
  })

  it('latency: the fault and the latencyMs option both delay the answer', async () => {
    emulator.faults.add({ kind: 'latency', ms: 300 })
    let started = Date.now()
    await list()
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    await list()
    expect(emulator.requests.slice(-2).map(r => r.fault)).toEqual(['latency', undefined])

    emulator.setOption('latencyMs', 200)
    started = Date.now()
    await list()
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('throttle: the throttle code (2.0: 4400)', async () => {
    emulator.faults.add({ kind: 'throttle', api: '3.0' })
    expect((await failureOf(list())).code).toBe('RequestLimitExceeded')
    emulator.faults.add({ kind: 'throttle', api: '2.0' })
    expect((await v2Call(emulator, 'CertGetList', {})).code).toBe(4400)
  })

  it('malformed not-json and html-200: status 200, a body that is not JSON', async () => {
    emulator.faults.add({ kind: 'malformed', variant: 'not-json' })
    const notJson = await v3Signed(emulator, 'DescribeCertificates', {})
    expect(notJson.status).toBe(200)
    expect(() => JSON.parse(notJson.text)).toThrow()

    emulator.faults.add({ kind: 'malformed', variant: 'html-200' })
    const html = await v3Signed(emulator, 'DescribeCertificates', {})
    expect(html.status).toBe(200)
    expect(html.headers['content-type']).toMatch(/text\/html/)
    expect(() => JSON.parse(html.text)).toThrow()
  })

  it('malformed missing-fields and wrong-types: the action runs, the shape is broken', async () => {
    emulator.seed([
      { domains: ['w1.example.test'], notAfter: new Date(Date.now() + DAY) },
      { domains: ['w2.example.test'], notAfter: new Date(Date.now() + DAY) }
    ])
    emulator.faults.add({ kind: 'malformed', variant: 'missing-fields' })
    const missing = await v3Raw(emulator, 'DescribeCertificates', {})
    expect(Object.keys(missing.json.Response)).toEqual(['RequestId'])

    emulator.faults.add({ kind: 'malformed', variant: 'wrong-types' })
    const wrong = (await v3Raw(emulator, 'DescribeCertificates', {})).json.Response
    expect(typeof wrong.TotalCount).toBe('string')
    expect(Number(wrong.TotalCount)).toBeGreaterThanOrEqual(2)
    expect(Array.isArray(wrong.Certificates)).toBe(false)
    expect(typeof wrong.Certificates).toBe('object')

    const before = emulator.certificates().length
    const other = await makeChain({ domains: ['performed.example.test'] })
    emulator.faults.add({
      kind: 'malformed',
      variant: 'missing-fields',
      action: 'UploadCertificate'
    })
    const upload = await client.request('UploadCertificate', {
      CertificatePublicKey: other.fullchainPem,
      CertificatePrivateKey: other.keyPem
    })
    expect(upload.CertificateId).toBeUndefined()
    expect(emulator.certificates()).toHaveLength(before + 1)

    emulator.faults.add({ kind: 'malformed', variant: 'wrong-types', api: '2.0' })
    const v2 = await v2Call(emulator, 'CertGetList', {})
    expect(typeof (v2.data as Record<string, unknown>).totalNum).toBe('string')
  })

  it('malformed huge: a 40 MiB body', async () => {
    emulator.faults.add({ kind: 'malformed', variant: 'huge' })
    const huge = await v3Signed(emulator, 'DescribeCertificates', {})
    expect(huge.status).toBe(200)
    expect(Number(huge.headers['content-length'])).toBe(40 * 1024 * 1024)
    expect(Buffer.byteLength(huge.text)).toBe(40 * 1024 * 1024)
  })

  it('skipNext lets calls through first; times hits several; action and api narrow the match', async () => {
    emulator.faults.add({ kind: 'internal-error', action: 'DescribeCertificates', skipNext: 2 })
    const outcomes: string[] = []
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await list().then(
          () => 'ok',
          (error: SdkError) => error.code ?? 'no code'
        )
      )
    }
    expect(outcomes).toEqual(['ok', 'ok', 'InternalError', 'ok'])

    emulator.faults.add({ kind: 'throttle', action: 'DescribeCertificates', times: 2 })
    emulator.faults.add({ kind: 'internal-error', action: 'UploadCertificate' })
    emulator.faults.add({ kind: 'internal-error', api: '2.0' })
    expect(emulator.faults.pending()).toHaveLength(3)
    expect((await failureOf(list())).code).toBe('RequestLimitExceeded')
    expect((await failureOf(list())).code).toBe('RequestLimitExceeded')
    await expect(list()).resolves.toHaveProperty('TotalCount')
    expect(emulator.faults.pending().map(f => f.action ?? f.api)).toEqual([
      'UploadCertificate',
      '2.0'
    ])
    emulator.faults.clear()
    expect(emulator.faults.pending()).toEqual([])
  })

  it('refuses a fault it cannot apply', () => {
    expect(() => emulator.faults.add({ kind: 'malformed' } as never)).toThrow(TypeError)
    expect(() => emulator.faults.add({ kind: 'explode' } as never)).toThrow(TypeError)
    expect(() => emulator.faults.add({ kind: 'reset', times: 0 })).toThrow(TypeError)
  })
})
