/**
 * The job summary as GitHub-flavoured Markdown tables: the certificate, the resources moved or
 * deployed, the pruning plan, and in list mode the inventory. Pure.
 */
import { RESOURCE_COLUMNS, resourceRows, type ReplacedEntry } from './resource-report.js'
import { NOT_FOUND_REASON } from '../deletion/delete-ids.js'
import type { PlanEntry } from '../planning/prune-plan.js'
import type { VerifiedEndpoint } from './outcome.js'

export interface CertificateReport {
  id: string
  domains: string[]
  notAfter: Date
  fingerprint: string
  /** 'reused', 'new', or a dry-run description. */
  state: string
}

export interface PruneReport {
  dryRun: boolean
  /** `delete`: deleting the ids of certificate-ids (then `scope` lists them); absent: pruning. */
  kind?: 'prune' | 'delete'
  scope: string[]
  deleted: PlanEntry[]
  kept: PlanEntry[]
  skipped: (PlanEntry & { skipReason: string })[]
  failed: { entry: PlanEntry; reason: string }[]
  /** Over max-deletions: planned, refused, nothing deleted. */
  refused: PlanEntry[]
  /** `delete`: named ids that are not in the account. */
  notFound?: string[]
}

export interface Report {
  title: string
  api: string
  certificate?: CertificateReport
  prune?: PruneReport
  replaced?: ReplacedEntry[]
  /** `list`: the inventory, already rendered. */
  inventory?: string
  /** `verify`: what each endpoint served. */
  verified?: VerifiedEndpoint[]
  error?: string
}

export const escapeCell = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')

/** `YYYY-MM-DD`, or `unknown` when the API gave no readable date (delete mode). */
const day = (d: Date): string =>
  Number.isNaN(d.getTime()) ? 'unknown' : d.toISOString().slice(0, 10)

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n')
}

/** Rows shown per kind (deleted, skipped, kept...): enough for any real plan, and bounded. */
export const ROWS_PER_KIND = 200

function capped<T>(items: T[], toRow: (item: T) => string[]): string[][] {
  const rows = items.slice(0, ROWS_PER_KIND).map(toRow)
  if (items.length > ROWS_PER_KIND) {
    const action = rows[0][0]
    rows.push([action, `… and ${items.length - ROWS_PER_KIND} more`, '', '', 'listed in the log'])
  }
  return rows
}

export function renderSummary(report: Report): string {
  const parts = [`## ${escapeCell(report.title)}`, '']
  if (report.error) parts.push(`**Failed:** ${escapeCell(report.error)}`, '')
  const cert = report.certificate
  if (cert) {
    parts.push(
      '### Certificate',
      '',
      table(
        ['Certificate id', 'Domains', 'Not after (UTC)', 'Upload', 'SHA-256 fingerprint'],
        [
          [
            cert.id || '—',
            cert.domains.join(', '),
            cert.notAfter.toISOString(),
            cert.state,
            cert.fingerprint
          ]
        ]
      ),
      ''
    )
  }
  const resources = report.replaced ?? []
  if (resources.length > 0) {
    const rows = resourceRows(resources.slice(0, ROWS_PER_KIND))
    if (resources.length > ROWS_PER_KIND)
      rows.push([
        '…',
        '',
        `and ${resources.length - ROWS_PER_KIND} more`,
        '',
        '',
        '',
        'listed in the log'
      ])
    parts.push('### Resources', '', table(RESOURCE_COLUMNS, rows), '')
  }
  if (report.inventory) parts.push(report.inventory, '')
  const prune = report.prune
  if (prune) {
    const row = (action: string, e: PlanEntry, reason: string): string[] => [
      action,
      e.id,
      e.domains.join(', '),
      day(e.notAfter),
      reason
    ]
    // GitHub caps a step's summary at 1 MiB: each kind of row is cut at ROWS_PER_KIND, with a
    // count of the rest (the log has every line).
    const rows: string[][] = [
      ...capped(prune.deleted, e => row(prune.dryRun ? 'would delete' : 'deleted', e, e.reason)),
      ...capped(prune.refused, e => row('not deleted: over max-deletions', e, e.reason)),
      ...capped(prune.skipped, e => row('skipped', e, e.skipReason)),
      ...capped(prune.failed, f => row('failed', f.entry, f.reason)),
      ...capped(prune.kept, e => row('kept', e, e.reason)),
      ...capped(prune.notFound ?? [], id => ['not found', id, '', '', NOT_FOUND_REASON])
    ]
    const given = prune.kind === 'delete'
    parts.push(
      `### ${given ? 'Deleting the given ids' : 'Pruning plan'}${prune.dryRun ? ' (dry run: nothing was deleted)' : ''}`,
      '',
      `${given ? 'certificate-ids' : 'Scope'}: ${escapeCell(prune.scope.join(', '))}`,
      ''
    )
    const none = given
      ? 'None of the given ids is in the account.'
      : 'No uploaded certificate is in scope.'
    parts.push(
      rows.length > 0
        ? table(['Action', 'Certificate id', 'Domains', 'Not after', 'Reason'], rows)
        : none,
      ''
    )
  }
  const verified = report.verified ?? []
  if (verified.length > 0) parts.push('### Verified endpoints', '', verifiedTable(verified), '')
  parts.push(`API ${escapeCell(report.api)}`)
  return parts.join('\n') + '\n'
}

/** What each endpoint served over TLS (promise 9), capped like the other tables. */
function verifiedTable(verified: VerifiedEndpoint[]): string {
  const rows = verified
    .slice(0, ROWS_PER_KIND)
    .map(v => [
      v.host,
      String(v.port),
      v.address ?? 'DNS',
      v.status,
      v.fingerprint ?? '—',
      v['not-after'] ?? '—',
      v.error ?? ''
    ])
  if (verified.length > ROWS_PER_KIND)
    rows.push([
      `… and ${verified.length - ROWS_PER_KIND} more`,
      '',
      '',
      '',
      '',
      '',
      'in the output'
    ])
  return table(
    ['Host', 'Port', 'Address', 'Status', 'Served SHA-256', 'Not after (UTC)', 'Error'],
    rows
  )
}
