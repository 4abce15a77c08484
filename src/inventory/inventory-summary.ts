/**
 * The `list` mode's section of the job summary: counts, then the inventory as a table sorted by
 * expiry with the expiring ones first, cut at ROWS_PER_KIND rows with a count of the rest
 * (GitHub caps a summary at 1 MiB; the `certificates` output has every one). Pure.
 */
import type { InventoryEntry } from './inventory.js'
import { ROWS_PER_KIND, table } from '../reporting/summary.js'

function status(entry: InventoryEntry): string {
  if (entry.staleBound) return 'stale-bound'
  if (entry.expiring) return 'expiring'
  if (entry.expired) return 'expired'
  return entry.supersededBy === null ? 'valid' : 'superseded'
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** `entries` in the order to show (buildInventory's). */
export function renderInventory(
  entries: readonly InventoryEntry[],
  expiringWithinDays: number
): string {
  const count = (kind: string) => entries.filter(e => status(e) === kind).length
  const parts = [
    `### Certificates (${entries.length})`,
    '',
    `${count('expiring')} expiring within ${plural(expiringWithinDays, 'day')} with nothing ` +
      `newer covering them, ` +
      (count('stale-bound') > 0
        ? `${count('stale-bound')} stale-bound (superseded, still used), `
        : '') +
      `${count('expired')} expired, ${count('superseded')} superseded, ` +
      `${count('valid')} valid.`,
    ''
  ]
  if (entries.length === 0) return [...parts, 'No certificate matches the filters.', ''].join('\n')
  const rows = entries
    .slice(0, ROWS_PER_KIND)
    .map(e => [
      status(e),
      e.id,
      e.alias,
      e.domains.join(', '),
      e.notAfter.toISOString().slice(0, 10),
      e.source,
      e.type,
      e.keyAlgorithm ?? 'unknown',
      e.projectId === undefined ? 'unknown' : String(e.projectId),
      e.supersededBy ?? ''
    ])
  const head = [
    'Status',
    'Certificate id',
    'Alias',
    'Domains',
    'Not after',
    'Source',
    'Type',
    'Key',
    'Project',
    'Superseded by'
  ]
  const rest = entries.length - rows.length
  parts.push(table(head, rows), '')
  if (rest > 0) parts.push(`… and ${rest} more, in the \`certificates\` output.`, '')
  return parts.join('\n')
}
