/**
 * The contract's Superseded rule, and an index that finds a certificate's superseders among a
 * pool in what its own names cost: shared by the pruning planner and the inventory. Pure.
 *
 * N supersedes C when N covers every domain of C (the same name, or the wildcard one label up),
 * N's not-after is strictly later, both have the same cert-type, and either C has expired (then
 * any key algorithm will do, unknown included) or both have the same known key algorithm: an
 * RSA and an ECDSA certificate for the same names are served side by side, and a certificate
 * whose key algorithm is unknown is superseded only once expired. A certificate without domains
 * or without a valid not-after is superseded by nothing and supersedes nothing.
 *
 * N supersedes nothing while it is not valid yet (its not-before is later than now), nor when
 * its not-before is unknown (the listing did not say: fail safe). `pendingSuperseders` finds the
 * ones that will supersede C once they are valid, so that the step can say why C stays.
 */
import type { KeyAlgorithm } from '../certificate/key-algorithm.js'

export interface Supersedable {
  id: string
  /** Lower-case. */
  domains: ReadonlySet<string>
  /** Milliseconds; NaN when not a valid date. */
  notAfter: number
  /** Milliseconds; NaN when unknown (then it supersedes nothing). */
  notBefore: number
  /** Milliseconds; -Infinity when missing: only orders certificates with equal not-after. */
  insertedAt: number
  certType: string
  keyAlgorithm: KeyAlgorithm | null
  /** The certificate a `sync` run just uploaded: the newest of those with its not-after. */
  isNew: boolean
}

export interface SupersedableFields {
  id: string
  domains: readonly string[]
  notAfter: Date
  /** Absent: not told (a certificate built by hand, valid from the start of time); an Invalid
   * Date: the API did not say, and it supersedes nothing. The clients always set it. */
  notBefore?: Date
  insertedAt?: Date
  certType: string
  keyAlgorithm: KeyAlgorithm | null
}

export function toSupersedable(cert: SupersedableFields, isNew = false): Supersedable {
  const insertedAt = cert.insertedAt?.getTime() ?? NaN
  return {
    id: cert.id,
    domains: new Set(cert.domains.map(d => d.toLowerCase())),
    notAfter: cert.notAfter.getTime(),
    notBefore: cert.notBefore === undefined ? -Infinity : cert.notBefore.getTime(),
    insertedAt: Number.isNaN(insertedAt) ? -Infinity : insertedAt,
    certType: cert.certType,
    keyAlgorithm: cert.keyAlgorithm,
    isNew
  }
}

/** The wildcard that covers `domain` (lower-case), if one can: `a.example.com` -> `*.example.com`. */
export function wildcardFor(domain: string): string | undefined {
  const dot = domain.indexOf('.')
  if (dot <= 0 || dot === domain.length - 1 || domain.slice(0, dot).includes('*')) return undefined
  return `*${domain.slice(dot)}`
}

function coversAll(n: Supersedable, c: Supersedable): boolean {
  for (const d of c.domains) {
    if (n.domains.has(d)) continue
    const wildcard = wildcardFor(d)
    if (wildcard === undefined || !n.domains.has(wildcard)) return false
  }
  return true
}

/** `notAfter <= now`. */
export const hasExpired = (c: Supersedable, now: number): boolean => c.notAfter <= now

/** `notBefore <= now`; false when the not-before is unknown. */
export const isValidYet = (n: Supersedable, now: number): boolean => n.notBefore <= now

/** Whether `n` supersedes `c` at `now` (milliseconds): the rule above, in full. */
export function supersedes(n: Supersedable, c: Supersedable, now: number): boolean {
  return isValidYet(n, now) && supersedesOnceValid(n, c, now)
}

/** The rule without N's validity: N will supersede C once it is valid (if C is unchanged). */
export function supersedesOnceValid(n: Supersedable, c: Supersedable, now: number): boolean {
  if (n.id === c.id || c.domains.size === 0) return false
  if (!(n.notAfter > c.notAfter)) return false // NaN on either side is false too
  if (n.certType !== c.certType) return false
  if (!hasExpired(c, now) && (c.keyAlgorithm === null || n.keyAlgorithm !== c.keyAlgorithm))
    return false
  return coversAll(n, c)
}

/**
 * Age order: negative when `a` is older. By not-after (invalid ones oldest), then the new
 * certificate last, then insertedAt, then id; 0 only for the same id.
 */
