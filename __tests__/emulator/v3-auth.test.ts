/**
 * TC3 verification: requests signed by the SDK's Sign.sign3 (and Tencent's own test vectors)
 * pass; each kind of bad request gets its documented AuthFailure code.
 */
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { failureOf, rawRequest, sdkClient, v3Raw, type V3RawOptions } from './helpers.js'

let emulator: Emulator

const TEMPORARY = {
  secretId: 'AKIDTEMPORARY000000000000000000000000',
  secretKey: 'temporary-secret-key',
  token: 'session-token-123'
}

beforeAll(async () => {
  emulator = await startEmulator({ rateLimitPerSecond: 0, temporaryCredentials: TEMPORARY })
})

afterAll(() => emulator.stop())

const errorCode = (json: { Response: Record<string, unknown> }): string | undefined =>
  (json.Response.Error as { Code: string } | undefined)?.Code

describe('TC3 signature checks', () => {
  it('accepts a request signed by the SDK, with the Host port stripped for the signature', async () => {
    const { status, json, headers } = await v3Raw(emulator, 'DescribeCertificates', { Limit: 1 })
    expect(status).toBe(200)
    expect(errorCode(json)).toBeUndefined()
    expect(json.Response.TotalCount).toBe(0)
    expect(Math.abs(Date.parse(headers.date as string) - Date.now())).toBeLessThan(2000)
  })

  const now = (): number => Math.floor(Date.now() / 1000)
  it.each<{ case: string; options: V3RawOptions; code: string }>([
    {
      case: 'a body changed after signing',
      options: { sentBody: '{"Limit":2}' },
      code: 'AuthFailure.SignatureFailure'
    },
    {
      case: 'a wrong secret key',
      options: { secretKey: 'not-the-key' },
      code: 'AuthFailure.SignatureFailure'
    },
    {
      case: 'another Content-Type than signed',
      options: { sentContentType: 'application/json; charset=utf-8' },
      code: 'AuthFailure.SignatureFailure'
    },
    {
      case: 'a signed charset Content-Type',
      options: { contentType: 'application/json; charset=utf-8' },
      code: ''
    },
    {
      case: 'a scope for another service',
      options: { service: 'cvm' },
      code: 'AuthFailure.SignatureFailure'
    },
    {
      case: 'an unknown SecretId',
      options: { secretId: 'AKIDUNKNOWN' },
      code: 'AuthFailure.SecretIdNotFound'
    },
    {
      case: 'a timestamp 301 s old',
      options: { timestamp: -301 },
      code: 'AuthFailure.SignatureExpire'
    },
    {
      case: 'a timestamp 301 s ahead',
      options: { timestamp: 301 },
      code: 'AuthFailure.SignatureExpire'
    },
    { case: 'a timestamp 290 s old', options: { timestamp: -290 }, code: '' },
    {
      case: 'a malformed Authorization',
      options: { authorization: () => 'Bearer abc' },
      code: 'AuthFailure.InvalidAuthorization'
    },
    {
      case: 'SignedHeaders without host',
      options: { authorization: a => a.replace('content-type;host', 'content-type') },
      code: 'AuthFailure.InvalidAuthorization'
    },
    {
      case: 'a credential date that is not the UTC date of the timestamp',
      options: { authorization: a => a.replace(/\/\d{4}-\d\d-\d\d\//, '/2001-01-01/') },
      code: 'AuthFailure.SignatureFailure'
    },
    { case: 'another API version', options: { version: '2018-04-26' }, code: 'NoSuchVersion' }
  ])('answers $case with "$code"', async ({ options, code }) => {
    // Timestamps in the table are offsets from now, taken when the request is made.
    const timestamp = options.timestamp === undefined ? undefined : now() + options.timestamp
    const { json } = await v3Raw(
      emulator,
      'DescribeCertificates',
      { Limit: 1 },
      { ...options, timestamp }
    )
    expect(errorCode(json) ?? '').toBe(code)
  })

  it('answers an unknown action with InvalidAction', async () => {
    const { json } = await v3Raw(emulator, 'DescribeInstances', {})
    expect(errorCode(json)).toBe('InvalidAction')
  })

  it('checks the 5-minute window against its own (skewed) clock and says so in Date', async () => {
    emulator.setOption('clockSkewMs', 10 * 60_000)
    try {
      const { json, headers } = await v3Raw(emulator, 'DescribeCertificates', {})
      expect(errorCode(json)).toBe('AuthFailure.SignatureExpire')
      const skew = Date.parse(headers.date as string) - Date.now()
      expect(skew).toBeGreaterThan(9 * 60_000)
      expect(skew).toBeLessThan(11 * 60_000)
      const corrected = Math.floor(Date.parse(headers.date as string) / 1000)
      const retried = await v3Raw(emulator, 'DescribeCertificates', {}, { timestamp: corrected })
      expect(errorCode(retried.json)).toBeUndefined()
    } finally {
      emulator.setOption('clockSkewMs', 0)
    }
  })

  it('requires the matching X-TC-Token with temporary credentials', async () => {
    const signedBy = { secretId: TEMPORARY.secretId, secretKey: TEMPORARY.secretKey }
    const without = await v3Raw(emulator, 'DescribeCertificates', {}, signedBy)
    expect(errorCode(without.json)).toBe('AuthFailure.TokenFailure')
    const wrong = await v3Raw(emulator, 'DescribeCertificates', {}, { ...signedBy, token: 'nope' })
    expect(errorCode(wrong.json)).toBe('AuthFailure.TokenFailure')
    const right = await v3Raw(
      emulator,
      'DescribeCertificates',
      {},
      { ...signedBy, token: TEMPORARY.token }
    )
    expect(errorCode(right.json)).toBeUndefined()

    const sdk = sdkClient(emulator, { credential: TEMPORARY })
    await expect(sdk.request('DescribeCertificates', {})).resolves.toHaveProperty('TotalCount')
    const { token: _token, ...withoutToken } = TEMPORARY
    const refused = await failureOf(
      sdkClient(emulator, { credential: withoutToken }).request('DescribeCertificates', {})
    )
    expect(refused.code).toBe('AuthFailure.TokenFailure')
  })
})

describe("Tencent's published SSL test vectors (§4.5 D)", () => {
  let vectors: Emulator
  const TIMESTAMP = 1_700_000_000

  beforeAll(async () => {
    // The vectors are signed at 1700000000: move the server's clock there.
    vectors = await startEmulator({
      secretId: 'AKIDEXAMPLE',
      secretKey: 'SECRETEXAMPLE',
      clockSkewMs: TIMESTAMP * 1000 + 30_000 - Date.now()
    })
  })

  afterAll(() => vectors.stop())

  const send = (action: string, contentType: string, body: string, authorization: string) =>
    rawRequest(vectors.port, {
      method: 'POST',
      path: '/',
      headers: {
        Host: 'ssl.tencentcloudapi.com',
        'Content-Type': contentType,
        'X-TC-Action': action,
        'X-TC-Version': '2019-12-05',
        'X-TC-Timestamp': String(TIMESTAMP),
        Authorization: authorization
      },
      body
    }).then(response => JSON.parse(response.text) as { Response: Record<string, unknown> })

  it('accepts D1 (content-type;host)', async () => {
    const json = await send(
      'DeleteCertificate',
      'application/json',
      '{"CertificateId":"abcd1234"}',
      'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/ssl/tc3_request, SignedHeaders=content-type;host, ' +
        'Signature=12ed2c0f943e7eff732590b8cffbcd9fd567614b8951629cd83b2c804af8003f'
    )
    // Past the signature check: the certificate just does not exist.
    expect(errorCode(json)).toBe('FailedOperation.CertificateNotFound')
  })

  it('accepts D2 (content-type;host;x-tc-action) and refuses it with one digit changed', async () => {
    const signature = '3afe6207894352041e8b056bbb05e4fe00694801354bf8707b4bcc09a724abf5'
    const request = (sig: string) =>
      send(
        'DescribeCertificates',
        'application/json; charset=utf-8',
        '{"Limit":1000,"Offset":0,"FilterSource":"upload"}',
        'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/ssl/tc3_request, ' +
          `SignedHeaders=content-type;host;x-tc-action, Signature=${sig}`
      )
    const accepted = await request(signature)
    expect(errorCode(accepted)).toBeUndefined()
    expect(accepted.Response.TotalCount).toBe(0)
    const refused = await request(signature.replace(/^3/, '4'))
    expect(errorCode(refused)).toBe('AuthFailure.SignatureFailure')
  })
})
