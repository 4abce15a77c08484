/**
 * What `verify` found, in the `verified` output's shape, with the log lines and the step's
 * failure message. Pure.
 */
import type { VerifiedEndpoint } from '../reporting/outcome.js'
import type { EndpointCheck } from './check.js'
import type { Endpoint } from './endpoints.js'

const DAY_MS = 86_400_000

/** A certificate this run superseded, to name it when an endpoint still serves it. */
export interface SupersededCertificate {
  id: string
  notAfter: Date
  domains: string[]
}

/** `HOST:PORT` or `HOST:PORT via ADDRESS`. */
export function endpointLabel(e: Endpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host
  return `${host}:${e.port}${e.address === null ? '' : ` via ${e.address}`}`
}

function base(check: EndpointCheck): Omit<VerifiedEndpoint, 'status'> {
  const { endpoint, result } = check
  return {
    host: endpoint.host,
    port: endpoint.port,
    address: endpoint.address,
    fingerprint: result.ok ? result.fingerprint : null,
    'not-after': result.ok && result.notAfter ? result.notAfter.toISOString() : null,
    error: result.ok ? null : result.error
  }
}

/** upload/sync: `match`, `mismatch` or `unreachable`. */
export function uploadVerdict(check: EndpointCheck): VerifiedEndpoint {
  const status = check.matched ? 'match' : check.result.ok ? 'mismatch' : 'unreachable'
  return { ...base(check), status }
}

/** list: `ok`, or `expiring` when the served leaf expires within the days (or has expired);
 * `unreachable` when no certificate was seen. */
export function listVerdict(
  check: EndpointCheck,
  now: Date,
  expiringWithinDays: number
): VerifiedEndpoint {
  if (!check.result.ok) return { ...base(check), status: 'unreachable' }
  const notAfter = check.result.notAfter?.getTime()
  const horizon = now.getTime() + expiringWithinDays * DAY_MS
  const expiring = notAfter === undefined || notAfter <= horizon
  return { ...base(check), status: expiring ? 'expiring' : 'ok' }
}

/** The superseded certificate an endpoint still serves, by its not-after (to the second) and
 * names: Tencent's listing carries no fingerprint to compare. */
export function supersededServed(
  check: EndpointCheck,
  superseded: readonly SupersededCertificate[]
): SupersededCertificate | undefined {
  const { result } = check
  if (!result.ok || !result.notAfter) return undefined
  const served = Math.floor(result.notAfter.getTime() / 1000)
  const names = [...result.names].sort().join(',')
  return superseded.find(
    s =>
      Math.floor(s.notAfter.getTime() / 1000) === served &&
      (names === '' ||
        [...s.domains]
          .map(d => d.toLowerCase())
          .sort()
          .join(',') === names)
  )
}

/** One line per endpoint for the log. */
export function describeCheck(
  check: EndpointCheck,
  verdict: VerifiedEndpoint,
  superseded: readonly SupersededCertificate[]
): string {
  const where = endpointLabel(check.endpoint)
  const served = `SHA-256 ${verdict.fingerprint}, not after ${verdict['not-after'] ?? 'unknown'}`
  switch (verdict.status) {
    case 'match':
      return `${where} serves the uploaded certificate (after ${check.rounds} round(s)).`
    case 'mismatch': {
      const old = supersededServed(check, superseded)
      return (
        `${where} still serves another certificate (${served})` +
        (old
          ? `: ${old.id}, the certificate this run superseded; the move has not reached it.`
          : '.')
      )
    }
    case 'unreachable':
      return `${where} could not be checked: ${verdict.error}.`
    case 'ok':
      return `${where} serves ${served}.`
    case 'expiring':
      return `${where} serves a certificate that expires soon (${served}).`
  }
}

/** The step's message when endpoints do not serve the uploaded certificate. */
export function verifyFailure(
  verdicts: readonly VerifiedEndpoint[],
  timeoutS: number
): string | undefined {
  const bad = verdicts.filter(v => v.status === 'mismatch' || v.status === 'unreachable')
  if (bad.length === 0) return undefined
  const names = bad.map(
    v =>
      `${endpointLabel(v)} (${v.status === 'mismatch' ? 'serves another certificate' : `unreachable: ${v.error}`})`
  )
  const waited = timeoutS === 0 ? '(checked once)' : `within ${timeoutS} s`
  return `verify: ${bad.length} of ${verdicts.length} endpoint(s) do not serve the uploaded certificate ${waited}: ${names.join(', ')}`
}
