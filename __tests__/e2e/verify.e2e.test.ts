/**
 * `verify` and stale-bound end to end (promise 9): dist/index.js run like a runner against the
 * emulator, whose TLS edge (emulator/edge.ts) serves each host the certificate its resource holds,
 * after a propagation delay counted in handshakes, pinned to an old certificate, or not at all.
 * The oracle is what the edge served (its handshake log) and the certificates' own fingerprints,
 * computed here from the PEM, not by the action's code. The 15 s between rounds is 1.5 s under
 * fixtures/quick-waits.mjs.
 */
import 'reflect-metadata'
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { X509Certificate } from 'node:crypto'
import { createServer } from 'node:net'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const WWW = 'www.verify.example.test'
const APEX = 'verify.example.test'
const DOMAINS = [WWW, APEX]

const lab = useE2eLab('verify', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})
let ca: TestCa
let old: TestChain
let renewed: TestChain

beforeAll(async () => {
  ca = await makeCa(1, 'Verify')
  old = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 20 * DAY) })
  renewed = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

interface Verified {
  host: string
  port: number
  address: string | null
  status: string
  fingerprint: string | null
  'not-after': string | null
  error: string | null
}

const fingerprintOf = (chain: TestChain): string =>
  new X509Certificate(chain.leafPem).fingerprint256.replace(/:/g, '').toLowerCase()
const notAfterOf = (chain: TestChain): string =>
  new Date(new X509Certificate(chain.leafPem).validTo).toISOString()
const parse = <T>(json: string | undefined): T => JSON.parse(json ?? 'null') as T
const verified = (r: RunResult) => parse<Verified[]>(r.outputs.verified)
/** `HOST=127.0.0.1:EDGE`: the host's name as SNI, connected to the emulator's edge. */
const atEdge = (host: string): string => `${host}=127.0.0.1:${lab.emulator.edge.port}`
const servedTo = (host: string) =>
  lab.emulator.edge
    .handshakes()
    .filter(h => h.host === host)
    .map(h => h.certId)

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Uploads the old certificate and puts a CDN domain (www) and an EdgeOne site (apex) on it. */
async function liveOld(): Promise<string> {
  const first = await lab.run(old, { mode: 'upload' })
  expect(first.status).toBe(0)
  const oldId = first.outputs['certificate-id']
  lab.emulator.resources.seed([
    { type: 'cdn', instance: WWW, certId: oldId },
    { type: 'teo', instance: APEX, certId: oldId }
  ])
  lab.emulator.clearRequests()
  return oldId
}

describe('verify in sync', () => {
  it('waits out a propagation delay and ends match for every endpoint', async () => {
    const oldId = await liveOld()
    lab.emulator.edge.configure([
      { host: WWW, propagationHandshakes: 2 },
      { host: APEX, propagationHandshakes: 1 }
    ])
    const result = await lab.run(renewed, {
      mode: 'sync',
      replace: 'true',
      verify: `${atEdge(WWW)}\n${atEdge(APEX)}`,
      'verify-timeout': '300'
    })
    expect(result.status).toBe(0)
    const id = result.outputs['certificate-id']
    expect(verified(result)).toEqual(
      [WWW, APEX].map(host => ({
        host,
        port: lab.emulator.edge.port,
        address: '127.0.0.1',
        status: 'match',
        fingerprint: fingerprintOf(renewed),
        'not-after': notAfterOf(renewed),
        error: null
      }))
    )
    // The edge served the old certificate twice (www) and once (apex) before the new one, and
    // a matching endpoint was not asked again.
    expect(servedTo(WWW)).toEqual([oldId, oldId, id])
    expect(servedTo(APEX)).toEqual([oldId, id])
    expect(result.lines.join('\n')).toMatch(/verify round 1: 2 endpoint\(s\) do not serve it yet/)
    expect(result.lines.join('\n')).toMatch(/verify round 2: 1 endpoint\(s\) do not serve it yet/)
    expect(result.summary).toContain('### Verified endpoints')
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([oldId])
  })

  it('still verifies after the moves when deleting the old certificate fails', async () => {
    const oldId = await liveOld()
    lab.emulator.faults.add({
      kind: 'malformed',
      variant: 'not-json',
      action: 'DeleteCertificates',
      times: 20
    })
    const result = await lab.run(renewed, {
      mode: 'sync',
      replace: 'true',
      verify: atEdge(WWW),
      'verify-timeout': '0'
    })
    expect(result.status).toBe(1)
    expect(
      lab.emulator
        .certificates()
        .filter(c => !c.deleted)
        .map(c => c.id)
    ).toContain(oldId)
    expect(verified(result).map(v => [v.host, v.status])).toEqual([[WWW, 'match']])
    expect(servedTo(WWW)).toEqual([result.outputs['certificate-id']])
  })

  it('fails on a host left on the old certificate, naming it, with every other output set', async () => {
    const oldId = await liveOld()
    lab.emulator.edge.configure({ host: WWW, certId: oldId })
    const result = await lab.run(renewed, {
      mode: 'sync',
      replace: 'true',
      verify: `${atEdge(WWW)}\n${atEdge(APEX)}`,
      'verify-timeout': '30'
    })
    expect(result.status).toBe(1)
    const [www, apex] = verified(result)
    expect(www).toMatchObject({
      host: WWW,
      status: 'mismatch',
      fingerprint: fingerprintOf(old),
      'not-after': notAfterOf(old),
      error: null
    })
    expect(apex).toMatchObject({ host: APEX, status: 'match' })
    // Rounds at 0, 15 and 30 s: the pinned host was asked three times, the other once.
    expect(servedTo(WWW)).toHaveLength(3)
    expect(servedTo(APEX)).toHaveLength(1)
    const log = result.lines.join('\n')
    expect(log).toMatch(
      new RegExp(
        `::error::.*verify: 1 of 2 endpoint\\(s\\) do not serve the uploaded certificate within 30 s: ${WWW.replace(/\./g, '\\.')}:\\d+ via 127\\.0\\.0\\.1 \\(serves another certificate\\)`
      )
    )
    expect(log).toContain(
      `${oldId}, the certificate this run superseded; the move has not reached it`
    )
    expect(result.outputs['certificate-id']).toMatch(/^\w+$/)
    expect(result.outputs.fingerprint).toBe(fingerprintOf(renewed))
    expect(parse<string[]>(result.outputs['deleted-ids'])).toEqual([oldId])
    expect(parse<{ status: string }[]>(result.outputs.replaced).map(r => r.status)).toEqual([
      'success',
      'success'
    ])
    expect(result.summary).toMatch(/\| mismatch \|/)
  })
})

