/** bench/results.md: the machine, every figure in tables, the targets and whether each was met. */
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import type { BundleSize } from './bundles.js'
import type { ReuseFigures, SideFigures } from './reuse.js'
import type { ScaleFigures, Timeline } from './scale.js'
import { PAUSE_MS, SCALE } from './scale.js'
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
  /** The chunk of dist/ that @actions/github went to, when it is imported dynamically. */
  githubChunk?: string
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
  /** The action's poll policy (src/tencent/poll.ts): first wait, and how much longer each next. */
  poll?: { firstDelayMs: number; stepMs: number }
  totalMs: number
}

interface Target {
  name: string
  target: string
  measured: string
  met: boolean
  why?: string
}

const yes = (met: boolean): string => (met ? '**met**' : '**missed**')

const requestList = (requests: Record<string, number>): string =>
  Object.entries(requests)
    .map(([action, n]) => `${action} × ${n}`)
    .join(', ') || 'none'

const codeList = (names: string[]): string => names.map(n => `\`${n}\``).join(', ')

/** The numbered chunks of a bundle: `.js` files other than index.js. */
const chunksOf = (bundle: BundleSize): string[] =>
  bundle.files.filter(f => f.name.endsWith('.js') && f.name !== 'index.js').map(f => f.name)

/** Seconds as printed in the tables (2 decimals), so that prose arithmetic matches them. */
const s2 = (valueS: number): number => Math.round(valueS * 100) / 100

/**
 * The time the scale run's requests went out back to back, as the wall time (2 decimals) less
 * the pauses, start-up and exit as printed: the "where the time went" table then adds up to the
 * wall time exactly. It differs from the measured sum of short gaps by rounding only.
 */
const backToBackShown = (s: ScaleFigures): number => {
  const tl = s.timeline
  return s2(
    s2(s.wallMs / 1000) - s2(tl.startS) - s2(tl.endS) - s2(tl.pollWaitsS) - s2(tl.otherPausesS)
  )
}

/** "15 ms less than" / "15 ms more than" / "the same as", from the values as printed. */
function versus(ours: number, other: number, format: (v: number) => string): string {
  const a = Math.round(ours)
  const b = Math.round(other)
  if (a === b) return 'the same as'
  return `${format(Math.abs(a - b))} ${a < b ? 'less' : 'more'} than`
}

/** ncc -m minifies index.js only: its chunks come out about as large as unminified. */
function minifiedChunksNote(sizes: Sizes): string | undefined {
  const chunks = sizes.dist.jsBytes - sizes.dist.indexBytes
  const chunksMin = sizes.oursMin.jsBytes - sizes.oursMin.indexBytes
  if (chunks <= 0 || chunksMin < 0.95 * chunks) return undefined
  return (
    `\`ncc build -m\` minifies index.js only: the chunks come out about as large as without it ` +
    `(ours: ${chunksMin.toLocaleString('en-US')} bytes of chunks minified, ` +
    `${chunks.toLocaleString('en-US')} not), so the minified .js figures understate what ` +
    `minifying everything would save.`
  )
}

