/**
 * Scale: N uploaded certificates in the emulator, M of them superseded within the prune scope
 * (5,000/1,000 and 20,000/5,000); our action in `prune` mode under the documented rate limit
 * (10 requests per second per action) with 30 ms latency. The end state is verified: exactly the
 * M are deleted. Figures: wall time, the planning time the action reports (step debug), requests
 * per action, peak RSS, throttled answers, and the ratio to the per-action bound.
 */
import type { Emulator, RequestLogEntry, SeedRecord } from '../emulator/server.js'
import { readActionMetadata } from '../fixtures/runner.js'
import { runBundledAction } from './processes.js'
import { countByAction, isThrottle, transcript } from './reuse.js'

const DAY = 86_400_000

export const SCALE = {
  rateLimitPerSecond: 10,
  latencyMs: 30,
  scope: ['scale.example.test', 'www.scale.example.test'],
  cases: [
    { total: 5_000, superseded: 1_000 },
    { total: 20_000, superseded: 5_000 }
  ]
} as const

export type ScaleCase = (typeof SCALE.cases)[number]

export interface ActionCount {
  action: string
  requests: number
  /**
   * (n - 1) / rate, seconds: n requests of one action spaced evenly at the limit. (The rolling
   * one-second window admits 10 at once, so 10 or fewer can go out faster.)
   */
  boundS: number
}

/** Each action's first and last request, seconds after the process started. */
export interface Phase {
  action: string
  requests: number
  firstS: number
  lastS: number
}

export interface ScaleFigures {
  total: number
  superseded: number
  outOfScope: { kind: string; count: number }[]
  wallMs: number
  /** What the action reports for planPrune alone ("Planning took N ms."), NaN if not found. */
  planningMs: number
  /** The last list request's arrival to the first binding check's: the last page's answer,
   * reading it, planning, and the first check's request. */
  listToCheckS: number
  peakRssKiB: number
  byAction: ActionCount[]
  totalRequests: number
  throttled: number
  /** Other error answers (not throttling). */
  errors: { code: string; count: number }[]
  /** The listing's (n - 1) / rate: it must end before anything can be planned. */
  listBoundS: number
  /** The busiest action after the listing, and its (n - 1) / rate. */
  busiest: ActionCount
  /** The per-action bound: listing + the busiest other action (issue 14's "physical bound"). */
  boundS: number
  ratioToBound: number
  /** The emulator's `taskPolls`: polls each asynchronous task answers Status 0 before it is done. */
  taskPolls: number
  startS: number
  endS: number
  phases: Phase[]
  verified: string[]
}

/** Each action's request count and first and last arrival, seconds after `startedAt` (ms). */
export function phasesOf(requests: readonly RequestLogEntry[], startedAt: number): Phase[] {
  const phases = new Map<string, Phase>()
  for (const e of requests) {
    const at = (e.time - startedAt) / 1000
    const phase = phases.get(e.action) ?? { action: e.action, requests: 0, firstS: at, lastS: at }
    phase.requests++
    phase.lastS = at
    phases.set(e.action, phase)
  }
  return [...phases.values()].sort((a, b) => a.firstS - b.firstS)
}

/** The seeds of one case: `superseded` older duplicates of the scope, the newest one, then the
 * rest out of scope; returns them with the ids' positions to verify. */
function seedsFor(size: ScaleCase, now: number) {
  const inserted = (i: number): Date => new Date(now - 400 * DAY + i * 60_000)
  const seeds: SeedRecord[] = []
  for (let i = 0; i < size.superseded; i++) {
    seeds.push({
      domains: [...SCALE.scope],
      notAfter: new Date(now + (1 + (i % 80)) * DAY + i * 1000),
      alias: `scale old ${i}`,
      insertTime: inserted(i)
    })
  }
  // Later than every other seed, so that nothing (the superset certificates included, which
  // cover the scope's names too) supersedes it.
  seeds.push({
    domains: [...SCALE.scope],
    notAfter: new Date(now + 397 * DAY),
    alias: 'scale newest',
    insertTime: inserted(size.superseded)
  })
  // Out of scope: a superset of the scope's names, one of its names with another, and unrelated
  // domains, in insertion order with nothing in common.
  const outOfScope = size.total - size.superseded - 1
  const superset = Math.round(outOfScope / 16)
  const kinds = [
    { kind: 'scope names plus another name (superset)', count: superset },
    { kind: 'one scope name plus another name', count: superset },
    { kind: 'unrelated domains', count: outOfScope - 2 * superset }
  ]
  let n = 0
  for (const { kind, count } of kinds) {
    for (let i = 0; i < count; i++, n++) {
      const domains = kind.startsWith('scope names')
        ? [...SCALE.scope, `extra${i}.scale.example.test`]
        : kind.startsWith('one scope')
          ? [SCALE.scope[0], `other${i}.example.test`]
          : [`site${i}.example.org`, `www.site${i}.example.org`]
      seeds.push({
        domains,
        notAfter: new Date(now + (10 + (i % 300)) * DAY),
        alias: `other ${n}`,
        insertTime: inserted(size.superseded + 1 + n)
      })
    }
  }
  return { seeds, kinds }
}

