/**
 * Scale: 5,000 uploaded certificates in the emulator, 1,000 of them superseded within the prune
 * scope; our action in `prune` mode under the documented rate limit (10 requests per second per
 * action) with 30 ms latency. The end state is verified: exactly the 1,000 are deleted.
 */
import type { Emulator, RequestLogEntry, SeedRecord } from '../emulator/server.js'
import { readActionMetadata } from '../fixtures/runner.js'
import { runBundledAction } from './processes.js'
import { countByAction, isThrottle, transcript } from './reuse.js'

const DAY = 86_400_000

export const SCALE = {
  total: 5_000,
  superseded: 1_000,
  rateLimitPerSecond: 10,
  latencyMs: 30,
  scope: ['scale.example.test', 'www.scale.example.test']
} as const

export interface ActionCount {
  action: string
  requests: number
  /** (n - 1) / rate, seconds: the least time n requests of one action take under the limit. */
  boundS: number
}

export interface ScaleFigures {
  seeded: number
  inScope: number
  expectedDeletions: number
  outOfScope: { kind: string; count: number }[]
  wallMs: number
  peakRssKiB: number
  byAction: ActionCount[]
  totalRequests: number
  throttled: number
  /** Other error answers (not throttling). */
  errors: { code: string; count: number }[]
  /** The largest per-action bound: what the rate limit alone forces. */
  bindingBoundS: number
  bindingAction: string
  /** The per-action bounds added up: the least time when the actions run one after another. */
  sumOfBoundsS: number
  ratioToBound: number
  deleted: number
  remaining: number
  verified: string[]
  timeline: Timeline
}

/** Where the wall time went, from the request log's arrival times. */
export interface Timeline {
  /** Process start to the first request's arrival, seconds. */
  startS: number
  /** Last request's arrival to the process exit, seconds. */
  endS: number
  /** Each action: its first and last arrival, seconds after the process started. */
  phases: { action: string; requests: number; firstS: number; lastS: number }[]
  /** Requests polling an asynchronous task (`...TaskResult`). */
  polls: number
  /** Time from the previous request's arrival to each poll's, added up, seconds. */
  beforePollsS: number
}

function timelineOf(
  requests: readonly RequestLogEntry[],
  startedAt: number,
  endedAt: number
): Timeline {
  const phases = new Map<
    string,
    { action: string; requests: number; firstS: number; lastS: number }
  >()
  let polls = 0
  let beforePollsS = 0
  requests.forEach((e, i) => {
    const at = (e.time - startedAt) / 1000
    const phase = phases.get(e.action) ?? { action: e.action, requests: 0, firstS: at, lastS: at }
    phase.requests++
    phase.lastS = at
    phases.set(e.action, phase)
    if (/TaskResult$/.test(e.action) && i > 0) {
      polls++
      beforePollsS += (e.time - requests[i - 1].time) / 1000
    }
  })
  const first = requests[0]?.time ?? startedAt
  const last = requests[requests.length - 1]?.time ?? endedAt
  return {
    startS: (first - startedAt) / 1000,
    endS: (endedAt - last) / 1000,
    phases: [...phases.values()].sort((a, b) => a.firstS - b.firstS),
    polls,
    beforePollsS
  }
}

