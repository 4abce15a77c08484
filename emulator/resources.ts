/**
 * The cloud resources (CDN domains, CLB listeners, ...) that certificates are bound to, each
 * with its scripted behaviour, and the one invariant the replace feature must keep: a resource
 * that has had a certificate never loses it (it always points at a live certificate). The
 * invariant is checked after every change, resource moves and store changes alike, and every
 * breach is kept as a violation for tests to read.
 *
 * Certificates' `boundTo` types (what blocks a deletion, what the binding counts show) follow
 * the resources: a resource landing on a certificate binds its type there, the last one of a
 * type leaving unbinds it. A type bound without a resource (`bind`, seeded `boundTo`) stays a
 * bare type: counted, not listed in the details, not movable.
 */
import { KNOWN_TYPES, REGIONAL_TYPES } from './resource-types.js'
import type { CertificateStore } from './store.js'

export interface ResourceSeed {
  type: string
  /** Required for regional types, refused for the others. */
  region?: string
  /** As the action reports it: `lb-1|lbl-1`, `www.example.com`, a TSE gateway id, ... */
  instance: string
  /** The certificate it serves now; absent: none yet (a target for deploy-to). */
  certId?: string
  /** Domains it serves, for the details (default: the domain in the instance, if any). */
  domains?: string[]
  /** Scripted failures of moves and deployments to it: `times` of them (absent: every one). */
  fail?: { times?: number; message?: string }
  /** Polls its record items stay pending/running before they settle (default: the option). */
  settlePolls?: number
  /** A rollback of it fails (status 5). */
  rollbackFails?: boolean
}

export interface StoredResource {
  key: string
  type: string
  region: string | null
  instance: string
  certId: string | null
  domains: string[]
  fail?: { times?: number; message?: string }
  settlePolls?: number
  rollbackFails?: boolean
}

export interface Violation {
  /** Server clock, ms. */
  at: number
  /** What changed: the action or admin call. */
  cause: string
  resource: string
  certId: string | null
  problem: string
}

export const resourceKeyOf = (type: string, region: string | null, instance: string): string =>
  `${type}@${region ?? ''}@${instance}`

const DOMAIN = /^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i

export class ResourceBook {
  private readonly byKey = new Map<string, StoredResource>()
  private readonly found: Violation[] = []

  constructor(
    private readonly store: CertificateStore,
    private readonly now: () => number
  ) {}

  /** Adds resources (a key already there is replaced); TypeError for a seed that makes no sense. */
  seed(seeds: ResourceSeed[]): StoredResource[] {
    const added = seeds.map(seed => this.fromSeed(seed))
    this.store.batch(() => {
      for (const resource of added) {
        const old = this.byKey.get(resource.key)
        if (old) this.place(old, null)
        const certId = resource.certId
        resource.certId = null
        this.byKey.set(resource.key, resource)
        this.place(resource, certId)
      }
    })
    this.check('seed')
    return added.map(r => ({ ...r }))
  }

  private fromSeed(seed: ResourceSeed): StoredResource {
    if (typeof seed !== 'object' || seed === null)
      throw new TypeError('a resource seed is an object')
    const type = String(seed.type ?? '').toLowerCase()
    if (!KNOWN_TYPES.includes(type)) throw new TypeError(`unknown resource type '${seed.type}'`)
    if (typeof seed.instance !== 'string' || seed.instance === '')
      throw new TypeError('a resource seed needs an instance')
    const regional = REGIONAL_TYPES.has(type)
    if (regional !== (typeof seed.region === 'string' && seed.region !== ''))
      throw new TypeError(`${type} resources ${regional ? 'need' : 'take no'} region`)
    if (seed.certId !== undefined && !this.store.get(seed.certId))
      throw new RangeError(`no certificate with id ${seed.certId}`)
    const region = regional ? (seed.region as string) : null
    const domains = seed.domains ?? seed.instance.split('|').filter(p => DOMAIN.test(p))
    return {
      key: resourceKeyOf(type, region, seed.instance),
      type,
      region,
      instance: seed.instance,
      certId: seed.certId ?? null,
      domains,
      fail: seed.fail ? { ...seed.fail } : undefined,
      settlePolls: seed.settlePolls,
      rollbackFails: seed.rollbackFails
    }
  }

  /** Resources from the state file, as they were: certificates' bound types are already there. */
  restore(seeds: ResourceSeed[]): void {
    for (const seed of seeds) {
      const resource = this.fromSeed({ ...seed, certId: undefined })
      resource.certId = seed.certId ?? null
      this.byKey.set(resource.key, resource)
    }
    this.check('state file')
  }

  get(key: string): StoredResource | undefined {
    return this.byKey.get(key)
  }

  all(): StoredResource[] {
    return [...this.byKey.values()]
  }

  on(certId: string): StoredResource[] {
    return this.all().filter(r => r.certId === certId)
  }

  /** Points `resource` at `certId`, keeping the certificates' bound types in step. */
  move(resource: StoredResource, certId: string, cause: string): void {
    this.store.batch(() => this.place(resource, certId))
    this.check(cause)
  }

  private place(resource: StoredResource, certId: string | null): void {
    const from = resource.certId
    if (certId !== null) this.store.bind(certId, resource.type)
    resource.certId = certId
    if (from !== null && from !== certId && this.store.get(from)) {
      const left = this.on(from).some(r => r.type === resource.type)
      if (!left) this.store.unbind(from, resource.type)
    }
  }

  /** The invariant, over every resource; a breach is recorded once per resource and problem. */
  check(cause: string): void {
    for (const resource of this.byKey.values()) {
      if (resource.certId === null) continue
      const problem = this.store.get(resource.certId)
        ? this.store.get(resource.certId)?.boundTo.includes(resource.type)
          ? undefined
          : `certificate ${resource.certId} no longer counts it as bound`
        : `certificate ${resource.certId} is gone`
      if (problem === undefined) continue
      const known = this.found.some(v => v.resource === resource.key && v.problem === problem)
      if (!known)
        this.found.push({
          at: this.now(),
          cause,
          resource: resource.key,
          certId: resource.certId,
          problem
        })
    }
  }

  violations(): Violation[] {
    return this.found.map(v => ({ ...v }))
  }

  clear(): void {
    this.byKey.clear()
    this.found.length = 0
  }
}

/** A resource as the state file keeps it (and as it can be seeded again). */
export function toSeed(r: StoredResource): ResourceSeed {
  return {
    type: r.type,
    ...(r.region ? { region: r.region } : {}),
    instance: r.instance,
    ...(r.certId ? { certId: r.certId } : {}),
    domains: r.domains,
    ...(r.fail ? { fail: { ...r.fail } } : {}),
    ...(r.settlePolls !== undefined ? { settlePolls: r.settlePolls } : {}),
    ...(r.rollbackFails ? { rollbackFails: true } : {})
  }
}
