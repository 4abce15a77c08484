/**
 * `npm run demo`: the action end to end against the embedded emulator, as a runner runs it.
 * 1. upload a fresh certificate; 2. the same upload again (reused, no copy);
 * 3. a renewal in sync mode, which prunes the certificate it supersedes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCa, makeChain } from '../fixtures/certs.js'
import { runAction, type RunResult } from '../fixtures/runner.js'
import { startEmulator } from '../emulator/server.js'

const DAY = 86_400_000

async function main(): Promise<void> {
  const emulator = await startEmulator()
  const workspace = mkdtempSync(join(tmpdir(), 'demo-'))
  console.log(`Emulator: ${emulator.url} (API 3.0 at /, API 2.0 at /v2/index.php)`)
  console.log(
    'The demo CA is not a public root, so the action warns that the chain may be incomplete.\n'
  )
  try {
    const ca = await makeCa(1, 'Demo')
    const first = await makeChain({ ca, domains: ['demo.example.test', 'www.demo.example.test'] })
    writeFileSync(join(workspace, 'fullchain.pem'), first.fullchainPem)
    writeFileSync(join(workspace, 'privkey.pem'), first.keyPem, { mode: 0o600 })
    const base = {
      cert: 'fullchain.pem',
      key: 'privkey.pem',
      'secret-id': emulator.credentials.secretId,
      'secret-key': emulator.credentials.secretKey,
      endpoint: emulator.url
    }

    show('1. upload (first run)', await runAction({ inputs: base, cwd: workspace }))
    show('2. upload again (same certificate)', await runAction({ inputs: base, cwd: workspace }))

    const renewed = await makeChain({
      ca,
      domains: ['demo.example.test', 'www.demo.example.test'],
      notAfter: new Date(Date.now() + 120 * DAY)
    })
    writeFileSync(join(workspace, 'fullchain.pem'), renewed.fullchainPem)
    writeFileSync(join(workspace, 'privkey.pem'), renewed.keyPem, { mode: 0o600 })
    show(
      '3. sync after renewal (upload, then prune)',
      await runAction({ inputs: { ...base, mode: 'sync' }, cwd: workspace })
    )

    console.log('Certificates left in the emulator:')
    for (const c of emulator.certificates().filter(c => !c.deleted)) {
      console.log(`  ${c.id}  ${c.domains.join(', ')}  not after ${c.notAfter.toISOString()}`)
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true })
    await emulator.stop()
  }
}

function show(title: string, run: RunResult): void {
  console.log(`=== ${title}: exit ${run.status}`)
  for (const line of run.stdout.split('\n')) {
    if (line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
      console.log(`  log      ${line}`)
  }
  for (const [name, value] of Object.entries(run.outputs))
    console.log(`  output   ${name} = ${value}`)
  console.log('  summary:')
  for (const line of run.summary.trim().split('\n')) console.log(`    ${line}`)
  console.log()
  if (run.status !== 0) throw new Error(`${title} failed with exit ${run.status}: ${run.stderr}`)
}

await main()
