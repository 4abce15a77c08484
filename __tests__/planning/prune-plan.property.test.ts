/**
 * The planner over random accounts (mixed key algorithms, unknown ones included, wildcards,
 * expired and future certificates, equal and near-equal not-after, other projects, purchased
 * certificates, other cert-types) against two oracles: one written from the contract's words,
 * and the straightforward all-pairs planner the name index replaced, kept here only.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  planPrune,
  type NewCertificate,
  type OutOfScopeCounts,
  type PlanEntry,
  type PlanOptions,
  type PrunePlan
} from '../../src/planning/prune-plan.js'
import type { ListedCertificate } from '../../src/tencent/client.js'
import {
  accountArb,
  NAMES,
  newCertificateArb,
  NOW,
  oracleSupersedes,
  servesName,
  type OracleCert
} from './supersede-oracle.js'

const optionsArb = (listed: ListedCertificate[]) =>
  fc.record({
    scope: fc.oneof(
      fc.constant(NAMES),
      fc.constant(NAMES),
      fc.subarray(NAMES, { minLength: 2 }),
      fc.subarray(NAMES).map(s => s.map(d => d.toUpperCase()))
    ),
    keep: fc.integer({ min: 0, max: 3 }),
    expiredOnly: fc.boolean(),
    certType: fc.constantFrom('SVR', 'SVR', 'SVR', 'CA'),
    projectId: fc.constantFrom(0, 0, 0, 7),
    now: fc.constant(NOW),
    newCertificate: fc.option(newCertificateArb(listed), { nil: undefined })
  })

const caseArb = (maxLength: number) =>
  accountArb(maxLength).chain(listed =>
    fc.record({ listed: fc.constant(listed), options: optionsArb(listed) })
  )

/** What the contract says a run deletes, and each in-scope certificate's superseders. */
function oracle(listed: ListedCertificate[], options: PlanOptions) {
  const { newCertificate, now, keep } = options
  const scope = new Set(options.scope.map(d => d.toLowerCase()))
  const firsts = listed.filter((c, i) => listed.findIndex(x => x.id === c.id) === i)
  // Promise 3: uploaded, this cert-type, this project; never the new certificate.
  const mayPrune = (c: ListedCertificate) =>
    c.id !== newCertificate?.id &&
    c.source === 'upload' &&
    c.certType === options.certType &&
    c.projectId === options.projectId
  const pool: (OracleCert & { isNew: boolean; insertedAt: number })[] = firsts
    .filter(mayPrune)
    .map(c => ({ ...c, isNew: false, insertedAt: c.insertedAt?.getTime() ?? -Infinity }))
  if (newCertificate)
    pool.push({ ...newCertificate, certType: options.certType, isNew: true, insertedAt: -Infinity })
  const inScope = firsts.filter(
    c => mayPrune(c) && c.domains.length > 0 && c.domains.every(d => scope.has(d.toLowerCase()))
  )
  const superseders = new Map(
    inScope.map(c => [c.id, pool.filter(n => oracleSupersedes(n, c, now))])
  )
  const deleted = new Set(
    inScope
      .filter(c => !Number.isNaN(c.notAfter.getTime()))
      .filter(c => (superseders.get(c.id) as OracleCert[]).length >= keep)
      .filter(c => !options.expiredOnly || c.notAfter.getTime() <= now.getTime())
      .map(c => c.id)
  )
  const newest = (id: string) =>
    [...(superseders.get(id) ?? [])].sort(
      (a, b) =>
        b.notAfter.getTime() - a.notAfter.getTime() ||
        Number(b.isNew) - Number(a.isNew) ||
        b.insertedAt - a.insertedAt ||
        (b.id > a.id ? 1 : -1)
    )[0]?.id
  return { inScope, superseders, deleted, newest }
}

