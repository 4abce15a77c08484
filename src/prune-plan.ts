/**
 * Prune planning: which listed certificates a `prune` or `sync` run deletes, and why the others
 * stay. Pure: no I/O and no clock; every time comes from `options.now`.
 *
 * Scope (contract, promise 3). A listed certificate is in scope when it was uploaded (not issued
 * or sold by Tencent), its `certType` is `options.certType`, it has at least one domain and every
 * one of them is in `options.scope` (case-insensitive; a wildcard matches only the same wildcard
 * string), and it is not `options.newCertificate`. Anything else is never deleted, only counted,
 * under the first reason that applies: the new certificate, not uploaded, other type, outside
 * domains (no domains at all included). An id listed twice is planned once (its first listing).
 *
 * Coverage. X covers domain d when one of X's domains is d, or is `*.rest` and d is `label.rest`
 * with exactly one more label: `*.example.com` covers `a.example.com`, not `example.com` nor
 * `a.b.example.com`; a wildcard d is covered only by the same wildcard. X covers certificate C
 * when X covers every domain of C.
 *
 * Newer means a strictly later `notAfter` (the contract's words): certificates that expire at
 * the same moment (an RSA and an ECDSA certificate issued together; identical copies uploaded by
 * older scripts) never supersede each other; a later renewal supersedes them all. Lists are
 * ordered by `notAfter`, then the new certificate, later `insertedAt` (missing is oldest), and
 * greater id, so that the output does not depend on the listing's order.
 *
 * Superseders of an in-scope C: the listed uploaded certificates of `options.certType`, in scope
 * or not, and the new certificate, other than C itself, that cover C and are newer than C.
 *
 * C is deleted when it has at least `keep` superseders (`keep` 0: every in-scope certificate) and,
 * with `expiredOnly`, `C.notAfter <= now`; otherwise it is kept, with the reason. A certificate
 * whose `notAfter` is not a valid date is never deleted and never supersedes another.
 * With `keep >= 1` every in-scope certificate stays covered after the deletions: the newest of a
 * chain of superseders is never deleted, and coverage is transitive.
 * Both lists are ordered oldest first.
 */
import type { ListedCertificate } from './tencent/client.js'

/** The certificate a `sync` run just uploaded or reused. */
export interface NewCertificate {
  id: string
  domains: string[]
  notAfter: Date
}

export interface PlanOptions {
  /** The `prune-domains`, already split. */
  scope: string[]
  /** Integer >= 0. */
  keep: number
  expiredOnly: boolean
  certType: string
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
}

/** Listed certificates never considered for deletion, counted by the first reason that applies. */
export interface OutOfScopeCounts {
  notUploaded: number
  otherType: number
  outsideDomains: number
  newCertificate: number
}