function bundleTarget(r: Results): Target {
  const { dist: d, baseline: b, floor: f } = r.sizes
  const jsRatio = d.jsBytes / b.jsBytes
  const allRatio = d.totalBytes / b.totalBytes
  const indexRatio = d.indexBytes / b.indexBytes
  const met = jsRatio <= 0.5 && allRatio <= 0.5
  const own = d.jsBytes - f.jsBytes
  const ownIndex = d.indexBytes - f.indexBytes
  const ourChunks = chunksOf(d)
  const floorChunks = chunksOf(f)
  const lazy = r.sizes.githubChunk
  const why =
    `Like with like, every .js file on each side (index.js and the numbered chunks ncc splits ` +
    `off for dynamic imports; not the source maps): half the baseline's is ${mb(b.jsBytes / 2)}, ` +
    `but the floor alone (the design card's packages bundled from a one-line entry: ` +
    `@actions/core 3, @actions/github 9 \`context\`, node-fetch 3) is ${mb(f.jsBytes)} here, ` +
    `${ratio(f.jsBytes / b.jsBytes)} of the baseline's, most of it the undici that ` +
    `@actions/http-client bundles into @actions/core (bench-notes.md). No dist/ built on those ` +
    `packages can be half the baseline. What our own code and the rest of the packages it uses ` +
    `add on top of the floor is ${kb(own)} of .js, ${percent(own / f.jsBytes)} of the floor's ` +
    `(aim: under 10 %; ours: index.js` +
    (ourChunks.length > 0 ? ` + ${codeList(ourChunks)}` : '') +
    `; the floor: index.js` +
    (floorChunks.length > 0 ? ` + ${codeList(floorChunks)}` : '') +
    `). Loaded before the first request is index.js alone: ours ${mb(d.indexBytes)}, ` +
    `${ratio(indexRatio)} of the baseline's, ${kb(Math.abs(ownIndex))} ` +
    `${ownIndex < 0 ? 'less' : 'more'} than the floor's index.js` +
    (lazy !== undefined && ownIndex < 0
      ? `, because @actions/github went to \`${lazy}\` (${kb(
          d.files.find(x => x.name === lazy)?.bytes ?? 0
        )}), imported only when the job summary is written on a runner, while the floor's ` +
        `one-line entry loads it at start`
      : '') +
    `. What would reach the target: drop @actions/core for the few file commands the action ` +
    `uses (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, \`::add-mask::\`, \`::error::\`) written directly, ` +
    `@actions/github for the GITHUB_* variables it reads, and node-fetch for Node's own https; ` +
    `the bundle would then be about what ours adds on top of the floor (${kb(own)} of .js now, ` +
    `some of it the parts of those packages that the floor's entry does not pull in) plus a few ` +
    `kB for those file commands, far under half. All files, as packaged (source maps, licences ` +
    `and sourcemap-register.cjs too): ${ratio(allRatio)}, ${mb(d.totalBytes)} against ` +
    `${mb(b.totalBytes)}; the maps alone are ours ${mb(d.mapBytes)}, the baseline's ` +
    `${mb(b.mapBytes)}.`
  return {
    name: 'Bundle size',
    target: "`dist/` at most 0.5 of the baseline's bundle",
    measured:
      `.js files ${ratio(jsRatio)} (${mb(d.jsBytes)} / ${mb(b.jsBytes)}); index.js alone, loaded ` +
      `before the first request, ${ratio(indexRatio)} (${mb(d.indexBytes)} / ${mb(b.indexBytes)}); ` +
      `all files with maps ${ratio(allRatio)} (${mb(d.totalBytes)} / ${mb(b.totalBytes)})`,
    met,
    why: met ? undefined : why
  }
}

function reuseTarget(r: Results): Target {
  const primary = r.reuse[0]
  const { ours, baseline } = primary
  const reuseRatio = ours.medianWallMs / baseline.medianWallMs
  const met = reuseRatio <= 0.7
  // Whole milliseconds, as the tables print them, so that the differences below add up there.
  const bare = Math.round(r.bareNode.medianWallMs)
  const oursWall = Math.round(ours.medianWallMs)
  const baselineWall = Math.round(baseline.medianWallMs)
  const ownOurs = oursWall - bare
  const ownBaseline = baselineWall - bare
  const seventy = Math.round(0.7 * baselineWall)
  const allowed = seventy - bare
  const count = (requests: Record<string, number>): number =>
    Object.values(requests).reduce((sum, n) => sum + n, 0)
  const why =
    `A bare \`node -e ''\` takes ${ms(bare)} here; beyond it the baseline spends ` +
    `${ms(ownBaseline)} and ours ${ms(ownOurs)}, ${versus(ownOurs, ownBaseline, ms)} the ` +
    `baseline (ours / baseline ${ratio(reuseRatio)} in all). 0.7 of the baseline is ` +
    `${ms(seventy)}, which would leave ours ${ms(allowed)} above bare ` +
    `Node for loading its bundle, checking the certificate and its request(s) ` +
    `(ours: ${requestList(ours.requests)}; baseline: ${requestList(baseline.requests)}; ` +
    `${primary.latencyMs} ms latency each); ours spends ${versus(ownOurs, allowed, ms)} that. ` +
    (allowed <= 0 ? 'That is below zero: no Node process can reach the target here. ' : '') +
    `Spawn to first request takes ours ${ms(ours.medianToFirstMs)} and the baseline ` +
    `${ms(baseline.medianToFirstMs)} (medians: ours ` +
    `${versus(ours.medianToFirstMs, baseline.medianToFirstMs, ms)} the baseline); the last ` +
    `request to exit ${ms(ours.medianAfterLastMs)} and ${ms(baseline.medianAfterLastMs)}. ` +
    `Both bundles carry @actions/core with its bundled undici (most of the floor), so that part ` +
    `costs both about the same; what would get closer is less to load and evaluate before the ` +
    `first request (ours loads index.js, ${mb(r.sizes.dist.indexBytes)}, before it; a bundle ` +
    `without the floor, see the size target; the pruning and summary code loaded only when used` +
    (r.sizes.githubChunk !== undefined ? ', as @actions/github already is' : '') +
    `) and less local work before it` +
    (count(ours.requests) > count(baseline.requests)
      ? ', and no more requests than the baseline on the reuse path.'
      : '.')
  return {
    name: 'Reuse run',
    target: "wall time at most 0.7 of the baseline's",
    measured:
      `${ratio(reuseRatio)} (${ms(ours.medianWallMs)} / ${ms(baseline.medianWallMs)}, ` +
      `medians, ${primary.latencyMs} ms latency)`,
    met,
    why: met ? undefined : why
  }
}

