/**
 * The webhook bodies, one per `notify-format`: `json` (the action's own fields), `slack`
 * ({text}), `wecom` (企业微信 robot markdown), `dingtalk` (markdown with a title), `feishu` (text).
 * Chat messages are cut to 4,000 bytes at a line (WeCom's markdown limit is 4,096), keeping the
 * title and the run's link. Pure.
 */
import type { VerifiedEndpoint } from '../reporting/outcome.js'
import { expiringOnly, type Attention, type CertificateNote } from './attention.js'
import type { NotifyFormat } from './settings.js'

const CHAT_BYTES = 4000
/** Entries of one kind shown in a chat message; the rest are counted. */
const CHAT_ITEMS = 20

/** How one chat dialect writes emphasis, code and links. */
export interface Dialect {
  bold(text: string): string
  code(text: string): string
  link(text: string, url: string): string
  escape(text: string): string
  bullet: string
}

/** WeCom's markdown subset: bold, links, inline code; its HTML (`<font>`) is escaped away. */
const WECOM: Dialect = {
  bold: t => `**${t}**`,
  code: t => `\`${t.replace(/`/g, "'")}\``,
  link: (t, url) => `[${t}](${url})`,
  escape: t => t.replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  bullet: '- '
}

const DIALECTS: Record<Exclude<NotifyFormat, 'json'>, Dialect> = {
  // Slack's mrkdwn: &, < and > are its only escapes.
  slack: {
    bold: t => `*${t}*`,
    code: t => `\`${t.replace(/`/g, "'")}\``,
    link: (t, url) => `<${url}|${t}>`,
    escape: t => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    bullet: '• '
  },
  wecom: WECOM,
  // DingTalk's markdown has no inline code.
  dingtalk: { ...WECOM, code: t => t },
  feishu: {
    bold: t => t,
    code: t => t,
    link: (t, url) => `${t}: ${url}`,
    escape: t => t,
    bullet: '- '
  }
}

export function titleOf(a: Attention): string {
  const mode = a.mode ?? 'run'
  return a.status === 'failed'
    ? `Tencent Cloud SSL: ${mode} failed`
    : `Tencent Cloud SSL: certificates need attention (${mode})`
}

/** The JSON body a webhook gets for `format`. */
export function webhookBody(format: NotifyFormat, a: Attention): unknown {
  if (format === 'json') return jsonBody(a)
  const text = chatText(a, DIALECTS[format])
  switch (format) {
    case 'slack':
      return { text }
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: text } }
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: titleOf(a), text } }
    case 'feishu':
      return { msg_type: 'text', content: { text } }
  }
}

/** `json`: the action's own names, as its outputs spell them. */
export function jsonBody(a: Attention): Record<string, unknown> {
  const certificate = (c: CertificateNote) => ({
    id: c.id,
    alias: c.alias,
    domains: c.domains,
    'not-after': c.notAfter || null,
    'superseded-by': c.supersededBy,
    bound: c.bound
  })
  return {
    source: 'tencentcloud-ssl-action',
    mode: a.mode ?? null,
    status: a.status,
    expiring: a.expiring.map(certificate),
    'stale-bound': a.staleBound.map(certificate),
    mismatched: a.mismatched,
    failures: a.failures,
    'run-url': a.runUrl || null
  }
}

/** The chat message: title, one line per thing that needs a person, the run's link. */
export function chatText(a: Attention, d: Dialect): string {
  const title = d.bold(d.escape(titleOf(a)))
  const run = a.runUrl ? d.link(`Run ${a.runName}`, a.runUrl) : ''
  const lines = [
    ...a.failures.map(f => `${d.bullet}${d.bold('Failed')}: ${d.escape(oneLine(f))}`),
    ...capped(expiringOnly(a), c => `${d.bold('Expiring')}: ${certificateText(c, d)}`, d),
    ...capped(a.staleBound, c => `${d.bold('Stale-bound')}: ${staleText(c, d)}`, d),
    ...capped(a.mismatched, e => `${d.bold('Endpoint')}: ${endpointText(e, d)}`, d)
  ]
  const fits = (body: string[]) =>
    Buffer.byteLength([title, ...body, run].join('\n'), 'utf8') <= CHAT_BYTES
  let body = lines
  while (!fits(body) && body.length > 0) body = [...lines.slice(0, body.length - 2), '…']
  if (!fits(body)) body = []
  return [title, ...body, run].filter(line => line !== '').join('\n')
}

function capped<T>(items: T[], line: (item: T) => string, d: Dialect): string[] {
  const shown = items.slice(0, CHAT_ITEMS).map(item => `${d.bullet}${line(item)}`)
  const more = items.length - shown.length
  return more > 0 ? [...shown, `${d.bullet}… and ${more} more`] : shown
}

export function certificateText(c: CertificateNote, d: Dialect): string {
  const names = c.domains.length > 0 ? ` (${d.escape(c.domains.join(', '))})` : ''
  const alias = c.alias ? ` ${d.escape(c.alias)}` : ''
  const date = c.notAfter ? `, not after ${c.notAfter.slice(0, 10)}` : ''
  return `${d.code(c.id)}${alias}${names}${date}`
}

function staleText(c: CertificateNote, d: Dialect): string {
  const by = c.supersededBy ? `, superseded by ${d.code(c.supersededBy)}` : ''
  const used = c.bound !== null ? `, still used by ${c.bound} resource(s)` : ', still in use'
  return `${certificateText(c, d)}${by}${used}`
}

function endpointText(e: VerifiedEndpoint, d: Dialect): string {
  const at = e.address ? ` (${e.address})` : ''
  const detail =
    e.status === 'unreachable'
      ? `unreachable${e.error ? `: ${d.escape(oneLine(e.error))}` : ''}`
      : e.status === 'expiring'
        ? `serves a certificate that expires ${(e['not-after'] ?? '').slice(0, 10)}`
        : 'serves another certificate'
  return `${d.escape(`${e.host}:${e.port}`)}${at} ${detail}`
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ')
