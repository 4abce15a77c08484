/**
 * The guards end to end (promise 11, `min-age`, `mute-superseded`) and keyless credentials that
 * outlive their ExpiredTime (issue 18 item 9): dist/index.js run like a runner against the
 * emulator (its STS included) and the test OIDC issuer. Oracles: the emulator's request log
 * (which actions ran, signed with which SecretId, answered with which code), its certificates
 * and their reminder switches, and the outputs.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_ACCOUNT_ID } from '../../emulator/options.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { startOidcIssuer, type OidcIssuer } from '../../fixtures/oidc-issuer.js'
import { parseFileCommands, QUICK_WAITS, runAction } from '../../fixtures/runner.js'

const DAY = 86_400_000
const HOUR = 3_600_000
const ROLE_ACCOUNT = '200000000002'
const ROLE = `qcs::cam::uin/${ROLE_ACCOUNT}:roleName/github-certs`
const DOMAINS = ['www.guards.example.test', 'guards.example.test']
/** Every action that changes a certificate or a resource. */
const CHANGING = [
  'UploadCertificate',
  'DeleteCertificates',
  'DeleteCertificate',
  'UpdateCertificateInstance',
  'DeployCertificateInstance',
  'ModifyCertificatesExpiringNotificationSwitch',
  'CertUpload',
  'CertDelete'
]

let emulator: Emulator
let issuer: OidcIssuer
let workspace: string
let ca: TestCa
let old: TestChain
let renewed: TestChain

beforeAll(async () => {
  ;[emulator, issuer] = await Promise.all([startEmulator(), startOidcIssuer()])
  workspace = mkdtempSync(join(tmpdir(), 'guards-'))
  ca = await makeCa(1, 'Guards')
  old = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 20 * DAY) })
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
    recordPolls: 0,
    creationPolls: 0,
    clockSkewMs: 0,
    callerAccounts: {},
    stsCredentialSeconds: 0,
    oidcProviders: [issuer.provider('github', ['sts.tencentcloudapi.com'])],
    stsRoles: [{ arn: ROLE, provider: 'github', subjects: [] }]
  })
})

interface Run {
  keyless?: boolean
  api?: '2.0'
}

async function run(chain: TestChain | undefined, inputs: Record<string, string>, how: Run = {}) {
  if (chain) {
    writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
    writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem)
  }
  const envFile = join(workspace, 'github-env')
  writeFileSync(envFile, '')
  const credentials: Record<string, string> = how.keyless
    ? { 'role-arn': ROLE, 'oidc-provider-id': 'github' }
    : {
        'secret-id': emulator.credentials.secretId,
        'secret-key': emulator.credentials.secretKey
      }
  const result = await runAction({
    cwd: workspace,
    nodeArgs: QUICK_WAITS,
    env: { ...(how.keyless ? issuer.env : {}), GITHUB_ENV: envFile },
    inputs: {
      endpoint: how.api === '2.0' ? emulator.v2Url : emulator.url,
      'sts-endpoint': emulator.url,
      ...(how.api ? { api: how.api } : {}),
      ...credentials,
      ...(chain ? { cert: 'fullchain.pem', key: 'privkey.pem' } : {}),
      ...inputs
    }
  })
  return { ...result, exported: parseFileCommands(readFileSync(envFile, 'utf8')) }
}

const actions = () => emulator.requests.map(r => r.action)
const changing = () => emulator.requests.filter(r => CHANGING.includes(r.action))
const live = () =>
  emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)
const muted = () =>
  emulator
    .certificates()
    .filter(c => c.remindersOff)
    .map(c => c.id)
const json = (text: string | undefined): unknown => JSON.parse(text ?? 'null')

/** The old certificate, uploaded `age` ago. */
function seedOld(age: number): string {
  const [seeded] = emulator.seed({
    certificatePem: old.fullchainPem,
    privateKeyPem: old.keyPem,
    insertTime: new Date(Date.now() - age)
  })
  return seeded.id
}

