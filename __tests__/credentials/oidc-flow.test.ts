/**
 * Keyless end to end, in process: the toolkit's own core.getIDToken against the test issuer
 * (served like a runner), the credentials stage against the emulator's STS, then SSL calls
 * signed with the temporary credentials, until they expire. Sleep is injected (no waiting).
 */
import 'reflect-metadata'
import * as core from '@actions/core'
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fetch from 'node-fetch'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { makeChain, pemFingerprint, type TestChain } from '../../fixtures/certs.js'
import { startOidcIssuer, type OidcIssuer } from '../../fixtures/oidc-issuer.js'
import { parseFileCommands } from '../../fixtures/runner.js'
import { EXPORTED_VARIABLES, obtainCredentials } from '../../src/credentials/credentials.js'
import type { Log } from '../../src/runner/log.js'
import { readOidcSettings } from '../../src/credentials/oidc-settings.js'
import type { ClientDeps, Credentials, FetchLike } from '../../src/tencent/client.js'
import { createSslClient } from '../../src/tencent/index.js'
import { TOKEN_REFRESH_AGE_MS } from '../../src/tencent/sts.js'

const ROLE = 'qcs::cam::uin/100000000001:roleName/github-certs'
const MAIN = 'repo:octo-org/octo-repo:ref:refs/heads/main'

let emulator: Emulator
let issuer: OidcIssuer
let chain: TestChain
let dir: string
const savedEnv = { ...process.env }
let stdout: string[]
let debugLines: string[]

beforeAll(async () => {
  ;[emulator, issuer, chain] = await Promise.all([
    startEmulator({ rateLimitPerSecond: 0 }),
    startOidcIssuer(),
    makeChain({ domains: ['keyless.example.test'] })
  ])
})

afterAll(async () => {
  await Promise.all([emulator?.stop(), issuer?.stop()])
})

beforeEach(() => {
  emulator.reset()
  emulator.setOption({
    clockSkewMs: 0,
    oidcProviders: [issuer.provider('github', ['sts.tencentcloudapi.com'])],
    stsRoles: [{ arn: ROLE, provider: 'github', subjects: [MAIN] }]
  })
  issuer.subject = MAIN
  issuer.now = Date.now
  dir = mkdtempSync(join(tmpdir(), 'oidc-flow-'))
  writeFileSync(join(dir, 'env'), '')
  Object.assign(process.env, issuer.env, { GITHUB_ENV: join(dir, 'env') })
  stdout = []
  debugLines = []
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout.push(String(chunk))
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
  rmSync(dir, { recursive: true, force: true })
})

const log: Log = {
  info: m => core.info(m),
  notice: m => core.notice(m),
  warning: m => core.warning(m),
  debug: m => core.debug(m)
}

/** The real fetch and clock; sleep only moves `offset` (a backoff that took that long). */
function clientDeps(sleep: (ms: number) => void = () => undefined): ClientDeps & {
  offset: number
} {
  const deps = {
    offset: 0,
    fetch: fetch as unknown as FetchLike,
    now: () => Date.now() + deps.offset,
    sleep: async (ms: number) => sleep(ms),
    random: () => 0.5,
    debug: (m: string) => debugLines.push(m),
    warning: (m: string) => debugLines.push(m)
  }
  return deps
}

function settings(inputs: Record<string, string> = {}) {
  const all: Record<string, string> = {
    'role-arn': ROLE,
    'oidc-provider-id': 'github',
    'sts-endpoint': emulator.url,
    ...inputs
  }
  return readOidcSettings(name => all[name] ?? '', {
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '77'
  })!
}

function obtain(inputs: Record<string, string> = {}, deps = clientDeps()) {
  return obtainCredentials(settings(inputs), {
    env: process.env,
    getIdToken: audience => core.getIDToken(audience),
    setSecret: core.setSecret,
    exportVariable: core.exportVariable,
    log,
    client: deps,
    timeoutMs: 10_000
  })
}

function sslClient(api: '3.0' | '2.0', credentials: Credentials) {
  return createSslClient(api, {
    credentials,
    endpoint: new URL(api === '3.0' ? emulator.url : emulator.v2Url),
    timeoutMs: 10_000,
    deps: clientDeps()
  })
}

const upload = (credentials: Credentials) =>
  sslClient('3.0', credentials).upload({
    certificatePem: chain.fullchainPem,
    privateKeyPem: chain.keyPem,
    certType: 'SVR',
    alias: 'keyless',
    projectId: 0,
    tags: [],
    fingerprint: pemFingerprint(chain.leafPem)
  })

const stsCalls = () => emulator.requests.filter(r => r.action === 'AssumeRoleWithWebIdentity')
const masked = () =>
  stdout.flatMap(line => (line.startsWith('::add-mask::') ? [line.slice(12).trim()] : []))

