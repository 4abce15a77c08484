import { expect } from '@jest/globals'
/**
 * Shared by the fault, load, malformed-answer and secret suites: one emulator and workspace per
 * test (so tests can run concurrently), scenarios seeded with known roles, runs of dist/index.js
 * exactly as the runner does, and the promises written once as invariants over the emulator's
 * state before and after a run.
 */
import 'reflect-metadata'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startEmulator,
  type ApiVersion,
  type CertificateSnapshot,
  type Emulator,
  type EmulatorOptions,
  type SeedRecord
} from '../../emulator/server.js'
import { makeCa, makeChain, pemFingerprint, type TestChain } from '../../fixtures/certs.js'
import { SPINNING_RUN_LIMIT_MS } from '../../fixtures/e2e-lab.js'
import { ROOT, runAction, type RunOptions, type RunResult } from '../../fixtures/runner.js'

export type Api = ApiVersion
export type Mode = 'upload' | 'prune' | 'sync'

export const APIS: readonly Api[] = ['3.0', '2.0']
/** Per test: not a speed limit (a run costs a few seconds, many more under load); each run is
 * stopped by the runner once it stalls, and this ends only one that spins without end. */
export const RUN_TIMEOUT_MS = SPINNING_RUN_LIMIT_MS
export const DAY = 86_400_000
/** The domains of the certificates a scenario uploads and prunes. */
export const DOMAINS = ['a.example.test', 'www.a.example.test']

/**
 * Preloaded into every run of these suites: retries wait a hundredth of the usual backoff, by
 * drawing the jitter from [0, 0.01) (see the file). The shipped code path is unchanged.
 */
const SHORT_BACKOFF = ['--import', join(ROOT, 'fixtures', 'short-backoff.mjs')]

const days = (n: number): Date => new Date(Date.now() + n * DAY)

/** The action names each API uses for one kind of call. */
export const ACTIONS: Record<Api, { upload: string; list: string; delete: string }> = {
  '3.0': {
    upload: 'UploadCertificate',
    list: 'DescribeCertificates',
    delete: 'DeleteCertificates'
  },
  '2.0': { upload: 'CertUpload', list: 'CertGetList', delete: 'CertDelete' }
}

export interface Chains {
  /** In the store before a sync (seeded with its PEM): superseded by `renewed`. */
  current: TestChain
  /** What upload and sync runs upload. */
  renewed: TestChain
  /** A chain for other domains; its key does not match `renewed`. */
  other: TestChain
}

export async function makeChains(): Promise<Chains> {
  const ca = await makeCa(1, 'Faults')
  return {
    current: await makeChain({ ca, domains: DOMAINS, notAfter: days(60) }),
    renewed: await makeChain({ ca, domains: DOMAINS, notAfter: days(90) }),
    other: await makeChain({ ca, domains: ['b.example.test'], notAfter: days(90) })
  }
}

export const fingerprintOf = (chain: TestChain): string => pemFingerprint(chain.leafPem)

const open = new Set<Lab>()

/**
 * An emulator and the directories of one test: `workspace` (GITHUB_WORKSPACE, the step's cwd)
 * and `runner` (free for a test's RUNNER_TEMP, HOME, TMPDIR), both under one temporary root.
 * Every Lab is closed by `closeLabs` in afterAll.
 */
export class Lab {
  readonly workspace: string
  readonly runner: string

  private constructor(
    readonly emulator: Emulator,
    private readonly root: string
  ) {
    this.workspace = join(root, 'workspace')
    this.runner = join(root, 'runner')
    mkdirSync(this.workspace)
    mkdirSync(this.runner)
  }

  static async open(options: EmulatorOptions = {}): Promise<Lab> {
    const emulator = await startEmulator({ taskPolls: 0, ...options })
    const lab = new Lab(emulator, mkdtempSync(join(tmpdir(), 'faults-')))
    open.add(lab)
    return lab
  }

  /** The endpoint input for `api`. */
  endpoint(api: Api): string {
    return api === '3.0' ? this.emulator.url : this.emulator.v2Url
  }

  /**
   * Runs dist/index.js against this emulator. With `chain`, writes fullchain.pem and privkey.pem
   * into the workspace first and passes them as paths (inputs may override).
   */
  run(
    api: Api,
    inputs: Record<string, string>,
    options: RunOptions & { chain?: TestChain } = {}
  ): Promise<RunResult> {
    const { chain, ...rest } = options
    if (chain) {
      writeFileSync(join(this.workspace, 'fullchain.pem'), chain.fullchainPem)
      writeFileSync(join(this.workspace, 'privkey.pem'), chain.keyPem)
    }
    const credentials = this.emulator.credentials
    return runAction({
      cwd: this.workspace,
      nodeArgs: SHORT_BACKOFF,
      ...rest,
      inputs: {
        api,
        endpoint: this.endpoint(api),
        'secret-id': credentials.secretId,
        'secret-key': credentials.secretKey,
        ...(chain ? { cert: 'fullchain.pem', key: 'privkey.pem' } : {}),
        ...inputs
      }
    })
  }

