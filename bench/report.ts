/** bench/results.md: the machine, every figure in tables, the targets and whether each was met. */
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import type { BundleSize } from './bundles.js'
import type { ReuseFigures, SideFigures } from './reuse.js'
import type { ScaleFigures } from './scale.js'
import { SCALE } from './scale.js'
import { bytesAnd, kb, mb, mib, ms, percent, ratio, seconds } from './stats.js'

export interface Machine {
  cpu: string
  cores: number
  memory: string
  node: string
  os: string
  date: string
  commit: string
  versions: Record<string, string>
  /** 1-minute load averages when the timed runs began and ended (other work on the machine). */
  load?: { start: number; end: number }
}

export function describeMachine(commit: string, versions: Record<string, string>): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? '?'
  const release = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  return {
    cpu: model,
    cores: cpus().length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ?? process.platform,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    versions
  }
}

export interface Sizes {
  dist: BundleSize
  baseline: BundleSize
  oursMin: BundleSize
  baselineMin: BundleSize
  floor: BundleSize
  floorMin: BundleSize
  oursFresh: BundleSize
  distIsCurrent: boolean
}

export interface Results {
  machine: Machine
  notes: string[]
  sizes: Sizes
  buildMs: Record<string, number>
  installMs: number
  bareNode: { medianWallMs: number; medianRssKiB: number }
  reuse: ReuseFigures[]
  scale: ScaleFigures
  pacerWindowMs?: number
  totalMs: number
}

interface Target {
  name: string
  target: string
  measured: string
  met: boolean
  why?: string
}

const mapBytes = (bundle: BundleSize): number =>
  bundle.files.filter(f => f.name.endsWith('.map')).reduce((sum, f) => sum + f.bytes, 0)

const yes = (met: boolean): string => (met ? '**met**' : '**missed**')

const requestList = (requests: Record<string, number>): string =>
  Object.entries(requests)
    .map(([action, n]) => `${action} × ${n}`)
    .join(', ') || 'none'

