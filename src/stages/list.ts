/**
 * The list stage: the account's inventory (run-inventory.ts), read-only. With
 * `fail-on-expiring`, the step fails naming the certificates that expire with nothing newer.
 */
import { renderInventory } from '../inventory/inventory-summary.js'
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
  outcome.inventory = {
    certificates: inventory.certificates,
    expiringIds: inventory.expiringIds,
    staleBoundIds: [],
    markdown: renderInventory(inventory.entries, settings.expiringWithinDays)
  }
  const expiring = inventory.entries.filter(e => e.expiring)
  io.log.info(
    `Listed ${inventory.entries.length} certificate(s) of ${inventory.accountSize} in the account; ` +
      `${expiring.length} expiring within ${settings.expiringWithinDays} day(s) with nothing newer.`
  )
  for (const e of expiring)
    io.log.warning(
      `${e.id} (${e.domains.join(', ')}) expires ${e.notAfter.toISOString()} and ` +
        (e.newerOfOtherKey
          ? `nothing newer of the same key algorithm covers it (${e.newerOfOtherKey} covers its names with another).`
          : 'nothing newer covers it.')
    )
  if (settings.failOnExpiring && expiring.length > 0)
    throw new Error(
      `${expiring.length} certificate(s) expire within ${settings.expiringWithinDays} day(s) ` +
        `with nothing newer covering them: ${expiring.map(e => e.id).join(', ')} (fail-on-expiring).`
    )
}
