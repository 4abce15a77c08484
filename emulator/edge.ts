/**
 * The edge: a TLS server on 127.0.0.1 that plays the cloud's serving side for `verify`. For a
 * server name (SNI) it serves the certificate (chain and key) that the resource for that host
 * holds now: a resource whose domains include the name (a CDN domain, a CLB SNI rule...), with
 * its certificate's uploaded PEM and key. Per host it can be scripted:
 *
 * - `propagationHandshakes: N`: after the host's resource moves to another certificate, the next
 *   N handshakes still get the certificate it served when the host was configured (or last
 *   propagated), as a CDN does while it propagates; counted in handshakes, not in time.
 * - `certId`: pinned to that certificate, whatever the resources say (a node left behind).
 * - `refuse: true`: the connection is dropped once the ClientHello names the host.
 *
 * A name with no resource, pin or PEM gets no certificate: the handshake fails with an alert. A
 * certificate deleted from the account is still served where it was (the edge's copy).
 */
import { createSecureContext, createServer, type SecureContext, type Server } from 'node:tls'
import type { AddressInfo, Socket } from 'node:net'
import type { ResourceBook } from './resources.js'
import type { CertificateStore } from './store.js'

export interface EdgeHostConfig {
  /** The server name, lower-case. */
  host: string
  propagationHandshakes?: number
  certId?: string
  refuse?: boolean
}

/** One handshake the edge answered (or refused), for tests to read. */
export interface EdgeHandshake {
  host: string
  /** The certificate served; null when none was (refused, or nothing to serve). */
  certId: string | null
}

interface HostState {
  config: EdgeHostConfig
  /** What the host serves while a change propagates. */
  served: string | null
  /** Handshakes that have seen the pending change so far. */
  seen: number
}

export class Edge {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private readonly hosts = new Map<string, HostState>()
  private readonly contexts = new Map<string, SecureContext>()
  private readonly log: EdgeHandshake[] = []

  constructor(
    private readonly store: CertificateStore,
    private readonly book: ResourceBook
  ) {}

  async start(port = 0): Promise<number> {
    const server = createServer({
      SNICallback: (name, done) => {
        const certId = this.answer(name.toLowerCase())
        const context = certId === undefined ? undefined : this.contextOf(certId)
        if (context) done(null, context)
        else done(new Error(`edge: nothing to serve for ${name}`))
      }
    })
    server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    // A refused or failed handshake is the point of the exercise, not an emulator error.
    server.on('tlsClientError', () => undefined)
    server.on('secureConnection', socket => socket.end())
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.server = server
    return (server.address() as AddressInfo).port
  }

  /** Adds or replaces host configurations; snapshots what each host serves now. */
  configure(configs: EdgeHostConfig[]): EdgeHostConfig[] {
    const checked = configs.map(checkConfig)
    for (const config of checked) {
      if (config.certId !== undefined && !this.store.get(config.certId))
        throw new RangeError(`no certificate with id ${config.certId}`)
      this.hosts.set(config.host, { config, served: this.resourceCert(config.host), seen: 0 })
    }
    return this.configs()
  }

  configs(): EdgeHostConfig[] {
    return [...this.hosts.values()].map(h => ({ ...h.config }))
  }

  handshakes(): EdgeHandshake[] {
    return this.log.map(h => ({ ...h }))
  }

  clear(): void {
    this.hosts.clear()
    this.contexts.clear()
    this.log.length = 0
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return
    await new Promise<void>(resolve => {
      server.close(() => resolve())
      for (const socket of this.sockets) socket.destroy()
    })
  }

  /** The certificate to serve `host` now, or undefined for none (or a refusal). */
  private answer(host: string): string | undefined {
    const state = this.hosts.get(host)
    const certId = state ? this.scripted(state) : (this.resourceCert(host) ?? undefined)
    this.log.push({ host, certId: certId ?? null })
    return certId
  }

  private scripted(state: HostState): string | undefined {
    const { config } = state
    if (config.refuse) return undefined
    if (config.certId !== undefined) return config.certId
    const current = this.resourceCert(config.host)
    if (current !== state.served && state.seen < (config.propagationHandshakes ?? 0)) {
      state.seen++
      return state.served ?? undefined
    }
    state.served = current
    state.seen = 0
    return current ?? undefined
  }

  /** The certificate of the first resource serving `host`, if any. */
  private resourceCert(host: string): string | null {
    const resource = this.book
      .all()
      .find(r => r.certId !== null && (r.domains.includes(host) || r.instance === host))
    return resource?.certId ?? null
  }

  /** A deleted certificate too: a node that never got the move still serves it. */
  private contextOf(certId: string): SecureContext | undefined {
    const record = this.store.all().find(r => r.id === certId)
    if (!record?.chainPem || !record.privateKeyPem) return undefined
    let context = this.contexts.get(certId)
    if (!context) {
      context = createSecureContext({ cert: record.chainPem, key: record.privateKeyPem })
      this.contexts.set(certId, context)
    }
    return context
  }
}

function checkConfig(value: unknown): EdgeHostConfig {
  if (typeof value !== 'object' || value === null) throw new TypeError('an edge host is an object')
  const { host, propagationHandshakes, certId, refuse } = value as Record<string, unknown>
  if (typeof host !== 'string' || host === '') throw new TypeError('an edge host needs a host')
  if (
    propagationHandshakes !== undefined &&
    (typeof propagationHandshakes !== 'number' ||
      !Number.isInteger(propagationHandshakes) ||
      propagationHandshakes < 0)
  )
    throw new TypeError('propagationHandshakes is a whole number')
  if (certId !== undefined && typeof certId !== 'string') throw new TypeError('certId is an id')
  if (refuse !== undefined && typeof refuse !== 'boolean')
    throw new TypeError('refuse is a boolean')
  return {
    host: host.toLowerCase(),
    ...(propagationHandshakes === undefined ? {} : { propagationHandshakes }),
    ...(certId === undefined ? {} : { certId }),
    ...(refuse === undefined ? {} : { refuse })
  }
}
