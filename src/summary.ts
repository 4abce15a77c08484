/** The job summary as GitHub-flavoured Markdown tables: the certificate, then the pruning plan. */
import type { PlanEntry } from './prune-plan.js'

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
  scope: string[]
  deleted: PlanEntry[]
  kept: PlanEntry[]
  skipped: (PlanEntry & { skipReason: string })[]
  failed: { entry: PlanEntry; reason: string }[]
  /** Over max-deletions: planned, refused, nothing deleted. */
  refused: PlanEntry[]
}

export interface Report {
  title: string
  api: string
  certificate?: CertificateReport
  prune?: PruneReport
  error?: string
}

const escapeCell = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')

const day = (d: Date): string => d.toISOString().slice(0, 10)

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n')
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
  const prune = report.prune
  if (prune) {
    const row = (action: string, e: PlanEntry, reason: string): string[] => [
      action,
      e.id,
      e.domains.join(', '),
      day(e.notAfter),
      reason
    ]
    const rows: string[][] = [
      ...prune.deleted.map(e => row(prune.dryRun ? 'would delete' : 'deleted', e, e.reason)),
      ...prune.refused.map(e => row('not deleted: over max-deletions', e, e.reason)),
      ...prune.skipped.map(e => row('skipped', e, e.skipReason)),
      ...prune.failed.map(f => row('failed', f.entry, f.reason)),
      ...prune.kept.map(e => row('kept', e, e.reason))
    ]
    parts.push(
      `### Pruning plan${prune.dryRun ? ' (dry run: nothing was deleted)' : ''}`,
      '',
      `Scope: ${escapeCell(prune.scope.join(', '))}`,
      ''
    )
    parts.push(
      rows.length > 0
        ? table(['Action', 'Certificate id', 'Domains', 'Not after', 'Reason'], rows)
        : 'No uploaded certificate is in scope.',
      ''
    )
  }
  parts.push(`API ${escapeCell(report.api)}`)
  return parts.join('\n') + '\n'
}
