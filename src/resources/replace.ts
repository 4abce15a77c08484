/**
 * Replacement execution (`replace`): move the resources still bound to superseded certificates
 * onto the certificate that supersedes each, then say which certificates a fresh binding check
 * (IsCache=0) finds free. Plans come from replace-plan.ts (pure), each resource's verdict from
 * replace-machine.ts (pure); this module makes the calls and writes the log.
 *
 * Per certificate (certificate-move.ts): UpdateCertificateInstance with the types and regions
 * the binding details found; every resource's own status read back until it settles, within
 * `replace-timeout`; a failed resource retried once per run; the ones still failing reported one
 * by one; with `rollback-on-failure`, the moved ones moved back. A re-run converges: what
 * already moved is no longer bound to the old certificate, so it is not moved again, and a task
 * still running from an earlier run is watched, not duplicated. A dry run plans from the binding
 * details and calls nothing that changes anything.
 */
import type { Log } from '../runner/log.js'
import {
  asError,
  entry,
  fail,
  moveCertificate,
  type CertificateReplacement,
  type Outcome,
  type ReplaceContext,
  type ReplaceOptions
} from './certificate-move.js'
import { describeResources, planReplace, type PlannedMove } from '../planning/replace-plan.js'
import type { ReplacedEntry, ResourceFailure } from '../reporting/resource-report.js'
import { resourceKey } from './resource-types.js'
import { errorMessage, type TencentApiError } from '../tencent/errors.js'
import type { BindingDetails, ResourceApi } from '../tencent/resources.js'
import type { SupersededCertificate } from '../planning/replace-plan.js'

export type { SupersededCertificate } from '../planning/replace-plan.js'
export type { ReplacedEntry, ResourceFailure } from '../reporting/resource-report.js'
export type { CertificateReplacement, ReplaceContext, ReplaceOptions } from './certificate-move.js'

export interface ReplaceResult {
  certificates: CertificateReplacement[]
  /** Every entry of every certificate, in order: the `replaced` output's part. */
  replaced: ReplacedEntry[]
  /** Ids now free to delete: the fresh binding check finds nothing bound (a dry run: every
   * resource found would move). */
  free: string[]
  failures: ResourceFailure[]
  /** Calls that failed outright (a refused service role, an exhausted retry budget). */
  errors: TencentApiError[]
}

export async function replaceResources(
  api: ResourceApi,
  certificates: readonly SupersededCertificate[],
  options: ReplaceOptions,
  context: ReplaceContext
): Promise<ReplaceResult> {
  const { log } = context
  const result: ReplaceResult = {
    certificates: [],
    replaced: [],
    free: [],
    failures: [],
    errors: []
  }
  if (certificates.length === 0) return result
  const ids = certificates.map(c => c.id)
  let details: Map<string, BindingDetails>
  try {
    // The prune check has just looked: its result (within 30 minutes) is reused.
    details = await api.bindingDetails(ids, false)
  } catch (error) {
    const failure = asError(error, 'DescribeCertificateBindResourceTaskDetail')
    result.errors.push(failure)
    for (const c of certificates) {
      const kept = `its binding details could not be read: ${failure.message}`
      result.certificates.push({ id: c.id, targetId: c.targetId, entries: [], keptBecause: kept })
    }
    return result
  }
  const plans = planReplace(certificates, details, options.scope)
  const outcomes = options.dryRun
    ? plans.map(plan => dryRun(plan, log))
    : await Promise.all(plans.map(plan => moveCertificate(api, plan, options, context)))
  for (const outcome of outcomes) {
    result.certificates.push(outcome.certificate)
    result.replaced.push(...outcome.certificate.entries)
    result.failures.push(...outcome.failures)
    result.errors.push(...outcome.errors)
  }
  if (options.dryRun) {
    result.free = result.certificates.filter(c => c.keptBecause === null).map(c => c.id)
    return result
  }
  const fresh = await freshCheck(api, result, log)
  result.free = fresh.free
  for (const outcome of outcomes) settleUnseen(outcome, fresh.details, result, log)
  return result
}

/**
 * Promise 7 for what no record listed: still bound to the old certificate after the move means
 * it did not move (failed, and the certificate stays); no longer bound means something else moved
 * it (unchanged). Not known (the fresh check failed): failed, since success was not seen.
 */
function settleUnseen(
  outcome: Outcome,
  fresh: Map<string, BindingDetails> | undefined,
  result: ReplaceResult,
  log: Log
): void {
  if (outcome.unseen.length === 0) return
  const found = fresh?.get(outcome.plan.from)
  const still = new Set((found?.resources ?? []).map(resourceKey))
  const known = found !== undefined && found.problems.length === 0
  for (const r of outcome.unseen) {
    if (known && !still.has(resourceKey(r))) {
      // Something else moved it: what it serves now was not seen, so `to` is not claimed.
      const unchanged = { ...entry(outcome.plan, r, 'unchanged', null), to: null }
      outcome.certificate.entries.push(unchanged)
      result.replaced.push(unchanged)
      continue
    }
    const why = outcome.errors[0]
      ? `its status could not be read: ${outcome.errors[0].message}`
      : "Tencent's update task did not move it"
    const before = outcome.failures.length
    fail(outcome, outcome.plan, r, why, outcome.errors[0]?.requestId ?? '', log)
    result.failures.push(...outcome.failures.slice(before))
    result.replaced.push(outcome.certificate.entries[outcome.certificate.entries.length - 1])
  }
}

function dryRun(plan: PlannedMove, log: Log): Outcome {
  const entries = plan.resources.map(r => entry(plan, r, 'planned', null))
  if (entries.length > 0)
    log.info(
      `Would move ${describeResources(plan.resources)} from ${plan.from} to ${plan.to ?? 'the uploaded certificate'}.`
    )
  if (plan.keptBecause) log.info(`${plan.from} would be kept: ${plan.keptBecause}.`)
  const certificate = { id: plan.from, targetId: plan.to, entries, keptBecause: plan.keptBecause }
  return { plan, certificate, failures: [], errors: [], unseen: [] }
}

/** The certificates a fresh binding check finds with nothing bound. */
async function freshCheck(
  api: ResourceApi,
  result: ReplaceResult,
  log: Log
): Promise<{ free: string[]; details?: Map<string, BindingDetails> }> {
  const ids = result.certificates.map(c => c.id)
  let fresh: Map<string, BindingDetails>
  try {
    fresh = await api.bindingDetails(ids, true)
  } catch (error) {
    result.errors.push(asError(error, 'CreateCertificateBindResourceSyncTask'))
    log.warning(`The fresh binding check failed: ${errorMessage(error)}; nothing is deleted.`)
    return { free: [] }
  }
  const free: string[] = []
  for (const certificate of result.certificates) {
    const found = fresh.get(certificate.id)
    if (found && found.resources.length === 0 && found.problems.length === 0) {
      // Nothing uses it any more, whatever happened on the way: it may go.
      certificate.keptBecause = null
      free.push(certificate.id)
      continue
    }
    const still = found
      ? [
          found.resources.length > 0 ? `still bound to ${describeResources(found.resources)}` : '',
          ...found.problems
        ]
          .filter(Boolean)
          .join('; ')
      : 'the fresh binding check did not answer for it'
    certificate.keptBecause ??= still
  }
  return { free, details: fresh }
}
