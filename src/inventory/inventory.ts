/**
 * The `list` mode's inventory: for each certificate, its facts, whether it has expired, what
 * supersedes it (the newest certificate of the whole account that does, by the same rule and
 * index as pruning), and whether it is expiring: not expired, expiring within the days, and
 * superseded by nothing. Pure: every time comes from `now`.
 */
import type { KeyAlgorithm } from '../certificate/key-algorithm.js'
import { SupersederIndex, toSupersedable } from '../planning/superseded.js'
import type { CertSource, ListedCertificate } from '../tencent/client.js'

const DAY_MS = 86_400_000

export interface InventoryEntry {
  id: string
  alias: string
  domains: string[]
  notAfter: Date
  source: CertSource
  type: string
  keyAlgorithm: KeyAlgorithm | null
  /** Undefined when the API does not say. */
  projectId?: number
  expired: boolean
  expiring: boolean
  supersededBy: string | null
  /** A newer certificate that covers its names with another key algorithm: it supersedes
   * nothing until this one expires (why an expiring one has "nothing newer of the same key
   * algorithm"). */
  newerOfOtherKey?: string
  /** Resources that use it, by the binding check; null or absent: not checked (stale-bound.ts). */
  bound?: number | null
  /** Superseded, yet resources still use it: the renewal did not reach them. */
  staleBound?: boolean
}

export interface InventoryOptions {
  now: Date
  /** Days, >= 0. */
  expiringWithinDays: number
}

/**
 * The inventory of `shown` (the certificates that match the filters), judged against `account`
 * (every certificate of the account, every source and project). Sorted by expiry, expiring ones
 * first, then by id.
 */
export function buildInventory(
  account: readonly ListedCertificate[],
  shown: readonly ListedCertificate[],
  options: InventoryOptions
): InventoryEntry[] {
  const now = options.now.getTime()
  const horizon = now + options.expiringWithinDays * DAY_MS
  const pool = new Map<string, ListedCertificate>()
  for (const cert of [...account, ...shown]) if (!pool.has(cert.id)) pool.set(cert.id, cert)
  const index = new SupersederIndex([...pool.values()].map(cert => toSupersedable(cert)))
  const entries = new Map<string, InventoryEntry>()
  for (const cert of shown) {
    if (entries.has(cert.id)) continue
    const notAfter = cert.notAfter.getTime()
    const supersededBy = index.find(toSupersedable(cert), now, 1)[0]?.id ?? null
    const expired = notAfter <= now
    // As if it had expired, when any key algorithm supersedes it: what covers it then, of another.
    const anyKey =
      supersededBy === null ? index.find(toSupersedable(cert), notAfter, 1)[0] : undefined
    entries.set(cert.id, {
      id: cert.id,
      alias: cert.alias,
      domains: [...cert.domains],
      notAfter: cert.notAfter,
      source: cert.source,
      type: cert.certType,
      keyAlgorithm: cert.keyAlgorithm,
      projectId: cert.projectId,
      expired,
      expiring: !expired && notAfter <= horizon && supersededBy === null,
      supersededBy,
      ...(anyKey ? { newerOfOtherKey: anyKey.id } : {})
    })
  }
  return [...entries.values()].sort(byExpiryExpiringFirst)
}

export function byExpiryExpiringFirst(a: InventoryEntry, b: InventoryEntry): number {
  if (a.expiring !== b.expiring) return a.expiring ? -1 : 1
  const diff = a.notAfter.getTime() - b.notAfter.getTime()
  if (diff !== 0) return diff
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** One element of the `certificates` output, in the contract's shape and key order. */
export interface CertificateOutput {
  id: string
  alias: string
  domains: string[]
  'not-after': string
  source: CertSource
  type: string
  'key-algorithm': KeyAlgorithm | null
  /** null when the API did not say. */
  'project-id': number | null
  expired: boolean
  expiring: boolean
  'superseded-by': string | null
  /** Resources that still use it; null when not checked (only superseded certificates that
   * expire within the window are). */
  bound: number | null
}

export function certificateOutput(entry: InventoryEntry): CertificateOutput {
  return {
    id: entry.id,
    alias: entry.alias,
    domains: [...entry.domains],
    'not-after': entry.notAfter.toISOString(),
    source: entry.source,
    type: entry.type,
    'key-algorithm': entry.keyAlgorithm,
    'project-id': entry.projectId ?? null,
    expired: entry.expired,
    expiring: entry.expiring,
    'superseded-by': entry.supersededBy,
    bound: entry.bound ?? null
  }
}

/** The `expiring-ids` output: the expiring ones (stale-bound ones included), soonest first. */
export const expiringIds = (entries: readonly InventoryEntry[]): string[] =>
  entries.filter(e => e.expiring).map(e => e.id)
