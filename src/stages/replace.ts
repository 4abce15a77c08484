/**
 * `replace` inside the prune stage (prune, sync; API 3.0): which certificate each superseded one's
 * resources move to, the hook that moves them before the deletion (replace.ts does the moving,
 * deletion.ts the fresh check), and the move of superseded certificates that `keep` or
 * `expired-only` keep. Nothing here decides what is deleted.
 */
import type { BoundHook, SkippedEntry } from '../deletion/deletion.js'
import type { Outcome } from '../reporting/outcome.js'
import type { PlanEntry, PrunePlan } from '../planning/prune-plan.js'
import { replaceResources, type ReplaceResult } from '../resources/replace.js'
import { resourceFailureMessage } from '../reporting/resource-report.js'
import { resourceKey } from '../resources/resource-types.js'
import { errorMessage } from '../tencent/errors.js'
import { resourcesOf, type RunContext } from './context.js'

/** The placeholder id the planner gets for a dry run's not-yet-uploaded certificate. */
export const NOT_UPLOADED = '(new certificate)'

/**
 * The target of an entry, undefined when it has none: the plan pool's move target (in sync the
 * certificate just uploaded, in prune the newest superseder; either way valid and of the entry's
 * own known key algorithm), null in a dry run before the upload (no id yet). Never a certificate
 * this run deletes.
 */
function targetOf(
  entry: PlanEntry,
  plan: PrunePlan,
  deleting: ReadonlySet<string>,
  uploaded: string | undefined
): string | null | undefined {
  const target = plan.pool?.moveTarget(entry.id).id
  if (!target || deleting.has(target) || (uploaded !== undefined && target !== uploaded))
    return undefined
  return target === NOT_UPLOADED ? null : target
}

export class Replacement {
  private readonly results: ReplaceResult[] = []
  /** Each resource is retried at most once per run, across every move. */
  private readonly retried = new Set<string>()
  /** Each certificate's resources are moved once per run. */
  private readonly moved = new Set<string>()

  /** `uploaded`: sync's certificate (its id, or NOT_UPLOADED in a dry run); undefined in prune. */
  constructor(
    private readonly ctx: RunContext,
    private readonly outcome: Outcome,
    private readonly uploaded: string | undefined
  ) {}

  private get options() {
    const { settings } = this.ctx
    if (settings.replace === false) throw new Error('internal: replace is off')
    return {
      scope: settings.replace,
      timeoutMs: settings.replaceTimeoutMs,
      rollbackOnFailure: settings.rollbackOnFailure,
      dryRun: settings.dryRun
    }
  }

  private async move(entries: PlanEntry[], plan: PrunePlan): Promise<ReplaceResult> {
    const deleting = new Set(plan.delete.map(e => e.id))
    const targets = entries.flatMap(entry => {
      const targetId = targetOf(entry, plan, deleting, this.uploaded)
      if (targetId === undefined || this.moved.has(entry.id)) return []
      this.moved.add(entry.id)
      return [{ id: entry.id, targetId }]
    })
    const result = await replaceResources(resourcesOf(this.ctx), targets, this.options, {
      clock: this.ctx.deps,
      log: this.ctx.io.log,
      retried: this.retried,
      supersedes: plan.pool?.supersedes
    })
    this.results.push(result)
    // One entry per resource, with its final status: a later word replaces an earlier one.
    const last = new Map(result.replaced.map(e => [resourceKey(e), e]))
    const kept = this.outcome.replaced.filter(e => !last.has(resourceKey(e)))
    this.outcome.replaced.splice(0, this.outcome.replaced.length, ...kept, ...last.values())
    return result
  }

  /** deletion.ts's hook: moves the bound certificates' resources; answers the ones now free.
   * Its `movable` ones count towards max-deletions before anything moves (deletion.ts). */
  hook(plan: PrunePlan): BoundHook {
    const deleting = new Set(plan.delete.map(e => e.id))
    const hook = async (bound: SkippedEntry[]) => {
      const result = await this.move(bound, plan)
      const reasons = new Map(result.certificates.map(c => [c.id, c.keptBecause]))
      for (const entry of bound) {
        const reason = reasons.get(entry.id)
        if (reason) entry.skipReason = reason
        // Superseded, but by no certificate its resources may move onto: it stays, and says why.
        const why = plan.pool?.moveTarget(entry.id).why
        if (why && !reasons.has(entry.id)) entry.skipReason = `${entry.skipReason}; ${why}`
      }
      const free = new Set(result.free)
      return bound.filter(entry => free.has(entry.id))
    }
    return Object.assign(hook, {
      movable: (bound: SkippedEntry[]) =>
        bound.filter(e => targetOf(e, plan, deleting, this.uploaded) !== undefined)
    })
  }

  /** Superseded certificates that keep or expired-only keep still have their resources moved. */
  async moveKept(plan: PrunePlan): Promise<void> {
    const deleting = new Set(plan.delete.map(e => e.id))
    const kept = plan.keep.filter(
      entry => targetOf(entry, plan, deleting, this.uploaded) !== undefined
    )
    if (kept.length > 0) await this.move(kept, plan)
  }

  /** Resources that did not move, and calls that failed: the step fails with them. */
  problems(): string[] {
    // A resource's failure counts while its final entry still says so.
    const final = new Map(this.outcome.replaced.map(e => [resourceKey(e), e]))
    const failures = [
      ...new Map(
        this.results
          .flatMap(r => r.failures)
          .filter(f => {
            const e = final.get(resourceKey(f))
            return e !== undefined && (e.status === 'failed' || e.error !== null)
          })
          .map(f => [resourceKey(f), f])
      ).values()
    ]
    const errors = this.results.flatMap(r => r.errors)
    return [
      ...(failures.length > 0 ? [resourceFailureMessage(failures, 'move')] : []),
      ...errors.map(e => errorMessage(e))
    ]
  }
}