  /** Requests made for one action so far. */
  requestsFor(action: string) {
    return this.emulator.requests.filter(r => r.action === action)
  }

  async close(): Promise<void> {
    open.delete(this)
    await this.emulator.stop()
    rmSync(this.root, { recursive: true, force: true })
  }
}

export async function closeLabs(): Promise<void> {
  await Promise.all([...open].map(lab => lab.close()))
}

/** What a scenario seeded, by role, and what a successful run must leave. */
export interface Scenario {
  mode: Mode
  inputs: Record<string, string>
  /** Uploaded by upload and sync runs. */
  chain?: TestChain
  seeded: Record<string, CertificateSnapshot>
  /** The prune scope the invariants judge deletions by; undefined: nothing may be deleted. */
  scope?: string[]
  /** Ids a successful run deletes (deleted-ids) and skips (skipped-ids). */
  expectDeleted: string[]
  expectSkipped: string[]
}

/**
 * Seeds, for `mode`, certificates whose fate the contract decides:
 * - always: `issued` (Tencent-issued, same domains), `caType` (CA type, same domains),
 *   `unrelated` (other domain), `bound` (in scope and superseded, but deployed to a CDN), and
 *   `subset` (a.example.test only, superseded): none may go but `subset`, and only when pruning;
 * - prune: `older` (superseded) and `newest` (kept), prune-domains = DOMAINS;
 * - upload, sync: `current`, the PEM of `chains.current` (superseded by the upload in sync).
 */
export function seedScenario(lab: Lab, mode: Mode, chains: Chains): Scenario {
  const roles: [string, SeedRecord][] = [
    ['issued', { domains: DOMAINS, notAfter: days(20), from: 'trustasia' }],
    ['caType', { domains: DOMAINS, notAfter: days(20), certType: 'CA' }],
    ['unrelated', { domains: ['b.example.test'], notAfter: days(20) }],
    ['bound', { domains: DOMAINS, notAfter: days(25), boundTo: ['cdn'] }],
    ['subset', { domains: ['a.example.test'], notAfter: days(10) }]
  ]
  if (mode === 'prune') {
    roles.push(['older', { domains: DOMAINS, notAfter: days(40) }])
    roles.push(['newest', { domains: DOMAINS, notAfter: days(120) }])
  } else {
    roles.push([
      'current',
      { certificatePem: chains.current.fullchainPem, privateKeyPem: chains.current.keyPem }
    ])
  }
  const stored = lab.emulator.seed(roles.map(([, seed]) => seed))
  const seeded = Object.fromEntries(roles.map(([role], i) => [role, stored[i]]))
  const id = (role: string): string => seeded[role].id
  switch (mode) {
    case 'upload':
      return {
        mode,
        inputs: { mode },
        chain: chains.renewed,
        seeded,
        expectDeleted: [],
        expectSkipped: []
      }
    case 'prune':
      return {
        mode,
        inputs: { mode, 'prune-domains': DOMAINS.join(',') },
        seeded,
        scope: DOMAINS,
        expectDeleted: [id('subset'), id('older')],
        expectSkipped: [id('bound')]
      }
    case 'sync':
      return {
        mode,
        inputs: { mode },
        chain: chains.renewed,
        seeded,
        scope: DOMAINS,
        expectDeleted: [id('subset'), id('current')],
        expectSkipped: [id('bound')]
      }
  }
}

export interface InvariantInput {
  before: readonly CertificateSnapshot[]
  after: readonly CertificateSnapshot[]
  result: RunResult
  /** What prune may delete from; undefined: nothing may be deleted (upload mode). */
  scope?: readonly string[]
  /** The cert-type of the run (default SVR). */
  certType?: string
  /** The certificate the run uploads (upload, sync). */
  uploaded?: TestChain
  dryRun?: boolean
  /** The plan was refused (max-deletions): nothing may be deleted. */
  refused?: boolean
}

const live = (certs: readonly CertificateSnapshot[]) => certs.filter(c => !c.deleted)
const jsonIds = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : (JSON.parse(text) as string[])

/**
 * The promises that must hold after any run, failed or not. Returns the violations, each a
 * sentence, so a failing test says what went wrong: [] when all hold.
 */
