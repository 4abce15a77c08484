/**
 * The emulator's STS, driven by the official SDK (OIDCRoleArnCredential and CommonClient with
 * skipSign) and by hand-made requests, with tokens from the test OIDC issuer: what Tencent
 * checks in a token and a role, the codes it answers, and temporary credentials that need
 * their token on SSL calls and die at ExpiredTime.
 */
import { createRequire } from 'node:module'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { subjectMatches } from '../../emulator/sts-config.js'
import {
  githubSubject,
  startOidcIssuer,
  TEST_REPOSITORY,
  type OidcIssuer
} from '../../fixtures/oidc-issuer.js'
import {
  failureOf,
  loopbackAgent,
  rawRequest,
  sdkClient,
  v2Call,
  type SdkError
} from './helpers.js'

const require = createRequire(import.meta.url)
const sdk = require('tencentcloud-sdk-nodejs-common') as {
  CommonClient: new (
    endpoint: string,
    version: string,
    config: object
  ) => {
    request(action: string, params: object, options?: object): Promise<Record<string, unknown>>
  }
  OIDCRoleArnCredential: new (
    config: object,
    params: object
  ) => { getCredential(): Promise<{ secretId: string; secretKey: string; token: string }> }
}

const STS_HOST = 'sts.tencentcloudapi.com'
const ROLE = 'qcs::cam::uin/100000000001:roleName/github-certs'
const OTHER_ROLE = 'qcs::cam::uin/100000000001:roleName/other-provider'
const AUDIENCE = 'sts.tencentcloudapi.com'

let emulator: Emulator
let issuer: OidcIssuer
let stranger: OidcIssuer

beforeAll(async () => {
  ;[issuer, stranger] = await Promise.all([startOidcIssuer(), startOidcIssuer()])
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
})

afterAll(async () => {
  await Promise.all([emulator?.stop(), issuer?.stop(), stranger?.stop()])
})

beforeEach(() => {
  emulator.reset()
  emulator.setOption({
    clockSkewMs: 0,
    oidcProviders: [issuer.provider('github', [AUDIENCE, 'second-client'])],
    stsRoles: [
      { arn: ROLE, provider: 'github', subjects: ['repo:octo-org/octo-repo:ref:refs/heads/*'] },
      { arn: OTHER_ROLE, provider: 'elsewhere', subjects: [] }
    ]
  })
})

const profile = () => ({
  httpProfile: {
    endpoint: `${STS_HOST}:${emulator.port}`,
    protocol: 'http://',
    agent: loopbackAgent
  }
})

const params = (overrides: Record<string, unknown> = {}) => ({
  ProviderId: 'github',
  WebIdentityToken: issuer.mint(AUDIENCE),
  RoleArn: ROLE,
  RoleSessionName: 'github-octo-repo-1',
  DurationSeconds: 900,
  ...overrides
})

/** AssumeRoleWithWebIdentity through the SDK's CommonClient, unsigned as the SDK sends it. */
function assume(overrides: Record<string, unknown> = {}) {
  const client = new sdk.CommonClient(STS_HOST, '2018-08-13', {
    credential: { secretId: '', secretKey: '' },
    region: 'ap-guangzhou',
    profile: profile()
  })
  return client.request('AssumeRoleWithWebIdentity', params(overrides), { skipSign: true })
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return ((await failureOf(promise)) as SdkError).code
}

describe('a valid token', () => {
  it('gets temporary credentials from the SDK’s own OIDC credential provider', async () => {
    const provider = new sdk.OIDCRoleArnCredential(
      { region: 'ap-guangzhou', profile: profile() },
      params()
    )
    const credentials = await provider.getCredential()
    expect(credentials.secretId).toMatch(/^AKID/)
    const listed = await sdkClient(emulator, { credential: credentials }).request(
      'DescribeCertificates',
      { Limit: 1 }
    )
    expect(listed.TotalCount).toBe(0)
  })

  it('answers ExpiredTime and Expiration DurationSeconds ahead', async () => {
    const before = Math.floor(Date.now() / 1000)
    const answer = await assume({ DurationSeconds: 1800 })
    const expired = answer.ExpiredTime as number
    expect(expired - before).toBeGreaterThanOrEqual(1800)
    expect(expired - before).toBeLessThanOrEqual(1802)
    expect(answer.Expiration).toBe(new Date(expired * 1000).toISOString().replace('.000Z', 'Z'))
  })

  it.each([
    ['another client id of the provider', { aud: 'second-client' }],
    ['a list of audiences, one of them known', { aud: ['unknown', AUDIENCE] }]
  ])('is accepted with %s', async (_case, claims) => {
    const answer = await assume({ WebIdentityToken: issuer.mint(AUDIENCE, claims) })
    expect(answer.Credentials).toBeDefined()
  })
})

