/**
 * The notification issue's text: its title, the hidden marker that finds it again, a body of
 * tables (what needs a person, with ids, names, dates and the run's link), and the comment that
 * closes it. Pure.
 */
import type { VerifiedEndpoint } from '../reporting/outcome.js'
import { expiringOnly, type Attention, type CertificateNote } from './attention.js'

export const ISSUE_TITLE = 'Tencent Cloud certificates need attention'
/** In every body the action writes; with the label, what tells its issue from a person's. */
export const ISSUE_MARKER = '<!-- tencentcloud-ssl-action:notify -->'
/** GitHub refuses bodies over 65,536 characters: rows beyond these are counted, not shown. */
const ROWS = 100
const RUN_LINE = 'Reported by '

export function issueBody(a: Attention): string {
  // The mode is unknown when the `mode` input itself was bad.
  const mode = a.mode ? ` \`${a.mode}\`` : ''
  const sections = [
    ISSUE_MARKER,
    '`tencentcloud-ssl-action` found what needs a person. It ' +
      'keeps this issue current and closes it when a `list` run finds nothing to report.',
    a.failures.length > 0 ? failureSection(a.failures, mode) : '',
    table(
      `Expiring with nothing newer (${expiringOnly(a).length})`,
      ['id', 'alias', 'domains', 'not after'],
      expiringOnly(a).map(c => [code(c.id), c.alias, c.domains.join(', '), day(c.notAfter)])
    ),
    table(
      `Stale-bound: superseded, still used (${a.staleBound.length})`,
      ['id', 'alias', 'domains', 'not after', 'superseded by', 'resources'],
      a.staleBound.map(staleRow)
    ),
    table(
      `Endpoints that do not serve what they should (${a.mismatched.length})`,
      ['endpoint', 'status', 'served certificate not after', 'error'],
      a.mismatched.map(endpointRow)
    ),
    a.runUrl
      ? `${RUN_LINE}[run ${a.runName}](${a.runUrl}) (${mode ? `${mode.trim()} mode` : 'mode unknown'}).`
      : ''
  ]
  return sections.filter(s => s !== '').join('\n\n') + '\n'
}

/**
 * Whether two bodies report the same thing: the run line aside, so that a run that finds what
 * the last one found leaves the issue alone.
 */
export function sameReport(a: string, b: string): boolean {
  const state = (body: string) =>
    body
      .replace(/\r\n/g, '\n')
      .split('\n')
      .filter(line => !line.startsWith(RUN_LINE))
      .join('\n')
      .trim()
  return state(a) === state(b)
}

export function closingComment(a: Attention): string {
  const run = a.runUrl ? `[Run ${a.runName}](${a.runUrl})` : 'The last `list` run'
  return `${run} found nothing that needs a person: no certificate expiring with nothing newer, none stale-bound, no endpoint mismatch. Closing.`
}

function failureSection(failures: string[], mode: string): string {
  const quoted = failures.map(f =>
    f
      .split(/\r?\n/)
      .map(line => `> ${line}`)
      .join('\n')
  )
  return [`### The${mode} run failed`, ...quoted].join('\n\n')
}

function staleRow(c: CertificateNote): string[] {
  return [
    code(c.id),
    c.alias,
    c.domains.join(', '),
    day(c.notAfter),
    c.supersededBy ? code(c.supersededBy) : '',
    c.bound === null ? 'not checked' : String(c.bound)
  ]
}

function endpointRow(e: VerifiedEndpoint): string[] {
  const at = e.address ? ` (${e.address})` : ''
  return [`${e.host}:${e.port}${at}`, e.status, day(e['not-after'] ?? ''), e.error ?? '']
}

function table(title: string, head: string[], rows: string[][]): string {
  if (rows.length === 0) return ''
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`
  const shown = rows.slice(0, ROWS).map(line)
  const more = rows.length - ROWS
  return [
    `### ${title}`,
    '',
    line(head),
    `| ${head.map(() => '---').join(' | ')} |`,
    ...shown,
    ...(more > 0 ? ['', `… and ${more} more: see the run's job summary.`] : [])
  ].join('\n')
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string =>
  text.replace(/\s*\r?\n\s*/g, ' ').replace(/\|/g, '\\|') || '—'
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``
const day = (iso: string): string => iso.slice(0, 10)
