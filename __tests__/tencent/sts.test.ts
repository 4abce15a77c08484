/**
 * The STS client against a scripted fetch and a virtual clock: the request on the wire, what is
 * retried and what fails at once with its likely cause, a fresh GitHub token once the one in
 * hand is four minutes old, and the token kept out of every message and debug line.
 */
import {
  classifyStsFailure,
  StsClient,
  StsError,
  TOKEN_REFRESH_AGE_MS,
  type WebIdentityRequest
} from '../../src/tencent/sts.js'
import {
  type Answer,
  apiFailure as failure,
  FakeClock,
  fakeFetch,
  jsonOf,
  makeDeps,
  networkError,
  type SentRequest,
  v3Error,
  v3Ok
} from './fakes.js'

const ENDPOINT = new URL('https://sts.tencentcloudapi.com/')
const ROLE = 'qcs::cam::uin/100000000001:roleName/github-certs'
const EXPIRED_TIME = 1_900_000_000

/** A JWT-shaped token whose payload says `claims`; each call makes a different one. */
function tokenMaker(claims: Record<string, unknown> = {}) {
  const made: string[] = []
  const next = async (): Promise<string> => {
    const payload = { iss: 'https://token.actions.githubusercontent.com', aud: 'aud-1', ...claims }
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const token = `${part({ alg: 'RS256' })}.${part({ ...payload, n: made.length })}.c2lnbmF0dXJl`
    made.push(token)
    return token
  }
  return { next, made }
}

const granted = (): Answer =>
  v3Ok({
    Credentials: { TmpSecretId: 'AKIDtmp', TmpSecretKey: 'tmp-key-123', Token: 'tmp-token-456' },
    ExpiredTime: EXPIRED_TIME,
    Expiration: '2030-03-17T17:46:40Z'
  })

function setup(handler: (request: SentRequest, clock: FakeClock) => Answer, claims = {}) {
  const clock = new FakeClock()
  const { fetch, requests } = fakeFetch(clock, request => handler(request, clock))
  const deps = makeDeps(clock, fetch)
  const tokens = tokenMaker(claims)
  const client = new StsClient({ endpoint: ENDPOINT, region: 'ap-shanghai', timeoutMs: 5000, deps })
  const request: WebIdentityRequest = {
    providerId: 'github',
    roleArn: ROLE,
    roleSessionName: 'github-octo-repo-42',
    durationSeconds: 900,
    webIdentityToken: tokens.next
  }
  const assume = () => clock.run(client.assumeRoleWithWebIdentity(request))
  return { clock, requests, deps, tokens, assume }
}

/** Answers in order; the last one repeats. */
const script =
  (...answers: Answer[]) =>
  () =>
    answers.length > 1 ? answers.shift()! : answers[0]

