/**
 * The emulator's TLS edge (emulator/edge.ts): checked with a real client (`openssl s_client`)
 * and with the action's own probe; its scripts (propagation in handshakes, a pin, a refusal)
 * and its admin path.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { makeCa, makeChain, type TestChain } from '../../fixtures/certs.js'
import { tlsProbe } from '../../src/verify/probe.js'
import { admin } from './helpers.js'

const DAY = 86_400_000
const HOST = 'www.edge.example.test'
let emulator: Emulator
let old: TestChain
let renewed: TestChain

const fingerprintOf = (pem: string): string =>
  new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase()

/** `openssl s_client` against the edge: the fingerprint of the leaf it was served, or null. */
function opensslServed(host: string): Promise<string | null> {
  return new Promise(resolve => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${emulator.edge.port}`, '-servername', host],
      { timeout: 20_000 },
      (_error, stdout) => {
        const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)
        resolve(pem ? fingerprintOf(pem[0]) : null)
      }
    )
    child.stdin?.end()
  })
}

const probe = (host = HOST) =>
  tlsProbe({ host, port: emulator.edge.port, address: '127.0.0.1' }, 10_000)
const servedBy = async (host = HOST): Promise<string> => {
  const result = await probe(host)
  if (!result.ok) throw new Error(`not served: ${result.error}`)
  return result.fingerprint
}

beforeAll(async () => {
  const ca = await makeCa(1, 'Edge')
  old = await makeChain({ ca, domains: [HOST], notAfter: new Date(Date.now() + 10 * DAY) })
  renewed = await makeChain({ ca, domains: [HOST], notAfter: new Date(Date.now() + 90 * DAY) })
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
})

afterAll(async () => {
  await emulator.stop()
})

beforeEach(() => {
  emulator.reset()
  emulator.seed([
    { id: 'OLD', certificatePem: old.fullchainPem, privateKeyPem: old.keyPem },
    { id: 'NEW', certificatePem: renewed.fullchainPem, privateKeyPem: renewed.keyPem }
  ])
  emulator.resources.seed({ type: 'cdn', instance: HOST, certId: 'OLD' })
})

const move = (certId: string) => emulator.resources.seed({ type: 'cdn', instance: HOST, certId })

describe('the edge', () => {
  it('serves a real client the certificate the host resource holds now', async () => {
    expect(await opensslServed(HOST)).toBe(fingerprintOf(old.leafPem))
    move('NEW')
    expect(await opensslServed(HOST)).toBe(fingerprintOf(renewed.leafPem))
    expect(emulator.edge.handshakes().map(h => h.certId)).toEqual(['OLD', 'NEW'])
  })

  it("gives the action's probe the leaf's fingerprint, not-after and names", async () => {
    const result = await probe()
    expect(result).toEqual({
      ok: true,
      fingerprint: fingerprintOf(old.leafPem),
      notAfter: new Date(new X509Certificate(old.leafPem).validTo),
      names: [HOST]
    })
  })

  it('keeps serving the old certificate for N handshakes after a move (propagation)', async () => {
    emulator.edge.configure({ host: HOST, propagationHandshakes: 2 })
    expect(await servedBy()).toBe(fingerprintOf(old.leafPem))
    move('NEW')
    const seen = [await servedBy(), await servedBy(), await servedBy(), await servedBy()]
    expect(seen).toEqual([
      fingerprintOf(old.leafPem),
      fingerprintOf(old.leafPem),
      fingerprintOf(renewed.leafPem),
      fingerprintOf(renewed.leafPem)
    ])
  })

  it('serves a pinned certificate whatever the resource holds', async () => {
    emulator.edge.configure({ host: HOST, certId: 'OLD' })
    move('NEW')
    expect(await servedBy()).toBe(fingerprintOf(old.leafPem))
    expect(await opensslServed(HOST)).toBe(fingerprintOf(old.leafPem))
  })

  it('drops a refused host, and has nothing for an unknown one', async () => {
    emulator.edge.configure({ host: HOST, refuse: true })
    expect(await probe()).toMatchObject({ ok: false })
    expect(await probe('nobody.example.test')).toMatchObject({ ok: false })
    expect(await opensslServed('nobody.example.test')).toBeNull()
    expect(emulator.edge.handshakes()).toEqual([
      { host: HOST, certId: null },
      { host: 'nobody.example.test', certId: null },
      { host: 'nobody.example.test', certId: null }
    ])
  })

  it('is configured over the admin path, which refuses what makes no sense', async () => {
    const posted = await admin(emulator, 'POST', 'edge', {
      hosts: [{ host: 'WWW.Edge.Example.Test', certId: 'NEW' }]
    })
    expect(posted.status).toBe(201)
    expect(posted.json).toMatchObject({
      port: emulator.edge.port,
      hosts: [{ host: HOST, certId: 'NEW' }]
    })
    expect(await servedBy()).toBe(fingerprintOf(renewed.leafPem))
    expect((await admin(emulator, 'POST', 'edge', { host: HOST, certId: 'NOPE' })).status).toBe(400)
    expect(
      (await admin(emulator, 'POST', 'edge', { host: HOST, propagationHandshakes: -1 })).status
    ).toBe(400)
    expect((await admin(emulator, 'DELETE', 'edge')).json).toMatchObject({ hosts: [] })
    expect(await servedBy()).toBe(fingerprintOf(old.leafPem))
  })
})
