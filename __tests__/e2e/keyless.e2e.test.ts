/**
 * Keyless credentials end to end (promise 8): dist/index.js run like a runner with `role-arn`
 * only, a test OIDC issuer serving the runner's token URL, and the emulator's STS and SSL.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { makeCa, makeChain, type TestChain } from '../../fixtures/certs.js'
import { startOidcIssuer, type OidcIssuer } from '../../fixtures/oidc-issuer.js'
import { parseFileCommands, runAction } from '../../fixtures/runner.js'
import { useActionRuns } from '../../fixtures/e2e-lab.js'

const DAY = 86_400_000
const ROLE = 'qcs::cam::uin/100000000001:roleName/github-certs'
const MAIN = 'repo:octo-org/octo-repo:ref:refs/heads/main'
const DOMAINS = ['keyless.example.test']

useActionRuns()

let emulator: Emulator
let issuer: OidcIssuer
let workspace: string
let current: TestChain
let renewed: TestChain

beforeAll(async () => {
  ;[emulator, issuer] = await Promise.all([startEmulator(), startOidcIssuer()])
  workspace = mkdtempSync(join(tmpdir(), 'keyless-'))
  const ca = await makeCa(1, 'Keyless')
  current = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 60 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterAll(async () => {
  await Promise.all([emulator?.stop(), issuer?.stop()])
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

beforeEach(() => {
  emulator.reset()
  emulator.setOption({
    taskPolls: 0,
    oidcProviders: [issuer.provider('github', ['sts.tencentcloudapi.com'])],
    stsRoles: [{ arn: ROLE, provider: 'github', subjects: [MAIN] }]
  })
  issuer.subject = MAIN
})

async function run(
  chain: TestChain,
  inputs: Record<string, string>,
  options: { debug?: boolean; tokenUrl?: boolean } = {}
) {
  writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
  writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem)
  const envFile = join(workspace, 'github-env')
  writeFileSync(envFile, '')
  const result = await runAction({
    cwd: workspace,
    debug: options.debug,
    env: { ...(options.tokenUrl === false ? {} : issuer.env), GITHUB_ENV: envFile },
    inputs: {
      endpoint: emulator.url,
      'sts-endpoint': emulator.url,
      'role-arn': ROLE,
      'oidc-provider-id': 'github',
      cert: 'fullchain.pem',
      key: 'privkey.pem',
      ...inputs
    }
  })
  return { ...result, exported: parseFileCommands(readFileSync(envFile, 'utf8')) }
}

const stsCalls = () => emulator.requests.filter(r => r.action === 'AssumeRoleWithWebIdentity')
const sslCalls = () => emulator.requests.filter(r => r.action !== 'AssumeRoleWithWebIdentity')
const live = () => emulator.certificates().filter(c => !c.deleted)

describe('keyless with role-arn', () => {
  it('uploads with temporary credentials only, and a re-run reuses the certificate', async () => {
    const first = await run(current, { mode: 'upload' })
    expect(first.status).toBe(0)
    expect(stsCalls()).toHaveLength(1)
    expect(first.outputs.reused).toBe('false')
    const again = await run(current, { mode: 'upload' })
    expect(again.outputs['certificate-id']).toBe(first.outputs['certificate-id'])
    expect(again.outputs.reused).toBe('true')
    expect(live()).toHaveLength(1)
    expect(issuer.requests.every(r => r.audience === 'sts.tencentcloudapi.com')).toBe(true)
  })

  it('syncs a renewal: uploads it and deletes the certificate it supersedes', async () => {
    const first = await run(current, { mode: 'upload' })
    const sync = await run(renewed, { mode: 'sync' })
    expect(sync.status).toBe(0)
    expect(JSON.parse(sync.outputs['deleted-ids'])).toEqual([first.outputs['certificate-id']])
    expect(live().map(c => c.id)).toEqual([sync.outputs['certificate-id']])
  })

  it.each([
    [
      'a wrong audience',
      { audience: 'someone-else' },
      () => undefined,
      /InvalidParameter\.WebIdentityTokenError[\s\S]*audience/i
    ],
    ['a wrong provider', { 'oidc-provider-id': 'gitlab' }, () => undefined, /provider/i],
    [
      'a sub outside the role condition',
      {},
      () => void (issuer.subject = 'repo:octo-org/octo-repo:ref:refs/heads/feature'),
      /UnauthorizedOperation[\s\S]*(trust|condition|sub)/i
    ],
    [
      'a role that does not exist',
      { 'role-arn': 'qcs::cam::uin/100000000001:roleName/nobody' },
      () => undefined,
      /ResourceNotFound\.RoleNotFound/
    ]
  ])('%s fails at once, naming the cause, without retries', async (_, inputs, arrange, message) => {
    arrange()
    const result = await run(current, { mode: 'upload', ...inputs })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(message)
    expect(stsCalls()).toHaveLength(1)
    expect(sslCalls()).toEqual([])
  })

  it('a job without id-token: write fails before any request, saying so', async () => {
    const result = await run(current, { mode: 'upload' }, { tokenUrl: false })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(/permissions: id-token: write/)
    expect(emulator.requests).toEqual([])
  })

  it.each(['throttle', 'http-502'] as const)(
    'a %s exchange is retried and recovers',
    async kind => {
      emulator.faults.add({ kind, action: 'AssumeRoleWithWebIdentity' })
      const result = await run(current, { mode: 'upload' })
      expect(result.status).toBe(0)
      expect(stsCalls().map(r => r.fault ?? 'ok')).toEqual([kind, 'ok'])
    }
  )

  it('export-credentials exports the five variables, each masked before it could be printed', async () => {
    const result = await run(
      current,
      { mode: 'upload', 'export-credentials': 'true' },
      { debug: true }
    )
    expect(result.status).toBe(0)
    const names = [
      'TENCENTCLOUD_SECRET_ID',
      'TENCENTCLOUD_SECRET_KEY',
      'TENCENTCLOUD_SESSION_TOKEN',
      'TENCENTCLOUD_TOKEN',
      'TENCENTCLOUD_SECURITY_TOKEN'
    ]
    expect(Object.keys(result.exported).sort()).toEqual([...names].sort())
    const masks = result.lines.filter(l => l.startsWith('::add-mask::')).map(l => l.slice(12))
    for (const name of names) {
      const value = result.exported[name]
      expect(value.length).toBeGreaterThan(8)
      expect(masks).toContain(value)
      // Never printed outside its mask command, debug lines included.
      const printed = result.lines.filter(l => l.includes(value) && !l.startsWith('::add-mask::'))
      expect({ name, printed }).toEqual({ name, printed: [] })
    }
    expect(result.exported.TENCENTCLOUD_TOKEN).toBe(result.exported.TENCENTCLOUD_SESSION_TOKEN)
  })

  it('is refused together with a secret-id, before any request', async () => {
    const tokensBefore = issuer.requests.length
    const result = await run(current, { mode: 'upload', 'secret-id': 'AKIDsomething' })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(/role-arn.*secret-id/)
    expect(emulator.requests).toEqual([])
    expect(issuer.requests).toHaveLength(tokensBefore)
  })
})
