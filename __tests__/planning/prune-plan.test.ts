import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  checkMaxDeletions,
  covers,
  planPrune,
  type NewCertificate,
  type PlanOptions,
  type PrunePlan
} from '../../src/planning/prune-plan.js'
import type { CertSource, KeyAlgorithm, ListedCertificate } from '../../src/tencent/client.js'

const day = (s: string): Date => new Date(`${s}T00:00:00Z`)
const NOW = day('2026-06-01')

function cert(
  id: string,
  domains: string[],
  notAfter: string,
  extra: Partial<ListedCertificate> = {}
): ListedCertificate {
  return {
    id,
    domains,
    notAfter: day(notAfter),
    certType: 'SVR',
    source: 'upload',
    keyAlgorithm: 'ECDSA',
    projectId: 0,
    alias: id,
    ...extra
  }
}

function newCert(
  id: string,
  domains: string[],
  notAfter: string,
  keyAlgorithm: KeyAlgorithm | null = 'ECDSA'
): NewCertificate {
  return { id, domains, notAfter: day(notAfter), keyAlgorithm }
}

function options(extra: Partial<PlanOptions> = {}): PlanOptions {
  return {
    scope: ['example.com', 'www.example.com', 'a.example.com', 'a.b.example.com', '*.example.com'],
    keep: 1,
    expiredOnly: false,
    certType: 'SVR',
    projectId: 0,
    now: NOW,
    ...extra
  }
}

const ids = (plan: PrunePlan): { del: string[]; kept: string[] } => ({
  del: plan.delete.map(e => e.id),
  kept: plan.keep.map(e => e.id)
})

const none = {
  notUploaded: 0,
  otherType: 0,
  otherProject: 0,
  outsideDomains: 0,
  newCertificate: 0
}
const WWW = ['example.com', 'www.example.com']

describe('covers', () => {
  it.each<[string[], string, boolean]>([
    [['a.example.com'], 'a.example.com', true],
    [['*.example.com'], 'a.example.com', true],
    [['*.example.com'], 'example.com', false],
    [['*.example.com'], 'a.b.example.com', false],
    [['*.example.com'], '*.example.com', true],
    [['*.example.com'], '*.b.example.com', false],
    [['*.b.example.com'], 'a.b.example.com', true],
    [['a.example.com'], '*.example.com', false],
    [['a.example.com', 'b.example.com'], '*.example.com', false],
    [['*.example.com'], '.example.com', false],
    [['*.example.com'], 'a.example.org', false],
    [['Example.COM'], 'example.com', true],
    [['*.EXAMPLE.com'], 'A.example.COM', true],
    [['example.com', '*.example.com'], 'example.com', true],
    [[], 'example.com', false]
  ])('%j covers %s: %s', (coverDomains, domain, expected) => {
    expect(covers(coverDomains, domain)).toBe(expected)
  })
})