function scaleTarget(r: Results): Target {
  const s = r.scale
  const tl = s.timeline
  const limit = SCALE.rateLimitPerSecond
  const metA = s.ratioToBound <= 1.2 && s.throttled === 0
  const metB = s.ratioToSum <= 1.2 && s.throttled === 0
  const wallS = s2(s.wallMs / 1000)
  const busiest = s.byAction[0]
  const phases = tl.phases.map(p => p.action)
  const roundCount = tl.rounds.reduce((sum, x) => sum + x.sizes.length, 0)
  const maxRound = Math.max(0, ...tl.rounds.flatMap(x => x.sizes))
  const roundGaps = tl.rounds.flatMap(x => x.startsS.slice(1).map((at, i) => at - x.startsS[i]))
  const waitsText = tl.rounds
    .map(
      x =>
        `${x.action}: ${x.sizes.length} ${x.sizes.length === 1 ? 'round' : 'rounds'} of ` +
        `${x.sizes.join(' + ')} polls, after ${x.waitsS.length === 1 ? 'a pause' : 'pauses'} ` +
        `of ${x.waitsS.map(w => `${w.toFixed(2)} s`).join(' and ')}`
    )
    .join('; ')
  const overB = wallS - s.sumOfBoundsS
  const backToBack = backToBackShown(s)
  const pollWaits = s2(tl.pollWaitsS)
  const otherPauses = s2(tl.otherPausesS)
  const versusS = (a: number, b: number): string =>
    a === b ? 'the same as' : `${Math.abs(a - b).toFixed(2)} s ${a < b ? 'less' : 'more'} than`
  const poll = r.poll
  const window = r.pacerWindowMs
  const eleven = tl.shortestEleven
  const pacerText =
    window === undefined
      ? ''
      : eleven === undefined
        ? `The pacer's ${percent(window / 1000 - 1)} margin (it lets ${limit} requests of one ` +
          `action go out per ${window} ms, src/tencent/pacer.ts) cost nothing here: no action ` +
          `made more than ${limit} requests. `
        : `The pacer's ${percent(window / 1000 - 1)} margin (it lets ${limit} requests of one ` +
          `action go out per ${window} ms, src/tencent/pacer.ts) holds a request back only when ` +
          `it would come less than ${(window / 1000).toFixed(1)} s after the ${limit}th request ` +
          `of the same action before it; the shortest such span here is ` +
          `${eleven.spanS.toFixed(2)} s (${eleven.action}), ` +
          (eleven.spanS * 1000 >= window + 50
            ? 'so the margin cost nothing in this run. '
            : `so it held requests back, up to ${((window - 1000) / 1000).toFixed(1)} s for ` +
              `every ${limit} requests of one action. `)
  const why =
    `Two bounds, both from the requests the run made (section 3), both at ${limit} requests ` +
    `per second per action, (n − 1) / ${limit} s for n requests spaced evenly. ` +
    `(a) The per-action bound, ${s.bindingBoundS.toFixed(1)} s: the busiest action alone ` +
    `(${s.bindingAction}, ${busiest?.requests ?? 0} requests), as if nothing came before or ` +
    `after it; this is what the target names. The wall time, ${seconds(s.wallMs)}, is ` +
    `${ratio(s.ratioToBound)} of it: ${metA ? 'met' : 'missed'}. No client that needs the ` +
    `answers of one phase to make the next can reach (a): it cannot check a binding or delete ` +
    `before it has listed, nor poll a task before starting it, so the busiest action's requests ` +
    `alone take (a) and the first of them waits for the answers before it. (b) The ` +
    `dependency-aware bound, ${s.sumOfBoundsS.toFixed(1)} s: the action's phases ` +
    `(${phases.join(' → ')}) each need the answers of the one before (the plan needs the whole ` +
    `list, a task is polled only once started, a certificate deleted only once its binding check ` +
    `has answered), so their requests do not overlap, and the bound is the sum over the phases ` +
    `of (n − 1) / ${limit} s. The wall time is ` +
    `${ratio(s.ratioToSum)} of (b): ${metB ? 'within' : 'not within'} 1.2, with ` +
    `${s.throttled} throttling error(s), so the target is ${metB ? 'met' : 'missed'} against ` +
    `(b) and ${metA ? 'met' : 'missed'} against (a). ` +
    (overB > 0
      ? `Where the ${overB.toFixed(2)} s over (b) come from: `
      : `Why the run took ${(-overB).toFixed(2)} s less than (b): `) +
    `(b) prices the gaps between a phase's requests at ${(1 / limit).toFixed(1)} s each ` +
    `(${s.sumOfBoundsS.toFixed(1)} s) and nothing else; here the requests went out back to ` +
    `back (${SCALE.latencyMs} ms latency; the emulator's rolling one-second window admits ` +
    `${limit} at once), ${backToBack.toFixed(2)} s of gaps in all, ` +
    `${versusS(backToBack, s.sumOfBoundsS)} (b), but the action paused ` +
    `${(pollWaits + otherPauses).toFixed(2)} s: ` +
    (roundCount > 0
      ? `${pollWaits.toFixed(2)} s waiting for the asynchronous tasks to finish, before the ` +
        `${roundCount} poll rounds (${waitsText}), and `
      : '') +
    `${otherPauses.toFixed(2)} s of other pauses` +
    (tl.otherPauses.length > 0
      ? ` (answers awaited and local work: ${tl.otherPauses
          .map(x => `${x.s.toFixed(2)} s between ${x.after} and ${x.before}`)
          .join(', ')})`
      : '') +
    `; start-up and exit add ${(s2(tl.startS) + s2(tl.endS)).toFixed(2)} s. ` +
    (roundCount > 0
      ? `Every task needs at least ${s.taskPolls + 1} polls, because the emulator keeps each ` +
        `task at Status 0 for its first ` +
        `${s.taskPolls === 1 ? 'poll' : `${s.taskPolls} polls`} (\`taskPolls\` ${s.taskPolls}), ` +
        (poll
          ? `and the action waits ${(poll.firstDelayMs / 1000).toFixed(1)} s before the first ` +
            `round and ${(poll.stepMs / 1000).toFixed(1)} s longer before each next one ` +
            `(src/tencent/poll.ts). `
          : 'and the action waits longer before each next round (src/tencent/poll.ts). ')
      : '') +
    pacerText +
    (roundGaps.length > 0 && maxRound <= limit
      ? `What would get closer: a shorter wait before a poll round after the first (at the cost ` +
        `of more polls when a task takes longer). The rate limit would let the next round start ` +
        `no later than 1.0 s after the previous round's first poll (${(window ?? 1000) / 1000} s with the ` +
        `pacer's margin); here it started ${Math.min(...roundGaps).toFixed(2)} s after it at ` +
        `the soonest.`
      : '')
  return {
    name: 'Scale run',
    target: 'within 1.2 of the rate-limit bound, no throttling error',
    measured:
      `${ratio(s.ratioToBound)} of (a), the per-action bound (${seconds(s.wallMs)} / ` +
      `${s.bindingBoundS.toFixed(1)} s); ${ratio(s.ratioToSum)} of (b), the dependency-aware ` +
      `bound (${seconds(s.wallMs)} / ${s.sumOfBoundsS.toFixed(1)} s); ` +
      `${s.throttled} throttling error(s)`,
    met: metA,
    why: metA
      ? undefined
      : s.throttled > 0
        ? `${s.throttled} throttling error(s): the action went over ${limit} requests per second ` +
          `for an action. ${why}`
        : why
  }
}