describe('allowed-account-ids', () => {
  it.each([
    ['3.0 sync', { mode: 'sync' }, {}],
    ['3.0 sync, dry run', { mode: 'sync', 'dry-run': 'true' }, {}],
    ['2.0 sync', { mode: 'sync' }, { api: '2.0' as const }],
    ['3.0 delete', { mode: 'delete', 'certificate-ids': 'PLACEHOLDER' }, {}]
  ])(
    '%s with keys of another account changes nothing and fails naming both',
    async (_case, inputs, how) => {
      const oldId = seedOld(2 * DAY)
      const given: Record<string, string> = { ...inputs }
      if (given['certificate-ids']) given['certificate-ids'] = oldId
      const result = await run(
        renewed,
        { ...given, 'allowed-account-ids': '300000000003, 400000000004' },
        how
      )
      expect(result.status).toBe(1)
      const text = result.lines.join('\n')
      expect(text).toContain(DEFAULT_ACCOUNT_ID)
      expect(text).toContain('300000000003')
      expect(text).toMatch(/allowed-account-ids/)
      // Asked STS, then stopped: no certificate request at all, let alone a change.
      expect(actions()).toEqual(['GetCallerIdentity'])
      expect(live()).toEqual([oldId])
      expect(result.outputs['account-id']).toBe(DEFAULT_ACCOUNT_ID)
      expect(result.outputs['deleted-ids']).toBe('[]')
      expect(result.outputs['skipped-ids']).toBe('[]')
    }
  )

  it('keys of a listed account go on, and the account is an output', async () => {
    emulator.setOption('callerAccounts', { [emulator.credentials.secretId]: '300000000003' })
    const oldId = seedOld(2 * DAY)
    const result = await run(renewed, {
      mode: 'sync',
      'allowed-account-ids': '100000000009\n300000000003'
    })
    expect(result.status).toBe(0)
    expect(result.outputs['account-id']).toBe('300000000003')
    expect(json(result.outputs['deleted-ids'])).toEqual([oldId])
    expect(actions()[0]).toBe('GetCallerIdentity')
  })

  it('2.0 asks STS too, and goes on for a listed account', async () => {
    const oldId = seedOld(2 * DAY)
    const result = await run(
      renewed,
      { mode: 'sync', 'allowed-account-ids': DEFAULT_ACCOUNT_ID },
      { api: '2.0' }
    )
    expect(result.status).toBe(0)
    expect(result.outputs['account-id']).toBe(DEFAULT_ACCOUNT_ID)
    expect(json(result.outputs['deleted-ids'])).toEqual([oldId])
  })

  it("keyless: the role's account decides, without asking GetCallerIdentity", async () => {
    const oldId = seedOld(2 * DAY)
    const tokensBefore = issuer.requests.length
    const refused = await run(
      renewed,
      { mode: 'sync', 'allowed-account-ids': DEFAULT_ACCOUNT_ID, 'export-credentials': 'true' },
      { keyless: true }
    )
    expect(refused.status).toBe(1)
    expect(refused.lines.join('\n')).toContain(ROLE_ACCOUNT)
    expect(refused.outputs['account-id']).toBe(ROLE_ACCOUNT)
    // Checked before the exchange: no request, no credentials of that account exported.
    expect(emulator.requests).toEqual([])
    expect(issuer.requests).toHaveLength(tokensBefore)
    expect(refused.exported).toEqual({})
    expect(live()).toEqual([oldId])

    emulator.clearRequests()
    const allowed = await run(
      renewed,
      { mode: 'sync', 'allowed-account-ids': ROLE_ACCOUNT },
      { keyless: true }
    )
    expect(allowed.status).toBe(0)
    expect(allowed.outputs['account-id']).toBe(ROLE_ACCOUNT)
    expect(json(allowed.outputs['deleted-ids'])).toEqual([oldId])
    expect(actions()).not.toContain('GetCallerIdentity')
  })

  it('list asks too, reports the account, and fails for another one', async () => {
    seedOld(2 * DAY)
    const listed = await run(undefined, { mode: 'list', 'allowed-account-ids': DEFAULT_ACCOUNT_ID })
    expect(listed.status).toBe(0)
    expect(listed.outputs['account-id']).toBe(DEFAULT_ACCOUNT_ID)
    emulator.clearRequests()
    const other = await run(undefined, { mode: 'list', 'allowed-account-ids': '300000000003' })
    expect(other.status).toBe(1)
    expect(actions()).toEqual(['GetCallerIdentity'])
    expect(other.outputs.certificates).toBe('[]')
  })

  it.each(['12a', '1000-2', 'uin/100000000001'])(
    'a malformed list (%s) is refused before any request',
    async bad => {
      const result = await run(renewed, {
        mode: 'sync',
        'allowed-account-ids': `100000000001,${bad}`
      })
      expect(result.status).toBe(1)
      expect(result.lines.join('\n')).toMatch(/allowed-account-ids[\s\S]*not an account id/)
      expect(emulator.requests).toEqual([])
    }
  )

  it('an unanswered GetCallerIdentity fails safe: nothing is changed', async () => {
    seedOld(2 * DAY)
    emulator.faults.add({ kind: 'http-502', action: 'GetCallerIdentity', times: 20 })
    const result = await run(renewed, { mode: 'sync', 'allowed-account-ids': DEFAULT_ACCOUNT_ID })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(/GetCallerIdentity/)
    expect(changing()).toEqual([])
  })
})

