/**
 * The bundled action (dist/index.js, run as a GitHub runner runs it) against certificates from a
 * real ACME CA: Pebble on loopback, with acme-client (real HTTP-01 and DNS-01 validation) and lego
 * (SEC1 and PKCS#1 keys, its certificates/<domain>.crt layout). Uploads land in the local
 * emulator, on API 3.0 and on API 2.0; renewals in sync mode delete what they supersede.
 *
 * Needs `pebble`, `pebble-challtestsrv` and `lego` (apt, see .ci/run): without them every test
 * fails and says so, it never skips.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  assertPeersInstalled,
  issueWithAcmeClient,
  issueWithLego,
  startPebble,
  waitForNextSecond,
  type IssuedCertificate,
  type Pebble
} from '../../fixtures/acme.js'
import { DIST, runAction, type RunResult } from '../../fixtures/runner.js'

/** Real validation: acme-client. */
let pebble: Pebble | undefined
/** PEBBLE_VA_ALWAYS_VALID: lego, which polls Pebble's authorizations only every 5 s. */
let fastPebble: Pebble | undefined
let emulator: Emulator | undefined
/** GITHUB_WORKSPACE of every run: the issued files live here and inputs name them relatively. */
let workspace = ''

beforeAll(async () => {
  assertPeersInstalled()
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run 'npm run package' first`)
  workspace = await mkdtemp(join(tmpdir(), 'acme-workspace-'))
  const started = await Promise.allSettled([
    startPebble(),
    startPebble({ alwaysValid: true }),
    // Asynchronous tasks (binding check, delete) finish at the first poll: task polling has its
    // own tests; here it would only add 4 s to each sync on API 3.0.
    startEmulator({ taskPolls: 0 })
  ])
  const [real, fast, emu] = started
  if (real.status === 'fulfilled') pebble = real.value
  if (fast.status === 'fulfilled') fastPebble = fast.value
  if (emu.status === 'fulfilled') emulator = emu.value
  for (const result of started) if (result.status === 'rejected') throw result.reason
}, 30_000)

afterAll(async () => {
  await Promise.allSettled([pebble?.stop(), fastPebble?.stop(), emulator?.stop()])
  if (workspace) await rm(workspace, { recursive: true, force: true })
}, 15_000)

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start (see beforeAll)`)
  return value
}

// ---------------------------------------------------------------------------------------------
// What the issued files say, computed here with node:crypto only

interface Facts {
  leaf: X509Certificate
  /** SHA-256 of the leaf's DER, lower-case hex. */
  fingerprint: string
  /** DNS names of the subject alternative name extension, in the certificate's order. */
  domains: string[]
  notAfter: Date
  keyHeader: string
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

async function factsOf(issued: IssuedCertificate, checkRoot?: Pebble): Promise<Facts> {
  const chain = ((await readFile(issued.certPath, 'utf8')).match(PEM_BLOCK) ?? []).map(
    block => new X509Certificate(block)
  )
  const keyPem = await readFile(issued.keyPath, 'utf8')
  const [leaf, intermediate] = chain
  // The files are what a real client writes: leaf first, its issuer next, the matching key.
  expect(chain.length).toBeGreaterThanOrEqual(2)
  expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true)
  expect(leaf.checkPrivateKey(createPrivateKey(keyPem))).toBe(true)
  if (checkRoot) {
    const root = new X509Certificate(await checkRoot.rootPem())
    expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true)
  }
  const domains = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter(name => name.startsWith('DNS:'))
    .map(name => name.slice(4))
  expect([...domains].sort()).toEqual([...issued.domains].sort())
  return {
    leaf,
    fingerprint: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
    domains,
    notAfter: new Date(leaf.validTo),
    keyHeader: /-----BEGIN ([A-Z ]+)-----/.exec(keyPem)?.[1] ?? ''
  }
}

// ---------------------------------------------------------------------------------------------
// Running the action

type Api = '3.0' | '2.0'

async function act(api: Api, inputs: Record<string, string>): Promise<RunResult> {
  const emu = need(emulator, 'the emulator')
  emu.clearRequests()
  const result = await runAction({
    cwd: workspace,
    inputs: {
      'secret-id': emu.credentials.secretId,
      'secret-key': emu.credentials.secretKey,
      api,
      // A bare loopback URL: API 2.0 maps it to /v2/index.php.
      endpoint: emu.url,
      ...inputs
    }
  })
  if (result.status !== 0) {
    throw new Error(`the action exited with ${result.status}:\n${result.lines.join('\n')}`)
  }
  // Every request went to the API asked for.
  expect(emu.requests.length).toBeGreaterThan(0)
  expect(new Set(emu.requests.map(request => request.api))).toEqual(new Set([api]))
  return result
}

