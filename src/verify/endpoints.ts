/**
 * The `verify` and `verify-timeout` inputs, parsed before any request. Pure.
 *
 * `verify` is one endpoint per line, `HOST[:PORT][=ADDRESS[:PORT]]` (port 443 by default;
 * `=ADDRESS` connects there and sends HOST as the server name, like curl's `--resolve`; IPv6
 * literals in brackets), or `true` in upload/sync for every non-wildcard name of the certificate.
 */
import { InputError } from '../settings/input-error.js'

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** 4 or 6 for an IP literal (IPv6 without brackets), 0 for anything else (as node:net's isIP,
 * which src/ does not load: it is a network module). */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4
  if (!text.includes(':') || !/^[0-9a-f:.]+$/i.test(text)) return 0
  try {
    return new URL(`tls://[${text}]/`).hostname !== '' ? 6 : 0
  } catch {
    return 0
  }
}

export interface Endpoint {
  /** The server name sent in the ClientHello (lower-case; an IP literal sends none). */
  host: string
  /** The port connected to. */
  port: number
  /** Where to connect instead of resolving `host` by DNS; null: DNS. */
  address: string | null
}

/** `verify` as read: nothing, the certificate's own names (`true`), or these endpoints. */
export type VerifySetting =
  { kind: 'none' } | { kind: 'certificate-names' } | { kind: 'endpoints'; endpoints: Endpoint[] }

export const VERIFY_TIMEOUT_DEFAULT_S = 300
const VERIFY_TIMEOUT_MAX_S = 3600
const DEFAULT_PORT = 443
const NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/
const FORMAT =
  'HOST[:PORT][=ADDRESS[:PORT]], one per line, e.g. www.example.com or www.example.com=203.0.113.7'

/** `true` is allowed in upload and sync only: it names the uploaded certificate's names. */
export function parseVerify(raw: string, mode: string): VerifySetting {
  const lines = raw
    .split(/\r?\n/)
    .map((text, index) => ({ line: text.trim(), number: index + 1 }))
    .filter(l => l.line !== '')
  if (lines.length === 0) return { kind: 'none' }
  if (lines.length === 1 && /^false$/i.test(lines[0].line)) return { kind: 'none' }
  if (lines.some(l => /^true$/i.test(l.line))) {
    if (mode !== 'upload' && mode !== 'sync')
      throw new InputError(
        'verify',
        `'true' (the uploaded certificate's names) is for upload and sync; in ${mode} mode give the endpoints as ${FORMAT}`
      )
    if (lines.length > 1)
      throw new InputError('verify', `'true' stands alone; or list the endpoints as ${FORMAT}`)
    return { kind: 'certificate-names' }
  }
  const endpoints: Endpoint[] = []
  const seen = new Set<string>()
  for (const { line, number } of lines) {
    const endpoint = parseEndpointLine(line, `line ${number} '${line}'`)
    const key = `${endpoint.host}|${endpoint.port}|${endpoint.address ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    endpoints.push(endpoint)
  }
  return { kind: 'endpoints', endpoints }
}

export function parseEndpointLine(line: string, where: string): Endpoint {
  const fail = (problem: string): never => {
    throw new InputError('verify', `${where}: ${problem}`)
  }
  const eq = line.indexOf('=')
  const left = splitHostPort(eq < 0 ? line : line.slice(0, eq), fail)
  if (left.host === '') fail(`the host is empty; write ${FORMAT}`)
  if (left.host.includes('*'))
    fail(
      'a wildcard is not a host a client connects to; name one host it covers, e.g. www.example.com'
    )
  checkHost(left.host, 'host', fail)
  const hostPort = left.port ?? DEFAULT_PORT
  if (eq < 0) return { host: left.host, port: hostPort, address: null }
  const right = splitHostPort(line.slice(eq + 1), fail)
  if (right.host === '') fail(`the address after '=' is empty; write ${FORMAT}`)
  checkHost(right.host, 'address', fail)
  return { host: left.host, port: right.port ?? hostPort, address: right.host }
}

/** `name`, `name:port`, `[v6]`, `[v6]:port`; a bare IPv6 literal is refused (ambiguous). */
function splitHostPort(
  text: string,
  fail: (problem: string) => never
): { host: string; port?: number } {
  const part = text.trim()
  let host = part
  let port: string | undefined
  if (part.startsWith('[')) {
    const close = part.indexOf(']')
    if (close < 0) fail(`'${part}': an IPv6 address needs its closing ']'`)
    host = part.slice(1, close)
    const rest = part.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(`'${part}': write [IPv6]:PORT`)
      port = rest.slice(1)
    }
    if (ipVersion(host) !== 6) fail(`'${host}' in brackets is not an IPv6 address`)
  } else {
    const colons = part.split(':').length - 1
    if (colons > 1) fail(`'${part}': write an IPv6 address in brackets, e.g. [2001:db8::1]:443`)
    if (colons === 1) [host, port] = part.split(':')
  }
  return {
    host: host.toLowerCase(),
    ...(port === undefined ? {} : { port: parsePort(port, fail) })
  }
}

function parsePort(text: string, fail: (problem: string) => never): number {
  const port = Number(text)
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535)
    fail(`port '${text}' is not a port number (1 to 65535)`)
  return port
}

function checkHost(host: string, what: string, fail: (problem: string) => never): void {
  if (ipVersion(host) !== 0 || NAME.test(host)) return
  fail(`${what} '${host}' is not a DNS name or an IP address`)
}

/** `verify-timeout`: whole seconds, 0 to 3600; 0 checks once. */
export function parseVerifyTimeout(raw: string): number {
  if (raw === '') return VERIFY_TIMEOUT_DEFAULT_S
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > VERIFY_TIMEOUT_MAX_S)
    throw new InputError(
      'verify-timeout',
      `must be a whole number of seconds from 0 to ${VERIFY_TIMEOUT_MAX_S} (0 checks once); got '${raw}'`
    )
  return Number(raw)
}

/**
 * The endpoints to check: `true` becomes every non-wildcard DNS name of the certificate on 443.
 * An InputError when `true` finds none (before any request: called while preparing the run).
 */
export function resolveEndpoints(setting: VerifySetting, certificateNames: string[]): Endpoint[] {
  if (setting.kind === 'none') return []
  if (setting.kind === 'endpoints') return setting.endpoints
  const names = [...new Set(certificateNames.map(n => n.toLowerCase()))].filter(
    n => !n.startsWith('*.') && NAME.test(n)
  )
  if (names.length === 0)
    throw new InputError(
      'verify',
      `is 'true' but the certificate has no DNS name without a wildcard; list the endpoints as ${FORMAT}`
    )
  return names.map(host => ({ host, port: DEFAULT_PORT, address: null }))
}