export interface PrunePlan {
  delete: PlanEntry[]
  keep: PlanEntry[]
  outOfScope: OutOfScopeCounts
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

/** The wildcard that covers `domain` (lower-case), if one can: `a.example.com` -> `*.example.com`. */
function wildcardFor(domain: string): string | undefined {
  const dot = domain.indexOf('.')
  if (dot <= 0 || dot === domain.length - 1 || domain.slice(0, dot).includes('*')) return undefined
  return `*${domain.slice(dot)}`
}

interface Candidate {
  id: string
  domains: Set<string>
  /** Milliseconds; NaN when not a valid date. */
  notAfter: number
  /** Milliseconds; -Infinity when missing or not a valid date. */
  insertedAt: number
  isNew: boolean
}

function toCandidate(
  cert: { id: string; domains: readonly string[]; notAfter: Date; insertedAt?: Date },
  isNew: boolean
): Candidate {
  const insertedAt = cert.insertedAt?.getTime() ?? NaN
  return {
    id: cert.id,
    domains: new Set(cert.domains.map(d => d.toLowerCase())),
    notAfter: cert.notAfter.getTime(),
    insertedAt: Number.isNaN(insertedAt) ? -Infinity : insertedAt,
    isNew
  }
}

/** Display order: negative when `a` sorts before `b`; 0 only for the same id. */
function compareAge(a: Candidate, b: Candidate): number {
  const an = Number.isNaN(a.notAfter) ? -Infinity : a.notAfter
  const bn = Number.isNaN(b.notAfter) ? -Infinity : b.notAfter
  if (an !== bn) return an < bn ? -1 : 1
  if (a.isNew !== b.isNew) return a.isNew ? 1 : -1
  if (a.insertedAt !== b.insertedAt) return a.insertedAt < b.insertedAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function coversAll(x: Candidate, c: Candidate): boolean {
  for (const d of c.domains) {
    if (x.domains.has(d)) continue
    const wildcard = wildcardFor(d)
    if (wildcard === undefined || !x.domains.has(wildcard)) return false
  }
  return true
}

/** `YYYY-MM-DD`, or `unknown` for an invalid date. */
function day(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().slice(0, 10)
}

export function planPrune(
  certificates: readonly ListedCertificate[],
  options: PlanOptions
): PrunePlan {
  const { keep, expiredOnly, certType, newCertificate } = options
  if (!Number.isInteger(keep) || keep < 0) {
    throw new RangeError(`keep must be an integer >= 0, got ${keep}`)
  }
  const scope = new Set(options.scope.map(s => s.trim().toLowerCase()).filter(s => s !== ''))
  const now = options.now.getTime()
  const outOfScope: OutOfScopeCounts = {
    notUploaded: 0,
    otherType: 0,
    outsideDomains: 0,
    newCertificate: 0
  }

  const seen = new Set<string>()
  const pool: Candidate[] = []
  const inScope: { cert: ListedCertificate; candidate: Candidate }[] = []
  for (const cert of certificates) {
    if (seen.has(cert.id)) continue
    seen.add(cert.id)
    if (newCertificate !== undefined && cert.id === newCertificate.id) {
      outOfScope.newCertificate++
      continue
    }
    if (!cert.uploaded) {
      outOfScope.notUploaded++
      continue
    }
    if (cert.certType !== certType) {
      outOfScope.otherType++
      continue
    }
    const candidate = toCandidate(cert, false)
    pool.push(candidate)
    if (candidate.domains.size === 0 || ![...candidate.domains].every(d => scope.has(d))) {
      outOfScope.outsideDomains++
      continue
    }
    inScope.push({ cert, candidate })
  }
  if (newCertificate !== undefined) pool.push(toCandidate(newCertificate, true))

  const toDelete: { entry: PlanEntry; candidate: Candidate }[] = []
  const toKeep: { entry: PlanEntry; candidate: Candidate }[] = []
  for (const { cert, candidate } of inScope) {
    const expired = candidate.notAfter <= now
    const entry = (reason: string): PlanEntry => ({
      id: cert.id,
      domains: [...cert.domains],
      notAfter: cert.notAfter,
      alias: cert.alias,
      expired,
      reason
    })
    if (Number.isNaN(candidate.notAfter)) {
      toKeep.push({ entry: entry('not-after unknown'), candidate })
      continue
    }
    let count = 0
    let newest: Candidate | undefined
    for (const x of pool) {
      if (x.id === candidate.id || Number.isNaN(x.notAfter)) continue
      // The contract's rule: a strictly later not-after. Equal ones (an RSA and an ECDSA
      // certificate issued together, or identical copies) never supersede each other.
      if (x.notAfter <= candidate.notAfter || !coversAll(x, candidate)) continue
      count++
      if (newest === undefined || compareAge(x, newest) > 0) newest = x
    }
    let keptFor: string | undefined
    if (count < keep) {
      keptFor =
        count === 0
          ? 'newest for its domains'
          : `only ${count} newer certificate${count === 1 ? ' covers' : 's cover'} it, keep is ${keep}`
    } else if (expiredOnly && !expired) {
      keptFor = 'not expired (expired-only)'
    }
    if (keptFor !== undefined) {
      toKeep.push({ entry: entry(keptFor), candidate })
    } else {
      const reason =
        newest === undefined
          ? 'keep is 0, no newer certificate covers it'
          : `superseded by ${newest.id} (not after ${day(new Date(newest.notAfter))})`
      toDelete.push({ entry: entry(reason), candidate })
    }
  }

  const oldestFirst = (list: { entry: PlanEntry; candidate: Candidate }[]): PlanEntry[] =>
    list.sort((a, b) => compareAge(a.candidate, b.candidate)).map(x => x.entry)
  return { delete: oldestFirst(toDelete), keep: oldestFirst(toKeep), outOfScope }
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
      `(${max}): ${which}; nothing was deleted. Raise max-deletions or narrow prune-domains.`
  )
}
