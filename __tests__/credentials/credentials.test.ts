/**
 * The keyless credentials stage with a scripted STS and a recording toolkit: the permission
 * message when the runner gives no token, masking before any line that follows the exchange,
 * and the exported variables.
 */
import {
  EXPORTED_VARIABLES,
  obtainCredentials,
  type CredentialsDeps
} from '../../src/credentials/credentials.js'
import { readOidcSettings, type OidcSettings } from '../../src/credentials/oidc-settings.js'
import { FakeClock, fakeFetch, jsonOf, makeDeps, v3Error, v3Ok } from '../tencent/fakes.js'

const RUNNER = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.invalid/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}
const TEMPORARY = {
  TmpSecretId: 'AKIDtemporary0123',
  TmpSecretKey: 'temporary-secret-key',
  Token: 'temporary-session-token\nsecond-line-of-it'
}
const GITHUB_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg'

function settings(inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): OidcSettings {
  const all: Record<string, string> = {
    'role-arn': 'qcs::cam::uin/100000000001:roleName/github-certs',
    'oidc-provider-id': 'github',
    audience: 'my-audience',
    ...inputs
  }
  return readOidcSettings(name => all[name] ?? '', env)!
}

type Event =
  | { kind: 'mask'; value: string }
  | { kind: 'log'; level: string; text: string }
  | { kind: 'export'; name: string; value: string }
  | { kind: 'token'; audience: string }
  | { kind: 'sts' }

function setup(
  answer = v3Ok({ Credentials: TEMPORARY, ExpiredTime: 1_900_000_000 }),
  env: NodeJS.ProcessEnv = RUNNER
) {
  const events: Event[] = []
  const clock = new FakeClock()
  const { fetch, requests } = fakeFetch(clock, () => {
    events.push({ kind: 'sts' })
    return answer
  })
  const log = (level: string) => (text: string) => events.push({ kind: 'log', level, text })
  const deps: CredentialsDeps = {
    env,
    getIdToken: async audience => {
      events.push({ kind: 'token', audience })
      return GITHUB_TOKEN
    },
    setSecret: value => events.push({ kind: 'mask', value }),
    exportVariable: (name, value) => events.push({ kind: 'export', name, value }),
    log: { info: log('info'), notice: log('notice'), warning: log('warning'), debug: log('debug') },
    client: makeDeps(clock, fetch),
    timeoutMs: 5000
  }
  const obtain = (oidc: OidcSettings) => clock.run(obtainCredentials(oidc, deps))
  return { events, requests, deps, obtain }
}

const SECRETS = [
  TEMPORARY.TmpSecretId,
  TEMPORARY.TmpSecretKey,
  TEMPORARY.Token,
  ...TEMPORARY.Token.split('\n')
]

describe('obtainCredentials', () => {
  it('exchanges the token for the audience and answers the temporary credentials', async () => {
    const { obtain, events, requests } = setup()
    const credentials = await obtain(settings())
    expect(credentials).toEqual({
      secretId: TEMPORARY.TmpSecretId,
      secretKey: TEMPORARY.TmpSecretKey,
      token: TEMPORARY.Token,
      expiresAt: new Date(1_900_000_000_000)
    })
    expect(events.filter(e => e.kind === 'token')).toEqual([
      { kind: 'token', audience: 'my-audience' }
    ])
    expect(jsonOf(requests[0]).WebIdentityToken).toBe(GITHUB_TOKEN)
    expect(events.some(e => e.kind === 'export')).toBe(false)
  })

  it('masks the GitHub token before sending it, and every temporary value (each line too) before the next line', async () => {
    const { obtain, events } = setup()
    await obtain(settings({ 'export-credentials': 'true' }))
    const index = (match: (e: Event) => boolean) => events.findIndex(match)
    const sent = index(e => e.kind === 'sts')
    expect(index(e => e.kind === 'mask' && e.value === GITHUB_TOKEN)).toBeLessThan(sent)
    const firstAfter = events.findIndex(
      (e, i) => i > sent && (e.kind === 'log' || e.kind === 'export')
    )
    expect(firstAfter).toBeGreaterThan(sent)
    for (const secret of SECRETS) {
      const masked = index(e => e.kind === 'mask' && e.value === secret)
      expect(masked).toBeGreaterThan(sent)
      expect(masked).toBeLessThan(firstAfter)
    }
    const lines = events.flatMap(e => (e.kind === 'log' ? [e.text] : []))
    for (const line of lines)
      for (const secret of [...SECRETS, GITHUB_TOKEN]) expect(line).not.toContain(secret)
  })

  it('exports the five variables with export-credentials', async () => {
    const { obtain, events } = setup()
    await obtain(settings({ 'export-credentials': 'true' }))
    const exported = events.flatMap(e => (e.kind === 'export' ? [[e.name, e.value]] : []))
    expect(Object.fromEntries(exported)).toEqual({
      TENCENTCLOUD_SECRET_ID: TEMPORARY.TmpSecretId,
      TENCENTCLOUD_SECRET_KEY: TEMPORARY.TmpSecretKey,
      TENCENTCLOUD_SESSION_TOKEN: TEMPORARY.Token,
      TENCENTCLOUD_TOKEN: TEMPORARY.Token,
      TENCENTCLOUD_SECURITY_TOKEN: TEMPORARY.Token
    })
    expect(exported.map(([name]) => name)).toEqual([...EXPORTED_VARIABLES])
  })

  it.each([
    [{}, 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set'],
    [{ ACTIONS_ID_TOKEN_REQUEST_URL: RUNNER.ACTIONS_ID_TOKEN_REQUEST_URL }, 'TOKEN is not set'],
    [{ ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' }, 'ACTIONS_ID_TOKEN_REQUEST_URL is not set']
  ])(
    'fails at once without the runner’s token variables (%j), naming the permission',
    async (env, missing) => {
      const { obtain, events, requests } = setup(undefined, env)
      const failure = obtain(settings())
      await expect(failure).rejects.toThrow(missing)
      await expect(failure).rejects.toThrow('permissions: id-token: write')
      await expect(failure).rejects.toThrow('forks')
      expect(requests).toHaveLength(0)
      expect(events).toEqual([])
    }
  )

  it('says what to check when the token request fails', async () => {
    const { obtain, deps, requests } = setup()
    deps.getIdToken = () => Promise.reject(new Error('Failed to get ID Token. Error Code : 403'))
    const failure = obtain(settings())
    await expect(failure).rejects.toThrow('Error Code : 403')
    await expect(failure).rejects.toThrow('permissions: id-token: write')
    expect(requests).toHaveLength(0)
  })

  it('passes a refusal on with its cause, exporting and masking nothing', async () => {
    const { obtain, events } = setup(v3Error('UnauthorizedOperation', 'denied'))
    await expect(obtain(settings({ 'export-credentials': 'true' }))).rejects.toThrow('trust policy')
    expect(events.some(e => e.kind === 'export')).toBe(false)
    expect(events.filter(e => e.kind === 'mask').map(e => e.kind === 'mask' && e.value)).toEqual([
      GITHUB_TOKEN
    ])
  })

  it('notes the environment keys that role-arn takes precedence over', async () => {
    const { obtain, events } = setup()
    await obtain(settings({}, { TENCENTCLOUD_SECRET_ID: 'AKIDlong', TENCENTCLOUD_SECRET_KEY: 'k' }))
    const notices = events.flatMap(e => (e.kind === 'log' && e.level === 'notice' ? [e.text] : []))
    expect(notices).toEqual([
      expect.stringContaining(
        'TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY from the environment'
      )
    ])
  })
})
