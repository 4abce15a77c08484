/**
 * Prune planning: which listed certificates a `prune` or `sync` run deletes, and why the others
 * stay. Pure: no I/O and no clock; every time comes from `options.now`.
 *
 * Scope (contract, promise 3). A listed certificate is in scope when it was uploaded (not issued
 * or sold by Tencent), its `certType` is `options.certType`, its project is `options.projectId`,
 * it has at least one domain and every one of them is in `options.scope` (case-insensitive; a
 * wildcard matches only the same wildcard string), and it is not `options.newCertificate`.
 * Anything else is never deleted, only counted, under the first reason that applies: the new
 * certificate, not uploaded, other type, other project, outside domains (no domains at all
 * included). A certificate whose project the listing does not give is of another project: it
 * could be any. An id listed twice is planned once (its first listing).
 *
 * Superseded: the contract's rule, in superseded.ts (coverage: X covers domain d when one of X's
 * domains is d, or is `*.rest` and d is `label.rest` with exactly one more label; a strictly
 * later not-after; the same cert-type; the same known key algorithm unless C has expired).
 * Superseders of an in-scope C: the listed uploaded certificates of `options.certType` in
 * `options.projectId`, in scope or not, and the new certificate. Certificates of other projects
 * never count: pruning works in one project, and `keep` counts what stays there.
 *
 * C is deleted when it has at least `keep` superseders (`keep` 0: every in-scope certificate) and,
 * with `expiredOnly`, `C.notAfter <= now`; otherwise it is kept, with the reason. Every entry
 * names its newest superseder, if any (`replace` moves resources onto the newest one with C's own
 * key algorithm: `poolRules`). A certificate that
 * is not valid yet supersedes nothing: what it alone would supersede is kept, naming it
 * (`pendingSuperseder`), and a later run finishes the job. A certificate whose
 * `notAfter` is not a valid date is never deleted and never supersedes another.
 * With `keep >= 1` every in-scope certificate stays covered after the deletions: the newest of a
 * chain of superseders is never deleted, and superseding is transitive.
 * Both lists are ordered oldest first: by `notAfter`, then the new certificate, later
 * `insertedAt` (missing is oldest), and greater id, so the output does not depend on the listing.
 */
import type { KeyAlgorithm } from '../certificate/key-algorithm.js'
import {
  compareAge,
  hasExpired,
  SupersederIndex,
  supersedes,
  toSupersedable,
  wildcardFor,
  type Supersedable
} from './superseded.js'
import type { ListedCertificate } from '../tencent/client.js'

/** The certificate a `sync` run just uploaded or reused. */
export interface NewCertificate {
  id: string
  domains: string[]
  notAfter: Date
  /** The leaf's not-before: until then it supersedes nothing. */
  notBefore?: Date
  /** The leaf's key algorithm; null (unknown) supersedes only expired certificates. */
  keyAlgorithm: KeyAlgorithm | null
}

export interface PlanOptions {
  /** The `prune-domains`, already split. */
  scope: string[]
  /** Integer >= 0. */
  keep: number
  expiredOnly: boolean
  certType: string
  /** The `project-id`: the project pruning works in. */
  projectId: number
  now: Date
  /** `sync` only: never deleted, and counts as a superseder. */
  newCertificate?: NewCertificate
}

export interface PlanEntry {
  id: string
  domains: string[]
  notAfter: Date
  alias: string
  /** `notAfter <= now`. */
  expired: boolean
  reason: string
  /** The newest certificate that supersedes it, if any (of any key algorithm once it has
   * expired: not necessarily where `replace` moves its resources, see `poolRules`). */
  supersededBy?: string
  /** `sync`: the certificate just uploaded supersedes it (whether or not it is the newest). */
  supersededByNew?: true
  /** Kept: a certificate that is not valid yet (or of unknown not-before) will supersede it. */
  /** `notBefore` null: unknown. */
  pendingSuperseder?: { id: string; notBefore: Date | null }
}

/** Listed certificates never considered for deletion, counted by the first reason that applies. */
export interface OutOfScopeCounts {
  notUploaded: number
  otherType: number
  otherProject: number
  outsideDomains: number
  newCertificate: number
}

export interface PrunePlan {
  delete: PlanEntry[]
  keep: PlanEntry[]
  outOfScope: OutOfScopeCounts
  /** What `replace` asks of the plan's pool (`poolRules`): set by the prune flow; absent,
   * nothing moves. */
  pool?: PoolRules
}