describe('planPrune: scope', () => {
  it.each<
    [string, ListedCertificate[], Partial<PlanOptions>, string[], string[], Partial<typeof none>]
  >([
    ['empty list', [], {}, [], [], {}],
    [
      'a certificate Tencent issued is never deleted, nor supersedes one',
      [
        cert('issued-old', WWW, '2026-01-01', { source: 'buy' }),
        cert('up', WWW, '2026-03-01'),
        cert('issued-new', WWW, '2026-09-01', { source: 'buy' })
      ],
      {},
      [],
      ['up'],
      { notUploaded: 2 }
    ],
    [
      'a certificate of another cert-type is never deleted, nor supersedes one',
      [
        cert('ca-old', WWW, '2026-01-01', { certType: 'CA' }),
        cert('svr', WWW, '2026-03-01'),
        cert('ca-new', WWW, '2026-09-01', { certType: 'CA' })
      ],
      {},
      [],
      ['svr'],
      { otherType: 2 }
    ],
    [
      'cert-type CA plans over CA certificates only',
      [
        cert('ca-old', WWW, '2026-01-01', { certType: 'CA' }),
        cert('svr-old', WWW, '2026-02-01'),
        cert('ca-new', WWW, '2026-09-01', { certType: 'CA' })
      ],
      { certType: 'CA' },
      ['ca-old'],
      ['ca-new'],
      { otherType: 1 }
    ],
    [
      'one domain outside the scope puts the certificate outside',
      [
        cert('mixed-old', ['a.example.com', 'b.other.com'], '2026-01-01'),
        cert('a-new', ['a.example.com'], '2026-09-01')
      ],
      { scope: ['a.example.com'] },
      [],
      ['a-new'],
      { outsideDomains: 1 }
    ],
    [
      'a wildcard in the scope matches only the same wildcard',
      [
        cert('w1', ['*.example.com'], '2026-01-01'),
        cert('a1', ['a.example.com'], '2026-01-01'),
        cert('apex', ['example.com'], '2026-01-01'),
        cert('w2', ['*.example.com'], '2026-03-01')
      ],
      { scope: ['*.example.com'] },
      ['w1'],
      ['w2'],
      { outsideDomains: 2 }
    ],
    [
      'a name in the scope does not bring in the wildcard that covers it',
      [cert('w1', ['*.example.com'], '2026-01-01'), cert('w2', ['*.example.com'], '2026-03-01')],
      { scope: ['a.example.com', 'b.example.com'] },
      [],
      [],
      { outsideDomains: 2 }
    ],
    [
      'the scope is case-insensitive',
      [cert('old', WWW, '2026-01-01'), cert('new', WWW, '2026-03-01')],
      { scope: ['Example.COM', ' WWW.example.com '] },
      ['old'],
      ['new'],
      {}
    ],
    [
      'listed domains are compared case-insensitively too',
      [cert('old', ['Example.COM'], '2026-01-01'), cert('new', ['example.com'], '2026-03-01')],
      { scope: ['example.com'] },
      ['old'],
      ['new'],
      {}
    ],
    [
      'an empty scope holds nothing',
      [cert('old', WWW, '2026-01-01'), cert('new', WWW, '2026-03-01')],
      { scope: [] },
      [],
      [],
      { outsideDomains: 2 }
    ],
    [
      'a certificate with no domains is outside, and superseded by nothing',
      [cert('empty', [], '2026-01-01'), cert('new', WWW, '2026-03-01')],
      { keep: 0 },
      ['new'],
      [],
      { outsideDomains: 1 }
    ],
    [
      'the new certificate is never deleted, even with keep 0',
      [
        cert('old', WWW, '2026-01-01'),
        cert('n', WWW, '2026-09-01'),
        cert('later', WWW, '2026-12-01')
      ],
      { keep: 0, newCertificate: newCert('n', WWW, '2026-09-01') },
      ['old', 'later'],
      [],
      { newCertificate: 1 }
    ],
    [
      'the new certificate is out of scope whatever else is true of its listing',
      [cert('n', WWW, '2026-09-01', { source: 'buy', certType: 'CA' })],
      { keep: 0, newCertificate: newCert('n', WWW, '2026-09-01') },
      [],
      [],
      { newCertificate: 1 }
    ],
    [
      'the first applicable reason counts: not uploaded before other type before domains',
      [
        cert('x1', ['other.com'], '2026-01-01', { source: 'buy', certType: 'CA' }),
        cert('x2', ['other.com'], '2026-01-01', { certType: 'CA' }),
        cert('x3', ['other.com'], '2026-01-01')
      ],
      { keep: 0 },
      [],
      [],
      { notUploaded: 1, otherType: 1, outsideDomains: 1 }
    ],
    [
      'an id listed twice is planned once',
      [
        cert('old', WWW, '2026-01-01'),
        cert('old', WWW, '2026-01-01'),
        cert('new', WWW, '2026-03-01')
      ],
      {},
      ['old'],
      ['new'],
      {}
    ]
  ])('%s', (_name, certificates, extra, del, kept, counts) => {
    const plan = planPrune(certificates, options(extra))
    expect(ids(plan)).toEqual({ del, kept })
    expect(plan.outOfScope).toEqual({ ...none, ...counts })
  })
})

