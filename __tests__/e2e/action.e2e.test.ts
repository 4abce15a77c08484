/**
 * The bundled action (dist/index.js) run exactly as a GitHub runner runs it, against the
 * emulator, in every mode on both APIs.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  makeCa,
  makeChain,
  pemFingerprint,
  type TestCa,
  type TestChain
} from '../../fixtures/certs.js'
import { readActionMetadata, runAction, type RunOptions } from '../../fixtures/runner.js'
import { useActionRuns } from '../../fixtures/e2e-lab.js'

const DAY = 86_400_000
const DOMAINS = ['a.example.test', 'www.a.example.test']

useActionRuns()

let emulator: Emulator
let workspace: string
let ca: TestCa
let current: TestChain
let renewed: TestChain
let other: TestChain

beforeAll(async () => {
  emulator = await startEmulator()
  workspace = mkdtempSync(join(tmpdir(), 'e2e-'))
  ca = await makeCa(1, 'E2E')
  current = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 60 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
  other = await makeChain({ ca, domains: ['b.example.test'] })
})

afterAll(async () => {
  await emulator?.stop()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

beforeEach(() => {
  emulator.reset()
  emulator.setOption({ taskPolls: 0 })
})

/** Writes the chain where an ACME client would and runs the action on it. */
function run(
  api: string,
  chain: TestChain | undefined,
  inputs: Record<string, string>,
  options: RunOptions = {}
) {
  if (chain) {
    writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
    writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem)
  }
  return runAction({
    cwd: workspace,
    ...options,
    inputs: {
      api,
      endpoint: emulator.url,
      'secret-id': emulator.credentials.secretId,
      'secret-key': emulator.credentials.secretKey,
      ...(chain ? { cert: 'fullchain.pem', key: 'privkey.pem' } : {}),
      ...inputs
    }
  })
}

const live = () => emulator.certificates().filter(c => !c.deleted)
const ids = (json: string | undefined): string[] => JSON.parse(json ?? 'null') as string[]
const fingerprintOf = (chain: TestChain): string => pemFingerprint(chain.leafPem)