describe('min-age', () => {
  it.each([['3.0'], ['2.0']] as const)(
    '%s sync keeps the superseded certificate, in skipped-ids with the reason',
    async api => {
      const oldId = seedOld(30 * DAY)
      const how = api === '2.0' ? { api } : {}
      const result = await run(renewed, { mode: 'sync', 'min-age': '1d' }, how)
      expect(result.status).toBe(0)
      expect(json(result.outputs['deleted-ids'])).toEqual([])
      expect(json(result.outputs['skipped-ids'])).toEqual([oldId])
      expect(result.lines.join('\n')).toMatch(/min-age 1d/)
      expect(live()).toContain(oldId)
      expect(result.summary).toMatch(/min-age/)
    }
  )

  it.each([['3.0'], ['2.0']] as const)(
    '%s prune deletes it once a superseder has been in the account that long',
    async api => {
      const oldId = seedOld(30 * DAY)
      const [newer] = emulator.seed({
        certificatePem: renewed.fullchainPem,
        insertTime: new Date(Date.now() - 3 * HOUR)
      })
      const how = api === '2.0' ? { api } : {}
      const young = await run(
        undefined,
        { mode: 'prune', 'prune-domains': DOMAINS.join(','), 'min-age': '4h' },
        how
      )
      expect(young.status).toBe(0)
      expect(json(young.outputs['skipped-ids'])).toEqual([oldId])
      const aged = await run(
        undefined,
        { mode: 'prune', 'prune-domains': DOMAINS.join(','), 'min-age': '150m' },
        how
      )
      expect(aged.status).toBe(0)
      expect(json(aged.outputs['deleted-ids'])).toEqual([oldId])
      expect(live()).toEqual([newer.id])
    }
  )

  it('does not delay the move: sync with replace moves the resources now and keeps the old one', async () => {
    const oldId = seedOld(30 * DAY)
    emulator.resources.seed({ type: 'cdn', instance: 'www.guards.example.test', certId: oldId })
    const result = await run(renewed, { mode: 'sync', replace: 'true', 'min-age': '12h' })
    expect(result.status).toBe(0)
    const newId = result.outputs['certificate-id']
    expect(json(result.outputs.replaced)).toMatchObject([
      { from: oldId, to: newId, status: 'success' }
    ])
    expect(emulator.resources.all().map(r => r.certId)).toEqual([newId])
    expect(json(result.outputs['skipped-ids'])).toEqual([oldId])
    expect(live()).toEqual(expect.arrayContaining([oldId, newId]))
  })

  it.each(['1w', '-1h', '2.5h', 'soon'])(
    'a bad value (%s) is refused before any request',
    async bad => {
      const result = await run(renewed, { mode: 'sync', 'min-age': bad })
      expect(result.status).toBe(1)
      expect(result.lines.join('\n')).toMatch(/min-age.*90m, 12h or 2d/)
      expect(emulator.requests).toEqual([])
    }
  )
})

