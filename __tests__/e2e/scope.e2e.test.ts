/**
 * Pruning's scope end to end (issue 10, items 1 and 7): an RSA and an ECDSA certificate for the
 * same names, issued seconds apart the way acme.sh and certbot issue dual certificates, never
 * supersede each other while valid; and `project-id` is the only project pruning works in.
 */
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['dual.example.test', 'www.dual.example.test']

const lab = useE2eLab('scope', { nodeArgs: QUICK_WAITS })
let ca: TestCa

beforeAll(async () => {
  ca = await makeCa(1, 'Scope')
})

const sync = (api: string, chain: TestChain, inputs: Record<string, string> = {}) =>
  lab.run(chain, { api, mode: 'sync', ...inputs })

const live = () =>
  lab.emulator
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
    const [other] = lab.emulator.seed({
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 10 * DAY),
      projectId: 7
    })
    const [same] = lab.emulator.seed({
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 10 * DAY)
    })
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
    const inSeven = await lab.run(undefined, {
      mode: 'prune',
      'prune-domains': DOMAINS.join(','),
      'project-id': '7'
    })
    expect(inSeven.status).toBe(0)
    expect(deleted(inSeven.outputs['deleted-ids'])).toEqual([])
    expect(live()).toContain(other.id)
  })
})