describe('the exchange', () => {
  it('sends the documented unsigned request with the GitHub token', async () => {
    const { assume, requests, tokens } = setup(script(granted()))
    await assume()
    expect(requests).toHaveLength(1)
    const [sent] = requests
    expect(sent.url).toBe('https://sts.tencentcloudapi.com/')
    expect(sent.method).toBe('POST')
    expect(sent.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-TC-Action': 'AssumeRoleWithWebIdentity',
      'X-TC-Version': '2018-08-13',
      'X-TC-Region': 'ap-shanghai',
      Authorization: 'SKIP'
    })
    expect(sent.headers['X-TC-Token']).toBeUndefined()
    expect(Number(sent.headers['X-TC-Timestamp'])).toBe(Math.floor(sent.at / 1000))
    expect(jsonOf(sent)).toEqual({
      ProviderId: 'github',
      WebIdentityToken: tokens.made[0],
      RoleArn: ROLE,
      RoleSessionName: 'github-octo-repo-42',
      DurationSeconds: 900
    })
  })

  it('answers the temporary credentials and when they expire', async () => {
    const { assume } = setup(script(granted()))
    expect(await assume()).toEqual({
      secretId: 'AKIDtmp',
      secretKey: 'tmp-key-123',
      token: 'tmp-token-456',
      expiresAt: new Date(EXPIRED_TIME * 1000)
    })
  })

  it.each(['TmpSecretId', 'TmpSecretKey', 'Token'])(
    'refuses an answer without Credentials.%s',
    async field => {
      const answer = JSON.parse(granted().body!)
      delete answer.Response.Credentials[field]
      const { assume } = setup(script({ body: JSON.stringify(answer) }))
      const error = await failure(assume())
      expect(error.code).toBe('MalformedResponse')
      expect(error.message).toContain(field)
    }
  )

  it('refuses an answer without ExpiredTime', async () => {
    const answer = JSON.parse(granted().body!)
    delete answer.Response.ExpiredTime
    const { assume } = setup(script({ body: JSON.stringify(answer) }))
    expect((await failure(assume())).message).toContain('ExpiredTime')
  })

  it('sends nothing when the GitHub token cannot be had', async () => {
    const clock = new FakeClock()
    const { fetch, requests } = fakeFetch(clock, () => granted())
    const client = new StsClient({
      endpoint: ENDPOINT,
      region: 'ap-guangzhou',
      timeoutMs: 5000,
      deps: makeDeps(clock, fetch)
    })
    const refused = client.assumeRoleWithWebIdentity({
      providerId: 'p',
      roleArn: ROLE,
      roleSessionName: 'session',
      durationSeconds: 900,
      webIdentityToken: () => Promise.reject(new Error('no permission'))
    })
    await expect(clock.run(refused)).rejects.toThrow('no permission')
    expect(requests).toHaveLength(0)
  })
})

describe('what is retried', () => {
  it.each<[string, Answer]>([
    ['a reset connection', { error: networkError('ECONNRESET', 'read ECONNRESET') }],
    ['a refused connection', { error: networkError('ECONNREFUSED') }],
    ['a timeout', { hang: true }],
    ['HTTP 502', { status: 502, body: '<html>bad gateway</html>' }],
    ['HTTP 503', { status: 503, body: '' }],
    ['RequestLimitExceeded', v3Error('RequestLimitExceeded')],
    ['InvalidParameter.OverLimit', v3Error('InvalidParameter.OverLimit')],
    ['InternalError.SystemError', v3Error('InternalError.SystemError')],
    ['InternalError.UnknownError', v3Error('InternalError.UnknownError')]
  ])('%s, then success: two sends', async (_name, first) => {
    const { assume, requests } = setup(script(first, granted()))
    expect((await assume()).token).toBe('tmp-token-456')
    expect(requests).toHaveLength(2)
  })

  it('gives up after a bounded number of attempts, with backoff in between', async () => {
    const { assume, requests, clock } = setup(script(v3Error('InternalError.SystemError')))
    expect((await failure(assume())).code).toBe('InternalError.SystemError')
    expect(requests.length).toBeGreaterThan(2)
    expect(requests.length).toBeLessThanOrEqual(6)
    expect(clock.sleeps).toHaveLength(requests.length - 1)
    expect(clock.sleeps.every(ms => ms > 0)).toBe(true)
  })
})

