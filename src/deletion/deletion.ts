/**
 * Deletion execution shared by `prune` and `delete`: the binding check first (bound and unchecked
 * certificates are kept back, with the reason), then an optional hook that frees bound
 * certificates (`replace`) followed by a fresh check of those, the `max-deletions` cap, the dry
 * run, the deletion, and every outcome. I/O through the client; failures never stop the other
 * deletions, they are returned for one final message.
 *
 * Pipelined: the entries go in batches of 100, each through its binding check, its poll, its
 * deletion and that poll, several batches at a time. Tencent's limit is per action and the
 * client paces each action on its own, so one batch's deletion overlaps another's check. When
 * the cap could trip (more entries than it allows) or in a dry run, every check answers before
 * anything is deleted, so the whole plan is known first; otherwise a batch is deleted as soon as
 * its check answers, since no outcome of the checks can take the deletions over the cap.
 */
import type { Log } from '../runner/log.js'
import { forEachLimited } from '../concurrency.js'
import { checkMaxDeletions, type PlanEntry } from '../planning/prune-plan.js'
import type { BindingState, DeleteOutcome, SslClient } from '../tencent/client.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import { chunks, errorFor } from '../tencent/read.js'

/** Ids per binding check and per deletion call: the most Tencent's batch calls accept. */
export const BATCH_SIZE = 100
/** Batches in flight at once: enough to keep every action at its rate limit. */
export const BATCHES_IN_FLIGHT = 20

export interface SkippedEntry extends PlanEntry {
  skipReason: string
}

/**
 * The seam for `replace`: called once, after every binding check has answered, with the entries
 * found bound (each with the reason). It moves their resources (in a dry run: works out what it
 * would move) and returns the entries it freed; the others stay skipped with their reason. Freed
 * entries get a fresh binding check (`IsCache=0`) before they are deleted (in a dry run, they are
 * reported as would-be deleted).
 */
export type BoundHook = ((
  bound: SkippedEntry[],
  context: { dryRun: boolean }
) => Promise<PlanEntry[]>) & {
  /**
   * The bound entries whose resources the hook would move, to be deleted afterwards: they count
   * towards `max-deletions` before anything moves. Over the cap, the plan is refused (a dry run
   * too) and nothing moves. Absent: none are counted.
   */
  movable?: (bound: SkippedEntry[]) => PlanEntry[]
}

export interface DeletionOptions {
  maxDeletions: number
  dryRun: boolean
  /** Batches of up to 100 ids worked on at once (default BATCHES_IN_FLIGHT). */
  batchesInFlight?: number
  onBound?: BoundHook
}

export interface DeletionResult {
  /** Deleted (in a dry run: would be), including those already gone (also listed in `gone`). */
  deleted: PlanEntry[]
  /** Ids of `deleted` that no longer existed when this run got to them (deleted elsewhere).
   * Always set by executeDeletion; optional so that hand-made results may leave it out. */
  gone?: string[]
  /** Kept back and still in the account: bound, not checked, or refused by the API. */
  skipped: SkippedEntry[]
  /**
   * What fails the step: deletions whose outcome is unknown, and refusals that are configuration
   * problems (CAM, the service role) or calls the API refused outright. A refused certificate is
   * still in the account, so it is also in `skipped`.
   */
  failed: { entry: PlanEntry; error: TencentApiError }[]
  /** Set when the deletions would exceed max-deletions: nothing was deleted, and this says why. */
  refused?: { message: string; planned: PlanEntry[] }
}

