/**
 * An oracle for the contract's Superseded rule and pruning scope, written from the contract's
 * words (action-contract.md, "Superseded", `project-id`, promise 3) without the project's helpers,
 * and the random accounts the property tests feed it and the planner.
 */
import fc from 'fast-check'
import type { CertSource, KeyAlgorithm, ListedCertificate } from '../../src/tencent/client.js'

/** "exact name, or the wildcard one label up": `*.example.com` serves `a.example.com` only. */
export function servesName(certName: string, domain: string): boolean {
  const name = certName.toLowerCase()
  const wanted = domain.toLowerCase()
  if (name === wanted) return true
  const labels = wanted.split('.')
  const first = labels[0]
  const parent = labels.slice(1).join('.')
  if (labels.length < 2 || first === '' || first.includes('*') || parent === '') return false
  return name === `*.${parent}`
}

export interface OracleCert {
  id: string
  domains: readonly string[]
  notAfter: Date
  /** Absent: valid from the start of time; an Invalid Date: unknown. */
  notBefore?: Date
  certType: string
  keyAlgorithm: KeyAlgorithm | null
}

/**
 * "C is superseded by N when N covers every domain of C, N's not-after is strictly later, both
 * have the same cert-type, and N has the same public-key algorithm as C. Once C has expired, a
 * newer N of any key algorithm supersedes it. A certificate whose key algorithm is unknown is
 * superseded only once expired." A certificate without domains, or without a valid not-after,
 * is never superseded. "N supersedes nothing while it is not valid yet (its not-before is in
 * the future)"; an unknown not-before is not known to be valid: nothing either.
 */
export function oracleSupersedes(n: OracleCert, c: OracleCert, now: Date): boolean {
  if (n.id === c.id || c.domains.length === 0) return false
  if (n.notBefore !== undefined && !(n.notBefore.getTime() <= now.getTime())) return false
  const nEnd = n.notAfter.getTime()
  const cEnd = c.notAfter.getTime()
  if (Number.isNaN(nEnd) || Number.isNaN(cEnd) || nEnd <= cEnd) return false
  if (n.certType !== c.certType) return false
  const cExpired = cEnd <= now.getTime()
  if (!cExpired) {
    if (c.keyAlgorithm === null) return false
    if (n.keyAlgorithm !== c.keyAlgorithm) return false
  }
  return c.domains.every(d => n.domains.some(name => servesName(name, d)))
}

// Random accounts: few names, so that certificates often cover one another.
export const NAMES = [
  'example.com',
  'a.example.com',
  'b.example.com',
  '*.example.com',
  'x.a.example.com',
  '*.a.example.com',
  'other.org'
]
export const NOW = new Date('2026-06-01T00:00:00Z')
const BASE = NOW.getTime()
const DAY = 86_400_000
/** Expired, near now, equal and near-equal (7 s, 1 ms apart) not-after times. */
export const TIMES = [
  BASE - 60 * DAY,
  BASE - 7_000,
  BASE,
  BASE + 1,
  BASE + 30 * DAY,
  BASE + 30 * DAY + 7_000,
  BASE + 90 * DAY,
  BASE + 90 * DAY + 1
]
export const ALGORITHMS: (KeyAlgorithm | null)[] = ['RSA', 'ECDSA', null]

const domainsArb = fc.oneof(
  { arbitrary: fc.subarray(NAMES, { minLength: 1, maxLength: 3 }), weight: 12 },
  { arbitrary: fc.constant<string[]>([]), weight: 1 }
)

export const rowArb = fc.record({
  domains: domainsArb,
  notAfter: fc.oneof(
    { arbitrary: fc.constantFrom(...TIMES), weight: 30 },
    { arbitrary: fc.constant(NaN), weight: 1 }
  ),
  insertedAt: fc.option(fc.constantFrom(...TIMES), { nil: undefined }),
  // Mostly valid; sometimes valid only from tomorrow, from this very moment, or unknown.
  notBefore: fc.constantFrom<number | undefined>(
    undefined,
    undefined,
    undefined,
    BASE - DAY,
    BASE,
    BASE + 1,
    BASE + DAY,
    NaN
  ),
  certType: fc.constantFrom('SVR', 'SVR', 'SVR', 'SVR', 'CA'),
  source: fc.constantFrom<CertSource>('upload', 'upload', 'upload', 'upload', 'buy'),
  keyAlgorithm: fc.constantFrom(...ALGORITHMS, 'RSA', 'ECDSA'),
  projectId: fc.constantFrom<number | undefined>(0, 0, 0, 0, 7, undefined)
})

export function accountArb(maxLength: number): fc.Arbitrary<ListedCertificate[]> {
  return fc.array(rowArb, { minLength: 1, maxLength }).map(rows =>
    rows.map((r, i): ListedCertificate => ({
      id: `c${String(i).padStart(3, '0')}`,
      domains: r.domains,
      notAfter: new Date(r.notAfter),
      ...(r.notBefore === undefined ? {} : { notBefore: new Date(r.notBefore) }),
      insertedAt: r.insertedAt === undefined ? undefined : new Date(r.insertedAt),
      certType: r.certType,
      source: r.source,
      keyAlgorithm: r.keyAlgorithm,
      projectId: r.projectId,
      alias: `c${i}`
    }))
  )
}

export const newCertificateArb = (listed: ListedCertificate[]) =>
  fc.record({
    // A fresh id, or the id of a listed certificate (sync reusing an identical one).
    id: fc.constantFrom('new', ...listed.map(c => c.id)),
    domains: fc.subarray(NAMES, { minLength: 1, maxLength: 3 }),
    notAfter: fc.constantFrom(...TIMES).map(t => new Date(t)),
    // A renewal valid only from tomorrow supersedes nothing yet.
    notBefore: fc.constantFrom<Date | undefined>(
      undefined,
      new Date(BASE - DAY),
      new Date(BASE + DAY)
    ),
    keyAlgorithm: fc.constantFrom(...ALGORITHMS)
  })