describe('misconfiguration fails at once, naming the likely cause', () => {
  it.each<[string, RegExp]>([
    ['InvalidParameter.WebIdentityTokenError', /audience.*oidc-provider-id 'github'/s],
    [
      'ResourceNotFound.RoleNotFound',
      /role-arn 'qcs::cam::uin\/100000000001:roleName\/github-certs'/
    ],
    [
      'UnauthorizedOperation',
      /trust policy.*subject "repo:octo-org\/octo-repo:ref:refs\/heads\/dev"/s
    ],
    ['InvalidParameter.ParamError', /role-session-name/],
    ['InternalError.GetRoleError', /names a role/]
  ])('%s: one send', async (code, cause) => {
    const { assume, requests } = setup(script(v3Error(code, 'refused', 'rid-7')), {
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/dev'
    })
    const error = await failure(assume())
    expect(requests).toHaveLength(1)
    expect(error).toBeInstanceOf(StsError)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(cause)
    expect(error.message).toContain('rid-7')
    expect(error.message).toContain('AssumeRoleWithWebIdentity')
  })

  it('names the audience and issuer the token carried', async () => {
    const { assume } = setup(script(v3Error('InvalidParameter.WebIdentityTokenError')), {
      aud: 'wrong-audience'
    })
    const error = await failure(assume())
    expect(error.message).toContain('audience "wrong-audience"')
    expect(error.message).toContain('issuer "https://token.actions.githubusercontent.com"')
  })

  it('classifies the other InternalError codes of STS as the role’s, not passing', () => {
    expect(classifyStsFailure('InternalError.IllegalRole')).toBe('fatal')
    expect(classifyStsFailure('InternalError')).toBe('retry')
    expect(classifyStsFailure('AuthFailure.SignatureExpire')).toBe('skew')
    expect(classifyStsFailure('HttpError.500')).toBe('retry')
    expect(classifyStsFailure('InvalidParameter.OverTimeError')).toBe('fatal')
  })
})

describe('the GitHub token on a retry', () => {
  /** The first send takes `elapsedMs` of virtual time and fails with a 502. */
  function slowFirstAttempt(elapsedMs: number) {
    let sends = 0
    return setup((_request, clock) => {
      if (sends++ > 0) return granted()
      clock.now += elapsedMs
      return { status: 502, body: '' }
    })
  }

  it('is fetched anew once the one in hand is older than four minutes', async () => {
    const { assume, requests, tokens } = slowFirstAttempt(TOKEN_REFRESH_AGE_MS + 1000)
    await assume()
    expect(tokens.made).toHaveLength(2)
    expect(jsonOf(requests[0]).WebIdentityToken).toBe(tokens.made[0])
    expect(jsonOf(requests[1]).WebIdentityToken).toBe(tokens.made[1])
  })

  it('is reused while younger than four minutes', async () => {
    const { assume, requests, tokens } = slowFirstAttempt(TOKEN_REFRESH_AGE_MS - 2000)
    await assume()
    expect(tokens.made).toHaveLength(1)
    expect(jsonOf(requests[1]).WebIdentityToken).toBe(tokens.made[0])
  })
})

describe('the token stays secret', () => {
  it('is in no message and no debug line, even when the answer quotes it', async () => {
    let quoted = ''
    const { assume, deps, tokens } = setup(request => {
      quoted = String(jsonOf(request).WebIdentityToken)
      return v3Error('InvalidParameter.WebIdentityTokenError', `token ${quoted} is invalid`)
    })
    const error = await failure(assume())
    expect(tokens.made).toHaveLength(1)
    expect(quoted).toBe(tokens.made[0])
    expect(error.message).not.toContain(quoted)
    expect(error.message).toContain('***')
    for (const line of [...deps.debugLines, ...deps.warnings]) expect(line).not.toContain(quoted)
    expect(deps.debugLines.length).toBeGreaterThan(0)
  })

  it('nor is a fresh one fetched for a retry', async () => {
    let sends = 0
    const { assume, deps, tokens } = setup((request, clock) => {
      const token = String(jsonOf(request).WebIdentityToken)
      if (sends++ === 0) clock.now += TOKEN_REFRESH_AGE_MS + 1000
      return v3Error(sends === 1 ? 'InternalError.SystemError' : 'UnauthorizedOperation', token)
    })
    const error = await failure(assume())
    expect(tokens.made).toHaveLength(2)
    for (const token of tokens.made) {
      expect(error.message).not.toContain(token)
      for (const line of deps.debugLines) expect(line).not.toContain(token)
    }
  })
})