export async function executeDeletion(
  client: SslClient,
  entries: readonly PlanEntry[],
  options: DeletionOptions,
  log: Log
): Promise<DeletionResult> {
  const planned = [...new Map(entries.map(e => [e.id, e])).values()]
  const record = new Outcomes(client, log)
  const inFlight = Math.max(1, options.batchesInFlight ?? BATCHES_IN_FLIGHT)
  const streaming = !options.dryRun && planned.length <= options.maxDeletions
  const hook = options.onBound
  // Free entries waiting for the cap (when not streaming), and bound ones waiting for the hook.
  const held: PlanEntry[] = []
  const bound: SkippedEntry[] = []

  // Bound entries wait for the hook on the first check; after it, they are skipped.
  let hookPending = hook !== undefined
  const check = async (batch: PlanEntry[]): Promise<PlanEntry[]> => {
    const states = await record.bindings(batch)
    const free: PlanEntry[] = []
    for (const entry of batch) {
      // An id the answer left out is not checked, never free.
      const state = states.get(entry.id) ?? unanswered(entry.id)
      if (state.bound === false) free.push(entry)
      else if (state.bound === 'gone') record.gone(entry)
      else if (state.bound === true && hookPending)
        bound.push({ ...entry, skipReason: state.reason })
      else if (state.bound === true) record.skip(entry, state.reason, undefined, boundHint(state))
      else record.skip(entry, state.reason, state.error)
    }
    return free
  }
  const remove = (batch: PlanEntry[]): Promise<void> => record.delete(batch)
  const pass = async (batch: PlanEntry[]): Promise<void> => {
    const free = await check(batch)
    if (streaming) await remove(free)
    else held.push(...free)
  }

  await forEachLimited(chunks(planned, BATCH_SIZE), inFlight, pass)

  if (hook && bound.length > 0) {
    // The moves count as deletions to come: a plan over the cap moves nothing.
    const moving = new Set((hook.movable?.(bound) ?? []).map(e => e.id))
    if (!streaming && held.length + moving.size > options.maxDeletions) {
      const counted: PlanEntry[] = [...held]
      for (const { skipReason, ...entry } of bound)
        if (moving.has(entry.id)) counted.push(entry)
        else record.skip(entry, skipReason)
      return record.result(planned, refusal(counted, options.maxDeletions, moving.size))
    }
    hookPending = false
    const freed = await record.free(hook, bound, { dryRun: options.dryRun })
    if (options.dryRun) held.push(...freed)
    else {
      log.info(`Checking the bindings of ${freed.length} freed certificate(s) again.`)
      await forEachLimited(chunks(freed, BATCH_SIZE), inFlight, pass)
    }
  }

  if (!streaming) {
    const over = refusal(held, options.maxDeletions)
    if (over) return record.result(planned, over)
    if (options.dryRun) for (const entry of held) record.wouldDelete(entry)
    else await forEachLimited(chunks(held, BATCH_SIZE), inFlight, remove)
  }
  return record.result(planned)
}

const unanswered = (id: string): BindingState => ({
  id,
  bound: 'unknown',
  reason: 'not checked: the binding check gave no answer for it'
})

/** Where a bound certificate's resources are (type, region, count, as the binding answer
 * counts them), and how to free it. */
function boundHint(state: Extract<BindingState, { bound: true }>): string {
  const places = (state.places ?? []).map(
    p => `${p.type}${p.region ? ` in ${p.region}` : ''} (${p.count})`
  )
  const where = places.length > 0 ? ` (resources: ${places.join(', ')})` : ''
  return (
    `${where}; to free it, move its resources onto a newer certificate: ` +
    '`prune` or `sync` with `replace: true` does that, then deletes it'
  )
}

/** The cap's verdict on the deletions that would be attempted; undefined when within it. */
function refusal(planned: PlanEntry[], max: number, moving = 0): DeletionResult['refused'] {
  try {
    checkMaxDeletions({ delete: planned }, max)
    return undefined
  } catch (error) {
    const moves =
      moving > 0
        ? ` ${moving} of them are still bound: replace would move their resources first, and ` +
          'nothing was moved.'
        : ''
    return { message: errorMessage(error) + moves, planned }
  }
}

/** The outcomes as they arrive, logged once each; the result in the plan's order. */
class Outcomes {
  private readonly deleted: PlanEntry[] = []
  private readonly goneIds: string[] = []
  private readonly skipped: SkippedEntry[] = []
  private readonly failed: DeletionResult['failed'] = []
  private noCheckNoted = false

  constructor(
    private readonly client: SslClient,
    private readonly log: Log
  ) {}