export function targets(r: Results): Target[] {
  const { sizes } = r
  const sizeRatio = sizes.dist.totalBytes / sizes.baseline.totalBytes
  const indexRatio = sizes.dist.indexBytes / sizes.baseline.indexBytes
  const half = sizes.baseline.indexBytes / 2
  const ownIndex = sizes.dist.indexBytes - sizes.floor.indexBytes
  const sizeWhy =
    `Half the baseline's index.js is ${mb(half)}, but the floor alone (the design card's ` +
    `packages bundled from a one-line entry: @actions/core 3, @actions/github 9 \`context\`, ` +
    `node-fetch 3) is ${mb(sizes.floor.indexBytes)} here, ${ratio(sizes.floor.indexBytes / sizes.baseline.indexBytes)} ` +
    `of the baseline, most of it the undici that @actions/http-client bundles into @actions/core ` +
    `(bench-notes.md). No dist/ built on those packages can be half the baseline. What our own ` +
    `code and extra dependencies add on top of the floor is ${kb(ownIndex)}, ` +
    `${percent(ownIndex / sizes.floor.indexBytes)} of the floor (aim: under 10 %). What would ` +
    `reach the target: drop @actions/core for the few file commands the action uses (GITHUB_OUTPUT, ` +
    `GITHUB_STEP_SUMMARY, \`::add-mask::\`, \`::error::\`) written directly, @actions/github for ` +
    `the GITHUB_* variables it reads, and node-fetch for Node's own https; the bundle would then ` +
    `be about the project's own code (${kb(Math.max(ownIndex, 0))} unminified now) plus a few kB ` +
    `for those file commands, far under half. (All files count the source maps too: ours ` +
    `${mb(mapBytes(sizes.dist))}, the baseline's ${mb(mapBytes(sizes.baseline))}.)`
  const primary = r.reuse[0]
  const reuseRatio = primary.ours.medianWallMs / primary.baseline.medianWallMs
  const bare = r.bareNode.medianWallMs
  const ownOurs = primary.ours.medianWallMs - bare
  const allowed = 0.7 * primary.baseline.medianWallMs - bare
  const count = (requests: Record<string, number>): number =>
    Object.values(requests).reduce((sum, n) => sum + n, 0)
  const reuseWhy =
    `A bare \`node -e ''\` takes ${ms(bare)} here; beyond it the baseline spends ` +
    `${ms(primary.baseline.medianWallMs - bare)} and ours ${ms(ownOurs)}. 0.7 of the baseline is ` +
    `${ms(0.7 * primary.baseline.medianWallMs)}, which would leave ours ${ms(allowed)} above bare ` +
    `Node for loading its bundle, checking the certificate and its request(s) ` +
    `(ours: ${requestList(primary.ours.requests)}; baseline: ${requestList(primary.baseline.requests)}; ` +
    `${primary.latencyMs} ms latency each). ` +
    (allowed <= 0 ? 'That is below zero: no Node process can reach the target here. ' : '') +
    `Spawn to first request takes ours ${ms(primary.ours.medianToFirstMs)} and the baseline ` +
    `${ms(primary.baseline.medianToFirstMs)} (medians); the last request to exit ` +
    `${ms(primary.ours.medianAfterLastMs)} and ${ms(primary.baseline.medianAfterLastMs)}. ` +
    `Both bundles carry @actions/core with its bundled undici (most of the floor), so that part costs ` +
    `both about the same; what would get closer is less to load and evaluate before the first ` +
    `request (a bundle without the floor, see the size target; the summary and pruning code loaded ` +
    `only when used) and less local work before it` +
    (count(primary.ours.requests) > count(primary.baseline.requests)
      ? ', and no more requests than the baseline on the reuse path.'
      : '.')
  const s = r.scale
  const scaleMet = s.ratioToBound <= 1.2 && s.throttled === 0
  const tl = s.timeline
  const scaleWhy =
    `The rate limit alone needs ${s.bindingBoundS.toFixed(1)} s for these ${s.totalRequests} ` +
    `requests (the busiest action, ${s.bindingAction}, makes ${s.byAction[0]?.requests ?? 0}); ` +
    `even run strictly one action after another they would need ${s.sumOfBoundsS.toFixed(1)} s. ` +
    (tl.polls > 0
      ? `Of the ${seconds(s.wallMs)}, ${tl.beforePollsS.toFixed(1)} s passed before the ${tl.polls} ` +
        `task-result polls (from the request before each poll to the poll): the action waits ` +
        `between polls of each asynchronous task (binding check, deletion) and takes the batches ` +
        `one after another, so every batch pays its own waits (see the timeline). `
      : '') +
    `Start-up to the first request took ${tl.startS.toFixed(2)} s and the last request to exit ` +
    `${tl.endS.toFixed(2)} s` +
    (r.pacerWindowMs !== undefined
      ? `; the action's pacer spaces each action's requests over a ${r.pacerWindowMs} ms window ` +
        `(src/tencent/pacer.ts), a ${percent(r.pacerWindowMs / 1000 - 1)} margin by design`
      : '') +
    `. What would reach it: start the tasks of every batch first (10 per second), then poll them ` +
    `together (both task-result actions take up to 100 TaskIds) so the waits overlap instead of ` +
    `adding up per batch` +
    (tl.polls > 0
      ? `, and wait less before a poll (${(tl.beforePollsS / tl.polls).toFixed(2)} s on average now).`
      : '.')
  return [
    {
      name: 'Bundle size',
      target: "`dist/` at most 0.5 of the baseline's bundle",
      measured:
        `${ratio(sizeRatio)} (all files: ${mb(sizes.dist.totalBytes)} / ${mb(sizes.baseline.totalBytes)}); ` +
        `index.js ${ratio(indexRatio)} (${mb(sizes.dist.indexBytes)} / ${mb(sizes.baseline.indexBytes)})`,
      met: sizeRatio <= 0.5,
      why: sizeRatio <= 0.5 ? undefined : sizeWhy
    },
    {
      name: 'Reuse run',
      target: "wall time at most 0.7 of the baseline's",
      measured:
        `${ratio(reuseRatio)} (${ms(primary.ours.medianWallMs)} / ${ms(primary.baseline.medianWallMs)}, ` +
        `medians, ${primary.latencyMs} ms latency)`,
      met: reuseRatio <= 0.7,
      why: reuseRatio <= 0.7 ? undefined : reuseWhy
    },
    {
      name: 'Scale run',
      target: 'within 1.2 of the rate-limit bound, no throttling error',
      measured:
        `${ratio(s.ratioToBound)} (${seconds(s.wallMs)} / ${s.bindingBoundS.toFixed(1)} s), ` +
        `${s.throttled} throttling error(s)`,
      met: scaleMet,
      why: scaleMet
        ? undefined
        : s.throttled > 0
          ? `${s.throttled} throttling error(s): the action went over 10 requests per second ` +
            `for an action. ${scaleWhy}`
          : scaleWhy
    }
  ]
}

function sideRow(name: string, f: SideFigures): string {
  return (
    `| ${name} | ${f.runs} | ${ms(f.medianWallMs)} | ${ms(Math.min(...f.wallMs))} – ` +
    `${ms(Math.max(...f.wallMs))} | ${ms(f.medianToFirstMs)} | ${ms(f.medianAfterLastMs)} | ` +
    `${mib(f.medianRssKiB)} | ${mib(Math.min(...f.rssKiB))} – ${mib(Math.max(...f.rssKiB))} | ` +
    `${requestList(f.requests)} |`
  )
}