export function invariantViolations(input: InvariantInput): string[] {
  const { before, after, result } = input
  const violations: string[] = []
  const beforeLive = new Map(live(before).map(c => [c.id, c]))
  const afterById = new Map(after.map(c => [c.id, c]))
  const deletedNow = [...beforeLive.values()].filter(c => afterById.get(c.id)?.deleted !== false)
  const createdNow = live(after).filter(c => !before.some(b => b.id === c.id))
  const fingerprint = input.uploaded ? fingerprintOf(input.uploaded) : undefined
  const succeeded = result.status === 0

  // Upload once, never deleted; nothing else created.
  if (fingerprint !== undefined) {
    const copies = live(after).filter(c => c.fingerprint === fingerprint)
    const expected = input.dryRun
      ? live(before).filter(c => c.fingerprint === fingerprint).length
      : undefined
    if (copies.length > 1)
      violations.push(`${copies.length} live copies of the uploaded certificate`)
    if (expected !== undefined && copies.length !== expected)
      violations.push('a dry run changed the copies of the uploaded certificate')
    if (succeeded && !input.dryRun) {
      if (copies.length !== 1)
        violations.push('the step succeeded but the certificate is not stored')
      else if (copies[0].id !== result.outputs['certificate-id'])
        violations.push(
          `certificate-id ${result.outputs['certificate-id']} is not the stored ${copies[0].id}`
        )
    }
    // Whether it existed before the run or the run created it.
    for (const c of after)
      if (
        c.fingerprint === fingerprint &&
        c.deleted &&
        !before.some(b => b.id === c.id && b.deleted)
      )
        violations.push(`the uploaded certificate ${c.id} was deleted`)
  }
  for (const c of createdNow)
    if (c.fingerprint !== fingerprint || input.dryRun)
      violations.push(`${c.id} (${c.domains.join(', ')}) was created`)

  // Prune only what is in scope, never a bound one, nothing in a dry run or a refused plan.
  const scope = input.scope?.map(d => d.toLowerCase())
  for (const c of deletedNow) {
    const what = `${c.id} (${c.domains.join(', ')}, ${c.from}, ${c.certType})`
    if (scope === undefined) violations.push(`${what} was deleted by a run that prunes nothing`)
    else if (c.from !== 'upload') violations.push(`${what} was deleted, but Tencent issued it`)
    else if (c.certType !== (input.certType ?? 'SVR'))
      violations.push(`${what} was deleted, but is of another type`)
    else if (!c.domains.every(d => scope.includes(d.toLowerCase())))
      violations.push(`${what} was deleted, but is outside the scope`)
    if (c.boundTo.length > 0) violations.push(`${what} was deleted while bound to ${c.boundTo}`)
    if (input.dryRun) violations.push(`${what} was deleted by a dry run`)
    if (input.refused) violations.push(`${what} was deleted by a refused plan`)
    if (c.fingerprint === fingerprint) violations.push(`${what}, the uploaded one, was deleted`)
  }

  // A successful real run reports exactly what it deleted.
  const reported = jsonIds(result.outputs['deleted-ids'])
  if (succeeded && !input.dryRun && reported !== undefined) {
    const actual = deletedNow.map(c => c.id).sort()
    if (JSON.stringify([...reported].sort()) !== JSON.stringify(actual))
      violations.push(
        `deleted-ids ${JSON.stringify(reported)} but deleted ${JSON.stringify(actual)}`
      )
  }
  return violations
}

/** Runs the step and returns its result with the emulator's state before and after. */
export async function observedRun(
  lab: Lab,
  api: Api,
  inputs: Record<string, string>,
  options: RunOptions & { chain?: TestChain } = {}
): Promise<{ before: CertificateSnapshot[]; after: CertificateSnapshot[]; result: RunResult }> {
  const before = lab.emulator.certificates()
  const result = await lab.run(api, inputs, options)
  return { before, after: lab.emulator.certificates(), result }
}

/**
 * The checks every faulted run must pass, whatever its outcome: no crash, nothing on stderr, the
 * invariants, and nothing deleted that the scenario did not plan. Returns what was deleted.
 */
export function expectHandledRun(
  run: { before: CertificateSnapshot[]; after: CertificateSnapshot[]; result: RunResult },
  scenario: Scenario
): CertificateSnapshot[] {
  const { before, after, result } = run
  expect(crashSigns(result)).toEqual([])
  expect(result.stderr).toBe('')
  expect(
    invariantViolations({ before, after, result, scope: scenario.scope, uploaded: scenario.chain })
  ).toEqual([])
  const deletedNow = before.filter(c => !c.deleted && after.find(a => a.id === c.id)?.deleted)
  for (const c of deletedNow) expect(scenario.expectDeleted).toContain(c.id)
  return deletedNow
}

export const errorLines = (result: RunResult): string[] =>
  result.lines.filter(l => l.startsWith('::error::'))

/** Signs of a crash rather than a handled failure. */
export function crashSigns(result: RunResult): string[] {
  const signs = [
    /^\s+at .+:\d+:\d+\)?$/,
    /\bTypeError\b/,
    /\bReferenceError\b/,
    /\bRangeError\b/,
    /\bSyntaxError\b/,
    /Cannot read propert/,
    /is not a function/,
    /Unhandled/i,
    /\[object Object\]/
  ]
  return result.lines.filter(line => signs.some(sign => sign.test(line)))
}

/** `Operation ... failed: Code:`, the shape of every API failure (errors.ts), as a regex. */
export function namesFailure(operation: string, code: string): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`\\b${escape(operation)}\\b[^:]* failed: ${escape(code)}: `)
}

export function liveIds(lab: Lab): string[] {
  return live(lab.emulator.certificates())
    .map(c => c.id)
    .sort()
}