describe('mute-superseded', () => {
  it('mutes the superseded certificates a sync keeps, never the new one, nothing in a dry run', async () => {
    const heldId = seedOld(30 * DAY)
    const dry = await run(renewed, {
      mode: 'sync',
      'min-age': '1d',
      'mute-superseded': 'true',
      'dry-run': 'true'
    })
    expect(dry.status).toBe(0)
    expect(actions()).not.toContain('ModifyCertificatesExpiringNotificationSwitch')
    const result = await run(renewed, { mode: 'sync', 'min-age': '1d', 'mute-superseded': 'true' })
    expect(result.status).toBe(0)
    expect(muted()).toEqual([heldId])
    expect(muted()).not.toContain(result.outputs['certificate-id'])
  })

  it('mutes the held and the bound ones, not one it deletes, 50 ids a call', async () => {
    const soon = new Date(Date.now() + 5 * DAY)
    const monthAgo = new Date(Date.now() - 30 * DAY)
    // 51 certificates that only a young one (an hour old) supersedes: held by min-age.
    const held = emulator.seed(
      Array.from({ length: 51 }, (_, i) => ({
        domains: [`m${i}.guards.example.test`],
        notAfter: soon,
        insertTime: monthAgo
      }))
    )
    const [gone, bound] = emulator.seed([
      { domains: ['gone.guards.example.test'], notAfter: soon, insertTime: monthAgo },
      { domains: ['bound.guards.example.test'], notAfter: soon, insertTime: monthAgo }
    ])
    emulator.bind(bound.id, 'cdn')
    // Ten days old: supersedes gone and bound for deletion; superseded by the young one itself.
    const [aged] = emulator.seed({
      domains: ['gone.guards.example.test', 'bound.guards.example.test'],
      notAfter: new Date(Date.now() + 60 * DAY),
      insertTime: new Date(Date.now() - 10 * DAY)
    })
    const everything = [...held.map(c => c.domains[0]), ...aged.domains]
    emulator.seed({
      domains: everything,
      notAfter: new Date(Date.now() + 90 * DAY),
      insertTime: new Date(Date.now() - HOUR)
    })
    const result = await run(undefined, {
      mode: 'prune',
      'prune-domains': everything.join(','),
      'min-age': '1d',
      'mute-superseded': 'true'
    })
    expect(result.status).toBe(0)
    expect(json(result.outputs['deleted-ids'])).toEqual([gone.id])
    const expected = [...held.map(c => c.id), aged.id, bound.id]
    expect(muted().sort()).toEqual(expected.sort())
    expect((json(result.outputs['skipped-ids']) as string[]).sort()).toEqual(expected.sort())
    const calls = actions().filter(a => a === 'ModifyCertificatesExpiringNotificationSwitch')
    expect(calls).toHaveLength(2)
  })

  it('is refused with api 2.0 before any request', async () => {
    const result = await run(renewed, { mode: 'sync', 'mute-superseded': 'true' }, { api: '2.0' })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(/mute-superseded.*api '3\.0' only/)
    expect(emulator.requests).toEqual([])
  })
})

describe('keyless credentials that expire mid-run', () => {
  it.each([
    ['past ExpiredTime', 200_000],
    ['to within a minute of ExpiredTime', 100_000]
  ])(
    'are renewed when the server clock moves %s; no request is ever signed with expired ones',
    async (_case, jump) => {
      // Credentials live 150 s; the first record poll moves the server clock on, as a long
      // replace-timeout would, so the next request would carry (nearly) expired credentials.
      emulator.setOption({ stsCredentialSeconds: 150, recordPolls: 2 })
      const oldId = seedOld(30 * DAY)
      emulator.resources.seed({ type: 'cdn', instance: 'www.guards.example.test', certId: oldId })
      emulator.faults.add({
        kind: 'clock-jump',
        action: 'DescribeHostUpdateRecordDetail',
        ms: jump
      })
      const result = await run(
        renewed,
        { mode: 'sync', replace: 'true', 'export-credentials': 'true' },
        { keyless: true }
      )
      expect(result.status).toBe(0)
      expect(emulator.requests.filter(r => r.code === 'AuthFailure.TokenFailure')).toEqual([])
      expect(actions().filter(a => a === 'AssumeRoleWithWebIdentity')).toHaveLength(2)
      const newId = result.outputs['certificate-id']
      expect(json(result.outputs.replaced)).toMatchObject([
        { from: oldId, to: newId, status: 'success' }
      ])
      expect(json(result.outputs['deleted-ids'])).toEqual([oldId])
      // Every request after the jump is signed with the second credentials; they are exported.
      const jumped = emulator.requests.findIndex(r => r.fault === 'clock-jump')
      const signed = emulator.requests.filter(r => r.secretId !== undefined)
      const after = emulator.requests.slice(jumped + 1).filter(r => r.secretId !== undefined)
      expect(after.length).toBeGreaterThan(0)
      expect(new Set(after.map(r => r.secretId)).size).toBe(1)
      expect(after[0].secretId).not.toBe(signed[0].secretId)
      expect(result.exported.TENCENTCLOUD_SECRET_ID).toBe(after[0].secretId)
      // The renewed secret and token are masked, and appear in no other line.
      for (const secret of [
        result.exported.TENCENTCLOUD_SECRET_KEY,
        result.exported.TENCENTCLOUD_SESSION_TOKEN
      ]) {
        expect(secret).toBeTruthy()
        expect(result.lines).toContain(`::add-mask::${secret}`)
        expect(
          result.lines.filter(l => !l.startsWith('::add-mask::') && l.includes(secret))
        ).toEqual([])
      }
    }
  )
})
