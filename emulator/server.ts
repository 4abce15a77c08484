/**
 * A local Tencent Cloud SSL Certificate Service: API 3.0 at `/`, API 2.0 at `/v2/index.php`,
 * one certificate store behind both, scriptable faults, and an admin path at `/_emulator/`.
 * Tests point the action (or the official SDK) here so nothing ever reaches Tencent Cloud.
 */
import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ADMIN_PREFIX, serveAdmin, type AdminControls } from './admin.js'
import { MAX_BODY_BYTES, v2Call, v3Call, type Answer, type ApiCall } from './api-call.js'
import { NonceBook } from './auth.js'
import { Edge, type EdgeHandshake, type EdgeHostConfig } from './edge.js'
import type { EmulatorContext } from './context.js'
import { FaultQueue, type ApiVersion, type Fault } from './faults.js'
import { readBody, send, sendJson, sendPadded } from './http.js'
import {
  checkOptionPatch,
  DEFAULT_OPTIONS,
  type EmulatorOptions,
  type RuntimeOptions,
  type TemporaryCredentials
} from './options.js'
import { RateLimiter } from './rate-limit.js'
import { ScriptBook, type Script } from './scripts.js'
import { recordFromSeed, snapshotOf, type CertificateSnapshot, type SeedRecord } from './records.js'
import {
  ResourceBook,
  toSeed,
  type ResourceSeed,
  type StoredResource,
  type Violation
} from './resources.js'
import { loadResourceSeeds, loadState, saveState } from './state-file.js'
import { CertificateStore } from './store.js'
import { handleSts, isStsRequest, IssuedCredentialsBook } from './sts.js'
import { TaskBook } from './tasks.js'
import { V2_PATH } from './v2.js'
import { clearResourceWorld, createResourceWorld } from './v3-resources.js'

export type { ApiVersion, Fault, MalformedVariant } from './faults.js'
export type { BindingShape, Refusal, Script } from './scripts.js'
export type { EmulatorOptions, RuntimeOptions, TemporaryCredentials } from './options.js'
export { DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY } from './options.js'
export type { CertificateSnapshot, MetadataSeed, PemSeed, SeedRecord } from './records.js'
export type { Tag } from './store.js'
export type { ResourceSeed, StoredResource, Violation } from './resources.js'
export type { EdgeHandshake, EdgeHostConfig } from './edge.js'

export interface RequestLogEntry {
  /** Arrival, ms since the epoch on the machine's clock (not the skewed server clock). */
  time: number
  api: ApiVersion
  /** The action named by the request; '' when it named none. */
  action: string
  /** HTTP status answered; 0 when the socket was destroyed without an answer. */
  status: number
  /** Tencent's error code (`RequestLimitExceeded`; 2.0: `'4400'`), '' on success. */
  code: string
  /** The scripted fault that hit this request. */
  fault?: Fault['kind']
}

export interface EmulatorCredentials {
  secretId: string
  secretKey: string
  temporary?: TemporaryCredentials
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: the API 3.0 endpoint. */
  readonly url: string
  /** `url` + `/v2/index.php`: the API 2.0 endpoint. */
  readonly v2Url: string
  readonly port: number
  /** The credentials accepted right now. */
  readonly credentials: EmulatorCredentials
  /** Adds certificates directly (no signature, no rate limit); returns them as stored. */
  seed(records: SeedRecord | SeedRecord[]): CertificateSnapshot[]
  /** Every certificate, deleted ones included (deleted: true), oldest first. */
  certificates(): CertificateSnapshot[]
  /** Deploys a certificate to a resource type (`cdn`, `clb`, ...), which blocks its deletion. */
  bind(id: string, resourceType: string): void
  /** Removes one binding, or all when no type is given. */
  unbind(id: string, resourceType?: string): void
  /** Cloud resources bound to certificates (replace, deploy-to). */
  readonly resources: {
    seed(seeds: ResourceSeed | ResourceSeed[]): StoredResource[]
    all(): StoredResource[]
    /** Every time a resource was left without a live certificate; [] when none ever was. */
    violations(): Violation[]
    /** The next `count` Update/Deploy calls answer CertificateDeployHasPendingRecord. */
    addPendingConflicts(count: number): void
  }
  /** The TLS edge on 127.0.0.1 (edge.ts): serves each host the certificate its resource holds. */
  readonly edge: {
    readonly port: number
    /** Adds or replaces per-host scripts (propagation delay, pin, refusal). */
    configure(hosts: EdgeHostConfig | EdgeHostConfig[]): EdgeHostConfig[]
    hosts(): EdgeHostConfig[]
    /** Every handshake so far, with the certificate served. */
    handshakes(): EdgeHandshake[]
    clear(): void
  }
  readonly faults: {
    add(fault: Fault): void
    clear(): void
    /** Faults still armed, with their remaining counts. */
    pending(): Fault[]
  }
  /** Scripted situations (scripts.ts): another client's deletion, odd binding answers, refusals. */
  readonly scripts: {
    add(script: Script): void
    clear(): void
    pending(): Script[]
  }
  /** Every API request so far, in arrival order (live: grows as requests arrive). */
  readonly requests: readonly RequestLogEntry[]
  clearRequests(): void
  setOption<K extends keyof RuntimeOptions>(name: K, value: RuntimeOptions[K]): void
  setOption(patch: Partial<RuntimeOptions>): void
  /** The options in force. */
  options(): RuntimeOptions
  /** Forgets every certificate, task, nonce, rate window, fault and logged request. */
  reset(): void
  /** Closes the server and every open socket. */
  stop(): Promise<void>
}