const certInputs = (issued: IssuedCertificate): Record<string, string> => ({
  cert: relative(workspace, issued.certPath),
  key: relative(workspace, issued.keyPath)
})

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

function expectCertificateOutputs(result: RunResult, facts: Facts): string {
  const { outputs } = result
  expect(outputs['certificate-id']).toMatch(/\S/)
  expect(outputs.fingerprint).toBe(facts.fingerprint)
  expect(JSON.parse(outputs.domains)).toEqual(facts.domains)
  expect(outputs['not-after']).toMatch(ISO_UTC)
  expect(new Date(outputs['not-after']).getTime()).toBe(facts.notAfter.getTime())
  return outputs['certificate-id']
}

const liveCertificates = () =>
  need(emulator, 'the emulator')
    .certificates()
    .filter(c => !c.deleted)

/** The emulator holds exactly one live copy of the certificate, under this id. */
function expectStoredOnce(id: string, facts: Facts): void {
  const copies = liveCertificates().filter(c => c.fingerprint === facts.fingerprint)
  expect(copies.map(c => c.id)).toEqual([id])
  expect([...copies[0].domains].sort()).toEqual([...facts.domains].sort())
  expect(copies[0].notAfter.getTime()).toBe(facts.notAfter.getTime())
}

/** Id of every certificate the tests expect in the store, by case. */
const current = new Map<string, string>()

function expectOnlyCurrent(): void {
  expect(
    liveCertificates()
      .map(c => c.id)
      .sort()
  ).toEqual([...current.values()].sort())
}

// ---------------------------------------------------------------------------------------------

interface AcmeClientCase {
  name: string
  slug: string
  key: 'ec' | 'rsa'
  domains: string[]
}

const ACME_CLIENT_CASES: AcmeClientCase[] = [
  {
    name: 'EC P-256, three names, HTTP-01',
    slug: 'ec',
    key: 'ec',
    domains: ['a.example.test', 'www.a.example.test', 'api.a.example.test']
  },
  {
    name: 'RSA 2048, two names, HTTP-01',
    slug: 'rsa',
    key: 'rsa',
    domains: ['b.example.test', 'www.b.example.test']
  },
  {
    name: 'wildcard and its base name, DNS-01',
    slug: 'wildcard',
    key: 'ec',
    domains: ['*.c.example.test', 'c.example.test']
  }
]

interface Held {
  issued: IssuedCertificate
  facts: Facts
  id: string
}

const held = new Map<string, Held>()

describe('acme-client certificates from Pebble with real validation', () => {
  const issue = (c: AcmeClientCase): Promise<IssuedCertificate> =>
    issueWithAcmeClient(need(pebble, 'Pebble'), {
      domains: c.domains,
      key: c.key,
      // certbot's layout: the same live/<name>/ directory is rewritten at each renewal.
      outDir: join(workspace, 'letsencrypt', 'live', c.slug)
    })

  test.each(ACME_CLIENT_CASES)('upload: $name', async c => {
    const issued = await issue(c)
    const facts = await factsOf(issued, pebble)
    expect(facts.keyHeader).toBe('PRIVATE KEY')
    const result = await act('3.0', certInputs(issued))
    const id = expectCertificateOutputs(result, facts)
    expect(result.outputs.reused).toBe('false')
    expectStoredOnce(id, facts)
    held.set(c.slug, { issued, facts, id })
    current.set(c.slug, id)
    expectOnlyCurrent()
  })

  test('the same files uploaded again reuse the stored certificate', async () => {
    const { issued, facts, id } = need(held.get('ec'), 'the EC certificate')
    const result = await act('3.0', certInputs(issued))
    expect(expectCertificateOutputs(result, facts)).toBe(id)
    expect(result.outputs.reused).toBe('true')
    expectStoredOnce(id, facts)
    expectOnlyCurrent()
  })

  test.each(ACME_CLIENT_CASES)('renewal in sync mode: $name', async c => {
    const before = need(held.get(c.slug), `the first ${c.slug} certificate`)
    await waitForNextSecond(before.issued.issuedAt)
    const issued = await issue(c)
    expect(issued.certPath).toBe(before.issued.certPath)
    const facts = await factsOf(issued, pebble)
    expect(facts.notAfter.getTime()).toBeGreaterThan(before.facts.notAfter.getTime())

    const result = await act('3.0', { mode: 'sync', ...certInputs(issued) })
    const id = expectCertificateOutputs(result, facts)
    expect(id).not.toBe(before.id)
    expect(result.outputs.reused).toBe('false')
    expect(JSON.parse(result.outputs['deleted-ids'])).toEqual([before.id])
    expect(JSON.parse(result.outputs['skipped-ids'])).toEqual([])

    const old = need(emulator, 'the emulator')
      .certificates()
      .find(cert => cert.id === before.id)
    expect(old === undefined || old.deleted).toBe(true)
    expectStoredOnce(id, facts)
    held.set(c.slug, { issued, facts, id })
    current.set(c.slug, id)
    // The other certificates are untouched.
    expectOnlyCurrent()
  })
})