export function renderResults(r: Results): string {
  const { machine: m, sizes } = r
  const t = targets(r)
  const lines: string[] = []
  const add = (...more: string[]): void => void lines.push(...more)
  add(
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${m.date}; do not edit by hand. The benchmark ` +
      `is not part of the tests.`,
    '',
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${m.memory} |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| date | ${m.date} |`,
    `| commit | ${m.commit} |`,
    ...(m.load
      ? [
          `| load average (1 min) when the timed runs began / ended | ${m.load.start.toFixed(2)} / ${m.load.end.toFixed(2)} |`
        ]
      : []),
    ...Object.entries(m.versions).map(([name, version]) => `| ${name} | ${version} |`),
    '',
    '## Targets',
    '',
    '| | target | measured | |',
    '| --- | --- | --- | --- |',
    ...t.map(x => `| ${x.name} | ${x.target} | ${x.measured} | ${yes(x.met)} |`),
    ''
  )
  for (const x of t.filter(x => !x.met)) add(`**${x.name}, missed.** ${x.why}`, '')
  if (r.notes.length > 0) add('Notes:', '', ...r.notes.map(n => `- ${n}`), '')

  const baseRatio = (bytes: number, base: number): string => ratio(bytes / base)
  add(
    '## 1. Bundle size',
    '',
    'Our committed `dist/` against the SDK baseline (bench/baseline: `@actions/core` 3 + ' +
      '`tencentcloud-sdk-nodejs` SSL client only), bundled here with the same ncc flags as our ' +
      '`npm run package` (`--source-map --license licenses.txt`); minified builds (`ncc build -m`) ' +
      "of both for reference, and the floor: the design card's packages alone " +
      '(`@actions/core` + `@actions/github` `context` + `node-fetch`), built from a one-line entry. ' +
      'Bytes; 1 MB = 10⁶ bytes.',
    '',
    '| bundle | ours | baseline | ours / baseline |',
    '| --- | --- | --- | --- |',
    `| all files (ncc, as packaged) | ${bytesAnd(sizes.dist.totalBytes)} | ${bytesAnd(sizes.baseline.totalBytes)} | ${baseRatio(sizes.dist.totalBytes, sizes.baseline.totalBytes)} |`,
    `| index.js alone | ${bytesAnd(sizes.dist.indexBytes)} | ${bytesAnd(sizes.baseline.indexBytes)} | ${baseRatio(sizes.dist.indexBytes, sizes.baseline.indexBytes)} |`,
    `| minified index.js (\`ncc build -m\`) | ${bytesAnd(sizes.oursMin.indexBytes)} | ${bytesAnd(sizes.baselineMin.indexBytes)} | ${baseRatio(sizes.oursMin.indexBytes, sizes.baselineMin.indexBytes)} |`,
    '',
    "| floor (design card's packages only) | ncc | ncc -m |",
    '| --- | --- | --- |',
    `| index.js | ${bytesAnd(sizes.floor.indexBytes)} | ${bytesAnd(sizes.floorMin.indexBytes)} |`,
    `| ours minus floor | ${kb(sizes.dist.indexBytes - sizes.floor.indexBytes)} (${percent((sizes.dist.indexBytes - sizes.floor.indexBytes) / sizes.floor.indexBytes)} of the floor) | ${kb(sizes.oursMin.indexBytes - sizes.floorMin.indexBytes)} (${percent((sizes.oursMin.indexBytes - sizes.floorMin.indexBytes) / sizes.floorMin.indexBytes)}) |`,
    '',
    'Files:',
    '',
    '| file | ours (`dist/`) | | file | baseline |',
    '| --- | --- | --- | --- | --- |'
  )
  const rows = Math.max(sizes.dist.files.length, sizes.baseline.files.length)
  for (let i = 0; i < rows; i++) {
    const a = sizes.dist.files[i]
    const b = sizes.baseline.files[i]
    add(
      `| ${a ? `\`${a.name}\`` : ''} | ${a ? a.bytes.toLocaleString('en-US') : ''} | | ` +
        `${b ? `\`${b.name}\`` : ''} | ${b ? b.bytes.toLocaleString('en-US') : ''} |`
    )
  }
  add(
    '',
    sizes.distIsCurrent
      ? '`dist/index.js` is byte for byte what `src/` builds now (checked against a fresh build in bench/.work).'
      : `**\`dist/index.js\` differs from a fresh build of \`src/\`** (${bytesAnd(sizes.oursFresh.indexBytes)}): ` +
          'the figures above are of the committed `dist/`; run `npm run package`.',
    ''
  )

  add(
    '## 2. One run: `upload` that reuses an existing certificate',
    '',
    'Each action as a whole process (`node index.js` under `/usr/bin/time -f %M`, inputs as ' +
      '`INPUT_*`, `GITHUB_OUTPUT` file) against the emulator started in-process, the certificate ' +
      'uploaded once beforehand, so every run answers `reused: true` with the same id (checked). ' +
      'Wall time from spawn to exit; peak RSS of the node process. One warm-up run each, not ' +
      'counted; then the two alternate. Rate limit 10 requests/s per action.',
    ''
  )
  for (const f of r.reuse) {
    add(
      `### Emulator latency ${f.latencyMs} ms`,
      '',
      '| action | runs | median wall | min – max | spawn to first request | last request to exit | median peak RSS | min – max | requests per run |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      sideRow('ours (`dist/index.js`)', f.ours),
      sideRow('baseline (SDK)', f.baseline),
      `| **ours / baseline** | | **${ratio(f.ours.medianWallMs / f.baseline.medianWallMs)}** | | ` +
        `${ratio(f.ours.medianToFirstMs / f.baseline.medianToFirstMs)} | | ` +
        `**${ratio(f.ours.medianRssKiB / f.baseline.medianRssKiB)}** | | |`,
      '',
      `Throttling errors during these runs: ${f.throttled}.`,
      ''
    )
  }
  add(
    `For reference, a bare \`node -e ''\`: median ${ms(r.bareNode.medianWallMs)}, peak RSS ` +
      `${mib(r.bareNode.medianRssKiB)}.`,
    ''
  )

  const s = r.scale
  add(
    '## 3. Scale: prune 1,000 of 5,000',
    '',
    `Emulator seeded with ${s.seeded.toLocaleString('en-US')} uploaded certificates (metadata only): ` +
      `${s.expectedDeletions.toLocaleString('en-US')} older duplicates of ` +
      `\`${SCALE.scope.join(', ')}\` plus the newest one (${s.inScope.toLocaleString('en-US')} in scope), ` +
      `and out of scope ${s.outOfScope.map(o => `${o.count.toLocaleString('en-US')} × ${o.kind}`).join(', ')}. ` +
      `Rate limit ${SCALE.rateLimitPerSecond} requests per second per action, ${SCALE.latencyMs} ms ` +
      'latency on every request. Our action as a whole process in `prune` mode, `max-deletions` ' +
      `${SCALE.superseded}, \`prune-domains\` the two scope names, \`keep\` 1.`,
    '',
    '| | |',
    '| --- | --- |',
    `| wall time | ${seconds(s.wallMs)} |`,
    `| peak RSS | ${mib(s.peakRssKiB)} |`,
    `| requests | ${s.totalRequests} |`,
    `| throttling errors | ${s.throttled} (expected 0) |`,
    `| other error answers | ${s.errors.length === 0 ? 'none' : s.errors.map(e => `${e.code} × ${e.count}`).join(', ')} |`,
    `| rate-limit bound (busiest action: ${s.bindingAction}) | ${s.bindingBoundS.toFixed(1)} s |`,
    `| **wall time / bound** | **${ratio(s.ratioToBound)}** |`,
    `| per-action bounds added up (phases run one after another) | ${s.sumOfBoundsS.toFixed(1)} s (wall / sum ${ratio(s.wallMs / 1000 / s.sumOfBoundsS)}) |`,
    '',
    "Requests by action (from the emulator's request log), and the least time the rate limit " +
      'allows for them, (n − 1) / 10 s:',
    '',
    '| action | requests | bound |',
    '| --- | --- | --- |',
    ...s.byAction.map(a => `| ${a.action} | ${a.requests} | ${a.boundS.toFixed(1)} s |`),
    '',
    "Timeline (seconds after the process started, from the request log; each action's first " +
      'and last request):',
    '',
    '| action | requests | first | last |',
    '| --- | --- | --- | --- |',
    `| (start-up) | | | ${s.timeline.startS.toFixed(2)} |`,
    ...s.timeline.phases.map(
      a => `| ${a.action} | ${a.requests} | ${a.firstS.toFixed(2)} | ${a.lastS.toFixed(2)} |`
    ),
    `| (exit) | | ${(s.wallMs / 1000).toFixed(2)} | |`,
    '',
    `Task-result polls: ${s.timeline.polls}; time from the request before each poll to the poll, ` +
      `added up: ${s.timeline.beforePollsS.toFixed(1)} s of the ${seconds(s.wallMs)}.`,
    '',
    'End state verified: ' + s.verified.join('; ') + '.',
    ''
  )
  add(
    '## How long the benchmark took',
    '',
    '| step | time |',
    '| --- | --- |',
    `| baseline \`npm install\` | ${seconds(r.installMs)} |`,
    ...Object.entries(r.buildMs).map(([name, v]) => `| ncc build: ${name} | ${seconds(v)} |`),
    `| whole \`npm run bench\` | ${seconds(r.totalMs)} |`,
    ''
  )
  return lines.join('\n')
}
