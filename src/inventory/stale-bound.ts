/**
 * Stale-bound: a certificate that a newer one supersedes but that resources still use (the
 * renewal never reached them: the classic outage once it lapses). `list` asks the read-only
 * binding check (the one pruning uses) only for the superseded certificates that expire within
 * the window, a handful rather than the account, and counts the bound ones as expiring.
 */
import { byExpiryExpiringFirst, type InventoryEntry } from './inventory.js'
import type { BindingState, SslClient } from '../tencent/client.js'

const DAY_MS = 86_400_000

export interface StaleBoundResult {
  /** The entries with `bound` set where checked, stale-bound ones expiring; re-sorted. */
  entries: InventoryEntry[]
  staleBoundIds: string[]
  /** Candidates the check could not settle, with the reason (bound stays null). */
  unchecked: { id: string; reason: string }[]
  /** How many were asked about; 0 when none was a candidate. */
  asked: number
  /** The API has no binding check (2.0): nothing could be asked. */
  noBindingCheck: boolean
}

/** Superseded, not expired, and expiring within the window: the ones worth a binding check. */
export function staleBoundCandidates(
  entries: readonly InventoryEntry[],
  now: Date,
  expiringWithinDays: number
): InventoryEntry[] {
  const horizon = now.getTime() + expiringWithinDays * DAY_MS
  return entries.filter(
    e => e.supersededBy !== null && !e.expired && e.notAfter.getTime() <= horizon
  )
}

/** Marks what the states say: `bound` counts, a bound one stale-bound and expiring. Pure. */
export function applyBindings(
  entries: readonly InventoryEntry[],
  states: readonly BindingState[]
): InventoryEntry[] {
  const byId = new Map(states.map(s => [s.id, s]))
  return entries
    .map(entry => {
      const state = byId.get(entry.id)
      if (!state) return entry
      const bound = state.bound === true ? state.resources : state.bound === false ? 0 : null
      const staleBound = bound !== null && bound > 0
      return { ...entry, bound, staleBound, expiring: entry.expiring || staleBound }
    })
    .sort(byExpiryExpiringFirst)
}

export async function findStaleBound(
  client: Pick<SslClient, 'checkBindings'>,
  entries: readonly InventoryEntry[],
  options: { now: Date; expiringWithinDays: number }
): Promise<StaleBoundResult> {
  const candidates = staleBoundCandidates(entries, options.now, options.expiringWithinDays)
  const result = (states: BindingState[], noBindingCheck: boolean): StaleBoundResult => {
    const marked = applyBindings(entries, states)
    return {
      entries: marked,
      staleBoundIds: marked.filter(e => e.staleBound).map(e => e.id),
      unchecked: states.flatMap(s =>
        s.bound === 'unknown'
          ? [{ id: s.id, reason: s.reason }]
          : s.bound === 'gone'
            ? [{ id: s.id, reason: 'deleted meanwhile' }]
            : []
      ),
      asked: candidates.length,
      noBindingCheck
    }
  }
  if (candidates.length === 0) return result([], false)
  const states = await client.checkBindings(candidates.map(e => e.id))
  return states === null ? result([], true) : result(states, false)
}
