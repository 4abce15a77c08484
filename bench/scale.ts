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
  /**
   * (n - 1) / rate, seconds: n requests of one action spaced evenly at the limit. (The rolling
   * one-second window admits 10 at once, so 10 or fewer can go out faster.)
   */
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
  /**
   * Bound (a), per action: the largest (n - 1) / rate, the busiest action alone as if nothing came
   * before or after it. What the target names.
   */
  bindingBoundS: number
  bindingAction: string
  /**
   * Bound (b), dependency-aware: the per-action bounds added up. Each action is one phase here
   * (list, binding tasks, their results, delete tasks, their results) and each phase needs the
   * answers of the one before, so the phases' requests do not overlap.
   */
  sumOfBoundsS: number
  /** Wall time / (a). */
  ratioToBound: number
  /** Wall time / (b). */
  ratioToSum: number
  /** The emulator's `taskPolls`: polls each asynchronous task answers Status 0 before it is done. */
  taskPolls: number
  deleted: number
  remaining: number
  verified: string[]
  timeline: Timeline
}

/**
 * A gap of at least this long between two consecutive requests is a pause (a wait or local work);
 * shorter ones are requests sent back to back (about 35 ms each at 30 ms latency).
 */
export const PAUSE_MS = 250

/** Where the wall time went, from the request log's arrival times. */
export interface Timeline {
  /** Process start to the first request's arrival, seconds. */
  startS: number
  /** Last request's arrival to the process exit, seconds. */
  endS: number
  /**
   * Each action: its first and last arrival, seconds after the process started, and the gap from
   * the request before its first one (from the process start for the first action).
   */
  phases: { action: string; requests: number; firstS: number; lastS: number; waitBeforeS: number }[]
  /** Requests polling an asynchronous task (`...TaskResult`). */
  polls: number
  /**
   * Poll rounds: runs of polls of one action, each begun after a pause (PAUSE_MS or more) or by
   * the action's first poll. Per action: the rounds' sizes, start times and the pause before each
   * (from the request before it), seconds.
   */
  rounds: { action: string; sizes: number[]; startsS: number[]; waitsS: number[] }[]
  /** The pauses before poll rounds, added up, seconds: the waits for the asynchronous tasks. */
  pollWaitsS: number
  /** Other pauses (PAUSE_MS or more, not before a poll), added up, seconds. */
  otherPausesS: number
  /** Each of those: the actions of the requests before and after it, and its length, seconds. */
  otherPauses: { after: string; before: string; s: number }[]
  /** Gaps under PAUSE_MS between consecutive requests, added up, seconds. */
  backToBackS: number
  /**
   * The shortest time from a request to the 10th after it of the same action, seconds, and the
   * action: the client's pacer holds a request back only when this would fall inside its window.
   * Undefined when no action made more than 10 requests.
   */
  shortestEleven?: { action: string; spanS: number }
}

function timelineOf(
  requests: readonly RequestLogEntry[],
  startedAt: number,
  endedAt: number
): Timeline {
  type Phase = Timeline['phases'][number]
  const phases = new Map<string, Phase>()
  const rounds = new Map<string, Timeline['rounds'][number]>()
  const times = new Map<string, number[]>()
  let polls = 0
  let pollWaitsS = 0
  let otherPausesS = 0
  const otherPauses: Timeline['otherPauses'] = []
  let backToBackS = 0
  requests.forEach((e, i) => {
    const at = (e.time - startedAt) / 1000
    const gapS = (e.time - (i > 0 ? requests[i - 1].time : startedAt)) / 1000
    const phase = phases.get(e.action) ?? {
      action: e.action,
      requests: 0,
      firstS: at,
      lastS: at,
      waitBeforeS: gapS
    }
    phase.requests++
    phase.lastS = at
    phases.set(e.action, phase)
    times.set(e.action, [...(times.get(e.action) ?? []), e.time])
    const isPoll = /TaskResult$/.test(e.action)
    const pause = i > 0 && gapS * 1000 >= PAUSE_MS
    if (i > 0 && !pause) backToBackS += gapS
    if (pause && !isPoll) {
      otherPausesS += gapS
      otherPauses.push({ after: requests[i - 1].action, before: e.action, s: gapS })
    }
    if (!isPoll) return
    polls++
    const own = rounds.get(e.action) ?? { action: e.action, sizes: [], startsS: [], waitsS: [] }
    rounds.set(e.action, own)
    if (pause || own.sizes.length === 0) {
      if (pause) pollWaitsS += gapS
      own.sizes.push(0)
      own.startsS.push(at)
      own.waitsS.push(gapS)
    }
    own.sizes[own.sizes.length - 1]++
  })
  let shortestEleven: Timeline['shortestEleven']
  for (const [action, list] of times) {
    for (let i = 0; i + 10 < list.length; i++) {
      const spanS = (list[i + 10] - list[i]) / 1000
      if (!shortestEleven || spanS < shortestEleven.spanS) shortestEleven = { action, spanS }
    }
  }
  const first = requests[0]?.time ?? startedAt
  const last = requests[requests.length - 1]?.time ?? endedAt
  return {
    startS: (first - startedAt) / 1000,
    endS: (endedAt - last) / 1000,
    phases: [...phases.values()].sort((a, b) => a.firstS - b.firstS),
    polls,
    rounds: [...rounds.values()],
    pollWaitsS,
    otherPausesS,
    otherPauses,
    backToBackS,
    shortestEleven
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
  const { taskPolls } = emulator.options()
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
  const sumOfBoundsS = byAction.reduce((sum, a) => sum + a.boundS, 0)
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
    sumOfBoundsS,
    ratioToBound: run.wallMs / 1000 / binding.boundS,
    ratioToSum: run.wallMs / 1000 / sumOfBoundsS,
    taskPolls,
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
