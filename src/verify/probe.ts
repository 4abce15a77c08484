/**
 * One TLS handshake with an endpoint, to read the certificate it serves. The served chain is
 * read, not trusted (promise 9: what the clients see is compared, nothing else is judged): the
 * socket sends the ClientHello with the server name, reads the leaf once the handshake is done,
 * and is destroyed without a byte of application data. Nothing of the run (no key) is sent.
 */
import { createHash } from 'node:crypto'
import { connect } from 'node:tls'
import { ipVersion, type Endpoint } from './endpoints.js'

export type ProbeResult =
  | {
      ok: true
      /** SHA-256 of the served leaf's DER, lower-case hex (as the `fingerprint` output). */
      fingerprint: string
      notAfter: Date | null
      /** The leaf's DNS names, lower-case. */
      names: string[]
    }
  | { ok: false; error: string }

/** Injectable for tests: the production one is `tlsProbe`. */
export type TlsProbe = (endpoint: Endpoint, timeoutMs: number) => Promise<ProbeResult>

export const tlsProbe: TlsProbe = (endpoint, timeoutMs) =>
  new Promise<ProbeResult>(resolve => {
    const target = endpoint.address ?? endpoint.host
    let settled = false
    const socket = connect({
      host: target,
      port: endpoint.port,
      // RFC 6066: no server name for an IP literal.
      ...(ipVersion(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
      rejectUnauthorized: false
    })
    const finish = (result: ProbeResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(
      () => finish({ ok: false, error: `no TLS handshake within ${timeoutMs / 1000} s` }),
      timeoutMs
    )
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(false)
      if (!leaf || !leaf.raw || leaf.raw.length === 0) {
        finish({ ok: false, error: 'the server sent no certificate' })
        return
      }
      finish({
        ok: true,
        fingerprint: createHash('sha256').update(leaf.raw).digest('hex'),
        notAfter: parseDate(leaf.valid_to),
        names: dnsNames(leaf.subjectaltname)
      })
    })
    socket.once('error', error => finish({ ok: false, error: error.message }))
    socket.once('close', () =>
      finish({ ok: false, error: 'the connection closed before the handshake ended' })
    )
  })

function parseDate(text: string | undefined): Date | null {
  const date = new Date(text ?? '')
  return Number.isNaN(date.getTime()) ? null : date
}

/** `DNS:a.example.com, DNS:b.example.com, IP Address:...` → the DNS names. */
export function dnsNames(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(/,\s*/)
    .filter(part => part.startsWith('DNS:'))
    .map(part => part.slice(4).toLowerCase())
}