describe.each(['3.0', '2.0'])('API %s', api => {
  it('uploads a first certificate and outputs what the contract lists', async () => {
    const result = await run(api, current, {})
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const leaf = new X509Certificate(current.leafPem)
    expect(result.outputs['not-after']).toBe(new Date(leaf.validTo).toISOString())
    expect(JSON.parse(result.outputs.domains)).toEqual(DOMAINS)
    expect(result.outputs.fingerprint).toBe(fingerprintOf(current))
    expect(result.outputs.reused).toBe('false')
    expect(ids(result.outputs['deleted-ids'])).toEqual([])
    const stored = live()
    expect(stored).toHaveLength(1)
    expect(stored[0].id).toBe(result.outputs['certificate-id'])
    expect(stored[0].fingerprint).toBe(fingerprintOf(current))
    expect(stored[0].alias).toBe(
      `a.example.test ${new Date(leaf.validTo).toISOString().slice(0, 10)}`
    )
    expect(result.summary).toContain(result.outputs['certificate-id'])
    const declared = readActionMetadata().outputs
    expect(Object.keys(result.outputs).every(name => declared.includes(name))).toBe(true)
  })

  it('reuses the certificate on a re-run and stores one copy', async () => {
    const first = await run(api, current, {})
    const second = await run(api, current, {})
    expect(second.status).toBe(0)
    expect(second.outputs['certificate-id']).toBe(first.outputs['certificate-id'])
    expect(second.outputs.reused).toBe('true')
    expect(live()).toHaveLength(1)
  })

  it('renews in sync mode: uploads, prunes what it supersedes, leaves everything else', async () => {
    const first = await run(api, current, {})
    const oldId = first.outputs['certificate-id']
    const [subset, issued, caType, unrelated] = emulator.seed([
      { domains: ['a.example.test'], notAfter: new Date(Date.now() + 30 * DAY) },
      { domains: DOMAINS, notAfter: new Date(Date.now() + 30 * DAY), from: 'trustasia' },
      { domains: DOMAINS, notAfter: new Date(Date.now() + 30 * DAY), certType: 'CA' },
      { domains: ['b.example.test'], notAfter: new Date(Date.now() + 30 * DAY) }
    ])
    const result = await run(api, renewed, { mode: 'sync' })
    expect(result.status).toBe(0)
    const newId = result.outputs['certificate-id']
    expect(newId).not.toBe(oldId)
    expect(result.outputs.reused).toBe('false')
    expect(ids(result.outputs['deleted-ids']).sort()).toEqual([oldId, subset.id].sort())
    expect(ids(result.outputs['skipped-ids'])).toEqual([])
    expect(
      live()
        .map(c => c.id)
        .sort()
    ).toEqual([newId, issued.id, caType.id, unrelated.id].sort())
    expect(result.summary).toMatch(new RegExp(`\\| deleted \\| ${oldId} \\|`))
  })

  it('prunes by prune-domains, keeping the newest, and a re-run finds nothing more', async () => {
    const seeded = emulator.seed(
      [10, 20, 30].map(days => ({
        domains: ['c.example.test'],
        notAfter: new Date(Date.now() + days * DAY)
      }))
    )
    const inputs = { mode: 'prune', 'prune-domains': 'c.example.test' }
    const result = await run(api, undefined, inputs)
    expect(result.status).toBe(0)
    expect(ids(result.outputs['deleted-ids']).sort()).toEqual([seeded[0].id, seeded[1].id].sort())
    expect(result.outputs['certificate-id']).toBeUndefined()
    expect(live().map(c => c.id)).toEqual([seeded[2].id])
    const again = await run(api, undefined, inputs)
    expect(ids(again.outputs['deleted-ids'])).toEqual([])
  })

  it('changes nothing in a dry run and outputs the plan', async () => {
    const first = await run(api, current, {})
    emulator.clearRequests()
    const before = live().map(c => c.id)
    const result = await run(api, renewed, { mode: 'sync', 'dry-run': 'true' })
    expect(result.status).toBe(0)
    expect(ids(result.outputs['deleted-ids'])).toEqual([first.outputs['certificate-id']])
    expect(live().map(c => c.id)).toEqual(before)
    const writes = emulator.requests.filter(r => /Upload|Delete(?!.*Result)/.test(r.action))
    expect(writes).toEqual([])
    expect(result.summary).toContain('dry run: nothing was deleted')
    expect(result.outputs['certificate-id']).toBe('')
    expect(result.outputs.reused).toBe('false')
    const existing = await run(api, current, { 'dry-run': 'true' })
    expect(existing.outputs['certificate-id']).toBe(first.outputs['certificate-id'])
    expect(existing.outputs.reused).toBe('true')
    expect(emulator.requests.filter(r => /Upload|Delete(?!.*Result)/.test(r.action))).toEqual([])
  })

  it('skips a certificate still bound to a cloud resource, with a warning', async () => {
    const first = await run(api, current, {})
    const oldId = first.outputs['certificate-id']
    emulator.bind(oldId, 'cdn')
    const result = await run(api, renewed, { mode: 'sync' })
    expect(result.status).toBe(0)
    expect(ids(result.outputs['skipped-ids'])).toEqual([oldId])
    expect(ids(result.outputs['deleted-ids'])).toEqual([])
    expect(result.lines.some(l => l.startsWith('::warning::') && l.includes(oldId))).toBe(true)
    expect(live().some(c => c.id === oldId)).toBe(true)
  })

  it('refuses a plan over max-deletions and deletes nothing', async () => {
    const seeded = emulator.seed(
      [10, 20, 30, 40].map(days => ({
        domains: ['d.example.test'],
        notAfter: new Date(Date.now() + days * DAY)
      }))
    )
    const result = await run(api, undefined, {
      mode: 'prune',
      'prune-domains': 'd.example.test',
      'max-deletions': '2'
    })
    expect(result.status).toBe(1)
    const error = result.lines.find(l => l.startsWith('::error::')) ?? ''
    expect(error).toContain('3 certificates')
    expect(error).toContain('max-deletions (2)')
    for (const s of seeded.slice(0, 3)) expect(error).toContain(s.id)
    expect(live()).toHaveLength(4)
    expect(ids(result.outputs['deleted-ids'])).toEqual([])
    // The contract's skipped-ids: kept back "over a limit".
    expect(ids(result.outputs['skipped-ids']).sort()).toEqual(
      seeded
        .slice(0, 3)
        .map(s => s.id)
        .sort()
    )
    expect(result.summary).toContain(`| not deleted: over max-deletions | ${seeded[0].id} |`)
  })

  it.each([
    ['an unknown mode', { mode: 'replace' }, "Input 'mode'"],
    ['a malformed boolean', { 'dry-run': 'maybe' }, "Input 'dry-run'"],
    ['a malformed number', { keep: 'two' }, "Input 'keep'"],
    ['a missing cert', { cert: '' }, "Input 'cert'"],
    ['a key of another certificate', { key: 'other.pem' }, "Input 'key'"],
    ['a non-PEM cert', { cert: 'no such file' }, "Input 'cert'"],
    ['plain http to a remote host', { endpoint: 'http://ssl.invalid' }, "Input 'endpoint'"],
    ['a missing secret key', { 'secret-key': '' }, "Input 'secret-key'"],
    ['prune without prune-domains', { mode: 'prune' }, "Input 'prune-domains'"]
  ])('refuses %s before any request', async (_what, inputs, named) => {
    writeFileSync(join(workspace, 'other.pem'), other.keyPem)
    const result = await run(api, current, inputs)
    expect(result.status).toBe(1)
    expect(result.lines.filter(l => l.startsWith('::error::'))).toEqual([
      expect.stringContaining(named)
    ])
    expect(emulator.requests).toHaveLength(0)
  })

  it('refuses an expired certificate before any request', async () => {
    const expired = await makeChain({
      ca,
      domains: DOMAINS,
      notBefore: new Date(Date.now() - 100 * DAY),
      notAfter: new Date(Date.now() - DAY)
    })
    const result = await run(api, expired, {})
    expect(result.status).toBe(1)
    expect(result.lines.find(l => l.startsWith('::error::'))).toMatch(/Input 'cert'.*expired/)
    expect(emulator.requests).toHaveLength(0)
  })

  it('uploads a CA certificate for client authentication without a key', async () => {
    writeFileSync(join(workspace, 'client-ca.pem'), current.intermediatePems[0])
    const result = await run(api, undefined, { 'cert-type': 'CA', cert: 'client-ca.pem' })
    expect(result.status).toBe(0)
    const stored = live()
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ id: result.outputs['certificate-id'], certType: 'CA' })
    expect(result.outputs.fingerprint).toBe(pemFingerprint(current.intermediatePems[0]))
  })

  it('never prints a secret, even with step debug on', async () => {
    const token = 'session-token-' + 'x'.repeat(40)
    const temporary = {
      secretId: 'AKIDTEMPORARY000000000000000000000',
      secretKey: 'temporary-secret-key-000000000000',
      token
    }
    emulator.setOption({ temporaryCredentials: temporary })
    const secrets = [
      temporary.secretKey,
      token,
      ...renewed.keyPem.split('\n').filter(l => l && !l.startsWith('-----'))
    ]
    await run(api, current, {
      'secret-id': temporary.secretId,
      'secret-key': temporary.secretKey,
      'session-token': token
    })
    const result = await run(
      api,
      renewed,
      {
        mode: 'sync',
        'secret-id': temporary.secretId,
        'secret-key': temporary.secretKey,
        'session-token': token
      },
      { debug: true }
    )
    expect(result.status).toBe(0)
    expect(result.lines.some(l => l.startsWith('::debug::'))).toBe(true)
    const leaks = result.lines.filter(
      l => !l.startsWith('::add-mask::') && secrets.some(s => l.includes(s))
    )
    expect(leaks).toEqual([])
    const masked = new Set(
      result.lines.filter(l => l.startsWith('::add-mask::')).map(l => l.slice(12))
    )
    for (const secret of secrets) expect(masked.has(secret)).toBe(true)
  })
})