describe('planPrune: keep over a series of renewals', () => {
  const renewals = [
    cert('r3', WWW, '2026-07-01'),
    cert('r1', WWW, '2026-01-01'),
    cert('r4', WWW, '2026-10-01'),
    cert('r2', WWW, '2026-04-01')
  ]
  it.each<[number, string[], [string, string][]]>([
    [0, ['r1', 'r2', 'r3', 'r4'], []],
    [1, ['r1', 'r2', 'r3'], [['r4', 'newest for its domains']]],
    [
      2,
      ['r1', 'r2'],
      [
        ['r3', 'only 1 newer certificate covers it, keep is 2'],
        ['r4', 'newest for its domains']
      ]
    ],
    [
      3,
      ['r1'],
      [
        ['r2', 'only 2 newer certificates cover it, keep is 3'],
        ['r3', 'only 1 newer certificate covers it, keep is 3'],
        ['r4', 'newest for its domains']
      ]
    ],
    [
      4,
      [],
      [
        ['r1', 'only 3 newer certificates cover it, keep is 4'],
        ['r2', 'only 2 newer certificates cover it, keep is 4'],
        ['r3', 'only 1 newer certificate covers it, keep is 4'],
        ['r4', 'newest for its domains']
      ]
    ]
  ])('keep %i deletes %j, oldest first', (keep, del, kept) => {
    const plan = planPrune(renewals, options({ keep }))
    expect(plan.delete.map(e => e.id)).toEqual(del)
    expect(plan.keep.map(e => [e.id, e.reason])).toEqual(kept)
  })

  it('names the newest superseder, and fills the entry from the listing', () => {
    const plan = planPrune(renewals, options({ keep: 2 }))
    expect(plan.delete[0]).toEqual({
      id: 'r1',
      domains: WWW,
      notAfter: day('2026-01-01'),
      alias: 'r1',
      expired: true,
      reason: 'superseded by r4 (not after 2026-10-01)',
      supersededBy: 'r4'
    })
    expect(plan.delete[1]).toMatchObject({ id: 'r2', expired: true })
    expect(plan.keep[0]).toMatchObject({ id: 'r3', expired: false })
  })

  it('keep 0 with nothing newer says so', () => {
    const plan = planPrune([cert('only', WWW, '2026-01-01')], options({ keep: 0 }))
    expect(plan.delete.map(e => [e.id, e.reason])).toEqual([
      ['only', 'keep is 0, no newer certificate covers it']
    ])
  })

  it.each([-1, 1.5, NaN])('refuses keep %p', keep => {
    expect(() => planPrune([], options({ keep }))).toThrow(RangeError)
  })
})

describe('planPrune: coverage', () => {
  it.each<[string, ListedCertificate[], string[], string[]]>([
    [
      'a wildcard supersedes a name one label below it',
      [cert('a', ['a.example.com'], '2026-01-01'), cert('w', ['*.example.com'], '2026-03-01')],
      ['a'],
      ['w']
    ],
    [
      'a wildcard does not cover the apex',
      [cert('apex', ['example.com'], '2026-01-01'), cert('w', ['*.example.com'], '2026-03-01')],
      [],
      ['apex', 'w']
    ],
    [
      'a wildcard does not cover two labels below',
      [cert('ab', ['a.b.example.com'], '2026-01-01'), cert('w', ['*.example.com'], '2026-03-01')],
      [],
      ['ab', 'w']
    ],
    [
      'a name does not cover the wildcard',
      [cert('w', ['*.example.com'], '2026-01-01'), cert('a', ['a.example.com'], '2026-03-01')],
      [],
      ['w', 'a']
    ],
    [
      'the same wildcard supersedes a wildcard',
      [cert('w1', ['*.example.com'], '2026-01-01'), cert('w2', ['*.example.com'], '2026-03-01')],
      ['w1'],
      ['w2']
    ],
    [
      'every domain must be covered',
      [cert('both', WWW, '2026-01-01'), cert('www', ['www.example.com'], '2026-03-01')],
      [],
      ['both', 'www']
    ],
    [
      'a wildcard plus the apex covers the apex and a name',
      [
        cert('both', ['example.com', 'a.example.com'], '2026-01-01'),
        cert('wild', ['example.com', '*.example.com'], '2026-03-01')
      ],
      ['both'],
      ['wild']
    ],
    [
      'a certificate with more domains supersedes one with fewer',
      [cert('apex', ['example.com'], '2026-01-01'), cert('both', WWW, '2026-03-01')],
      ['apex'],
      ['both']
    ],
    [
      'an older certificate never supersedes, however much it covers',
      [cert('both', WWW, '2026-01-01'), cert('apex', ['example.com'], '2026-03-01')],
      [],
      ['both', 'apex']
    ],
    [
      'coverage chains: each is covered by a newer one, the newest stays',
      [
        cert('a', ['a.example.com'], '2026-01-01'),
        cert('w', ['*.example.com'], '2026-02-01'),
        cert('w2', ['*.example.com', 'example.com'], '2026-03-01')
      ],
      ['a', 'w'],
      ['w2']
    ]
  ])('%s', (_name, certificates, del, kept) => {
    expect(ids(planPrune(certificates, options()))).toEqual({ del, kept })
  })

  it('a newer certificate outside the scope supersedes one inside it, and stays', () => {
    const certificates = [
      cert('in', ['a.example.com'], '2026-01-01'),
      cert('out', ['a.example.com', 'b.other.com'], '2026-03-01')
    ]
    const plan = planPrune(certificates, options({ scope: ['a.example.com'] }))
    expect(ids(plan)).toEqual({ del: ['in'], kept: [] })
    expect(plan.delete[0].reason).toBe('superseded by out (not after 2026-03-01)')
    expect(plan.outOfScope).toEqual({ ...none, outsideDomains: 1 })
  })
})