export async function measureScale(
  emulator: Emulator,
  script: string,
  workspace: string,
  log: (line: string) => void
): Promise<ScaleFigures> {
  emulator.reset()
  emulator.setOption({ rateLimitPerSecond: SCALE.rateLimitPerSecond, latencyMs: 0 })
  const now = Date.now()
  const inserted = (i: number): Date => new Date(now - 400 * DAY + i * 60_000)
  const seeds: SeedRecord[] = []
  // 1,000 older duplicates of the scope's domain set, then the newest one, which is kept.
  for (let i = 0; i < SCALE.superseded; i++) {
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
    insertTime: inserted(SCALE.superseded)
  })
  // Out of scope: a superset of the scope's names, one of its names with another, and unrelated
  // domains, interleaved in insertion order with nothing in common.
  const outOfScope = SCALE.total - SCALE.superseded - 1
  const kinds = [
    { kind: 'scope names plus another name (superset)', count: 250 },
    { kind: 'one scope name plus another name', count: 250 },
    { kind: 'unrelated domains', count: outOfScope - 500 }
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
        insertTime: inserted(SCALE.superseded + 1 + n)
      })
    }
  }
  const stored = emulator.seed(seeds)
  const expected = new Set(stored.slice(0, SCALE.superseded).map(c => c.id))
  const keptNewest = stored[SCALE.superseded].id
  if (stored.length !== SCALE.total) throw new Error(`seeded ${stored.length}, not ${SCALE.total}`)
  emulator.clearRequests()
  emulator.setOption({ latencyMs: SCALE.latencyMs })

  const { secretId, secretKey } = emulator.credentials
  const inputs = {
    ...Object.fromEntries(readActionMetadata().inputs),
    mode: 'prune',
    'prune-domains': SCALE.scope.join('\n'),
    'max-deletions': String(SCALE.superseded),
    'secret-id': secretId,
    'secret-key': secretKey,
    endpoint: emulator.url
  }
  log(`  prune over ${SCALE.total} certificates (${SCALE.superseded} superseded)...`)
  const run = await runBundledAction(script, inputs, { workspace, timeoutMs: 600_000 })
  const requests = [...emulator.requests]
  emulator.setOption({ latencyMs: 0 })

  const counts = countByAction(requests)
  const byAction: ActionCount[] = Object.entries(counts)
    .map(([action, requests]) => ({
      action,
      requests,
      boundS: (requests - 1) / SCALE.rateLimitPerSecond
    }))
    .sort((a, b) => b.boundS - a.boundS || a.action.localeCompare(b.action))
  const binding = byAction[0] ?? { action: '—', requests: 0, boundS: 0 }
  const errorCounts = new Map<string, number>()
  for (const e of requests) {
    if (e.code !== '' && !isThrottle(e.code))
      errorCounts.set(e.code, (errorCounts.get(e.code) ?? 0) + 1)
  }

  // End state: exactly the 1,000 superseded are gone, everything else (the newest too) is left.
  const problems: string[] = []
  if (run.status !== 0) problems.push(`the action exited ${run.status}`)
  const after = emulator.certificates()
  const deleted = after.filter(c => c.deleted)
  const remaining = after.filter(c => !c.deleted)
  const wrong = deleted.filter(c => !expected.has(c.id))
  const missed = [...expected].filter(id => !deleted.some(c => c.id === id))
  if (deleted.length !== SCALE.superseded)
    problems.push(`${deleted.length} deleted, not ${SCALE.superseded}`)
  if (wrong.length > 0)
    problems.push(`${wrong.length} deleted outside the plan (${wrong[0].id}, ...)`)
  if (missed.length > 0)
    problems.push(`${missed.length} superseded not deleted (${missed[0]}, ...)`)
  if (remaining.length !== SCALE.total - SCALE.superseded) {
    problems.push(`${remaining.length} left, not ${SCALE.total - SCALE.superseded}`)
  }
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
    outputIds.length !== SCALE.superseded ||
    !outputIds.every(id => expected.has(String(id)))
  ) {
    problems.push(`the deleted-ids output is not the ${SCALE.superseded} superseded ids`)
  }
  if (problems.length > 0) {
    throw new Error(`SCALE RUN FAILED VERIFICATION: ${problems.join('; ')}\n${transcript(run)}`)
  }
  return {
    seeded: stored.length,
    inScope: SCALE.superseded + 1,
    expectedDeletions: SCALE.superseded,
    outOfScope: kinds.map(({ kind, count }) => ({ kind, count })),
    wallMs: run.wallMs,
    peakRssKiB: run.peakRssKiB,
    byAction,
    totalRequests: requests.length,
    throttled: requests.filter(e => isThrottle(e.code)).length,
    errors: [...errorCounts].map(([code, count]) => ({ code, count })),
    bindingBoundS: binding.boundS,
    bindingAction: binding.action,
    sumOfBoundsS: byAction.reduce((sum, a) => sum + a.boundS, 0),
    ratioToBound: run.wallMs / 1000 / binding.boundS,
    deleted: deleted.length,
    remaining: remaining.length,
    verified: [
      `exit status 0`,
      `${deleted.length} deleted, each one of the ${SCALE.superseded} superseded`,
      `${remaining.length} left, the newest in-scope one (${keptNewest}) among them`,
      `deleted-ids output lists the same ${SCALE.superseded} ids`
    ],
    timeline: timelineOf(requests, run.startedAt, run.endedAt)
  }
}
