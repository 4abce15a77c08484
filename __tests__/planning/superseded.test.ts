/** The shared Superseded rule and its name index, against the contract oracle. */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  compareAge,
  supersedes,
  SupersederIndex,
  toSupersedable,
  type Supersedable
} from '../../src/planning/superseded.js'
import type { ListedCertificate } from '../../src/tencent/client.js'
import { accountArb, NOW, oracleSupersedes } from './supersede-oracle.js'

const now = NOW.getTime()
const DAY = 86_400_000

function cert(
  id: string,
  notAfterDays: number,
  extra: Partial<ListedCertificate> = {}
): ListedCertificate {
  return {
    id,
    domains: ['example.com', 'www.example.com'],
    notAfter: new Date(now + notAfterDays * DAY),
    certType: 'SVR',
    source: 'upload',
    keyAlgorithm: 'RSA',
    projectId: 0,
    alias: '',
    ...extra
  }
}

const rule = (n: ListedCertificate, c: ListedCertificate): boolean =>
  supersedes(toSupersedable(n), toSupersedable(c), now)

describe('supersedes', () => {
  it.each<[string, ListedCertificate, ListedCertificate, boolean]>([
    ['same key, later', cert('n', 60), cert('c', 30), true],
    ['same key, 7 s later', cert('n', 30 + 7 / 86_400), cert('c', 30), true],
    ['same key, equal not-after', cert('n', 30), cert('c', 30), false],
    ['same key, earlier', cert('n', 20), cert('c', 30), false],
    ['ECDSA over a valid RSA', cert('n', 60, { keyAlgorithm: 'ECDSA' }), cert('c', 30), false],
    ['RSA over a valid ECDSA', cert('n', 60), cert('c', 30, { keyAlgorithm: 'ECDSA' }), false],
    ['ECDSA over an expired RSA', cert('n', 60, { keyAlgorithm: 'ECDSA' }), cert('c', -1), true],
    ['unknown over an expired RSA', cert('n', 60, { keyAlgorithm: null }), cert('c', -1), true],
    ['unknown over a valid RSA', cert('n', 60, { keyAlgorithm: null }), cert('c', 30), false],
    ['RSA over a valid unknown', cert('n', 60), cert('c', 30, { keyAlgorithm: null }), false],
    [
      'unknown over a valid unknown',
      cert('n', 60, { keyAlgorithm: null }),
      cert('c', 30, { keyAlgorithm: null }),
      false
    ],
    ['RSA over an expired unknown', cert('n', 60), cert('c', 0, { keyAlgorithm: null }), true],
    ['another cert-type', cert('n', 60, { certType: 'CA' }), cert('c', 30), false],
    ['fewer names', cert('n', 60, { domains: ['example.com'] }), cert('c', 30), false],
    [
      'the wildcard one label up',
      cert('n', 60, { domains: ['*.example.com', 'example.com'] }),
      cert('c', 30),
      true
    ],
    ['itself', cert('c', 60), cert('c', 30), false],
    [
      'not valid yet (not-before tomorrow)',
      cert('n', 60, { notBefore: new Date(now + DAY) }),
      cert('c', 30),
      false
    ],
    ['valid from this moment', cert('n', 60, { notBefore: new Date(now) }), cert('c', 30), true],
    [
      'not valid yet, over an expired one',
      cert('n', 60, { notBefore: new Date(now + 1) }),
      cert('c', -1),
      false
    ],
    ['unknown not-before', cert('n', 60, { notBefore: new Date(NaN) }), cert('c', 30), false],
    ['a certificate without names', cert('n', 60), cert('c', 30, { domains: [] }), false]
  ])('%s: %s', (_name, n, c, expected) => {
    expect(rule(n, c)).toBe(expected)
  })

  it('agrees with the contract oracle on random pairs', () => {
    fc.assert(
      fc.property(accountArb(2), accountArb(2), ([n], [c]) => {
        const other = { ...c, id: `${c.id}x` }
        expect(rule(n, other)).toBe(oracleSupersedes(n, other, NOW))
        expect(rule(n, n)).toBe(false)
      }),
      { numRuns: 3000 }
    )
  })
})

describe('SupersederIndex', () => {
  it('finds every superseder, newest first, as a scan of the whole pool does', () => {
    fc.assert(
      fc.property(accountArb(40), fc.integer({ min: 1, max: 4 }), (account, limit) => {
        const pool = account.map(c => toSupersedable(c))
        const index = new SupersederIndex(pool)
        for (const c of pool) {
          const scanned = pool
            .filter(n => oracleSupersedes(byId(account, n), byId(account, c), NOW))
            .sort((a, b) => compareAge(b, a))
          expect(index.find(c, now).map(n => n.id)).toEqual(scanned.map(n => n.id))
          expect(index.find(c, now, limit).map(n => n.id)).toEqual(
            scanned.slice(0, limit).map(n => n.id)
          )
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe('SupersederIndex.pending', () => {
  it('names the certificates that supersede C once valid, and only those', () => {
    const c = toSupersedable(cert('c', 30))
    const future = toSupersedable(cert('f', 90, { notBefore: new Date(now + DAY) }))
    const valid = toSupersedable(cert('v', 60))
    const unknown = toSupersedable(cert('u', 70, { notBefore: new Date(NaN) }))
    const index = new SupersederIndex([c, future, valid, unknown])
    expect(index.find(c, now).map(n => n.id)).toEqual(['v'])
    expect(index.pending(c, now).map(n => n.id)).toEqual(['f', 'u'])
    // Once valid, it supersedes and is pending no more.
    expect(index.find(c, now + DAY).map(n => n.id)).toEqual(['f', 'v'])
    expect(index.pending(c, now + DAY).map(n => n.id)).toEqual(['u'])
  })
})

const byId = (account: ListedCertificate[], s: Supersedable): ListedCertificate =>
  account.find(c => c.id === s.id) as ListedCertificate
