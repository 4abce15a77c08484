/**
 * The admin path `/_emulator/*`: the same controls as the in-process handle, over HTTP, for an
 * emulator started by the CLI. Never signed; it is a test fixture on loopback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EdgeHandshake, EdgeHostConfig } from './edge.js'
import type { Fault } from './faults.js'
import { readBody, sendJson } from './http.js'
import type { RuntimeOptions } from './options.js'
import type { CertificateSnapshot, SeedRecord } from './records.js'
import type { ResourceSeed, StoredResource, Violation } from './resources.js'
import type { Script } from './scripts.js'
import type { RequestLogEntry } from './server.js'

export const ADMIN_PREFIX = '/_emulator/'

/** What the admin path drives (implemented by the server). */
export interface AdminControls {
  certificates(): CertificateSnapshot[]
  seed(records: SeedRecord[]): CertificateSnapshot[]
  reset(): void
  addFault(fault: Fault): void
  clearFaults(): void
  pendingFaults(): Fault[]
  addScript(script: Script): void
  clearScripts(): void
  pendingScripts(): Script[]
  requests(): readonly RequestLogEntry[]
  clearRequests(): void
  setOptions(patch: Record<string, unknown>): void
  options(): RuntimeOptions
  bind(id: string, resourceType: string): void
  unbind(id: string, resourceType?: string): void
  seedResources(seeds: ResourceSeed[]): StoredResource[]
  resources(): StoredResource[]
  violations(): Violation[]
  addPendingConflicts(count: number): void
  configureEdge(hosts: EdgeHostConfig[]): EdgeHostConfig[]
  edgeState(): { port: number; hosts: EdgeHostConfig[]; handshakes: EdgeHandshake[] }
  clearEdge(): void
  now(): number
}

const MAX_ADMIN_BODY = 64 << 20

/** Options as shown over HTTP: without the secret keys. */
function visibleOptions(options: RuntimeOptions): Record<string, unknown> {
  const { secretKey: _secretKey, temporaryCredentials, ...rest } = options
  return {
    ...rest,
    temporaryCredentials: temporaryCredentials ? { secretId: temporaryCredentials.secretId } : null
  }
}

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, MAX_ADMIN_BODY)
  if (body.tooLarge) throw new TypeError('body too large')
  const text = body.bytes.toString('utf8').trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new TypeError('body is not JSON')
  }
}

const listOf = <T>(value: unknown, key: string): T[] => {
  if (Array.isArray(value)) return value as T[]
  const wrapped = (value as Record<string, unknown> | undefined)?.[key]
  if (Array.isArray(wrapped)) return wrapped as T[]
  return value === undefined ? [] : [value as T]
}

type Route = (body: unknown) => [status: number, payload: unknown]

function routes(controls: AdminControls): Record<string, Route> {
  const faults = (): unknown => ({ faults: controls.pendingFaults() })
  const scripts = (): unknown => ({ scripts: controls.pendingScripts() })
  const binding = (body: unknown): { id: string; resourceType?: string } => {
    const { id, resourceType } = (body ?? {}) as Record<string, unknown>
    if (
      typeof id !== 'string' ||
      (resourceType !== undefined && typeof resourceType !== 'string')
    ) {
      throw new TypeError('expected {id, resourceType}')
    }
    return { id, resourceType }
  }
  return {
    'GET state': () => [
      200,
      { certificates: controls.certificates(), options: visibleOptions(controls.options()) }
    ],
    'POST state': body => [
      201,
      { certificates: controls.seed(listOf<SeedRecord>(body, 'certificates')) }
    ],
    'DELETE state': () => (controls.reset(), [200, { certificates: [] }]),
    'GET faults': () => [200, faults()],
    'POST faults': body => {
      for (const fault of listOf<Fault>(body, 'faults')) controls.addFault(fault)
      return [201, faults()]
    },
    'DELETE faults': () => (controls.clearFaults(), [200, faults()]),
    'GET scripts': () => [200, scripts()],
    'POST scripts': body => {
      for (const script of listOf<Script>(body, 'scripts')) controls.addScript(script)
      return [201, scripts()]
    },
    'DELETE scripts': () => (controls.clearScripts(), [200, scripts()]),
    'GET requests': () => [200, { requests: controls.requests() }],
    'DELETE requests': () => (controls.clearRequests(), [200, { requests: [] }]),
    'GET options': () => [200, visibleOptions(controls.options())],
    'POST options': body => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new TypeError('expected an object of options')
      }
      controls.setOptions(body as Record<string, unknown>)
      return [200, visibleOptions(controls.options())]
    },
    'POST bindings': body => {
      const { id, resourceType } = binding(body)
      if (resourceType === undefined) throw new TypeError('expected {id, resourceType}')
      controls.bind(id, resourceType)
      return [200, { boundTo: controls.certificates().find(c => c.id === id)?.boundTo }]
    },
    'DELETE bindings': body => {
      const { id, resourceType } = binding(body)
      controls.unbind(id, resourceType)
      return [200, { boundTo: controls.certificates().find(c => c.id === id)?.boundTo }]
    },
    ...resourceRoutes(controls),
    'GET edge': () => [200, controls.edgeState()],
    'POST edge': body => {
      controls.configureEdge(listOf<EdgeHostConfig>(body, 'hosts'))
      return [201, controls.edgeState()]
    },
    'DELETE edge': () => (controls.clearEdge(), [200, controls.edgeState()])
  }
}

/** `/_emulator/resources` (GET, POST seeds), `violations` (GET), `conflicts` (POST {count}). */
function resourceRoutes(controls: AdminControls): Record<string, Route> {
  return {
    'GET resources': () => [200, { resources: controls.resources() }],
    'POST resources': body => [
      201,
      { resources: controls.seedResources(listOf<ResourceSeed>(body, 'resources')) }
    ],
    'GET violations': () => [200, { violations: controls.violations() }],
    'POST conflicts': body => {
      const count = (body as { count?: unknown } | undefined)?.count
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
        throw new TypeError('expected {count} with a whole number')
      controls.addPendingConflicts(count)
      return [200, { count }]
    }
  }
}

export async function serveAdmin(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  controls: AdminControls
): Promise<void> {
  const resource = pathname.slice(ADMIN_PREFIX.length)
  const table = routes(controls)
  const route = table[`${request.method} ${resource}`]
  if (!route) {
    const known = Object.keys(table).some(key => key.endsWith(` ${resource}`))
    const status = known ? 405 : 404
    sendJson(
      response,
      status,
      { error: known ? 'method not allowed' : 'not found' },
      controls.now()
    )
    return
  }
  try {
    const [status, payload] = route(await jsonBody(request))
    sendJson(response, status, payload, controls.now())
  } catch (error) {
    // Bad input (TypeError, RangeError) is the caller's mistake; anything else is ours.
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error
    sendJson(response, 400, { error: error.message }, controls.now())
  }
}