export function compareAge(a: Supersedable, b: Supersedable): number {
  const an = Number.isNaN(a.notAfter) ? -Infinity : a.notAfter
  const bn = Number.isNaN(b.notAfter) ? -Infinity : b.notAfter
  if (an !== bn) return an < bn ? -1 : 1
  if (a.isNew !== b.isNew) return a.isNew ? 1 : -1
  if (a.insertedAt !== b.insertedAt) return a.insertedAt < b.insertedAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

const ALGORITHMS: readonly (KeyAlgorithm | null)[] = ['RSA', 'ECDSA', null]

/**
 * The pool's certificates filed under (cert-type, key algorithm, name), newest first. A
 * superseder of C holds one of C's names or its wildcard, so looking under C's rarest name finds
 * every superseder; the newest-first order stops the walk at the first one not newer than C.
 */
export class SupersederIndex {
  private readonly byKey = new Map<string, Supersedable[]>()

  constructor(pool: Iterable<Supersedable>) {
    for (const cert of pool) {
      if (Number.isNaN(cert.notAfter)) continue
      for (const name of cert.domains) {
        const key = keyOf(cert.certType, cert.keyAlgorithm, name)
        const list = this.byKey.get(key)
        if (list) list.push(cert)
        else this.byKey.set(key, [cert])
      }
    }
    for (const list of this.byKey.values()) list.sort((a, b) => compareAge(b, a))
  }

  /** Up to `limit` certificates of the pool that supersede `c` at `now`, newest first. */
  find(c: Supersedable, now: number, limit = Infinity): Supersedable[] {
    return this.search(c, now, limit, supersedes)
  }

  /** Certificates of the pool that are not valid yet (or of unknown not-before) and would
   * supersede `c` once valid, newest first: why `c` is not superseded yet. */
  pending(c: Supersedable, now: number, limit = Infinity): Supersedable[] {
    return this.search(
      c,
      now,
      limit,
      (n, x, t) => !isValidYet(n, t) && supersedesOnceValid(n, x, t)
    )
  }

  /** The newest certificate of the pool that supersedes `c` at `now` and has c's own known key
   * algorithm: where `replace` may move c's resources (an expired RSA certificate's resources
   * never go onto an ECDSA or SM2 one). Undefined when c's key algorithm is unknown. */
  moveTarget(c: Supersedable, now: number): Supersedable | undefined {
    const own = c.keyAlgorithm
    if (own === null) return undefined
    return this.search(c, now, 1, supersedes, [own])[0]
  }

  private search(
    c: Supersedable,
    now: number,
    limit: number,
    rule: (n: Supersedable, c: Supersedable, now: number) => boolean,
    only?: readonly KeyAlgorithm[]
  ): Supersedable[] {
    if (c.domains.size === 0 || Number.isNaN(c.notAfter) || limit <= 0) return []
    // Valid: only the same known algorithm can supersede it; expired: any.
    const algorithms =
      only ?? (hasExpired(c, now) ? ALGORITHMS : c.keyAlgorithm ? [c.keyAlgorithm] : [])
    let best: Supersedable[][] | undefined
    let bestSize = Infinity
    for (const d of c.domains) {
      const lists: Supersedable[][] = []
      for (const algorithm of algorithms)
        for (const name of [d, wildcardFor(d)]) {
          const list =
            name === undefined ? undefined : this.byKey.get(keyOf(c.certType, algorithm, name))
          if (list) lists.push(list)
        }
      const size = lists.reduce((sum, list) => sum + list.length, 0)
      if (size < bestSize) [best, bestSize] = [lists, size]
    }
    const found: Supersedable[] = []
    let previous: Supersedable | undefined
    for (const n of newestFirst(best ?? [])) {
      if (!(n.notAfter > c.notAfter)) break
      // A certificate holding both a name and its wildcard is filed twice: it comes out twice
      // in a row.
      if (n === previous) continue
      previous = n
      if (rule(n, c, now)) found.push(n)
      if (found.length >= limit) break
    }
    return found
  }
}

const keyOf = (certType: string, algorithm: KeyAlgorithm | null, name: string): string =>
  `${certType}\n${algorithm ?? '?'}\n${name}`

/** Merges lists sorted newest first into one sequence, newest first (a handful of lists). */
function* newestFirst(lists: Supersedable[][]): Generator<Supersedable> {
  const at = lists.map(() => 0)
  for (;;) {
    let pick = -1
    for (let i = 0; i < lists.length; i++) {
      if (at[i] >= lists[i].length) continue
      if (pick < 0 || compareAge(lists[i][at[i]], lists[pick][at[pick]]) > 0) pick = i
    }
    if (pick < 0) return
    yield lists[pick][at[pick]++]
  }
}