export function targets(r: Results): Target[] {
  return [bundleTarget(r), reuseTarget(r), scaleTarget(r)]
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
  const { dist: d, baseline: b, oursMin, baselineMin, floor: f, floorMin: fm } = sizes
  const overFloor = (ours: number, floor: number): string =>
    `${kb(ours - floor)} (${percent((ours - floor) / floor)} of the floor)`
  const minNote = minifiedChunksNote(sizes)
  add(
    '## 1. Bundle size',
    '',
    'Our committed `dist/` against the SDK baseline (bench/baseline: `@actions/core` 3 + ' +
      '`tencentcloud-sdk-nodejs` SSL client only), bundled here with the same ncc flags as our ' +
      '`npm run package` (`--source-map --license licenses.txt`); minified builds (`ncc build -m`) ' +
      "of both for reference, and the floor: the design card's packages alone " +
      '(`@actions/core` + `@actions/github` `context` + `node-fetch`), built from a one-line entry. ' +
      'Bytes; 1 MB = 10⁶ bytes. ".js files" counts index.js and the numbered chunks ncc splits ' +
      'off for dynamic imports (loaded only when used), not the source maps, licences or ' +
      '`sourcemap-register.cjs`; index.js alone is what is loaded before the first request.',
    '',
    '| bundle | ours | baseline | ours / baseline |',
    '| --- | --- | --- | --- |',
    `| .js files (index.js + chunks) | ${bytesAnd(d.jsBytes)} | ${bytesAnd(b.jsBytes)} | ${baseRatio(d.jsBytes, b.jsBytes)} |`,
    `| index.js alone (loaded before the first request) | ${bytesAnd(d.indexBytes)} | ${bytesAnd(b.indexBytes)} | ${baseRatio(d.indexBytes, b.indexBytes)} |`,
    `| all files (ncc, as packaged, maps included) | ${bytesAnd(d.totalBytes)} | ${bytesAnd(b.totalBytes)} | ${baseRatio(d.totalBytes, b.totalBytes)} |`,
    `| minified .js files (\`ncc build -m\`) | ${bytesAnd(oursMin.jsBytes)} | ${bytesAnd(baselineMin.jsBytes)} | ${baseRatio(oursMin.jsBytes, baselineMin.jsBytes)} |`,
    `| minified index.js | ${bytesAnd(oursMin.indexBytes)} | ${bytesAnd(baselineMin.indexBytes)} | ${baseRatio(oursMin.indexBytes, baselineMin.indexBytes)} |`,
    '',
    "| floor (design card's packages only) | ncc | ncc -m |",
    '| --- | --- | --- |',
    `| .js files (index.js + chunks) | ${bytesAnd(f.jsBytes)} | ${bytesAnd(fm.jsBytes)} |`,
    `| **ours minus floor, .js files** | **${overFloor(d.jsBytes, f.jsBytes)}** | ${overFloor(oursMin.jsBytes, fm.jsBytes)} |`,
    `| index.js alone | ${bytesAnd(f.indexBytes)} | ${bytesAnd(fm.indexBytes)} |`,
    `| ours minus floor, index.js alone (loaded before the first request) | ${overFloor(d.indexBytes, f.indexBytes)} | ${overFloor(oursMin.indexBytes, fm.indexBytes)} |`,
    '',
    "Like with like is the .js files: the floor's entry imports its packages statically, so " +
      'they land in its index.js; ours moves what it imports dynamically into chunks' +
      (sizes.githubChunk !== undefined
        ? ` (@actions/github into \`${sizes.githubChunk}\`, imported only when the job summary is written on a runner)`
        : '') +
      ', so index.js alone can come out below the floor without the bundle being smaller.' +
      (minNote ? ` ${minNote}` : ''),
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
  const tl = s.timeline
  const phaseAt = (action: string): number => tl.phases.findIndex(p => p.action === action)
  const roundsCell = (x: Timeline['rounds'][number]): string =>
    `${x.sizes.length}: ${x.sizes.join(' + ')} polls, starting at ` +
    x.startsS.map(at => at.toFixed(2)).join(', ')
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
    `| (a) per-action bound: the busiest action alone, ${s.bindingAction} | ${s.bindingBoundS.toFixed(1)} s |`,
    `| **wall time / (a)** (the target's ratio) | **${ratio(s.ratioToBound)}** |`,
    `| (b) dependency-aware bound: the phases one after another, their bounds added up | ${s.sumOfBoundsS.toFixed(1)} s |`,
    `| **wall time / (b)** | **${ratio(s.ratioToSum)}** |`,
    '',
    "Requests by action (from the emulator's request log), one phase each, in the order they " +
      `run, and (n − 1) / ${SCALE.rateLimitPerSecond} s for each: n requests spaced evenly at the ` +
      'rate limit. (a) is the largest of these, (b) their sum: each phase needs the answers of ' +
      'the one before, so requests of different phases cannot overlap. (The rate limit is a ' +
      `rolling one-second window, so up to ${SCALE.rateLimitPerSecond} requests of one action ` +
      'can go out at once; a phase can take less than its figure here.)',
    '',
    '| action | requests | (n − 1) / 10 s |',
    '| --- | --- | --- |',
    ...[...s.byAction]
      .sort((x, y) => phaseAt(x.action) - phaseAt(y.action))
      .map(a => `| ${a.action} | ${a.requests} | ${a.boundS.toFixed(1)} s |`),
    `| (a): the largest | | ${s.bindingBoundS.toFixed(1)} s |`,
    `| (b): the sum | ${s.totalRequests} | ${s.sumOfBoundsS.toFixed(1)} s |`,
    '',
    "Timeline (seconds after the process started, from the request log; each action's first " +
      'and last request, and the pause before its first, from the request before it):',
    '',
    '| action | requests | pause before | first | last | poll rounds |',
    '| --- | --- | --- | --- | --- | --- |',
    `| (start-up) | | | | ${tl.startS.toFixed(2)} | |`,
    ...tl.phases.map(a => {
      const rounds = tl.rounds.find(x => x.action === a.action)
      return (
        `| ${a.action} | ${a.requests} | ${a.waitBeforeS.toFixed(2)} | ${a.firstS.toFixed(2)} | ` +
        `${a.lastS.toFixed(2)} | ${rounds ? roundsCell(rounds) : ''} |`
      )
    }),
    `| (exit) | | ${tl.endS.toFixed(2)} | ${(s.wallMs / 1000).toFixed(2)} | | |`,
    '',
    `Where the wall time went (gaps between consecutive requests of ${PAUSE_MS / 1000} s or more ` +
      'count as pauses, shorter ones as requests sent back to back):',
    '',
    '| | time |',
    '| --- | --- |',
    `| start-up: spawn to the first request | ${tl.startS.toFixed(2)} s |`,
    `| the rest: requests sent back to back (gaps under ${PAUSE_MS / 1000} s between the ${s.totalRequests} requests) | ${backToBackShown(s).toFixed(2)} s |`,
    `| pauses before the poll rounds: waiting for the asynchronous tasks (${tl.polls} polls in ${tl.rounds.reduce((n, x) => n + x.sizes.length, 0)} rounds) | ${tl.pollWaitsS.toFixed(2)} s |`,
    `| other pauses (local work, answers awaited) | ${tl.otherPausesS.toFixed(2)} s |`,
    `| last request to exit | ${tl.endS.toFixed(2)} s |`,
    `| wall time | ${seconds(s.wallMs)} |`,
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