describe('verify in upload', () => {
  it('reports an unreachable host and fails, after deploy-to, checking once with verify-timeout 0', async () => {
    lab.emulator.resources.seed({ type: 'teo', instance: APEX })
    const down = await closedPort()
    lab.emulator.edge.configure({ host: 'gone.verify.example.test', refuse: true })
    const result = await lab.run(renewed, {
      mode: 'upload',
      'deploy-to': `teo:${APEX}`,
      verify: [atEdge(APEX), `${WWW}=127.0.0.1:${down}`, atEdge('gone.verify.example.test')].join(
        '\n'
      ),
      'verify-timeout': '0'
    })
    expect(result.status).toBe(1)
    const [apex, www, gone] = verified(result)
    expect(apex).toMatchObject({ status: 'match', fingerprint: fingerprintOf(renewed) })
    expect(www).toEqual({
      host: WWW,
      port: down,
      address: '127.0.0.1',
      status: 'unreachable',
      fingerprint: null,
      'not-after': null,
      error: `connect ECONNREFUSED 127.0.0.1:${down}`
    })
    expect(gone).toMatchObject({ status: 'unreachable', fingerprint: null })
    expect(gone.error).toEqual(expect.any(String))
    expect(result.lines.join('\n')).toMatch(/::error::.*2 of 3 endpoint\(s\).*\(checked once\)/)
    expect(parse<{ status: string }[]>(result.outputs.replaced).map(r => r.status)).toEqual([
      'success'
    ])
  })

  it("expands 'true' to the certificate's names on 443", async () => {
    // `localhost` resolves on every machine without a DNS request. Whatever listens on its 443
    // (usually nothing), it does not serve this new certificate: the step fails either way.
    const local = await makeChain({ ca, domains: ['localhost', '*.localhost'] })
    const result = await lab.run(local, { mode: 'upload', verify: 'true', 'verify-timeout': '0' })
    expect(result.status).toBe(1)
    expect(verified(result).map(v => [v.host, v.port, v.address])).toEqual([
      ['localhost', 443, null]
    ])
    expect(['unreachable', 'mismatch']).toContain(verified(result)[0].status)
  })
})

