/**
 * One run of each action, as a whole process: an `upload` of a certificate that is already in the
 * emulator (uploaded once beforehand), so the run reuses it. Runs alternate between the two
 * actions (ours first on even rounds, the baseline first on odd ones) so drift hits both alike.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Emulator, RequestLogEntry } from '../emulator/server.js'
import { makeChain } from '../fixtures/certs.js'
import { readActionMetadata } from '../fixtures/runner.js'
import { runBundledAction, runCommand, type ActionRun } from './processes.js'
import { median } from './stats.js'

export interface Side {
  name: 'ours' | 'baseline'
  script: string
  inputs: Record<string, string>
  env: Record<string, string>
}

export interface SideFigures {
  runs: number
  wallMs: number[]
  rssKiB: number[]
  medianWallMs: number
  medianRssKiB: number
  /** Spawn to the first request's arrival at the emulator, median, ms. */
  medianToFirstMs: number
  /** Last request's arrival to exit, median, ms. */
  medianAfterLastMs: number
  /** Requests one run made, by action (the same in every run, else the run fails). */
  requests: Record<string, number>
}

export interface ReuseFigures {
  latencyMs: number
  /** `node --version` of the binary that ran both actions. */
  node: string
  ours: SideFigures
  baseline: SideFigures
  throttled: number
  certificateId: string
}

/** Throttling codes: API 3.0's two and nothing else (2.0 code 4400 is a quota, not a throttle). */
export const isThrottle = (code: string): boolean =>
  code.startsWith('RequestLimitExceeded') || code === 'LimitExceeded.RateLimitExceeded'

export function countByAction(entries: readonly RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of entries) counts[e.action || '(none)'] = (counts[e.action || '(none)'] ?? 0) + 1
  return counts
}

export interface ReuseSetup {
  workspace: string
  sides: Side[]
  certificateId: string
}

/** Writes the certificate into the workspace and uploads it once with our action. */
export async function prepareReuse(
  emulator: Emulator,
  workspace: string,
  scripts: { ours: string; baseline: string }
): Promise<ReuseSetup> {
  const chain = await makeChain({ domains: ['bench.example.test', 'www.bench.example.test'] })
  writeFileSync(join(workspace, 'fullchain.pem'), chain.fullchainPem)
  writeFileSync(join(workspace, 'privkey.pem'), chain.keyPem, { mode: 0o600 })
  const { secretId, secretKey } = emulator.credentials
  const common = {
    cert: 'fullchain.pem',
    key: 'privkey.pem',
    'secret-id': secretId,
    'secret-key': secretKey
  }
  // As a runner does: each action gets its action.yml defaults; the baseline has none of its own.
  const ourDefaults = Object.fromEntries(readActionMetadata().inputs)
  const sides: Side[] = [
    {
      name: 'ours',
      script: scripts.ours,
      inputs: { ...ourDefaults, ...common, mode: 'upload', endpoint: emulator.url },
      env: {}
    },
    {
      name: 'baseline',
      script: scripts.baseline,
      inputs: { ...common, mode: 'upload', endpoint: `ssl.tencentcloudapi.com:${emulator.port}` },
      env: { BENCH_BASELINE_LOOPBACK: '1' }
    }
  ]
  const first = await runBundledAction(scripts.ours, sides[0].inputs, { workspace })
  if (
    first.status !== 0 ||
    first.outputs['reused'] !== 'false' ||
    !first.outputs['certificate-id']
  ) {
    throw new Error(
      `the first upload (our action) failed: exit ${first.status}\n${transcript(first)}`
    )
  }
  return { workspace, sides, certificateId: first.outputs['certificate-id'] }
}