describe('temporary credentials on SSL calls', () => {
  async function issued() {
    const answer = await assume()
    const c = answer.Credentials as Record<string, string>
    return { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token: c.Token }
  }

  it('need their token (3.0)', async () => {
    const { secretId, secretKey, token } = await issued()
    const call = (credential: object) =>
      sdkClient(emulator, { credential: credential as never }).request('DescribeCertificates', {})
    expect(await codeOf(call({ secretId, secretKey }))).toBe('AuthFailure.TokenFailure')
    expect(await codeOf(call({ secretId, secretKey, token: `${token}x` }))).toBe(
      'AuthFailure.TokenFailure'
    )
    expect((await call({ secretId, secretKey, token })).TotalCount).toBe(0)
  })

  it('need their token (2.0)', async () => {
    const { secretId, secretKey, token } = await issued()
    expect((await v2Call(emulator, 'CertGetList', {}, { secretId, secretKey })).code).toBe(4105)
    expect((await v2Call(emulator, 'CertGetList', {}, { secretId, secretKey, token })).code).toBe(0)
  })

  it('stop working at ExpiredTime', async () => {
    const credential = await issued()
    const call = () =>
      sdkClient(emulator, { credential }).request('DescribeCertificates', { Limit: 1 })
    // Five seconds before ExpiredTime the credentials still pass: the call fails only on its
    // timestamp, which the SDK takes from the machine's clock and is checked after them.
    emulator.setOption('clockSkewMs', 895_000)
    expect(await codeOf(call())).toBe('AuthFailure.SignatureExpire')
    emulator.setOption('clockSkewMs', 900_000)
    const failure = (await failureOf(call())) as SdkError
    expect(failure.code).toBe('AuthFailure.TokenFailure')
    expect(failure.message).toContain('expired')
  })

  it('are forgotten by reset', async () => {
    const credential = await issued()
    emulator.reset()
    const call = sdkClient(emulator, { credential }).request('DescribeCertificates', {})
    expect(await codeOf(call)).toBe('AuthFailure.SecretIdNotFound')
  })
})

