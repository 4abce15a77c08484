/**
 * Promise 5 end to end, with step debug on (RUNNER_DEBUG=1) and temporary credentials: in every
 * line the step prints (stdout and stderr), the secret key, the session token, each line of the
 * private key and its base64 form appear only in `::add-mask::` commands, and each of those
 * commands comes before any other line, so the runner masks a secret before anything could
 * print it. Runs cover upload, sync, prune, a bad private key, a wrong secret key and a server
 * failure, on both APIs, with the key as PEM text, as a path and as base64. The key is never
 * written to disk: after a run no file in the workspace, the runner's temp or home directory
 * holds a key line, but the one the test wrote.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Fault } from '../../emulator/server.js'
import type { TestChain } from '../../fixtures/certs.js'
import {
  ACTIONS,
  APIS,
  closeLabs,
  crashSigns,
  errorLines,
  Lab,
  makeChains,
  RUN_TIMEOUT_MS,
  seedScenario,
  type Api,
  type Chains,
  type Mode
} from './harness.js'

const TEMPORARY = {
  secretId: 'AKIDTEMPORARYSECRETS0000000000000000',
  secretKey: 'temporary-secret-key-Zq8vR2mW5xK9pL3n',
  token: 'session-token-Hc7Yt4Rb1Nw6Qs0Jd8Fg2Lk5Mz9Xv3Pa-' + 'T'.repeat(60)
}
const WRONG_SECRET_KEY = 'wrong-secret-key-Ue4Wi7Op1As5Df8Gh2Jk'
const KEY_FILE = 'privkey.pem'

type KeyForm = 'pem' | 'path' | 'base64'

interface Case {
  name: string
  mode: Mode
  keyForm: KeyForm
  /** The key given: that of the uploaded chain, or (bad-key) another chain's. */
  badKey?: boolean
  secretKey?: string
  faults?: (api: Api) => Fault[]
  /** The step fails in this run. */
  fails?: boolean
}

const CASES: Case[] = [
  { name: 'upload, key as PEM text', mode: 'upload', keyForm: 'pem' },
  { name: 'upload, key as a path', mode: 'upload', keyForm: 'path' },
  { name: 'upload, key as base64', mode: 'upload', keyForm: 'base64' },
  { name: 'sync, key as a path', mode: 'sync', keyForm: 'path' },
  { name: 'sync, key as base64', mode: 'sync', keyForm: 'base64' },
  { name: 'prune, an unused key as PEM text', mode: 'prune', keyForm: 'pem' },
  {
    name: 'a key of another certificate',
    mode: 'upload',
    keyForm: 'pem',
    badKey: true,
    fails: true
  },
  {
    name: 'a wrong secret key',
    mode: 'sync',
    keyForm: 'base64',
    secretKey: WRONG_SECRET_KEY,
    fails: true
  },
  {
    name: 'a server that fails',
    mode: 'sync',
    keyForm: 'path',
    // A retried internal error, then an answer that is not JSON: retry and failure paths.
    faults: api => [
      { kind: 'internal-error', action: ACTIONS[api].upload },
      { kind: 'malformed', variant: 'not-json', action: ACTIONS[api].upload }
    ],
    fails: true
  }
]

/** The key's PEM lines (boundaries excluded) and windows of its base64 body: any re-wrapping. */
function keyTraces(keyPem: string, publicPem: string): string[] {
  const lines = keyPem.split('\n').filter(l => l.trim() !== '' && !l.startsWith('-----'))
  const body = lines.join('')
  const windows: string[] = []
  for (let i = 0; i + 24 <= body.length; i += 8) windows.push(body.slice(i, i + 24))
  // An EC or RSA private key embeds its public key, which the certificate carries too: a stretch
  // of base64 that the chain also holds (same byte alignment, about one chain in three) is public.
  const publicText = publicPem.replace(/\s/g, '')
  return [...lines, ...windows, Buffer.from(keyPem).toString('base64')].filter(
    trace => !publicText.includes(trace)
  )
}

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    const stat = statSync(path)
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : []
  })
}

let chains: Chains
beforeAll(async () => {
  chains = await makeChains()
})
afterAll(closeLabs)

