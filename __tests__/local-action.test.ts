/**
 * `npx @github/local-action run . src/main.ts .env`, the local debugging the README's Development
 * section shows, against the emulator: the first run uploads, the second reuses the certificate.
 * The .env is the committed .env.example with this emulator's URL and fresh certificates.
 *
 * local-action runs the exported run() of src/main.ts through tsx, with its own stand-in for
 * @actions/core: outputs come as `::set-output` lines and the exit status is 0 even when the
 * action fails, so the outcome is read from those lines and from the emulator's store.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { makeChain, pemFingerprint, type TestChain } from '../fixtures/certs.js'
import { ROOT } from '../fixtures/runner.js'

/** Each run compiles src/ with tsx: seconds, more on a busy machine. */
const RUN_TIMEOUT_MS = 120_000

let emulator: Emulator
let dir: string
let chain: TestChain
let envFile: string

/** .env.example with the settings only this test can know replaced; each must be there. */
function envFrom(example: string, replace: Record<string, string>): string {
  const lines = example.split('\n')
  for (const [name, value] of Object.entries(replace)) {
    const at = lines.findIndex(line => line.startsWith(`${name}=`))
    if (at < 0) throw new Error(`.env.example sets no ${name}`)
    lines[at] = `${name}=${value}`
  }
  return lines.join('\n')
}

interface LocalRun {
  outputs: Record<string, string>
  errors: string[]
  text: string
}

async function localAction(): Promise<LocalRun> {
  // The README's command; --offline: everything it runs must already be installed.
  const child = spawn(
    'npx',
    ['--offline', '@github/local-action', 'run', '.', 'src/main.ts', envFile],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' }
    }
  )
  let text = ''
  child.stdout.on('data', chunk => (text += chunk))
  child.stderr.on('data', chunk => (text += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS - 5_000)
  const status = await new Promise<number | null>(done => child.on('close', done))
  clearTimeout(timer)
  if (status !== 0) throw new Error(`local-action exited with ${status}:\n${text}`)
  const outputs: Record<string, string> = {}
  for (const [, name, value] of text.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm))
    outputs[name] = value
  const errors = text.split('\n').filter(line => line.startsWith('::error::'))
  return { outputs, errors, text }
}

const live = () => emulator.certificates().filter(c => !c.deleted)

beforeAll(async () => {
  emulator = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'local-action-'))
  chain = await makeChain({ domains: ['local.example.test'] })
  writeFileSync(join(dir, 'fullchain.pem'), chain.fullchainPem)
  writeFileSync(join(dir, 'privkey.pem'), chain.keyPem, { mode: 0o600 })
  envFile = join(dir, '.env')
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8')
  writeFileSync(
    envFile,
    envFrom(example, {
      INPUT_ENDPOINT: emulator.url,
      INPUT_CERT: join(dir, 'fullchain.pem'),
      INPUT_KEY: join(dir, 'privkey.pem')
    })
  )
})

afterAll(async () => {
  await emulator?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('npx @github/local-action run . src/main.ts .env', () => {
  it("is what the README's Development section shows, with .env.example's settings", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain('npx @github/local-action run . src/main.ts .env')
    const shown = /```dotenv\n([\s\S]*?)```/.exec(readme)?.[1].trim().split('\n')
    const settings = readFileSync(join(ROOT, '.env.example'), 'utf8')
      .split('\n')
      .filter(line => /^[A-Z]/.test(line))
    expect(shown).toEqual(settings)
  })

  it(
    'uploads on the first run, reuses the certificate on the second',
    async () => {
      const first = await localAction()
      expect(first.errors).toEqual([])
      expect(first.outputs.reused).toBe('false')
      expect(first.outputs.fingerprint).toBe(pemFingerprint(chain.leafPem))
      expect(live().map(c => c.id)).toEqual([first.outputs['certificate-id']])
      expect(JSON.parse(first.outputs['deleted-ids'])).toEqual([])

      const second = await localAction()
      expect(second.errors).toEqual([])
      expect(second.outputs.reused).toBe('true')
      expect(second.outputs['certificate-id']).toBe(first.outputs['certificate-id'])
      expect(live()).toHaveLength(1)

      // local-action's stand-in masks what setSecret was given, as a runner would.
      for (const run of [first, second]) {
        expect(run.text).not.toContain(emulator.credentials.secretKey)
        expect(run.text).not.toContain(chain.keyPem.split('\n')[1])
      }
    },
    2 * RUN_TIMEOUT_MS
  )
})
