/**
 * The list stage: the account's inventory (run-inventory.ts), read-only, with stale-bound (the
 * binding check for superseded certificates expiring in the window: stale-bound.ts). With
 * `fail-on-expiring`, the step fails naming the certificates that expire with nothing newer or
 * that are stale-bound.
 */
import { renderInventory } from '../inventory/inventory-summary.js'
import { certificateOutput, expiringIds, type InventoryEntry } from '../inventory/inventory.js'
import { findStaleBound, type StaleBoundResult } from '../inventory/stale-bound.js'
import { errorMessage } from '../tencent/errors.js'
import type { Outcome } from '../reporting/outcome.js'
import { runInventory } from '../inventory/run-inventory.js'
import { clientOf, type RunContext } from './context.js'

export async function list(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, io } = ctx
  const inventory = await runInventory(clientOf(ctx), {
    certificateIds: settings.certificateIds,
    searchKey: settings.searchKey,
    source: settings.source,
    certType: settings.certType,
    expiringWithinDays: settings.expiringWithinDays,
    now: ctx.now()
  })
  const stale = await staleBound(ctx, inventory.entries)
  const entries = stale.entries
  outcome.inventory = {
    certificates: entries.map(certificateOutput),
    expiringIds: expiringIds(entries),
    staleBoundIds: stale.staleBoundIds,
    markdown: renderInventory(entries, settings.expiringWithinDays)
  }
  const expiring = entries.filter(e => e.expiring)
  io.log.info(
    `Listed ${entries.length} certificate(s) of ${inventory.accountSize} in the account; ` +
      `${expiring.length} expiring within ${settings.expiringWithinDays} day(s) (nothing newer, ` +
      `or stale-bound).`
  )
  if (stale.noBindingCheck)
    io.log.notice(
      `api '${settings.api}' has no binding check: stale-bound not checked for ${stale.asked} ` +
        `superseded certificate(s) that expire within the window ("bound" is null).`
    )
  for (const u of stale.unchecked)
    io.log.warning(`${u.id}: stale-bound not checked (bound is null): ${u.reason}`)
  for (const e of expiring) io.log.warning(expiringLine(e))
  // Not thrown: the verify stage after this one still reports what the endpoints serve.
  if (settings.failOnExpiring && expiring.length > 0)
    outcome.problems.push(
      `${expiring.length} certificate(s) expire within ${settings.expiringWithinDays} day(s) ` +
        `with nothing newer covering them or are stale-bound: ${expiring.map(e => e.id).join(', ')} ` +
        '(fail-on-expiring).'
    )
}

/** The binding check for stale-bound; a check that could not be made leaves `bound` null, with a
 * warning, and the inventory is still reported. */
async function staleBound(ctx: RunContext, entries: InventoryEntry[]): Promise<StaleBoundResult> {
  const options = { now: ctx.now(), expiringWithinDays: ctx.settings.expiringWithinDays }
  try {
    return await findStaleBound(clientOf(ctx), entries, options)
  } catch (error) {
    ctx.io.log.warning(`stale-bound not checked ("bound" is null): ${errorMessage(error)}`)
    return { entries, staleBoundIds: [], unchecked: [], asked: 0, noBindingCheck: false }
  }
}

function expiringLine(e: InventoryEntry): string {
  const what = `${e.id} (${e.domains.join(', ')}) expires ${e.notAfter.toISOString()}`
  return e.staleBound
    ? `${what}: ${e.supersededBy} supersedes it, but ${e.bound} resource(s) still use it ` +
        '(stale-bound: the renewal did not reach them).'
    : e.newerOfOtherKey
      ? `${what} and nothing newer of the same key algorithm covers it (${e.newerOfOtherKey} covers its names with another).`
      : `${what} and nothing newer covers it.`
}