describe.each(APIS)('API %s with step debug on', api => {
  it.concurrent.each(CASES)(
    '$name: secrets only in ::add-mask::, first',
    async c => {
      const lab = await Lab.open({ temporaryCredentials: TEMPORARY })
      const scenario = seedScenario(lab, c.mode, chains)
      for (const fault of c.faults?.(api) ?? []) lab.emulator.faults.add(fault)

      // The chain the step reads, and the key it is given in the form under test.
      const uploaded: TestChain = chains.renewed
      const keyPem = c.badKey ? chains.other.keyPem : uploaded.keyPem
      writeFileSync(join(lab.workspace, 'fullchain.pem'), uploaded.fullchainPem)
      writeFileSync(join(lab.workspace, KEY_FILE), keyPem)
      const key =
        c.keyForm === 'pem'
          ? keyPem
          : c.keyForm === 'path'
            ? KEY_FILE
            : Buffer.from(keyPem).toString('base64')
      const scratch = lab.runner
      mkdirSync(join(scratch, 'tmp'))
      const workspaceBefore = filesUnder(lab.workspace).sort()

      const secretKey = c.secretKey ?? TEMPORARY.secretKey
      const result = await lab.run(
        api,
        {
          ...scenario.inputs,
          ...(c.mode === 'prune' ? {} : { cert: 'fullchain.pem' }),
          key,
          'secret-id': TEMPORARY.secretId,
          'secret-key': secretKey,
          'session-token': TEMPORARY.token
        },
        {
          debug: true,
          env: {
            RUNNER_TEMP: join(scratch, 'tmp'),
            HOME: scratch,
            TMPDIR: join(scratch, 'tmp'),
            TMP: join(scratch, 'tmp'),
            TEMP: join(scratch, 'tmp')
          }
        }
      )

      expect(crashSigns(result)).toEqual([])
      expect(result.status).toBe(c.fails ? 1 : 0)
      if (c.fails) expect(errorLines(result)).toHaveLength(1)
      // Debug lines were printed (a bad key fails before the first one).
      if (!c.badKey) expect(result.lines.some(l => l.startsWith('::debug::'))).toBe(true)
      if (c.secretKey) expect(errorLines(result)[0]).toMatch(/SignatureFailure|4100/)
      if (c.badKey) expect(errorLines(result)[0]).toContain("Input 'key'")
      if (c.faults) expect(errorLines(result)[0]).toContain('MalformedResponse')

      // Only in ::add-mask:: lines.
      const traces = keyTraces(keyPem, uploaded.fullchainPem)
      // The private part is left: the key's own lines and windows that are in no certificate.
      expect(traces.length).toBeGreaterThan(8)
      const secrets = [secretKey, TEMPORARY.token, ...traces]
      const leaks = result.lines
        .filter(l => !l.startsWith('::add-mask::'))
        .flatMap(l =>
          secrets.flatMap((s, i) => (l.includes(s) ? [`secret #${i} in: ${l.slice(0, 40)}…`] : []))
        )
      expect(leaks).toEqual([])
      expect(secrets.filter(s => result.summary.includes(s))).toEqual([])
      expect(
        secrets.filter(s => Object.values(result.outputs).some(value => value.includes(s)))
      ).toEqual([])

      // Masked, and masked before any other line. The key is masked whenever the step was given
      // it as text, or read it from its path (every mode but prune reads it).
      const masked = result.lines.map((line, index) => ({ line, index }))
      const firstOther = masked.find(({ line }) => line !== '' && !line.startsWith('::add-mask::'))
      const maskIndex = (value: string): number =>
        masked.find(({ line }) => line === `::add-mask::${value}`)?.index ?? -1
      const keyLines = keyPem.split('\n').filter(l => l.trim() !== '' && !l.startsWith('-----'))
      const mustMask: [string, string][] = [
        ['the secret key', secretKey],
        ['the session token', TEMPORARY.token]
      ]
      if (c.keyForm !== 'path' || c.mode !== 'prune')
        mustMask.push(...keyLines.map((l, i): [string, string] => [`key line ${i + 2}`, l]))
      if (c.keyForm === 'base64') mustMask.push(['the base64 key input', key])
      const problems = mustMask.flatMap(([name, value]) => {
        const at = maskIndex(value)
        if (at < 0) return [`${name} is never masked`]
        if (firstOther && at > firstOther.index)
          return [
            `${name} is masked on line ${at}, after line ${firstOther.index}: ${firstOther.line}`
          ]
        return []
      })
      expect(problems).toEqual([])

      // Never written to disk: the only file with a key line is the one the test wrote, and the
      // step created no file at all in the workspace.
      expect(filesUnder(lab.workspace).sort()).toEqual(workspaceBefore)
      const holders = [...filesUnder(lab.workspace), ...filesUnder(scratch)].filter(file => {
        const text = readFileSync(file, 'latin1')
        return traces.some(trace => text.includes(trace))
      })
      expect(holders).toEqual([join(lab.workspace, KEY_FILE)])
    },
    RUN_TIMEOUT_MS
  )
})