describe('planPrune against the contract oracle', () => {
  it('deletes exactly what is superseded keep times, in scope; never a valid sibling of another key', () => {
    let withDeletions = 0
    let siblingsKept = 0
    fc.assert(
      fc.property(caseArb(20), ({ listed, options }) => {
        const plan = planPrune(listed, options)
        const expected = oracle(listed, options)
        const deleted = plan.delete.map(e => e.id)
        if (deleted.length > 0) withDeletions++

        expect(new Set(deleted)).toEqual(expected.deleted)
        expect([...plan.delete, ...plan.keep].map(e => e.id).sort()).toEqual(
          expected.inScope.map(c => c.id).sort()
        )
        for (const entry of [...plan.delete, ...plan.keep])
          expect(entry.supersededBy).toBe(expected.newest(entry.id))

        const byId = new Map(listed.map(c => [c.id, c]))
        for (const entry of plan.delete) {
          const c = byId.get(entry.id) as ListedCertificate
          // In scope and superseded at least keep times, by the oracle's reading.
          expect(expected.superseders.get(c.id)?.length ?? -1).toBeGreaterThanOrEqual(options.keep)
          if (entry.expired || options.keep === 0) continue
          // Valid: superseded only by certificates of its own, known, key algorithm.
          expect(c.keyAlgorithm).not.toBeNull()
          for (const n of expected.superseders.get(c.id) ?? [])
            expect(n.keyAlgorithm).toBe(c.keyAlgorithm)
        }

        // A valid certificate for which only certificates of another key algorithm are newer
        // and cover it stays (keep >= 1).
        if (options.keep >= 1) {
          const kept = new Set(plan.keep.map(e => e.id))
          for (const c of expected.inScope) {
            if (c.notAfter.getTime() <= NOW.getTime() || c.keyAlgorithm === null) continue
            const coveringNewer = listed.filter(
              n =>
                n.id !== c.id &&
                n.notAfter.getTime() > c.notAfter.getTime() &&
                c.domains.every(d => n.domains.some(name => servesName(name, d)))
            )
            if (
              coveringNewer.length > 0 &&
              coveringNewer.every(n => n.keyAlgorithm !== c.keyAlgorithm)
            ) {
              if (options.newCertificate?.keyAlgorithm === c.keyAlgorithm) continue
              expect(kept.has(c.id)).toBe(true)
              siblingsKept++
            }
          }
        }
      }),
      { numRuns: 1500 }
    )
    // Not vacuous.
    expect(withDeletions).toBeGreaterThan(150)
    expect(siblingsKept).toBeGreaterThan(25)
  })
})

// ---------------------------------------------------------------------------------------------
// The all-pairs planner: every in-scope certificate against every certificate of the pool, with
// the rules of the contract as they stand (key algorithm, project). Kept only as an oracle.

interface Candidate {
  id: string
  domains: Set<string>
  notAfter: number
  /** -Infinity when not told; NaN when unknown. */
  notBefore: number
  insertedAt: number
  isNew: boolean
  certType: string
  keyAlgorithm: string | null
}

function toCandidate(
  cert: Pick<
    ListedCertificate,
    'id' | 'domains' | 'notAfter' | 'notBefore' | 'insertedAt' | 'keyAlgorithm'
  >,
  certType: string,
  isNew: boolean
): Candidate {
  const insertedAt = cert.insertedAt?.getTime() ?? NaN
  return {
    id: cert.id,
    domains: new Set(cert.domains.map(d => d.toLowerCase())),
    notAfter: cert.notAfter.getTime(),
    notBefore: cert.notBefore === undefined ? -Infinity : cert.notBefore.getTime(),
    insertedAt: Number.isNaN(insertedAt) ? -Infinity : insertedAt,
    isNew,
    certType,
    keyAlgorithm: cert.keyAlgorithm
  }
}