describe('with role-arn only', () => {
  it('uploads with the temporary credentials (3.0), and lists with them (2.0)', async () => {
    const credentials = await obtain()
    const { certificateId, reused } = await upload(credentials)
    expect(reused).toBe(false)
    expect(emulator.certificates().map(c => c.id)).toEqual([certificateId])
    const listed = await sslClient('2.0', credentials).listUploaded('SVR')
    expect(listed.map(c => c.id)).toEqual([certificateId])
    expect(issuer.requests).toContainEqual({
      audience: 'sts.tencentcloudapi.com',
      authorized: true
    })
  })

  it('masks the GitHub token and the temporary id, key and token, and logs none of them', async () => {
    const credentials = await obtain()
    const secrets = [credentials.secretId, credentials.secretKey, credentials.token]
    expect(masked()).toEqual(expect.arrayContaining(secrets))
    const jwt = masked().filter(value => value.split('.').length === 3)
    expect(jwt).toHaveLength(2) // by the toolkit, and by the stage
    const logged = stdout.filter(line => !line.startsWith('::add-mask::')).join('')
    for (const secret of [...secrets, jwt[0]]) expect(logged).not.toContain(secret)
    for (const line of debugLines) for (const secret of secrets) expect(line).not.toContain(secret)
  })

  it('exports the five variables, every value masked', async () => {
    const credentials = await obtain({ 'export-credentials': 'true' })
    const exported = parseFileCommands(readFileSync(join(dir, 'env'), 'utf8'))
    expect(Object.keys(exported).sort()).toEqual([...EXPORTED_VARIABLES].sort())
    expect(exported.TENCENTCLOUD_SECRET_ID).toBe(credentials.secretId)
    expect(exported.TENCENTCLOUD_SECRET_KEY).toBe(credentials.secretKey)
    for (const name of ['SESSION_TOKEN', 'TOKEN', 'SECURITY_TOKEN'])
      expect(exported[`TENCENTCLOUD_${name}`]).toBe(credentials.token)
    for (const value of Object.values(exported)) expect(masked()).toContain(value)
  })

  it('stops working once the credentials expire', async () => {
    const credentials = await obtain({ 'role-duration': '900' })
    await upload(credentials)
    emulator.setOption('clockSkewMs', 900_000)
    await expect(upload(credentials)).rejects.toMatchObject({ code: 'AuthFailure.TokenFailure' })
  })
})

describe('misconfiguration fails at once, naming the cause', () => {
  it.each<[string, () => void, Record<string, string>, RegExp]>([
    [
      'a wrong audience',
      () => undefined,
      { audience: 'someone-else' },
      /WebIdentityTokenError.*audience "someone-else"/s
    ],
    [
      'a wrong provider',
      () => undefined,
      { 'oidc-provider-id': 'gitlab' },
      /WebIdentityTokenError.*oidc-provider-id 'gitlab'/s
    ],
    [
      'a sub outside the role’s condition',
      () => (issuer.subject = 'repo:octo-org/octo-repo:ref:refs/heads/dev'),
      {},
      /UnauthorizedOperation.*refs\/heads\/dev/s
    ],
    [
      'an expired token',
      () => (issuer.now = () => Date.now() - 10 * 60_000),
      {},
      /WebIdentityTokenError.*clock/s
    ]
  ])('%s: one exchange, no retry', async (_case, arrange, inputs, message) => {
    arrange()
    await expect(obtain(inputs)).rejects.toThrow(message)
    expect(stsCalls()).toHaveLength(1)
    expect(issuer.requests.filter(r => r.authorized).length).toBeGreaterThanOrEqual(1)
  })
})

describe('passing faults are retried', () => {
  it.each(['throttle', 'http-502', 'internal-error', 'reset'] as const)(
    'an exchange answered with %s recovers, with the same token',
    async kind => {
      emulator.faults.add({ kind, action: 'AssumeRoleWithWebIdentity' })
      const before = issuer.requests.length
      const credentials = await obtain()
      expect(stsCalls().map(r => r.fault ?? 'ok')).toEqual([kind, 'ok'])
      expect(issuer.requests.length - before).toBe(1)
      await upload(credentials)
    }
  )

  it('a retry more than four minutes after the token fetches a new one', async () => {
    emulator.faults.add({ kind: 'http-502', action: 'AssumeRoleWithWebIdentity' })
    const deps = clientDeps(() => (deps.offset += TOKEN_REFRESH_AGE_MS + 10_000))
    const before = issuer.requests.length
    await obtain({}, deps)
    expect(stsCalls()).toHaveLength(2)
    expect(issuer.requests.length - before).toBe(2)
  })
})
