/**
 * The verify stage (promise 9). upload/sync: after the upload, the moves and the deployments,
 * every endpoint must serve the uploaded certificate (same SHA-256 of the leaf), checked again
 * every 15 s until all do or `verify-timeout` passes; any that does not fails the step at the
 * end, the other outputs set. list: one round, each endpoint's certificate reported `ok` or
 * `expiring`. Only TLS handshakes: no API request.
 */
import type { Outcome } from '../reporting/outcome.js'
import { checkEndpoints, ROUND_INTERVAL_MS } from '../verify/check.js'
import { tlsProbe } from '../verify/probe.js'
import {
  describeCheck,
  listVerdict,
  uploadVerdict,
  verifyFailure,
  type SupersededCertificate
} from '../verify/report.js'
import type { RunContext } from './context.js'

export async function verify(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  if (ctx.verify.length === 0) return
  const deps = { probe: ctx.tlsProbe ?? tlsProbe, now: ctx.deps.now, sleep: ctx.deps.sleep }
  if (settings.mode === 'list') return verifyServed(ctx, outcome, deps)
  const expected = outcome.leaf?.fingerprint
  if (expected === undefined) return
  // A dry run moved nothing: one look at what is served, reported, never a failure.
  const timeoutMs = settings.dryRun ? 0 : settings.verifyTimeoutMs
  io.log.info(
    `Verifying that ${ctx.verify.length} endpoint(s) serve SHA-256 ${expected}` +
      (timeoutMs > 0
        ? `, every ${ROUND_INTERVAL_MS / 1000} s for up to ${timeoutMs / 1000} s.`
        : ', once.')
  )
  const checks = await checkEndpoints(
    ctx.verify,
    {
      expected,
      timeoutMs,
      onRound: (round, pending) => {
        if (pending > 0 && timeoutMs > 0)
          io.log.info(`verify round ${round}: ${pending} endpoint(s) do not serve it yet.`)
      }
    },
    deps
  )
  const superseded = supersededThisRun(outcome)
  outcome.verified = checks.map(uploadVerdict)
  checks.forEach((check, i) => {
    const line = describeCheck(check, outcome.verified[i], superseded)
    if (outcome.verified[i].status === 'match') io.log.info(line)
    else io.log.warning(line)
  })
  const failure = verifyFailure(outcome.verified, timeoutMs / 1000)
  if (failure && settings.dryRun) io.log.notice(`Dry run: ${failure}`)
  else if (failure) outcome.problems.push(failure)
}

/** list: what each endpoint serves, `expiring` within `expiring-within` days. */
async function verifyServed(
  ctx: RunContext,
  outcome: Outcome,
  deps: Parameters<typeof checkEndpoints>[2]
): Promise<void> {
  const { settings, io } = ctx
  const checks = await checkEndpoints(ctx.verify, { timeoutMs: 0 }, deps)
  const now = ctx.now()
  outcome.verified = checks.map(c => listVerdict(c, now, settings.expiringWithinDays))
  checks.forEach((check, i) => {
    const line = describeCheck(check, outcome.verified[i], [])
    if (outcome.verified[i].status === 'ok') io.log.info(line)
    else io.log.warning(line)
  })
  const bad = outcome.verified.filter(v => v.status !== 'ok')
  if (settings.failOnExpiring && bad.length > 0)
    outcome.problems.push(
      `${bad.length} endpoint(s) serve a certificate that expires within ` +
        `${settings.expiringWithinDays} day(s) or could not be checked: ` +
        `${bad.map(v => `${v.host}:${v.port} (${v.status})`).join(', ')} (fail-on-expiring).`
    )
}

/** The certificates this run's plan found superseded: named when an endpoint still serves one. */
function supersededThisRun(outcome: Outcome): SupersededCertificate[] {
  const plan = outcome.prune
  if (!plan) return []
  return [
    ...plan.deleted,
    ...plan.kept,
    ...plan.skipped,
    ...plan.refused,
    ...plan.failed.map(f => f.entry)
  ]
    .filter(e => e.supersededBy !== undefined || e.supersededByNew === true)
    .map(e => ({ id: e.id, notAfter: e.notAfter, domains: e.domains }))
}
