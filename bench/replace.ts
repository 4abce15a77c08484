/**
 * Replace at scale (issue 11): one superseded certificate bound to 100 resources of 5 types in
 * 4 regions, moved to its successor by src/resources/replace.ts under the documented rate limit (10
 * requests per second per action) with 30 ms latency, on the real clock. Two cases: every
 * resource moves at once, and every resource fails once (100 retries, which the rate limit
 * bounds). The end state is verified: every resource serves the new certificate, the old one is
 * found free, and the emulator saw no resource without a certificate.
 *
 * `npx tsx bench/replace.ts` runs it alone against a fresh emulator; bench/run.ts can call
 * `measureReplace` and add `renderReplace`'s lines to bench/results.md.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import fetch from 'node-fetch'
import { startEmulator, type Emulator, type ResourceSeed } from '../emulator/server.js'
import { replaceResources } from '../src/resources/replace.js'
import type { FetchLike } from '../src/tencent/client.js'
import { ResourceApiV3 } from '../src/tencent/resources.js'
import { countByAction, isThrottle } from './reuse.js'
import { phasesOf, type ActionCount, type Phase } from './scale.js'

const DAY = 86_400_000

export const REPLACE_BENCH = {
  resources: 100,
  types: ['cdn', 'teo', 'clb', 'waf', 'tke'],
  regions: ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-singapore'],
  rateLimitPerSecond: 10,
  latencyMs: 30
} as const

export interface ReplaceCase {
  name: string
  wallMs: number
  totalRequests: number
  byAction: ActionCount[]
  /** The busiest action's (n - 1) / rate, seconds: what the rate limit alone costs. */
  boundS: number
  boundAction: string
  /** Time the client slept (waits between polls, and the pacer holding requests back), seconds. */
  waitsS: number
  throttled: number
  retries: number
  /** Each action's first and last request, seconds after the replacement began. */
  phases: Phase[]
  verified: string[]
}

export interface ReplaceFigures {
  resources: number
  types: number
  regions: number
  recordPolls: number
  cases: ReplaceCase[]
}

/** 100 resources: 20 per type, the regional ones spread over the 4 regions. */
function resourceSeeds(oldId: string, failOnce: boolean): ResourceSeed[] {
  const perType = REPLACE_BENCH.resources / REPLACE_BENCH.types.length
  const seeds: ResourceSeed[] = []
  for (const type of REPLACE_BENCH.types) {
    for (let i = 0; i < perType; i++) {
      const region = REPLACE_BENCH.regions[i % REPLACE_BENCH.regions.length]
      const domain = `${type}${i}.bench.example.test`
      const instance =
        type === 'clb' ? `lb-${i}|lbl-${i}` : type === 'tke' ? `cls-${i}|default|tls-${i}` : domain
      const regional = type === 'clb' || type === 'waf' || type === 'tke'
      seeds.push({
        type,
        instance,
        certId: oldId,
        ...(regional ? { region } : {}),
        ...(failOnce ? { fail: { times: 1, message: 'busy, try again' } } : {})
      })
    }
  }
  return seeds
}

async function runCase(emulator: Emulator, name: string, failOnce: boolean): Promise<ReplaceCase> {
  emulator.reset()
  emulator.setOption({ rateLimitPerSecond: 0, latencyMs: 0 })
  const oldId = `OLD${failOnce ? 'R' : 'C'}0001`
  const newId = `NEW${failOnce ? 'R' : 'C'}0001`
  emulator.seed([
    { id: oldId, domains: ['bench.example.test'], notAfter: new Date(Date.now() + 10 * DAY) },
    { id: newId, domains: ['bench.example.test'], notAfter: new Date(Date.now() + 90 * DAY) }
  ])
  emulator.resources.seed(resourceSeeds(oldId, failOnce))
  emulator.clearRequests()
  emulator.setOption({
    rateLimitPerSecond: REPLACE_BENCH.rateLimitPerSecond,
    latencyMs: REPLACE_BENCH.latencyMs
  })
  let waitsMs = 0
  const clock = {
    now: () => Date.now(),
    sleep: async (ms: number) => {
      waitsMs += ms
      await sleep(ms)
    }
  }
  const quiet = {
    info: () => undefined,
    notice: () => undefined,
    warning: () => undefined,
    debug: () => undefined
  }
  const api = new ResourceApiV3({
    credentials: emulator.credentials,
    endpoint: new URL(emulator.url),
    timeoutMs: 30_000,
    deps: {
      fetch: fetch as unknown as FetchLike,
      ...clock,
      random: Math.random,
      debug: () => undefined,
      warning: () => undefined
    }
  })
  const started = performance.now()
  const startedAt = Date.now()
  const result = await replaceResources(
    api,
    [{ id: oldId, targetId: newId }],
    { scope: 'all', timeoutMs: 600_000, rollbackOnFailure: false, dryRun: false },
    { clock, log: quiet }
  )
  const wallMs = performance.now() - started
  const requests = [...emulator.requests]
  emulator.setOption({ latencyMs: 0 })

  const problems: string[] = []
  const resources = emulator.resources.all()
  const moved = resources.filter(r => r.certId === newId).length
  if (moved !== REPLACE_BENCH.resources)
    problems.push(`${moved} moved, not ${REPLACE_BENCH.resources}`)
  const succeeded = result.replaced.filter(e => e.status === 'success').length
  if (succeeded !== REPLACE_BENCH.resources) problems.push(`${succeeded} reported success`)
  if (result.free.join() !== oldId) problems.push(`free: ${JSON.stringify(result.free)}`)
  const violations = emulator.resources.violations()
  if (violations.length > 0) problems.push(`${violations.length} invariant violations`)
  if (problems.length > 0)
    throw new Error(`REPLACE BENCH (${name}) FAILED VERIFICATION: ${problems.join('; ')}`)

  const byAction: ActionCount[] = Object.entries(countByAction(requests))
    .map(([action, n]) => ({
      action,
      requests: n,
      boundS: (n - 1) / REPLACE_BENCH.rateLimitPerSecond
    }))
    .sort((a, b) => b.boundS - a.boundS || a.action.localeCompare(b.action))
  return {
    name,
    wallMs,
    totalRequests: requests.length,
    byAction,
    boundS: byAction[0]?.boundS ?? 0,
    boundAction: byAction[0]?.action ?? '—',
    waitsS: waitsMs / 1000,
    throttled: requests.filter(e => isThrottle(e.code)).length,
    retries: requests.filter(e => e.action === 'UpdateCertificateRecordRetry').length,
    phases: phasesOf(requests, startedAt),
    verified: [
      `${moved} of ${REPLACE_BENCH.resources} resources serve ${newId}`,
      `${succeeded} reported success in replaced`,
      `the fresh binding check finds ${oldId} free`,
      'no resource was ever without a certificate'
    ]
  }
}

