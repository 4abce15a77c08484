/**
 * Verify at scale (issue 19): 50 endpoints on loopback served by the emulator's TLS edge, one
 * round. Two figures: the round alone (src/verify/check.ts in-process, the real TLS probe), and
 * the wall time `verify` adds to a `sync` of the bundled action (runs with and without it,
 * alternated, medians), with the API requests of each: verify must add none.
 *
 * `npx tsx bench/verify.ts` runs it alone against a fresh emulator (dist/ must be built);
 * bench/run.ts calls `measureVerify` and adds `renderVerify`'s lines to bench/results.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { makeChain } from '../fixtures/certs.js'
import { checkEndpoints } from '../src/verify/check.js'
import { parseVerify, type Endpoint } from '../src/verify/endpoints.js'
import { tlsProbe } from '../src/verify/probe.js'
import { killChildren, runBundledAction } from './processes.js'
import { median, ms } from './stats.js'

export const VERIFY_BENCH = { endpoints: 50, runs: 7 } as const

export interface VerifyFigures {
  endpoints: number
  runs: number
  /** One round of 50 handshakes in-process: median, min and max, ms. */
  roundMs: { median: number; min: number; max: number }
  /** Median wall time of the sync without and with verify, ms. */
  syncMs: number
  syncWithVerifyMs: number
  /** API requests of one sync without and with verify (the same when verify adds none). */
  requests: number
  requestsWithVerify: number
  statuses: string[]
}

export async function measureVerify(
  emulator: Emulator,
  script: string,
  workspace: string,
  log: (line: string) => void
): Promise<VerifyFigures> {
  const chain = await makeChain({ domains: ['verify.bench.example.test'] })
  writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
  writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem)
  const base = {
    endpoint: emulator.url,
    'secret-id': emulator.credentials.secretId,
    'secret-key': emulator.credentials.secretKey,
    cert: 'fullchain.pem',
    key: 'privkey.pem'
  }
  const first = await runBundledAction(script, { ...base, mode: 'upload' }, { workspace })
  if (first.status !== 0) throw new Error(`verify bench: the upload failed\n${first.stdout}`)
  const id = first.outputs['certificate-id']
  const hosts = Array.from(
    { length: VERIFY_BENCH.endpoints },
    (_, i) => `h${i}.verify.bench.example.test`
  )
  emulator.resources.seed(hosts.map(host => ({ type: 'cdn', instance: host, certId: id })))
  const verify = hosts.map(host => `${host}=127.0.0.1:${emulator.edge.port}`).join('\n')
  const parsed = parseVerify(verify, 'sync')
  const endpoints: Endpoint[] = parsed.kind === 'endpoints' ? parsed.endpoints : []

  const rounds: number[] = []
  let statuses: string[] = []
  for (let run = 0; run < VERIFY_BENCH.runs; run++) {
    const start = performance.now()
    const checks = await checkEndpoints(
      endpoints,
      { expected: first.outputs.fingerprint, timeoutMs: 0 },
      { probe: tlsProbe, now: Date.now, sleep: async () => undefined }
    )
    rounds.push(performance.now() - start)
    statuses = [...new Set(checks.map(c => (c.matched ? 'match' : 'other')))]
  }
  log(`  one round of ${endpoints.length} handshakes: median ${ms(median(rounds))}`)

  const without: number[] = []
  const withVerify: number[] = []
  const requests = { without: 0, with: 0 }
  for (let run = 0; run < VERIFY_BENCH.runs; run++) {
    for (const verifying of [false, true]) {
      emulator.clearRequests()
      const inputs = { ...base, mode: 'sync', ...(verifying ? { verify } : {}) }
      const result = await runBundledAction(script, inputs, { workspace })
      if (result.status !== 0) throw new Error(`verify bench: a sync failed\n${result.stdout}`)
      ;(verifying ? withVerify : without).push(result.wallMs)
      requests[verifying ? 'with' : 'without'] = emulator.requests.length
      if (verifying) {
        const verified = JSON.parse(result.outputs.verified) as { status: string }[]
        if (verified.some(v => v.status !== 'match'))
          throw new Error('verify bench: an endpoint did not match')
      }
    }
  }
  log(
    `  sync: ${ms(median(without))} without verify, ${ms(median(withVerify))} with ` +
      `(${requests.without} and ${requests.with} API requests)`
  )
  return {
    endpoints: endpoints.length,
    runs: VERIFY_BENCH.runs,
    roundMs: { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds) },
    syncMs: median(without),
    syncWithVerifyMs: median(withVerify),
    requests: requests.without,
    requestsWithVerify: requests.with,
    statuses
  }
}

export function renderVerify(f: VerifyFigures): string[] {
  return [
    `## 5. Verify: ${f.endpoints} endpoints on loopback, one round`,
    '',
    `${f.endpoints} hosts served by the emulator's TLS edge (127.0.0.1, each its own server ` +
      'name), checked by `src/verify/check.ts` with the real TLS probe, 8 at a time; then a ' +
      `\`sync\` of the bundled action (a reused certificate) with and without \`verify\` of the ` +
      `same ${f.endpoints} endpoints, alternated, ${f.runs} runs each.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| one round, in-process (median, min – max of ${f.runs}) | ${ms(f.roundMs.median)} (${ms(f.roundMs.min)} – ${ms(f.roundMs.max)}) |`,
    `| \`sync\` without \`verify\` (median wall time) | ${ms(f.syncMs)} |`,
    `| \`sync\` with \`verify\` of ${f.endpoints} endpoints | ${ms(f.syncWithVerifyMs)} |`,
    `| added by \`verify\` | ${ms(f.syncWithVerifyMs - f.syncMs)} |`,
    `| API requests of one \`sync\`, without / with \`verify\` | ${f.requests} / ${f.requestsWithVerify} |`,
    `| every endpoint's status | ${f.statuses.join(', ')} |`
  ]
}

/** `npx tsx bench/verify.ts`: alone, against a fresh emulator, printing the table. */
async function standalone(): Promise<void> {
  const emulator = await startEmulator()
  const workspace = mkdtempSync(join(tmpdir(), 'bench-verify-'))
  try {
    const script = resolve('dist', 'index.js')
    const figures = await measureVerify(emulator, script, workspace, line => console.log(line))
    console.log(renderVerify(figures).join('\n'))
  } finally {
    killChildren()
    await emulator.stop()
    rmSync(workspace, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await standalone()