describe('API 2.0 specifics', () => {
  it('says that Tencent announced the retirement of API 2.0 and names 3.0', async () => {
    const result = await run('2.0', current, {})
    expect(result.status).toBe(0)
    const notice = result.lines.find(l => l.startsWith('::notice::') && l.includes('2.0')) ?? ''
    expect(notice).toContain('2023-01-01')
    expect(notice).toContain('3.0')
  })

  it('refuses tags, a 3.0-only input, before any request', async () => {
    const result = await run('2.0', current, { tags: 'team=web' })
    expect(result.status).toBe(1)
    expect(result.lines.find(l => l.startsWith('::error::'))).toContain("Input 'tags'")
    expect(emulator.requests).toHaveLength(0)
  })
})

describe('API 3.0 specifics', () => {
  it('attaches tags and the project to the upload', async () => {
    const result = await run('3.0', current, { tags: 'team=web\nenv=prod', 'project-id': '7' })
    expect(result.status).toBe(0)
    const [stored] = live()
    expect(stored.tags).toEqual([
      { TagKey: 'team', TagValue: 'web' },
      { TagKey: 'env', TagValue: 'prod' }
    ])
    expect(stored.projectId).toBe(7)
  })

  it('reuses a certificate when the service answers CertificateId for a duplicate', async () => {
    emulator.setOption({ duplicateAnswer: 'CertificateId' })
    const first = await run('3.0', current, {})
    const second = await run('3.0', current, {})
    expect(second.outputs['certificate-id']).toBe(first.outputs['certificate-id'])
    expect(second.outputs.reused).toBe('true')
    expect(live()).toHaveLength(1)
  })
})