/** The Superseded rule over a plan's pool, for `replace`. */
export interface PoolRules {
  /** True only when both ids are in the pool and `newer` supersedes `older`. */
  supersedes(newer: string, older: string): boolean
  /**
   * Where `replace` moves the resources of the certificate `id`: in sync the new certificate, in
   * prune the newest superseder; either way only one that supersedes it now (valid) with its own
   * known key algorithm. `why`: a certificate supersedes it (it may be deleted once unbound),
   * but its resources move onto none.
   */
  moveTarget(id: string): { id?: string; why?: string }
}

/**
 * Whether a certificate with `coverDomains` covers `domain` (case-insensitive): the same name, or
 * `*.rest` for `label.rest` with one more label. A wildcard domain is covered only by itself.
 */
export function covers(coverDomains: readonly string[], domain: string): boolean {
  const d = domain.toLowerCase()
  const wildcard = wildcardFor(d)
  return coverDomains.some(c => {
    const x = c.toLowerCase()
    return x === d || x === wildcard
  })
}

/** `YYYY-MM-DD`, or `unknown` for an invalid date. */
function day(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().slice(0, 10)
}

export function planPrune(
  certificates: readonly ListedCertificate[],
  options: PlanOptions
): PrunePlan {
  const { keep, expiredOnly, certType, projectId, newCertificate } = options
  if (!Number.isInteger(keep) || keep < 0) {
    throw new RangeError(`keep must be an integer >= 0, got ${keep}`)
  }
  const scope = new Set(options.scope.map(s => s.trim().toLowerCase()).filter(s => s !== ''))
  const now = options.now.getTime()
  const outOfScope: OutOfScopeCounts = {
    notUploaded: 0,
    otherType: 0,
    otherProject: 0,
    outsideDomains: 0,
    newCertificate: 0
  }

  const seen = new Set<string>()
  const pool: Supersedable[] = []
  const inScope: { cert: ListedCertificate; candidate: Supersedable }[] = []
  for (const cert of certificates) {
    if (seen.has(cert.id)) continue
    seen.add(cert.id)
    if (newCertificate !== undefined && cert.id === newCertificate.id) {
      outOfScope.newCertificate++
      continue
    }
    if (cert.source !== 'upload') {
      outOfScope.notUploaded++
      continue
    }
    if (cert.certType !== certType) {
      outOfScope.otherType++
      continue
    }
    if (cert.projectId !== projectId) {
      outOfScope.otherProject++
      continue
    }
    const candidate = toSupersedable(cert)
    pool.push(candidate)
    if (candidate.domains.size === 0 || ![...candidate.domains].every(d => scope.has(d))) {
      outOfScope.outsideDomains++
      continue
    }
    inScope.push({ cert, candidate })
  }
  const uploaded =
    newCertificate === undefined ? undefined : toSupersedable({ ...newCertificate, certType }, true)
  if (uploaded !== undefined) pool.push(uploaded)
  const index = new SupersederIndex(pool)

  const toDelete: { entry: PlanEntry; candidate: Supersedable }[] = []
  const toKeep: { entry: PlanEntry; candidate: Supersedable }[] = []
  for (const { cert, candidate } of inScope) {
    const expired = hasExpired(candidate, now)
    // Counting past `keep` changes nothing: the count is exact whenever it is below `keep`.
    const superseders = index.find(candidate, now, Math.max(keep, 1))
    const newest = superseders[0]
    const entry = (reason: string): PlanEntry => ({
      id: cert.id,
      domains: [...cert.domains],
      notAfter: cert.notAfter,
      alias: cert.alias,
      expired,
      reason,
      ...(newest ? { supersededBy: newest.id } : {}),
      ...(uploaded && supersedes(uploaded, candidate, now) ? { supersededByNew: true } : {})
    })
    if (Number.isNaN(candidate.notAfter)) {
      toKeep.push({ entry: entry('not-after unknown'), candidate })
      continue
    }
    const count = superseders.length
    let keptFor: string | undefined
    const pending = count < keep ? index.pending(candidate, now, 1)[0] : undefined
    if (pending !== undefined) {
      const from = Number.isNaN(pending.notBefore)
        ? 'its not-before is unknown'
        : `not before ${new Date(pending.notBefore).toISOString()}`
      keptFor = `${pending.id} supersedes it once valid (${from}); a later run finishes the job`
    } else if (count < keep) {
      keptFor =
        count > 0
          ? `only ${count} newer certificate${count === 1 ? ' covers' : 's cover'} it, keep is ${keep}`
          : cert.keyAlgorithm === null && !expired
            ? 'key algorithm unknown: superseded only once expired'
            : 'newest for its domains'
    } else if (expiredOnly && !expired) {
      keptFor = 'not expired (expired-only)'
    }
    if (keptFor !== undefined) {
      const kept = entry(keptFor)
      if (pending)
        kept.pendingSuperseder = {
          id: pending.id,
          notBefore: Number.isNaN(pending.notBefore) ? null : new Date(pending.notBefore)
        }
      toKeep.push({ entry: kept, candidate })
    } else {
      const reason =
        newest === undefined
          ? 'keep is 0, no newer certificate covers it'
          : `superseded by ${newest.id} (not after ${day(new Date(newest.notAfter))})`
      toDelete.push({ entry: entry(reason), candidate })
    }
  }

  const oldestFirst = (list: { entry: PlanEntry; candidate: Supersedable }[]): PlanEntry[] =>
    list.sort((a, b) => compareAge(a.candidate, b.candidate)).map(x => x.entry)
  return { delete: oldestFirst(toDelete), keep: oldestFirst(toKeep), outOfScope }
}

