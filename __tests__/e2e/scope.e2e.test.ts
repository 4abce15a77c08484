/**
 * Pruning's scope end to end (issue 10, items 1 and 7): an RSA and an ECDSA certificate for the
 * same names, issued seconds apart the way acme.sh and certbot issue dual certificates, never
 * supersede each other while valid; and `project-id` is the only project pruning works in.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { QUICK_WAITS, runAction } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['dual.example.test', 'www.dual.example.test']

let emulator: Emulator
let workspace: string
let ca: TestCa

beforeAll(async () => {
  emulator = await startEmulator()
  workspace = mkdtempSync(join(tmpdir(), 'scope-'))
  ca = await makeCa(1, 'Scope')
})
afterAll(async () => {
  await emulator?.stop()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})
beforeEach(() => {
  emulator.reset()
  emulator.setOption({ taskPolls: 0 })
})

function sync(api: string, chain: TestChain, inputs: Record<string, string> = {}) {
  writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
  writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem)
  return runAction({
    nodeArgs: QUICK_WAITS,
    cwd: workspace,
    inputs: {
      api,
      mode: 'sync',
      endpoint: emulator.url,
      'secret-id': emulator.credentials.secretId,
      'secret-key': emulator.credentials.secretKey,
      cert: 'fullchain.pem',
      key: 'privkey.pem',
      ...inputs
    }
  })
}

const live = () =>
  emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)
const deleted = (json: string | undefined) => JSON.parse(json ?? 'null') as string[]

describe.each(['3.0', '2.0'])('API %s', api => {
  it('the ECDSA sibling issued seconds after the RSA one does not delete it', async () => {
    const t = Date.now() + 60 * DAY
    const rsa = await makeChain({ ca, domains: DOMAINS, key: 'rsa', notAfter: new Date(t) })
    const ec = await makeChain({ ca, domains: DOMAINS, key: 'ec', notAfter: new Date(t + 7000) })
    const first = await sync(api, rsa)
    const second = await sync(api, ec)
    expect(second.status).toBe(0)
    expect(deleted(second.outputs['deleted-ids'])).toEqual([])
    expect(live().sort()).toEqual(
      [first.outputs['certificate-id'], second.outputs['certificate-id']].sort()
    )
    // The RSA renewal still replaces the RSA one, and leaves the ECDSA one alone.
    const rsaRenewal = await makeChain({
      ca,
      domains: DOMAINS,
      key: 'rsa',
      notAfter: new Date(t + 30 * DAY)
    })
    const third = await sync(api, rsaRenewal)
    expect(deleted(third.outputs['deleted-ids'])).toEqual([first.outputs['certificate-id']])
    expect(live()).toContain(second.outputs['certificate-id'])
  })
})

describe('project-id (API 3.0)', () => {
  it('sync in project 0 leaves an older certificate of project 7 alone', async () => {
    const [other] = emulator.seed({
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 10 * DAY),
      projectId: 7
    })
    const [same] = emulator.seed({ domains: DOMAINS, notAfter: new Date(Date.now() + 10 * DAY) })
    const renewal = await makeChain({
      ca,
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 90 * DAY)
    })
    const result = await sync('3.0', renewal)
    expect(result.status).toBe(0)
    expect(deleted(result.outputs['deleted-ids'])).toEqual([same.id])
    expect(live()).toContain(other.id)
    // Pruning in project 7 keeps it too: a superseder counts only in the same project, and its
    // only one is in project 0.
    const inSeven = await runAction({
      inputs: {
        mode: 'prune',
        'prune-domains': DOMAINS.join(','),
        'project-id': '7',
        endpoint: emulator.url,
        'secret-id': emulator.credentials.secretId,
        'secret-key': emulator.credentials.secretKey
      }
    })
    expect(inSeven.status).toBe(0)
    expect(deleted(inSeven.outputs['deleted-ids'])).toEqual([])
    expect(live()).toContain(other.id)
  })
})