describe('what Tencent refuses', () => {
  it.each<[string, () => Record<string, unknown>, string]>([
    [
      'a token for another audience',
      () => ({ WebIdentityToken: issuer.mint('https://github.com/octo-org') }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'an unknown provider',
      () => ({ ProviderId: 'gitlab' }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'a token signed by another key',
      () => ({ WebIdentityToken: stranger.mint(AUDIENCE) }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'a token from another issuer',
      () => ({ WebIdentityToken: issuer.mint(AUDIENCE, { iss: 'https://evil.example' }) }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'an expired token',
      () => ({
        WebIdentityToken: issuer.mint(AUDIENCE, { exp: Math.floor(Date.now() / 1000) - 1 })
      }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'an unsigned token (alg none)',
      () => ({ WebIdentityToken: unsigned(issuer.mint(AUDIENCE)) }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    [
      'a signature moved onto other claims',
      () => ({ WebIdentityToken: tampered(issuer.mint(AUDIENCE)) }),
      'InvalidParameter.WebIdentityTokenError'
    ],
    ['not a JWT', () => ({ WebIdentityToken: 'abc' }), 'InvalidParameter.WebIdentityTokenError'],
    [
      'a subject outside the role’s condition',
      () => ({
        WebIdentityToken: issuer.mint(AUDIENCE, { sub: 'repo:octo-org/fork:ref:refs/heads/main' })
      }),
      'UnauthorizedOperation'
    ],
    [
      'a pull-request subject',
      () => ({
        WebIdentityToken: issuer.mint(AUDIENCE, { sub: 'repo:octo-org/octo-repo:pull_request' })
      }),
      'UnauthorizedOperation'
    ],
    [
      'a role another provider is trusted by',
      () => ({ RoleArn: OTHER_ROLE }),
      'UnauthorizedOperation'
    ],
    [
      'an unknown role',
      () => ({ RoleArn: 'qcs::cam::uin/100000000001:roleName/nope' }),
      'ResourceNotFound.RoleNotFound'
    ],
    [
      'a session name STS refuses',
      () => ({ RoleSessionName: 'a b' }),
      'InvalidParameter.ParamError'
    ],
    ['a duration over 43200', () => ({ DurationSeconds: 43201 }), 'InvalidParameter.OverTimeError'],
    ['a duration of 0', () => ({ DurationSeconds: 0 }), 'InvalidParameter.ParamError'],
    ['a missing RoleArn', () => ({ RoleArn: undefined }), 'MissingParameter'],
    ['an unknown parameter', () => ({ Policy: '{}' }), 'UnknownParameter']
  ])('%s', async (_case, overrides, code) => {
    expect(await codeOf(assume(overrides()))).toBe(code)
  })

  it('gets credentials no matter the subject when the role has no condition', async () => {
    emulator.setOption('stsRoles', [{ arn: ROLE, provider: 'github', subjects: [] }])
    const token = issuer.mint(AUDIENCE, { sub: 'repo:anyone/anything:environment:prod' })
    expect((await assume({ WebIdentityToken: token })).Credentials).toBeDefined()
  })
})

/**
 * GitHub's `sub` changed (changelog 2026-04-23, "Immutable subject claims"): a repository created
 * after 2026-06-18, renamed, transferred or opted in gets `repo:OWNER-OWNERID/REPO-REPOID:ref:…`
 * instead of `repo:OWNER/REPO:ref:…`. A role's `oidc:sub` condition must be written in the form
 * the repository's tokens carry; CAM compares the text, it does not translate one into the other.
 */
describe("GitHub's two subject forms", () => {
  const NAMES = githubSubject('names', TEST_REPOSITORY)
  const IDS = githubSubject('ids', TEST_REPOSITORY)
  const trusting = (subject: string) =>
    emulator.setOption('stsRoles', [{ arn: ROLE, provider: 'github', subjects: [subject] }])
  const tokenWith = (sub: string) => ({ WebIdentityToken: issuer.mint(AUDIENCE, { sub }) })

  it('are what GitHub documents', () => {
    expect(NAMES).toBe('repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(IDS).toBe('repo:octo-org-123456/octo-repo-456789:ref:refs/heads/main')
  })

  it.each([
    ['names', NAMES],
    ['ids', IDS]
  ])('a trust written in the %s form admits a token of that form', async (_form, subject) => {
    trusting(subject)
    const answer = await assume(tokenWith(subject))
    expect((answer.Credentials as { TmpSecretId: string }).TmpSecretId).toMatch(/^AKID/)
  })

  it('a trust in the ids form with a wildcard for the branch admits the new tokens', async () => {
    trusting('repo:octo-org-123456/octo-repo-456789:ref:refs/heads/*')
    expect((await assume(tokenWith(IDS))).Credentials).toBeDefined()
  })

  it.each([
    ['names', 'ids', NAMES, IDS],
    ['ids', 'names', IDS, NAMES]
  ])(
    'a trust in the %s form refuses a token of the %s form',
    async (_trust, _token, trust, sub) => {
      trusting(trust)
      const failure = await failureOf(assume(tokenWith(sub)))
      expect(failure.code).toBe('UnauthorizedOperation')
      expect(failure.message).toContain(sub)
    }
  )

  it("the test issuer's tokens carry the ids GitHub puts in its claims", () => {
    const [, payload] = issuer.mint(AUDIENCE).split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    expect(claims).toMatchObject({
      sub: NAMES,
      repository: 'octo-org/octo-repo',
      repository_id: '456789',
      repository_owner: 'octo-org',
      repository_owner_id: '123456'
    })
  })
})

describe('the request itself', () => {
  function send(headers: Record<string, string | undefined>, body = JSON.stringify(params())) {
    const all: Record<string, string> = {}
    const defaults = {
      Host: `${STS_HOST}:${emulator.port}`,
      'Content-Type': 'application/json',
      'X-TC-Action': 'AssumeRoleWithWebIdentity',
      'X-TC-Version': '2018-08-13',
      'X-TC-Region': 'ap-guangzhou',
      'X-TC-Timestamp': String(Math.floor(Date.now() / 1000)),
      Authorization: 'SKIP'
    }
    for (const [name, value] of Object.entries({ ...defaults, ...headers }))
      if (value !== undefined) all[name] = value
    return rawRequest(emulator.port, { method: 'POST', path: '/', headers: all, body }).then(
      r => JSON.parse(r.text).Response as { Error?: { Code: string }; Credentials?: unknown }
    )
  }

  it('is accepted unsigned, with SKIP or without Authorization', async () => {
    expect((await send({})).Credentials).toBeDefined()
    expect((await send({ Authorization: undefined })).Credentials).toBeDefined()
  })

  it.each<[string, Record<string, string | undefined>, string]>([
    [
      'a TC3 signature',
      { Authorization: 'TC3-HMAC-SHA256 Credential=x' },
      'AuthFailure.InvalidAuthorization'
    ],
    ['no region', { 'X-TC-Region': undefined }, 'MissingParameter'],
    ['no timestamp', { 'X-TC-Timestamp': undefined }, 'MissingParameter'],
    [
      'an old timestamp',
      { 'X-TC-Timestamp': String(Math.floor(Date.now() / 1000) - 400) },
      'AuthFailure.SignatureExpire'
    ],
    ['another STS action', { 'X-TC-Action': 'GetCallerIdentity' }, 'InvalidAction']
  ])('is refused with %s', async (_case, headers, code) => {
    expect((await send(headers)).Error?.Code).toBe(code)
  })

  it('SKIP is refused by the SSL API', async () => {
    const answer = await send(
      { 'X-TC-Version': '2019-12-05', 'X-TC-Action': 'DescribeCertificates' },
      '{}'
    )
    expect(answer.Error?.Code).toBe('AuthFailure.InvalidAuthorization')
  })

  it('takes scripted faults by action, like the SSL API', async () => {
    emulator.faults.add({ kind: 'throttle', action: 'AssumeRoleWithWebIdentity' })
    expect(await codeOf(assume())).toBe('RequestLimitExceeded')
    expect((await assume()).Credentials).toBeDefined()
    expect(emulator.requests.map(r => [r.action, r.code])).toEqual([
      ['AssumeRoleWithWebIdentity', 'RequestLimitExceeded'],
      ['AssumeRoleWithWebIdentity', '']
    ])
  })
})

describe('configuration', () => {
  it('is refused when malformed, over the admin path too', async () => {
    expect(() => emulator.setOption('oidcProviders', [{ name: 'x' }] as never)).toThrow(
      'oidcProviders'
    )
    expect(() => emulator.setOption('stsRoles', [{ arn: ROLE }] as never)).toThrow('stsRoles')
    const response = await rawRequest(emulator.port, {
      method: 'POST',
      path: '/_emulator/options',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ stsRoles: [{ arn: ROLE, provider: 'github' }] })
    })
    expect(response.status).toBe(400)
  })

  it('is set over the admin path', async () => {
    const response = await rawRequest(emulator.port, {
      method: 'POST',
      path: '/_emulator/options',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ stsRoles: [{ arn: ROLE, provider: 'github', subjects: ['nobody'] }] })
    })
    expect(response.status).toBe(200)
    expect(await codeOf(assume())).toBe('UnauthorizedOperation')
  })

  it.each([
    ['repo:o/r:ref:refs/heads/*', 'repo:o/r:ref:refs/heads/main', true],
    ['repo:o/r:ref:refs/heads/*', 'repo:o/r:pull_request', false],
    ['repo:o/r:*', 'repo:o/r:environment:prod', true],
    ['repo:o/r.x:*', 'repo:o/rrx:environment:prod', false],
    ['repo:o/r', 'repo:o/r:ref:refs/heads/main', false]
  ])('the subject pattern %s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected)
  })
})

describe('the test issuer', () => {
  it('hands out a token only for the runner’s bearer request token, for the asked audience', async () => {
    const url = `${issuer.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=my%20aud`
    const refused = await fetch(url, { headers: { Authorization: 'Bearer wrong' } })
    expect(refused.status).toBe(401)
    const granted = await fetch(url, {
      headers: { Authorization: `Bearer ${issuer.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
    })
    const { value } = (await granted.json()) as { value: string }
    const claims = JSON.parse(Buffer.from(value.split('.')[1], 'base64url').toString())
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'my aud',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main'
    })
    expect(claims.exp - claims.iat).toBe(300)
    expect(issuer.requests.slice(-2)).toEqual([
      { audience: 'my aud', authorized: false },
      { audience: 'my aud', authorized: true }
    ])
  })
})

/** The same claims with `alg: none` and no signature. */
function unsigned(token: string): string {
  const [, payload] = token.split('.')
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
  return `${header}.${payload}.`
}

/** Other claims (a different sub) under the original signature. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  claims.sub = 'repo:octo-org/octo-repo:ref:refs/heads/other'
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}