export async function measureScale(
  emulator: Emulator,
  script: string,
  workspace: string,
  size: ScaleCase,
  log: (line: string) => void
): Promise<ScaleFigures> {
  emulator.reset()
  emulator.setOption({ rateLimitPerSecond: SCALE.rateLimitPerSecond, latencyMs: 0 })
  const { seeds, kinds } = seedsFor(size, Date.now())
  const stored = emulator.seed(seeds)
  const expected = new Set(stored.slice(0, size.superseded).map(c => c.id))
  const keptNewest = stored[size.superseded].id
  if (stored.length !== size.total) throw new Error(`seeded ${stored.length}, not ${size.total}`)
  emulator.clearRequests()
  emulator.setOption({ latencyMs: SCALE.latencyMs })

  const { secretId, secretKey } = emulator.credentials
  const inputs = {
    ...Object.fromEntries(readActionMetadata().inputs),
    mode: 'prune',
    'prune-domains': SCALE.scope.join('\n'),
    'max-deletions': String(size.superseded),
    'secret-id': secretId,
    'secret-key': secretKey,
    endpoint: emulator.url
  }
  const label = `${size.total.toLocaleString('en-US')}/${size.superseded.toLocaleString('en-US')}`
  log(`  prune ${label}...`)
  // Step debug on for the action's own "Planning took N ms." line.
  const run = await runBundledAction(script, inputs, {
    workspace,
    env: { RUNNER_DEBUG: '1' },
    timeoutMs: 900_000
  })
  const requests = [...emulator.requests]
  const { taskPolls } = emulator.options()
  emulator.setOption({ latencyMs: 0 })

  const byAction: ActionCount[] = Object.entries(countByAction(requests))
    .map(([action, n]) => ({ action, requests: n, boundS: (n - 1) / SCALE.rateLimitPerSecond }))
    .sort((a, b) => b.boundS - a.boundS || a.action.localeCompare(b.action))
  const list = byAction.find(a => a.action === 'DescribeCertificates')
  const busiest = byAction.find(a => a.action !== 'DescribeCertificates') ?? {
    action: '—',
    requests: 0,
    boundS: 0
  }
  const listBoundS = list?.boundS ?? 0
  const errorCounts = new Map<string, number>()
  for (const e of requests) {
    if (e.code !== '' && !isThrottle(e.code))
      errorCounts.set(e.code, (errorCounts.get(e.code) ?? 0) + 1)
  }
  const problems = verify(run, emulator, size, expected, keptNewest)
  if (problems.length > 0) {
    throw new Error(`SCALE RUN FAILED VERIFICATION: ${problems.join('; ')}\n${transcript(run)}`)
  }
  const planning = /Planning took (\d+) ms\./.exec(run.stdout)
  const lastList = requests.filter(e => e.action === 'DescribeCertificates').pop()
  const firstCheck = requests.find(e => e.action === 'CreateCertificateBindResourceSyncTask')
  const first = requests[0]?.time ?? run.startedAt
  const last = requests[requests.length - 1]?.time ?? run.endedAt
  const boundS = listBoundS + busiest.boundS
  return {
    total: size.total,
    superseded: size.superseded,
    outOfScope: kinds.map(({ kind, count }) => ({ kind, count })),
    wallMs: run.wallMs,
    planningMs: planning ? Number(planning[1]) : NaN,
    listToCheckS: lastList && firstCheck ? (firstCheck.time - lastList.time) / 1000 : NaN,
    peakRssKiB: run.peakRssKiB,
    byAction,
    totalRequests: requests.length,
    throttled: requests.filter(e => isThrottle(e.code)).length,
    errors: [...errorCounts].map(([code, count]) => ({ code, count })),
    listBoundS,
    busiest,
    boundS,
    ratioToBound: run.wallMs / 1000 / boundS,
    taskPolls,
    startS: (first - run.startedAt) / 1000,
    endS: (run.endedAt - last) / 1000,
    phases: phasesOf(requests, run.startedAt),
    verified: [
      `exit status 0`,
      `${size.superseded.toLocaleString('en-US')} deleted, each one of the superseded`,
      `${(size.total - size.superseded).toLocaleString('en-US')} left, the newest in-scope one among them`,
      `deleted-ids lists the same ${size.superseded.toLocaleString('en-US')} ids`
    ]
  }
}

/** End state: exactly the superseded are gone, everything else (the newest too) is left. */
function verify(
  run: Awaited<ReturnType<typeof runBundledAction>>,
  emulator: Emulator,
  size: ScaleCase,
  expected: Set<string>,
  keptNewest: string
): string[] {
  const problems: string[] = []
  if (run.status !== 0) problems.push(`the action exited ${run.status}`)
  const after = emulator.certificates()
  const deleted = after.filter(c => c.deleted)
  const remaining = after.filter(c => !c.deleted)
  const wrong = deleted.filter(c => !expected.has(c.id))
  if (deleted.length !== size.superseded)
    problems.push(`${deleted.length} deleted, not ${size.superseded}`)
  if (wrong.length > 0)
    problems.push(`${wrong.length} deleted outside the plan (${wrong[0].id}, ...)`)
  if (remaining.length !== size.total - size.superseded)
    problems.push(`${remaining.length} left, not ${size.total - size.superseded}`)
  if (!remaining.some(c => c.id === keptNewest))
    problems.push('the newest in-scope certificate was deleted')
  let outputIds: unknown
  try {
    outputIds = JSON.parse(run.outputs['deleted-ids'] ?? 'null')
  } catch {
    outputIds = null
  }
  if (
    !Array.isArray(outputIds) ||
    outputIds.length !== size.superseded ||
    !outputIds.every(id => expected.has(String(id)))
  )
    problems.push(`the deleted-ids output is not the ${size.superseded} superseded ids`)
  return problems
}