/**
 * The Superseded rule over the pool planPrune judges by: the listed uploaded certificates of
 * `options.certType` in `options.projectId` (in scope or not) and the new certificate.
 * `replace` asks it before moving on what an earlier run moved to a certificate other than its
 * target, and for each superseded certificate's move target.
 */
export function poolRules(
  certificates: readonly ListedCertificate[],
  options: Pick<PlanOptions, 'certType' | 'projectId' | 'now' | 'newCertificate'>
): PoolRules {
  const { certType, projectId, newCertificate } = options
  const seen = new Set<string>()
  const pool = new Map<string, Supersedable>()
  for (const cert of certificates) {
    if (seen.has(cert.id)) continue
    seen.add(cert.id)
    if (cert.id === newCertificate?.id) continue
    if (cert.source === 'upload' && cert.certType === certType && cert.projectId === projectId)
      pool.set(cert.id, toSupersedable(cert))
  }
  const uploaded =
    newCertificate === undefined ? undefined : toSupersedable({ ...newCertificate, certType }, true)
  if (uploaded !== undefined) pool.set(uploaded.id, uploaded)
  const now = options.now.getTime()
  let index: SupersederIndex | undefined
  const notOnto = (c: Supersedable, n: Supersedable) =>
    c.keyAlgorithm === null
      ? `${n.id} supersedes it, but its own key algorithm is unknown: its resources move onto no certificate`
      : `${n.id} supersedes it, but no valid ${c.keyAlgorithm} certificate does ` +
        `(${n.id}'s key is ${n.keyAlgorithm ?? 'of unknown algorithm'}): its resources stay on it`
  return {
    supersedes(newer, older) {
      const n = pool.get(newer)
      const c = pool.get(older)
      return n !== undefined && c !== undefined && supersedes(n, c, now)
    },
    moveTarget(id) {
      const c = pool.get(id)
      if (c === undefined) return {}
      if (uploaded !== undefined) {
        if (!supersedes(uploaded, c, now)) return {}
        return c.keyAlgorithm !== null && uploaded.keyAlgorithm === c.keyAlgorithm
          ? { id: uploaded.id }
          : { why: notOnto(c, uploaded) }
      }
      index ??= new SupersederIndex(pool.values())
      const target = index.moveTarget(c, now)
      if (target) return { id: target.id }
      const newest = index.find(c, now, 1)[0]
      return newest ? { why: notOnto(c, newest) } : {}
    }
  }
}

/**
 * The `max-deletions` safety cap: throws, naming every certificate of the plan, when it would
 * delete more than `max` (or when `max` is not a number: fails closed).
 */
export function checkMaxDeletions(plan: Pick<PrunePlan, 'delete'>, max: number): void {
  const n = plan.delete.length
  if (n <= max) return
  const which = plan.delete
    .map(e => `${e.id} (${e.domains.join(', ')}, not after ${day(e.notAfter)})`)
    .join(', ')
  throw new Error(
    `The plan would delete ${n} certificate${n === 1 ? '' : 's'}, more than max-deletions ` +
      `(${max}): ${which}; nothing was deleted. Raise max-deletions, or ask for fewer ` +
      '(prune-domains; certificate-ids in delete).'
  )
}