describe('planPrune: sync, the new certificate', () => {
  const n = newCert('n', WWW, '2026-10-01')
  const old = [cert('o1', WWW, '2026-01-01'), cert('o2', WWW, '2026-04-01')]
  it.each<[string, ListedCertificate[], number, string[], string[], number]>([
    ['not listed yet, keep 1', old, 1, ['o1', 'o2'], [], 0],
    ['not listed yet, keep 2', old, 2, ['o1'], ['o2'], 0],
    ['listed, keep 1', [...old, cert('n', WWW, '2026-10-01')], 1, ['o1', 'o2'], [], 1],
    ['listed, counted once, keep 2', [cert('n', WWW, '2026-10-01'), ...old], 2, ['o1'], ['o2'], 1],
    ['listed, keep 3', [...old, cert('n', WWW, '2026-10-01')], 3, [], ['o1', 'o2'], 1],
    [
      'a later certificate than the new one is not superseded by it',
      [...old, cert('later', WWW, '2027-01-01')],
      1,
      ['o1', 'o2'],
      ['later'],
      0
    ]
  ])('%s', (_name, certificates, keep, del, kept, newCount) => {
    const plan = planPrune(certificates, options({ scope: WWW, keep, newCertificate: n }))
    expect(ids(plan)).toEqual({ del, kept })
    expect(plan.outOfScope).toEqual({ ...none, newCertificate: newCount })
  })

  it('names the new certificate as the superseder', () => {
    const plan = planPrune(old, options({ scope: WWW, newCertificate: n }))
    expect(plan.delete.map(e => e.reason)).toEqual([
      'superseded by n (not after 2026-10-01)',
      'superseded by n (not after 2026-10-01)'
    ])
  })

  it('a new wildcard certificate supersedes the names below it', () => {
    const plan = planPrune(
      [cert('a', ['a.example.com'], '2026-01-01'), cert('b', ['b.example.com'], '2026-01-01')],
      options({
        scope: ['a.example.com', 'b.example.com', '*.example.com'],
        newCertificate: newCert('w', ['*.example.com'], '2026-09-01')
      })
    )
    expect(ids(plan)).toEqual({ del: ['a', 'b'], kept: [] })
  })
})

describe('planPrune: equal not-after', () => {
  // The contract: a certificate is superseded by ones with a strictly LATER not-after. Equal
  // ones (identical copies, an RSA and an ECDSA certificate issued together) all stay until a
  // later renewal; the lists are ordered by insert time, then id.
  const at = (s: string): { insertedAt: Date } => ({ insertedAt: day(s) })
  it.each<[string, ListedCertificate[], NewCertificate | undefined, string[], string[]]>([
    [
      "listed copies with the new certificate's not-after are kept",
      [
        cert('c2', WWW, '2026-10-01', at('2026-03-01')),
        cert('n', WWW, '2026-10-01', at('2026-01-01')),
        cert('c1', WWW, '2026-10-01', at('2026-02-01')),
        cert('c3', WWW, '2026-10-01')
      ],
      newCert('n', WWW, '2026-10-01'),
      [],
      ['c3', 'c1', 'c2']
    ],
    [
      'the new certificate does not supersede one that expires with it',
      [cert('z', WWW, '2026-10-01', at('2026-05-01'))],
      newCert('a', WWW, '2026-10-01'),
      [],
      ['z']
    ],
    [
      'copies are all kept, listed by insert time (a missing one first)',
      [
        cert('d2', WWW, '2026-10-01', at('2026-02-01')),
        cert('d3', WWW, '2026-10-01'),
        cert('d1', WWW, '2026-10-01', at('2026-01-01'))
      ],
      undefined,
      [],
      ['d3', 'd1', 'd2']
    ],
    [
      'an RSA and an ECDSA certificate issued together are both kept, listed by id',
      [
        cert('ecdsa', WWW, '2026-10-01', at('2026-01-01')),
        cert('rsa', WWW, '2026-10-01', at('2026-01-01'))
      ],
      undefined,
      [],
      ['ecdsa', 'rsa']
    ],
    [
      'a later renewal supersedes every copy',
      [cert('f2', WWW, '2026-10-01'), cert('g', WWW, '2026-11-01'), cert('f1', WWW, '2026-10-01')],
      undefined,
      ['f1', 'f2'],
      ['g']
    ],
    [
      'a later not-after beats a later insertedAt',
      [
        cert('late-upload', WWW, '2026-09-01', at('2026-05-01')),
        cert('early-upload', WWW, '2026-10-01', at('2026-01-01'))
      ],
      undefined,
      ['late-upload'],
      ['early-upload']
    ]
  ])('%s', (_name, certificates, newCertificate, del, kept) => {
    const plan = planPrune(certificates, options({ scope: WWW, newCertificate }))
    expect(ids(plan)).toEqual({ del, kept })
  })

  it('the order does not depend on the listing order', () => {
    const certificates = [
      cert('e2', WWW, '2026-10-01'),
      cert('e3', WWW, '2026-10-01'),
      cert('e1', WWW, '2026-10-01')
    ]
    const a = planPrune(certificates, options({ scope: WWW }))
    const b = planPrune([...certificates].reverse(), options({ scope: WWW }))
    expect(ids(a)).toEqual({ del: [], kept: ['e1', 'e2', 'e3'] })
    expect(ids(b)).toEqual(ids(a))
  })
})