  /** Binding states by id; a check that threw leaves every entry "not checked". */
  async bindings(batch: PlanEntry[]): Promise<Map<string, BindingState>> {
    const ids = batch.map(e => e.id)
    let states: BindingState[] | null
    try {
      states = await this.client.checkBindings(ids, { fresh: true })
    } catch (error) {
      const reason = `the binding check failed: ${errorMessage(error)}`
      states = ids.map(id => ({ id, bound: 'unknown', reason }))
    }
    if (states === null) {
      if (!this.noCheckNoted)
        this.log.debug(
          'This API has no read-only binding check; CertDelete refuses CLB, CDN and BM bindings.'
        )
      this.noCheckNoted = true
      return new Map(ids.map(id => [id, { id, bound: false }]))
    }
    const byId = new Map(states.map(s => [s.id, s]))
    for (const id of ids) if (!byId.has(id)) byId.set(id, unanswered(id))
    return byId
  }

  async delete(batch: PlanEntry[]): Promise<void> {
    if (batch.length === 0) return
    const operation = this.client.api === '2.0' ? 'CertDelete' : 'DeleteCertificates'
    let outcomes: DeleteOutcome[]
    try {
      outcomes = await this.client.deleteCertificates(batch.map(e => e.id))
    } catch (error) {
      for (const entry of batch) this.fail(entry, errorFor(error, operation, entry.id))
      return
    }
    const byId = new Map(outcomes.map(o => [o.id, o]))
    for (const entry of batch) {
      const outcome = byId.get(entry.id)
      if (outcome === undefined) {
        const error = new TencentApiError({
          operation,
          code: 'MalformedResponse',
          message: 'the API gave no outcome for this certificate; check it in the console',
          subject: entry.id
        })
        this.fail(entry, error)
      } else if (outcome.result === 'deleted') {
        this.deleted.push(entry)
        this.log.info(`Deleted ${describe(entry)}.`)
      } else if (outcome.result === 'gone') this.gone(entry)
      else if (outcome.result === 'skipped') this.skip(entry, outcome.reason, outcome.error)
      else this.fail(entry, outcome.error)
    }
  }

  /** Runs the hook; the bound entries it did not free are skipped with their reason. */
  async free(
    hook: BoundHook,
    bound: SkippedEntry[],
    context: { dryRun: boolean }
  ): Promise<PlanEntry[]> {
    const freed = new Set((await hook(bound, context)).map(e => e.id))
    const result: PlanEntry[] = []
    for (const { skipReason, ...entry } of bound) {
      if (freed.has(entry.id)) result.push(entry)
      else this.skip(entry, skipReason)
    }
    return result
  }

  gone(entry: PlanEntry): void {
    this.deleted.push(entry)
    this.goneIds.push(entry.id)
    this.log.info(`${describe(entry)} was already gone (deleted elsewhere).`)
  }

  wouldDelete(entry: PlanEntry): void {
    this.deleted.push(entry)
  }

  /** `hint`: more for the log (where the resources are, what to do). */
  skip(entry: PlanEntry, reason: string, error?: TencentApiError, hint = ''): void {
    this.skipped.push({ ...entry, skipReason: reason })
    this.log.warning(`Skipped ${describe(entry)}: ${reason}${hint}.`)
    if (error) this.fail(entry, error)
  }

  fail(entry: PlanEntry, error: TencentApiError): void {
    this.failed.push({ entry, error })
  }

  result(planned: PlanEntry[], refused?: DeletionResult['refused']): DeletionResult {
    const rank = new Map(planned.map((e, i) => [e.id, i]))
    const byPlan =
      <T>(idOf: (item: T) => string) =>
      (a: T, b: T) =>
        (rank.get(idOf(a)) ?? 0) - (rank.get(idOf(b)) ?? 0)
    const result: DeletionResult = {
      deleted: refused ? [] : [...this.deleted].sort(byPlan(e => e.id)),
      gone: [...this.goneIds].sort(byPlan(id => id)),
      skipped: [...this.skipped].sort(byPlan(e => e.id)),
      failed: [...this.failed].sort(byPlan(f => f.entry.id))
    }
    if (refused) result.refused = refused
    return result
  }
}

export function describe(entry: Pick<PlanEntry, 'id' | 'domains' | 'notAfter'>): string {
  const time = entry.notAfter.getTime()
  const notAfter = Number.isNaN(time) ? 'unknown' : entry.notAfter.toISOString().slice(0, 10)
  const domains = entry.domains.length > 0 ? entry.domains.join(', ') : 'no domains listed'
  return `${entry.id} (${domains}; not after ${notAfter})`
}