describe("lego's files (traditional key formats, certificates/<domain>.crt)", () => {
  const legoPath = (): string => join(workspace, '.lego')

  test('EC key (SEC1) on API 3.0', async () => {
    const issued = await issueWithLego(need(fastPebble, 'the always-valid Pebble'), {
      domains: ['d.example.test', 'www.d.example.test'],
      keyType: 'ec256',
      path: legoPath()
    })
    expect(relative(workspace, issued.certPath)).toBe('.lego/certificates/d.example.test.crt')
    expect(relative(workspace, issued.keyPath)).toBe('.lego/certificates/d.example.test.key')
    const facts = await factsOf(issued, fastPebble)
    expect(facts.keyHeader).toBe('EC PRIVATE KEY')
    const result = await act('3.0', certInputs(issued))
    const id = expectCertificateOutputs(result, facts)
    expectStoredOnce(id, facts)
    current.set('lego-ec', id)
    expectOnlyCurrent()
  })

  const wildcard = ['*.e.example.test', 'e.example.test']

  test('RSA key (PKCS#1), wildcard through DNS-01, on API 2.0', async () => {
    const issued = await issueWithLego(need(fastPebble, 'the always-valid Pebble'), {
      domains: wildcard,
      keyType: 'rsa2048',
      path: legoPath()
    })
    expect(relative(workspace, issued.certPath)).toBe('.lego/certificates/_.e.example.test.crt')
    const facts = await factsOf(issued, fastPebble)
    expect(facts.keyHeader).toBe('RSA PRIVATE KEY')
    const result = await act('2.0', certInputs(issued))
    const id = expectCertificateOutputs(result, facts)
    expectStoredOnce(id, facts)
    held.set('lego-rsa', { issued, facts, id })
    current.set('lego-rsa', id)
    expectOnlyCurrent()
  })

  test('its renewal in sync mode on API 2.0 deletes the old one', async () => {
    const before = need(held.get('lego-rsa'), 'the first lego RSA certificate')
    await waitForNextSecond(before.issued.issuedAt)
    const issued = await issueWithLego(need(fastPebble, 'the always-valid Pebble'), {
      domains: wildcard,
      keyType: 'rsa2048',
      path: legoPath()
    })
    expect(issued.certPath).toBe(before.issued.certPath)
    const facts = await factsOf(issued, fastPebble)
    expect(facts.notAfter.getTime()).toBeGreaterThan(before.facts.notAfter.getTime())
    const result = await act('2.0', { mode: 'sync', ...certInputs(issued) })
    const id = expectCertificateOutputs(result, facts)
    expect(id).not.toBe(before.id)
    expect(JSON.parse(result.outputs['deleted-ids'])).toEqual([before.id])
    expectStoredOnce(id, facts)
    current.set('lego-rsa', id)
    expectOnlyCurrent()
  })
})

describe('a dry run over everything issued', () => {
  test('plans every in-scope deletion and changes nothing', async () => {
    const names = [
      ...ACME_CLIENT_CASES.flatMap(c => c.domains),
      'd.example.test',
      'www.d.example.test',
      '*.e.example.test',
      'e.example.test'
    ]
    const before = liveCertificates()
      .map(c => c.id)
      .sort()
    const result = await act('3.0', {
      mode: 'prune',
      'prune-domains': names.join('\n'),
      keep: '0',
      'dry-run': 'true'
    })
    expect(JSON.parse(result.outputs['deleted-ids']).sort()).toEqual([...current.values()].sort())
    expect(
      liveCertificates()
        .map(c => c.id)
        .sort()
    ).toEqual(before)
    expectOnlyCurrent()
  })
})