describe('list: stale-bound and what the endpoints serve', () => {
  /** The old certificate on a CDN domain, and a newer one (never moved onto) that supersedes it. */
  async function staleAccount(): Promise<{ oldId: string }> {
    const oldId = await liveOld()
    lab.emulator.seed({
      id: 'Newer001',
      domains: DOMAINS,
      notAfter: new Date(Date.now() + 90 * DAY)
    })
    lab.emulator.seed({
      id: 'Distant1',
      domains: ['far.example.test'],
      notAfter: new Date(Date.now() + 10 * DAY)
    })
    lab.emulator.seed({
      id: 'FarNew01',
      domains: ['far.example.test'],
      notAfter: new Date(Date.now() + 300 * DAY)
    })
    return { oldId }
  }

  it('reports the superseded certificate resources still use, and the expiring one served', async () => {
    const { oldId } = await staleAccount()
    const result = await lab.run(undefined, {
      mode: 'list',
      'expiring-within': '30',
      verify: atEdge(WWW),
      'fail-on-expiring': 'true'
    })
    expect(result.status).toBe(1)
    expect(parse<string[]>(result.outputs['stale-bound-ids'])).toEqual([oldId])
    expect(parse<string[]>(result.outputs['expiring-ids'])).toEqual([oldId])
    const byId = Object.fromEntries(
      parse<{ id: string; bound: number | null; expiring: boolean }[]>(
        result.outputs.certificates
      ).map(c => [c.id, c])
    )
    // Two resources (CDN and EdgeOne) on the old one; the newer ones are not asked about.
    expect(byId[oldId]).toMatchObject({ bound: 2, expiring: true, 'superseded-by': 'Newer001' })
    expect(byId.Distant1).toMatchObject({ bound: 0, expiring: false })
    expect(byId.Newer001).toMatchObject({ bound: null, expiring: false })
    expect(byId.FarNew01).toMatchObject({ bound: null })
    expect(verified(result)).toEqual([
      {
        host: WWW,
        port: lab.emulator.edge.port,
        address: '127.0.0.1',
        status: 'expiring',
        fingerprint: fingerprintOf(old),
        'not-after': notAfterOf(old),
        error: null
      }
    ])
    const log = result.lines.join('\n')
    expect(log).toContain('still use it (stale-bound: the renewal did not reach them)')
    expect(log).toMatch(/::error::.*fail-on-expiring.*fail-on-expiring/s)
    expect(result.summary).toContain('| stale-bound |')
    // Read-only: nothing changed.
    expect(lab.emulator.requests.map(r => r.action)).not.toContain('DeleteCertificates')
  })

  it('reports a served certificate far from expiry as ok, and passes without fail-on-expiring', async () => {
    const { oldId } = await staleAccount()
    const seeded = await lab.run(renewed, { mode: 'upload' })
    lab.emulator.edge.configure({ host: WWW, certId: seeded.outputs['certificate-id'] })
    const result = await lab.run(undefined, { mode: 'list', verify: atEdge(WWW) })
    expect(result.status).toBe(0)
    expect(verified(result)).toMatchObject([{ status: 'ok', fingerprint: fingerprintOf(renewed) }])
    expect(parse<string[]>(result.outputs['stale-bound-ids'])).toEqual([oldId])
  })

  it('api 2.0 has no binding check: bound null, and says so', async () => {
    await staleAccount()
    const result = await lab.run(undefined, {
      mode: 'list',
      api: '2.0',
      endpoint: lab.emulator.v2Url
    })
    expect(result.status).toBe(0)
    expect(parse<string[]>(result.outputs['stale-bound-ids'])).toEqual([])
    expect(
      parse<{ bound: number | null }[]>(result.outputs.certificates).every(c => c.bound === null)
    ).toBe(true)
    expect(result.lines.join('\n')).toMatch(
      /api '2\.0' has no binding check: stale-bound not checked/
    )
  })
})

describe('bad verify inputs', () => {
  it.each([
    ['sync', { verify: '=127.0.0.1' }, /Input 'verify': line 1 '=127.0.0.1': the host is empty/],
    ['sync', { verify: 'www.example.test:99999' }, /port '99999' is not a port number/],
    ['upload', { verify: '*.verify.example.test' }, /a wildcard is not a host/],
    ['list', { verify: 'true' }, /'true' .* is for upload and sync; in list mode/],
    [
      'sync',
      { verify: WWW, 'verify-timeout': '3601' },
      /Input 'verify-timeout': must be a whole number of seconds from 0 to 3600/
    ]
  ])('%s %j is refused before any request', async (mode, inputs, message) => {
    const result = await lab.run(mode === 'list' ? undefined : renewed, { mode, ...inputs })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(message)
    expect(lab.emulator.requests).toEqual([])
    expect(parse<unknown[]>(result.outputs.verified)).toEqual([])
  })

  it("refuses 'true' for a certificate with wildcard names only, before any request", async () => {
    const wildcard = await makeChain({ ca, domains: ['*.verify.example.test'] })
    const result = await lab.run(wildcard, { mode: 'upload', verify: 'true' })
    expect(result.status).toBe(1)
    expect(result.lines.join('\n')).toMatch(
      /Input 'verify': is 'true' but the certificate has no DNS name without a wildcard/
    )
    expect(lab.emulator.requests).toEqual([])
  })
})