const HTML_502 =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>stgw</center></body></html>'
const HTML_200 =
  '<!DOCTYPE html><html><head><title>Tencent Cloud</title></head>' +
  '<body><h1>Service temporarily unavailable</h1></body></html>'
const HUGE_BYTES = 40 << 20

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { port: wantedPort = 0, edgePort: wantedEdgePort = 0, stateFile, ...initial } = options
  const runtime: RuntimeOptions = { ...DEFAULT_OPTIONS, ...checkOptionPatch({ ...initial }) }
  const store: CertificateStore = new CertificateStore(() => {
    book.check('certificate store')
    if (stateFile) saveState(stateFile, store.all(), book.all().map(toSeed))
  })
  const book = new ResourceBook(store, () => context.now())
  const edge = new Edge(store, book)
  if (stateFile) store.restore(loadState(stateFile))
  if (stateFile) book.restore(loadResourceSeeds(stateFile))
  const context: EmulatorContext = {
    options: runtime,
    store,
    tasks: new TaskBook(),
    rateLimiter: new RateLimiter(),
    nonces: new NonceBook(),
    issued: new IssuedCredentialsBook(),
    resources: createResourceWorld(book),
    scripts: new ScriptBook(),
    now: () => Date.now() + runtime.clockSkewMs
  }
  const faults = new FaultQueue()
  const log: RequestLogEntry[] = []
  const shutdown = new AbortController()
  // Every request waiting out its latency listens for the shutdown; many may be in flight.
  setMaxListeners(0, shutdown.signal)
  const sockets = new Set<Socket>()

  const seed = (records: SeedRecord | SeedRecord[]): CertificateSnapshot[] => {
    const list = Array.isArray(records) ? records : [records]
    const now = context.now()
    return store.insert(list.map(record => recordFromSeed(record, now))).map(snapshotOf)
  }
  const setOptions = (patch: Record<string, unknown>): void => {
    Object.assign(runtime, checkOptionPatch(patch))
  }
  const reset = (): void => {
    store.clear()
    context.tasks.clear()
    context.rateLimiter.clear()
    context.nonces.clear()
    context.issued.clear()
    clearResourceWorld(context.resources)
    faults.clear()
    context.scripts.clear()
    edge.clear()
    log.length = 0
  }
  const controls: AdminControls = {
    certificates: () => store.all().map(snapshotOf),
    seed,
    reset,
    addFault: fault => faults.add(fault),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    addScript: script => context.scripts.add(script),
    clearScripts: () => context.scripts.clear(),
    pendingScripts: () => context.scripts.pending(),
    requests: () => log,
    clearRequests: () => void (log.length = 0),
    setOptions,
    options: () => ({ ...runtime }),
    bind: (id, type) => store.bind(id, type),
    unbind: (id, type) => store.unbind(id, type),
    seedResources: seeds => book.seed(seeds),
    resources: () => book.all(),
    violations: () => book.violations(),
    addPendingConflicts: count => void (context.resources.pendingConflicts += count),
    configureEdge: hosts => edge.configure(hosts),
    edgeState: () => ({ port: edgePort, hosts: edge.configs(), handshakes: edge.handshakes() }),
    clearEdge: () => edge.clear(),
    now: context.now
  }

  async function serveApi(
    api: ApiVersion,
    request: IncomingMessage,
    response: ServerResponse,
    rawQuery: string
  ): Promise<void> {
    const entry: RequestLogEntry = { time: Date.now(), api, action: '', status: 0, code: '' }
    log.push(entry)
    const body = await readBody(request, MAX_BODY_BYTES[api])
    if (runtime.latencyMs > 0)
      await sleep(runtime.latencyMs, undefined, { signal: shutdown.signal })
    const received = { request, rawQuery, body: body.bytes }
    const handle = isStsRequest(request) ? handleSts : undefined
    const call = api === '3.0' ? v3Call(received, context, handle) : v2Call(received, context)
    entry.action = call.action
    const traceId = request.headers['x-tc-traceid']
    if (typeof traceId === 'string') response.setHeader('X-TC-TraceId', traceId)
    const answerWith = (answer: Answer): void => {
      entry.status = 200
      entry.code = answer.code
      sendJson(response, 200, answer.payload, context.now())
    }
    if (body.tooLarge) return answerWith(tooLarge(call))

    const fault = faults.take(api, call.action)
    if (fault) entry.fault = fault.kind
    switch (fault?.kind) {
      case undefined: {
        const answer = call.perform()
        // Another client acts between this answer and our next request.
        for (const id of context.scripts.deletionsAfter(call.action)) store.deleteAnyway(id)
        return answerWith(answer)
      }
      case 'latency':
        await sleep(fault.ms, undefined, { signal: shutdown.signal })
        return answerWith(call.perform())
      case 'internal-error':
        return answerWith(call.internalError())
      case 'throttle':
        return answerWith(call.throttled())
      case 'reset':
        request.socket.destroy()
        return
      case 'lose-response':
        call.perform()
        request.socket.destroy()
        return
      case 'http-502':
        entry.status = 502
        return send(response, 502, 'text/html', HTML_502, context.now())
      case 'malformed':
        entry.status = 200
        return serveMalformed(fault.variant, call, response, answerWith)
    }
  }

  async function serveMalformed(
    variant: Extract<Fault, { kind: 'malformed' }>['variant'],
    call: ApiCall,
    response: ServerResponse,
    answerWith: (answer: Answer) => void
  ): Promise<void> {
    switch (variant) {
      case 'not-json':
        return send(response, 200, 'application/json', call.truncated(), context.now())
      case 'html-200':
        return send(response, 200, 'text/html', HTML_200, context.now())
      case 'missing-fields':
        return answerWith(call.performWithoutFields())
      case 'wrong-types':
        return answerWith(call.performWithWrongTypes())
      case 'huge': {
        const { prefix, suffix } = call.paddedEnvelope()
        return sendPadded(response, HUGE_BYTES, prefix, suffix, context.now())
      }
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator.invalid')
    try {
      if (url.pathname.startsWith(ADMIN_PREFIX)) {
        return await serveAdmin(request, response, url.pathname, controls)
      }
      const api = url.pathname === '/' ? '3.0' : url.pathname === V2_PATH ? '2.0' : undefined
      if (api === undefined || (request.method !== 'GET' && request.method !== 'POST')) {
        request.resume()
        return sendJson(response, 404, { error: 'not found' }, context.now())
      }
      await serveApi(api, request, response, url.search.slice(1))
    } catch (error) {
      if (shutdown.signal.aborted || response.headersSent) {
        request.socket.destroy()
        return
      }
      sendJson(response, 500, { error: `emulator: ${(error as Error).message}` }, context.now())
    }
  }

  const server = createServer((request, response) => void route(request, response))
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(wantedPort, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const edgePort = await edge.start(wantedEdgePort)
  let stopped: Promise<void> | undefined

  function setOption(
    nameOrPatch: keyof RuntimeOptions | Partial<RuntimeOptions>,
    value?: unknown
  ): void {
    setOptions(typeof nameOrPatch === 'string' ? { [nameOrPatch]: value } : { ...nameOrPatch })
  }

  return {
    url,
    v2Url: url + V2_PATH,
    port,
    get credentials(): EmulatorCredentials {
      return {
        secretId: runtime.secretId,
        secretKey: runtime.secretKey,
        ...(runtime.temporaryCredentials ? { temporary: { ...runtime.temporaryCredentials } } : {})
      }
    },
    seed,
    certificates: controls.certificates,
    bind: controls.bind,
    unbind: controls.unbind,
    resources: {
      seed: seeds => controls.seedResources(Array.isArray(seeds) ? seeds : [seeds]),
      all: controls.resources,
      violations: controls.violations,
      addPendingConflicts: controls.addPendingConflicts
    },
    edge: {
      port: edgePort,
      configure: hosts => edge.configure(Array.isArray(hosts) ? hosts : [hosts]),
      hosts: () => edge.configs(),
      handshakes: () => edge.handshakes(),
      clear: () => edge.clear()
    },
    faults: {
      add: controls.addFault,
      clear: controls.clearFaults,
      pending: controls.pendingFaults
    },
    scripts: {
      add: controls.addScript,
      clear: controls.clearScripts,
      pending: controls.pendingScripts
    },
    get requests(): readonly RequestLogEntry[] {
      return log
    },
    clearRequests: controls.clearRequests,
    setOption,
    options: controls.options,
    reset,
    stop(): Promise<void> {
      stopped ??= new Promise<void>(resolve => {
        shutdown.abort()
        let open = 2
        const closed = (): void => void (--open === 0 && resolve())
        server.close(closed)
        void edge.stop().then(closed)
        for (const socket of sockets) socket.destroy()
      })
      return stopped
    }
  }
}

/** A body over the size limit: 3.0 `RequestSizeLimitExceeded`, 2.0 code 4000. */
function tooLarge(call: ApiCall): Answer {
  if (call.api === '3.0') {
    const payload = {
      Response: {
        Error: { Code: 'RequestSizeLimitExceeded', Message: 'The request body is too large.' },
        RequestId: randomUUID()
      }
    }
    return { payload, code: 'RequestSizeLimitExceeded' }
  }
  const payload = { code: 4000, message: 'request body too large', codeDesc: 'InvalidParameter' }
  return { payload, code: '4000' }
}