function compareAge(a: Candidate, b: Candidate): number {
  const an = Number.isNaN(a.notAfter) ? -Infinity : a.notAfter
  const bn = Number.isNaN(b.notAfter) ? -Infinity : b.notAfter
  if (an !== bn) return an < bn ? -1 : 1
  if (a.isNew !== b.isNew) return a.isNew ? 1 : -1
  if (a.insertedAt !== b.insertedAt) return a.insertedAt < b.insertedAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function allPairsCovers(x: Candidate, c: Candidate): boolean {
  for (const d of c.domains) {
    if (x.domains.has(d)) continue
    const dot = d.indexOf('.')
    const wildcard =
      dot <= 0 || dot === d.length - 1 || d.slice(0, dot).includes('*')
        ? undefined
        : `*${d.slice(dot)}`
    if (wildcard === undefined || !x.domains.has(wildcard)) return false
  }
  return true
}

function allPairsPlan(certificates: ListedCertificate[], options: PlanOptions): PrunePlan {
  const { keep, expiredOnly, certType, projectId, newCertificate } = options
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
  const pool: Candidate[] = []
  const inScope: { cert: ListedCertificate; candidate: Candidate }[] = []
  for (const cert of certificates) {
    if (seen.has(cert.id)) continue
    seen.add(cert.id)
    if (newCertificate !== undefined && cert.id === newCertificate.id) outOfScope.newCertificate++
    else if (cert.source !== 'upload') outOfScope.notUploaded++
    else if (cert.certType !== certType) outOfScope.otherType++
    else if (cert.projectId !== projectId) outOfScope.otherProject++
    else {
      const candidate = toCandidate(cert, cert.certType, false)
      pool.push(candidate)
      if (candidate.domains.size === 0 || ![...candidate.domains].every(d => scope.has(d)))
        outOfScope.outsideDomains++
      else inScope.push({ cert, candidate })
    }
  }
  if (newCertificate !== undefined) pool.push(toCandidate(newCertificate, certType, true))

  const toDelete: { entry: PlanEntry; candidate: Candidate }[] = []
  const toKeep: { entry: PlanEntry; candidate: Candidate }[] = []
  for (const { cert, candidate } of inScope) {
    const expired = candidate.notAfter <= now
    let count = 0
    let newest: Candidate | undefined
    let byNew = false
    let pending: Candidate | undefined
    for (const x of pool) {
      if (x.id === candidate.id || Number.isNaN(x.notAfter) || Number.isNaN(candidate.notAfter))
        continue
      if (x.notAfter <= candidate.notAfter || x.certType !== candidate.certType) continue
      if (
        !expired &&
        (candidate.keyAlgorithm === null || x.keyAlgorithm !== candidate.keyAlgorithm)
      )
        continue
      if (!allPairsCovers(x, candidate)) continue
      if (!(x.notBefore <= now)) {
        if (pending === undefined || compareAge(x, pending) > 0) pending = x
        continue
      }
      count++
      byNew ||= x.isNew
      if (newest === undefined || compareAge(x, newest) > 0) newest = x
    }
    const entry = (reason: string): PlanEntry => ({
      id: cert.id,
      domains: [...cert.domains],
      notAfter: cert.notAfter,
      alias: cert.alias,
      expired,
      reason,
      ...(newest ? { supersededBy: newest.id } : {}),
      ...(byNew ? { supersededByNew: true as const } : {})
    })
    if (Number.isNaN(candidate.notAfter)) {
      toKeep.push({ entry: entry('not-after unknown'), candidate })
      continue
    }
    let keptFor: string | undefined
    if (count < keep && pending !== undefined) {
      const from = Number.isNaN(pending.notBefore)
        ? 'its not-before is unknown'
        : `not before ${new Date(pending.notBefore).toISOString()}`
      keptFor = `${pending.id} supersedes it once valid (${from}); a later run finishes the job`
    } else if (count < keep)
      keptFor =
        count > 0
          ? `only ${count} newer certificate${count === 1 ? ' covers' : 's cover'} it, keep is ${keep}`
          : cert.keyAlgorithm === null && !expired
            ? 'key algorithm unknown: superseded only once expired'
            : 'newest for its domains'
    else if (expiredOnly && !expired) keptFor = 'not expired (expired-only)'
    if (keptFor !== undefined) {
      const kept = entry(keptFor)
      if (count < keep && pending)
        kept.pendingSuperseder = {
          id: pending.id,
          notBefore: Number.isNaN(pending.notBefore) ? null : new Date(pending.notBefore)
        }
      toKeep.push({ entry: kept, candidate })
    } else
      toDelete.push({
        entry: entry(
          newest === undefined
            ? 'keep is 0, no newer certificate covers it'
            : `superseded by ${newest.id} (not after ${new Date(newest.notAfter).toISOString().slice(0, 10)})`
        ),
        candidate
      })
  }
  const oldestFirst = (list: { entry: PlanEntry; candidate: Candidate }[]): PlanEntry[] =>
    list.sort((a, b) => compareAge(a.candidate, b.candidate)).map(x => x.entry)
  return { delete: oldestFirst(toDelete), keep: oldestFirst(toKeep), outOfScope }
}

describe('planPrune against the all-pairs planner', () => {
  it('makes the same plan, entry for entry, on random accounts', () => {
    fc.assert(
      fc.property(caseArb(40), ({ listed, options }) => {
        expect(planPrune(listed, options)).toEqual(allPairsPlan(listed, options))
      }),
      { numRuns: 800 }
    )
  })

  it('makes the same plan when the account repeats ids and the new certificate is listed', () => {
    fc.assert(
      fc.property(caseArb(20), fc.nat(), ({ listed, options }, seed) => {
        const repeated = [...listed, ...listed.slice(seed % listed.length)]
        expect(planPrune(repeated, options)).toEqual(allPairsPlan(repeated, options))
      }),
      { numRuns: 200 }
    )
  })

  it('agrees on a long series of renewals of one name, both key algorithms interleaved', () => {
    const day = 86_400_000
    const listed: ListedCertificate[] = Array.from({ length: 400 }, (_, i) => ({
      id: `r${String(i).padStart(3, '0')}`,
      domains: i % 3 === 0 ? ['example.com', '*.example.com'] : ['a.example.com'],
      notAfter: new Date(NOW.getTime() + (i - 200) * day + (i % 2) * 7_000),
      certType: 'SVR',
      source: 'upload',
      keyAlgorithm: i % 2 === 0 ? 'RSA' : i % 5 === 0 ? null : 'ECDSA',
      projectId: 0,
      alias: ''
    }))
    const newCertificate: NewCertificate = {
      id: 'new',
      domains: ['a.example.com'],
      notAfter: new Date(NOW.getTime() + 300 * day),
      keyAlgorithm: 'RSA'
    }
    for (const keep of [0, 1, 2, 5]) {
      const options: PlanOptions = {
        scope: ['example.com', '*.example.com', 'a.example.com'],
        keep,
        expiredOnly: false,
        certType: 'SVR',
        projectId: 0,
        now: NOW,
        newCertificate
      }
      const plan = planPrune(listed, options)
      expect(plan).toEqual(allPairsPlan(listed, options))
      expect(plan.delete.length).toBeGreaterThan(0)
    }
  })
})