export function transcript(run: ActionRun): string {
  return `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-40).join('\n')
}

/** A measured reuse run; throws unless it exited 0 and reported the known id as reused. */
async function reuseRun(
  emulator: Emulator,
  side: Side,
  setup: ReuseSetup,
  node?: string
): Promise<{ run: ActionRun; requests: RequestLogEntry[] }> {
  const before = emulator.requests.length
  const run = await runBundledAction(side.script, side.inputs, {
    workspace: setup.workspace,
    env: side.env,
    node
  })
  const requests = emulator.requests.slice(before)
  const id = run.outputs['certificate-id']
  if (
    requests.length === 0 ||
    run.status !== 0 ||
    id !== setup.certificateId ||
    run.outputs['reused'] !== 'true'
  ) {
    throw new Error(
      `${side.name}: a reuse run went wrong (exit ${run.status}, certificate-id ${id}, ` +
        `reused ${run.outputs['reused']}, expected ${setup.certificateId} reused)\n${transcript(run)}`
    )
  }
  return { run, requests }
}

export async function measureReuse(
  emulator: Emulator,
  setup: ReuseSetup,
  options: {
    runs: number
    latencyMs: number
    log: (line: string) => void
    /** Another node binary to run both actions with, and its version. */
    node?: { path: string; version: string }
  }
): Promise<ReuseFigures> {
  const node = options.node?.path
  emulator.setOption({ latencyMs: options.latencyMs, rateLimitPerSecond: 10 })
  const samples = new Map<string, { run: ActionRun; requests: RequestLogEntry[] }[]>()
  for (const side of setup.sides) {
    samples.set(side.name, [])
    await reuseRun(emulator, side, setup, node) // warm-up (page cache, emulator), not counted
  }
  for (let round = 0; round < options.runs; round++) {
    const order = round % 2 === 0 ? setup.sides : [...setup.sides].reverse()
    for (const side of order)
      samples.get(side.name)?.push(await reuseRun(emulator, side, setup, node))
  }
  const figures = (name: string): SideFigures => {
    const list = samples.get(name) ?? []
    const shapes = new Set(list.map(s => JSON.stringify(countByAction(s.requests))))
    if (shapes.size !== 1) {
      throw new Error(`${name}: the reuse runs made different requests: ${[...shapes].join(' / ')}`)
    }
    const wallMs = list.map(s => s.run.wallMs)
    const rssKiB = list.map(s => s.run.peakRssKiB)
    return {
      runs: list.length,
      wallMs,
      rssKiB,
      medianWallMs: median(wallMs),
      medianRssKiB: median(rssKiB),
      medianToFirstMs: median(list.map(s => s.requests[0].time - s.run.startedAt)),
      medianAfterLastMs: median(
        list.map(s => s.run.endedAt - s.requests[s.requests.length - 1].time)
      ),
      requests: countByAction(list[0].requests)
    }
  }
  const all = [...samples.values()].flat().flatMap(s => s.requests)
  const result: ReuseFigures = {
    latencyMs: options.latencyMs,
    node: options.node?.version ?? process.version,
    ours: figures('ours'),
    baseline: figures('baseline'),
    throttled: all.filter(e => isThrottle(e.code)).length,
    certificateId: setup.certificateId
  }
  options.log(
    `  ${result.node}, latency ${options.latencyMs} ms: ours ${result.ours.medianWallMs.toFixed(0)} ms, ` +
      `baseline ${result.baseline.medianWallMs.toFixed(0)} ms (medians of ${options.runs})`
  )
  return result
}

/** Bare Node start-up (`node -e ''`), the floor under both actions' wall time and memory. */
export async function measureBareNode(
  runs: number
): Promise<{ medianWallMs: number; medianRssKiB: number }> {
  const wall: number[] = []
  const rss: number[] = []
  for (let i = 0; i <= runs; i++) {
    const result = await runCommand('/usr/bin/time', ['-f', '%M', process.execPath, '-e', ''], {
      env: { PATH: process.env.PATH ?? '' }
    })
    if (i === 0) continue
    wall.push(result.ms)
    rss.push(Number(/(\d+)\s*$/.exec(result.stderr)?.[1] ?? NaN))
  }
  return { medianWallMs: median(wall), medianRssKiB: median(rss) }
}