export async function measureReplace(
  emulator: Emulator,
  log: (line: string) => void
): Promise<ReplaceFigures> {
  const cases: ReplaceCase[] = []
  for (const [name, failOnce] of [
    ['every resource moves at once', false],
    ['every resource fails once, then moves on its retry', true]
  ] as const) {
    log(`  replace: ${name}...`)
    cases.push(await runCase(emulator, name, failOnce))
  }
  return {
    resources: REPLACE_BENCH.resources,
    types: REPLACE_BENCH.types.length,
    regions: REPLACE_BENCH.regions.length,
    recordPolls: emulator.options().recordPolls,
    cases
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** The section for bench/results.md. */
export function renderReplace(f: ReplaceFigures): string[] {
  const lines = [
    '## 4. Replace: 100 resources across 5 types and 4 regions',
    '',
    `One superseded certificate bound to ${f.resources} resources (${REPLACE_BENCH.types.join(', ')}; ` +
      `the regional ones over ${REPLACE_BENCH.regions.join(', ')}), moved to its successor by ` +
      `\`src/resources/replace.ts\` in-process, real clock, emulator at ${REPLACE_BENCH.rateLimitPerSecond} ` +
      `requests per second per action and ${REPLACE_BENCH.latencyMs} ms latency; record items settle ` +
      `after ${f.recordPolls} read(s) of Status 3.`,
    '',
    '| case | wall time | requests | busiest action (bound (n - 1) / 10) | wall time / bound | client sleeps (poll waits, pacing) | retries | throttled |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const c of f.cases)
    lines.push(
      `| ${c.name} | ${s(c.wallMs)} | ${c.totalRequests} | ${c.boundAction} (${c.boundS.toFixed(1)} s) | ` +
        `${c.boundS > 0 ? (c.wallMs / 1000 / c.boundS).toFixed(2) : '—'} | ` +
        `${c.waitsS.toFixed(2)} s | ${c.retries} | ${c.throttled} |`
    )
  lines.push(
    '',
    'The rate limit binds only where one action is called many times: the retries, one ' +
      '`UpdateCertificateRecordRetry` per failed resource (the API retries one record detail per ' +
      'call). The rest of either case is waiting on asynchronous work that no request rate ' +
      'shortens: the binding check before and the fresh one after (each a task polled until ' +
      'done), the move started (asked again until it names a record), and the record read ' +
      'until every resource settles.'
  )
  lines.push(
    '',
    'Requests per action, with the first and last in seconds after the replacement began: the ' +
      'binding details, the move, the record read back until every resource settles (with the ' +
      'retries it asks for), then the fresh binding check; each binding check is a task polled ' +
      'until done.',
    '',
    `| action | ${f.cases.map(c => c.name).join(' | ')} |`,
    `| --- |${f.cases.map(() => ' --- |').join('')}`
  )
  const actions = [...new Set(f.cases.flatMap(c => c.phases.map(p => p.action)))]
  for (const action of actions) {
    const cells = f.cases.map(c => {
      const p = c.phases.find(x => x.action === action)
      return p ? `${p.requests} (${p.firstS.toFixed(2)} – ${p.lastS.toFixed(2)} s)` : '—'
    })
    lines.push(`| ${action} | ${cells.join(' | ')} |`)
  }
  lines.push('')
  for (const c of f.cases) lines.push(`Verified (${c.name}): ${c.verified.join('; ')}.`)
  return lines
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const emulator = await startEmulator()
  try {
    const figures = await measureReplace(emulator, line => console.log(line))
    console.log(renderReplace(figures).join('\n'))
  } finally {
    await emulator.stop()
  }
}