describe('planPrune: expired-only', () => {
  // NOW is 2026-06-01: r1 and r2 have expired, r3 and r4 have not.
  const renewals = [
    cert('r1', WWW, '2026-01-01'),
    cert('r2', WWW, '2026-04-01'),
    cert('r3', WWW, '2026-07-01'),
    cert('r4', WWW, '2026-10-01')
  ]
  it.each<[number, string[], [string, string][]]>([
    [
      1,
      ['r1', 'r2'],
      [
        ['r3', 'not expired (expired-only)'],
        ['r4', 'newest for its domains']
      ]
    ],
    [
      0,
      ['r1', 'r2'],
      [
        ['r3', 'not expired (expired-only)'],
        ['r4', 'not expired (expired-only)']
      ]
    ],
    [
      3,
      ['r1'],
      [
        ['r2', 'only 2 newer certificates cover it, keep is 3'],
        ['r3', 'only 1 newer certificate covers it, keep is 3'],
        ['r4', 'newest for its domains']
      ]
    ]
  ])('keep %i', (keep, del, kept) => {
    const plan = planPrune(renewals, options({ keep, expiredOnly: true }))
    expect(plan.delete.map(e => e.id)).toEqual(del)
    expect(plan.keep.map(e => [e.id, e.reason])).toEqual(kept)
  })

  it('an expired certificate that is the newest stays with keep 1', () => {
    const plan = planPrune(
      [cert('x1', WWW, '2026-01-01'), cert('x2', WWW, '2026-02-01')],
      options({ expiredOnly: true })
    )
    expect(ids(plan)).toEqual({ del: ['x1'], kept: ['x2'] })
    expect(plan.keep[0]).toMatchObject({ expired: true, reason: 'newest for its domains' })
  })

  it.each<[string, boolean]>([
    ['2026-05-31T23:59:59.999Z', true],
    ['2026-06-01T00:00:00.000Z', true],
    ['2026-06-01T00:00:00.001Z', false]
  ])('not-after %s against now 2026-06-01: deleted %s', (notAfter, deleted) => {
    const plan = planPrune(
      [{ ...cert('edge', WWW, '2026-01-01'), notAfter: new Date(notAfter) }],
      options({ keep: 0, expiredOnly: true })
    )
    expect(plan.delete.map(e => e.id)).toEqual(deleted ? ['edge'] : [])
  })
})

describe('planPrune: an unreadable not-after', () => {
  it('is never deleted and supersedes nothing', () => {
    const plan = planPrune(
      [
        { ...cert('bad', WWW, '2026-01-01'), notAfter: new Date(NaN) },
        cert('good', WWW, '2026-03-01')
      ],
      options({ keep: 0 })
    )
    expect(plan.delete.map(e => [e.id, e.reason])).toEqual([
      ['good', 'keep is 0, no newer certificate covers it']
    ])
    expect(plan.keep.map(e => [e.id, e.reason])).toEqual([['bad', 'not-after unknown']])
  })
})

describe('checkMaxDeletions', () => {
  const plan = planPrune(
    [
      cert('r1', WWW, '2026-01-01'),
      cert('r2', ['example.com'], '2026-02-01'),
      cert('r3', WWW, '2026-03-01'),
      cert('r4', WWW, '2026-04-01')
    ],
    options()
  )
  it.each([3, 4, 20])('passes a plan of 3 deletions with max %i', max => {
    expect(plan.delete).toHaveLength(3)
    expect(() => checkMaxDeletions(plan, max)).not.toThrow()
  })

  it('refuses a plan of 3 deletions with max 2, naming them', () => {
    expect(() => checkMaxDeletions(plan, 2)).toThrow(
      new Error(
        'The plan would delete 3 certificates, more than max-deletions (2): ' +
          'r1 (example.com, www.example.com, not after 2026-01-01), ' +
          'r2 (example.com, not after 2026-02-01), ' +
          'r3 (example.com, www.example.com, not after 2026-03-01); ' +
          'nothing was deleted. Raise max-deletions, or ask for fewer ' +
          '(prune-domains; certificate-ids in delete).'
      )
    )
  })

  it('refuses one deletion with max 0, in the singular', () => {
    const one = planPrune([cert('a', WWW, '2026-01-01')], options({ keep: 0 }))
    expect(() => checkMaxDeletions(one, 0)).toThrow(
      'The plan would delete 1 certificate, more than max-deletions (0): ' +
        'a (example.com, www.example.com, not after 2026-01-01); nothing was deleted.'
    )
  })

  it('passes an empty plan with max 0', () => {
    expect(() => checkMaxDeletions(planPrune([], options()), 0)).not.toThrow()
  })

  it('throws a plain Error', () => {
    let caught: unknown
    try {
      checkMaxDeletions(plan, 1)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(Error)
    expect((caught as Error).name).toBe('Error')
  })
})

describe('planPrune: invariants over random inputs', () => {
  // A small pool, so that certificates often cover one another.
  const DOMAINS = [
    'example.com',
    'a.example.com',
    '*.example.com',
    'a.b.example.com',
    '*.b.example.com',
    'other.com'
  ]
  const DAYS = ['2026-01-01', '2026-03-01', '2026-06-01', '2026-09-01']

  const domainsArb = fc.oneof(
    { arbitrary: fc.subarray(DOMAINS, { minLength: 1, maxLength: 2 }), weight: 9 },
    { arbitrary: fc.constant<string[]>([]), weight: 1 }
  )
  const listedArb = fc
    .array(
      fc.record({
        domains: domainsArb,
        notAfter: fc.constantFrom(...DAYS),
        insertedAt: fc.option(fc.constantFrom(...DAYS), { nil: undefined }),
        certType: fc.constantFrom('SVR', 'SVR', 'SVR', 'CA'),
        source: fc.constantFrom<CertSource>('upload', 'upload', 'upload', 'buy')
      }),
      { minLength: 2, maxLength: 12, size: 'max' }
    )
    .map(rows =>
      rows.map((r, i): ListedCertificate => ({
        id: `c${i}`,
        domains: r.domains,
        notAfter: day(r.notAfter),
        insertedAt: r.insertedAt === undefined ? undefined : day(r.insertedAt),
        certType: r.certType,
        source: r.source,
        keyAlgorithm: 'ECDSA',
        projectId: 0,
        alias: `c${i}`
      }))
    )
  const caseArb = listedArb.chain(listed =>
    fc.record({
      listed: fc.constant(listed),
      shuffled: fc.shuffledSubarray(listed, { minLength: listed.length }),
      scope: fc
        .oneof(fc.constant(DOMAINS), fc.subarray(DOMAINS, { minLength: 3 }), fc.subarray(DOMAINS))
        .chain(s =>
          fc.constantFrom(
            s,
            s.map(d => d.toUpperCase())
          )
        ),
      keep: fc.integer({ min: 0, max: 3 }),
      expiredOnly: fc.boolean(),
      newCertificate: fc.option(
        fc.record({
          // Either a fresh id or the id of a listed certificate (sync reusing or listing it).
          id: fc.constantFrom('new', ...listed.map(c => c.id)),
          domains: domainsArb,
          notAfter: fc.constantFrom(...DAYS).map(day),
          keyAlgorithm: fc.constant<KeyAlgorithm>('ECDSA')
        }),
        { nil: undefined }
      )
    })
  )

  // Oracles written from the spec, independently of the module.
  const coversDomain = (x: string, d: string): boolean =>
    x === d ||
    (x.startsWith('*.') &&
      d.endsWith(x.slice(1)) &&
      d.length > x.length - 1 &&
      !d.slice(0, d.length - x.length + 1).includes('.') &&
      !d.slice(0, d.length - x.length + 1).includes('*'))
  const coversCert = (x: string[], c: string[]): boolean =>
    c.every(d => x.some(xd => coversDomain(xd, d)))

  it('never deletes outside the scope, partitions the scope, keeps domains covered', () => {
    let runsWithDeletions = 0
    fc.assert(
      fc.property(caseArb, ({ listed, shuffled, scope, keep, expiredOnly, newCertificate }) => {
        const opts = options({ scope, keep, expiredOnly, newCertificate, now: day('2026-05-01') })
        const plan = planPrune(listed, opts)
        const scopeSet = new Set(scope.map(s => s.toLowerCase()))
        const inScope = listed.filter(
          c =>
            c.source === 'upload' &&
            c.certType === 'SVR' &&
            c.domains.length > 0 &&
            c.domains.every(d => scopeSet.has(d)) &&
            c.id !== newCertificate?.id
        )
        const inScopeIds = new Set(inScope.map(c => c.id))
        const deleted = new Set(plan.delete.map(e => e.id))
        if (deleted.size > 0) runsWithDeletions++

        // Only in-scope certificates are deleted; never the new one.
        for (const id of deleted) expect(inScopeIds.has(id)).toBe(true)
        if (newCertificate) expect(deleted.has(newCertificate.id)).toBe(false)

        // delete and keep partition the in-scope set; the counts cover the rest.
        const planned = [...plan.delete, ...plan.keep].map(e => e.id)
        expect(new Set(planned).size).toBe(planned.length)
        expect(new Set(planned)).toEqual(inScopeIds)
        const o = plan.outOfScope
        expect(o.notUploaded + o.otherType + o.outsideDomains + o.newCertificate).toBe(
          listed.length - inScope.length
        )

        // expired-only deletes only what has expired.
        if (expiredOnly) {
          for (const e of plan.delete) expect(e.notAfter.getTime() <= opts.now.getTime()).toBe(true)
        }

        // keep >= 1: every in-scope certificate is still covered, by itself or a certificate
        // no older than it that stays.
        if (keep >= 1) {
          const remaining: { domains: string[]; notAfter: number }[] = listed
            .filter(c => c.source === 'upload' && c.certType === 'SVR' && !deleted.has(c.id))
            .map(c => ({ domains: c.domains, notAfter: c.notAfter.getTime() }))
          if (newCertificate) {
            remaining.push({
              domains: newCertificate.domains,
              notAfter: newCertificate.notAfter.getTime()
            })
          }
          for (const c of inScope) {
            const ok = remaining.some(
              r => r.notAfter >= c.notAfter.getTime() && coversCert(r.domains, c.domains)
            )
            expect(ok).toBe(true)
          }
        }

        // Oldest first, by not-after.
        const times = plan.delete.map(e => e.notAfter.getTime())
        expect(times).toEqual([...times].sort((a, b) => a - b))

        // The listing order changes nothing.
        expect(planPrune(shuffled, opts)).toEqual(plan)
      }),
      { numRuns: 500 }
    )
    // Not vacuous: a good share of the runs delete something.
    expect(runsWithDeletions).toBeGreaterThan(100)
  })
})

describe('planPrune: key algorithms (RSA and ECDSA siblings)', () => {
  const rsa = { keyAlgorithm: 'RSA' as const }
  const at = (iso: string): Date => new Date(iso)
  it('sync of an EC chain 7 s after its RSA sibling never deletes the RSA one', () => {
    // acme.sh / certbot issue both within seconds: R not after T, E not after T + 7 s.
    const r = { ...cert('R', WWW, '2026-09-01', rsa), notAfter: at('2026-09-01T00:00:00Z') }
    const e = newCert('E', WWW, '2026-09-01')
    e.notAfter = at('2026-09-01T00:00:07Z')
    for (const keep of [1, 2]) {
      const plan = planPrune([r], options({ scope: WWW, keep, newCertificate: e }))
      expect(ids(plan)).toEqual({ del: [], kept: ['R'] })
      expect(plan.keep[0].supersededBy).toBeUndefined()
    }
    // ... and the other way round: an RSA sync never deletes the EC sibling.
    const plan = planPrune(
      [{ ...cert('E', WWW, '2026-09-01'), notAfter: at('2026-09-01T00:00:00Z') }],
      options({
        scope: WWW,
        newCertificate: { ...newCert('R', WWW, '2026-09-01', 'RSA'), notAfter: r.notAfter }
      })
    )
    expect(ids(plan)).toEqual({ del: [], kept: ['E'] })
  })

  it("each algorithm's renewal supersedes only its own line", () => {
    const plan = planPrune(
      [
        cert('rsa-1', WWW, '2026-07-01', rsa),
        cert('ec-1', WWW, '2026-07-01'),
        cert('rsa-2', WWW, '2026-10-01', rsa),
        cert('ec-2', WWW, '2026-10-02')
      ],
      options({ scope: WWW })
    )
    expect(plan.delete.map(e => [e.id, e.supersededBy])).toEqual([
      ['ec-1', 'ec-2'],
      ['rsa-1', 'rsa-2']
    ])
    expect(plan.keep.map(e => [e.id, e.reason])).toEqual([
      ['rsa-2', 'newest for its domains'],
      ['ec-2', 'newest for its domains']
    ])
  })

  it('an expired certificate is superseded by a newer one of any key algorithm', () => {
    // NOW is 2026-06-01.
    const plan = planPrune(
      [cert('old-rsa', WWW, '2026-05-01', rsa), cert('ec', WWW, '2026-09-01')],
      options({ scope: WWW })
    )
    expect(plan.delete.map(e => [e.id, e.supersededBy, e.expired])).toEqual([
      ['old-rsa', 'ec', true]
    ])
  })

  it('an unknown key algorithm is superseded only once expired, and does not supersede valid ones', () => {
    const unknown = { keyAlgorithm: null }
    const plan = planPrune(
      [
        cert('valid-unknown', WWW, '2026-07-01', unknown),
        cert('expired-unknown', WWW, '2026-05-01', unknown),
        cert('valid-ec', WWW, '2026-08-01'),
        cert('newest-unknown', WWW, '2026-12-01', unknown)
      ],
      options({ scope: WWW })
    )
    expect(plan.delete.map(e => [e.id, e.supersededBy])).toEqual([
      ['expired-unknown', 'newest-unknown']
    ])
    expect(plan.keep.map(e => [e.id, e.reason])).toEqual([
      ['valid-unknown', 'key algorithm unknown: superseded only once expired'],
      ['valid-ec', 'newest for its domains'],
      ['newest-unknown', 'key algorithm unknown: superseded only once expired']
    ])
  })

  it('a new certificate of unknown key algorithm supersedes only expired ones', () => {
    const plan = planPrune(
      [cert('expired', WWW, '2026-05-01'), cert('valid', WWW, '2026-07-01')],
      options({ scope: WWW, newCertificate: newCert('n', WWW, '2026-09-01', null) })
    )
    expect(ids(plan)).toEqual({ del: ['expired'], kept: ['valid'] })
  })

  it('keep counts superseders of the same key algorithm only', () => {
    const plan = planPrune(
      [
        cert('r1', WWW, '2026-07-01', rsa),
        cert('e1', WWW, '2026-08-01'),
        cert('r2', WWW, '2026-09-01', rsa),
        cert('e2', WWW, '2026-10-01'),
        cert('r3', WWW, '2026-11-01', rsa)
      ],
      options({ scope: WWW, keep: 2 })
    )
    expect(ids(plan)).toEqual({ del: ['r1'], kept: ['e1', 'r2', 'e2', 'r3'] })
    expect(plan.keep.map(e => [e.id, e.supersededBy, e.reason])).toEqual([
      ['e1', 'e2', 'only 1 newer certificate covers it, keep is 2'],
      ['r2', 'r3', 'only 1 newer certificate covers it, keep is 2'],
      ['e2', undefined, 'newest for its domains'],
      ['r3', undefined, 'newest for its domains']
    ])
  })
})

describe('planPrune: project-id', () => {
  it('never deletes a certificate of another project, nor counts it as a superseder', () => {
    const plan = planPrune(
      [
        cert('p0-old', WWW, '2026-07-01'),
        cert('p7-old', WWW, '2026-07-15', { projectId: 7 }),
        cert('unsaid', WWW, '2026-07-20', { projectId: undefined }),
        cert('p7-new', WWW, '2026-12-01', { projectId: 7 }),
        cert('p0-new', WWW, '2026-09-01')
      ],
      options({ scope: WWW })
    )
    expect(plan.delete.map(e => [e.id, e.supersededBy])).toEqual([['p0-old', 'p0-new']])
    expect(ids(plan).kept).toEqual(['p0-new'])
    expect(plan.outOfScope).toEqual({ ...none, otherProject: 3 })
  })

  it('works in the project it is given', () => {
    const plan = planPrune(
      [
        cert('p0-old', WWW, '2026-07-01'),
        cert('p7-old', WWW, '2026-07-15', { projectId: 7 }),
        cert('p7-new', WWW, '2026-12-01', { projectId: 7 })
      ],
      options({ scope: WWW, projectId: 7 })
    )
    expect(ids(plan)).toEqual({ del: ['p7-old'], kept: ['p7-new'] })
    expect(plan.outOfScope).toEqual({ ...none, otherProject: 1 })
  })

  it('a project the listing does not give is out of scope even for project 0', () => {
    const plan = planPrune(
      [cert('unsaid', WWW, '2026-01-01', { projectId: undefined })],
      options({ scope: WWW, keep: 0 })
    )
    expect(ids(plan)).toEqual({ del: [], kept: [] })
    expect(plan.outOfScope).toEqual({ ...none, otherProject: 1 })
  })
})
