/**
 * The guards' pure parts: the inputs' parsers, the account verdict, min-age's hold over a prune
 * plan, and which certificates mute-superseded mutes.
 */
import { describe, expect, it } from '@jest/globals'
import type { PruneResult } from '../../src/deletion/prune.js'
import { accountOfRoleArn, checkAccount, parseAllowedAccountIds } from '../../src/guards/account.js'
import { formatAge, holdForMinAge, parseMinAge } from '../../src/guards/min-age.js'
import { supersededKept } from '../../src/guards/mute.js'
import { planPrune, type PlanEntry, type PlanOptions } from '../../src/planning/prune-plan.js'
import { InputError } from '../../src/settings/input-error.js'
import type { ListedCertificate } from '../../src/tencent/client.js'

const NOW = new Date(Date.UTC(2026, 11, 7, 12))
const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('allowed-account-ids', () => {
  it('splits on commas and lines, drops blanks and repeats', () => {
    expect(parseAllowedAccountIds(' 100000000001,\n200000000002,,100000000001 ')).toEqual([
      '100000000001',
      '200000000002'
    ])
    expect(parseAllowedAccountIds('')).toEqual([])
  })

  it.each(['12a', '1 2', '-1', 'uin/1', '1'.repeat(21)])('refuses %s, naming the input', bad => {
    const parse = () => parseAllowedAccountIds(`100000000001,${bad}`)
    expect(parse).toThrow(InputError)
    expect(parse).toThrow(/allowed-account-ids.*not an account id/)
  })

  it('reads the account of both role ARN forms', () => {
    expect(accountOfRoleArn('qcs::cam::uin/100000000001:roleName/github-certs')).toBe(
      '100000000001'
    )
    expect(accountOfRoleArn('qcs::cam::uin/12345678:role/4611686018427397919')).toBe('12345678')
  })

  it('passes a listed account and names both otherwise', () => {
    expect(() => checkAccount('1', ['2', '1'], 'x')).not.toThrow()
    expect(() => checkAccount('3', ['1', '2'], 'STS GetCallerIdentity')).toThrow(
      /account 3 \(STS GetCallerIdentity\).*allowed-account-ids \(1, 2\): nothing was/
    )
  })
})

describe('min-age', () => {
  it.each([
    ['90m', 5400],
    ['12h', 43_200],
    ['2d', 172_800],
    ['45s', 45],
    ['600', 600],
    ['0', 0],
    ['', 0]
  ])('%s is %d seconds', (raw, seconds) => {
    expect(parseMinAge(raw)).toBe(seconds)
  })

  it.each(['1w', '2.5h', '-1h', '12 h', 'h', '1H', '1234567890'])('refuses %s', bad => {
    expect(() => parseMinAge(bad)).toThrow(/min-age.*90m, 12h or 2d/)
  })

  it('formats ages for the reasons', () => {
    expect([formatAge(86_400 * 2), formatAge(5400), formatAge(120), formatAge(3)]).toEqual([
      '2d',
      '1.5h',
      '2m',
      '3s'
    ])
  })
})

function cert(id: string, notAfterDays: number, insertedAgo?: number, domains = ['a.test']) {
  return {
    id,
    domains,
    notAfter: new Date(NOW.getTime() + notAfterDays * DAY),
    insertedAt: insertedAgo === undefined ? undefined : new Date(NOW.getTime() - insertedAgo),
    certType: 'SVR',
    source: 'upload',
    keyAlgorithm: 'ECDSA',
    projectId: 0,
    alias: id
  } satisfies ListedCertificate
}

function hold(
  listed: ListedCertificate[],
  minAgeSeconds: number,
  extra: Partial<PlanOptions> = {},
  uploadedNow = true
) {
  const options: PlanOptions = {
    scope: ['a.test'],
    keep: 1,
    expiredOnly: false,
    certType: 'SVR',
    projectId: 0,
    now: NOW,
    ...extra
  }
  const plan = planPrune(listed, options)
  const result = holdForMinAge(plan, listed, options, { minAgeSeconds, uploadedNow })
  return {
    deleted: result.plan.delete.map(e => e.id),
    held: result.held.map(e => e.id),
    kept: result.plan.keep.map(e => e.id),
    reasons: result.held.map(e => e.reason)
  }
}

describe('holdForMinAge', () => {
  it('holds a certificate whose superseders are all younger than min-age, and says why', () => {
    const result = hold([cert('old', 10, 30 * DAY), cert('new', 90, 2 * HOUR)], 12 * 3600)
    expect(result).toMatchObject({ deleted: [], held: ['old'] })
    expect(result.kept).toContain('old')
    expect(result.reasons[0]).toMatch(
      /min-age 12h: new, which supersedes it, has been in the account 2h/
    )
  })

  it('deletes once one superseder is old enough, even when the newest is young', () => {
    const listed = [cert('old', 10, 30 * DAY), cert('mid', 50, 3 * DAY), cert('new', 90, HOUR)]
    expect(hold(listed, 86_400)).toMatchObject({ deleted: ['old'], held: ['mid'] })
  })

  it('with keep 2, needs two superseders that old', () => {
    const listed = [cert('old', 10, 30 * DAY), cert('mid', 50, 3 * DAY), cert('new', 90, HOUR)]
    expect(hold(listed, 86_400, { keep: 2 })).toMatchObject({ deleted: [], held: ['old'] })
    expect(hold(listed, 1800, { keep: 2 })).toMatchObject({ deleted: ['old'], held: [] })
  })

  it('counts a superseder whose insertion time is unknown as young', () => {
    expect(hold([cert('old', 10, 30 * DAY), cert('new', 90)], 60)).toMatchObject({ held: ['old'] })
  })

  it('does not hold what keep 0 deletes with nothing superseding it', () => {
    const listed = [cert('lonely', 10, HOUR, ['a.test'])]
    expect(hold(listed, 86_400, { keep: 0 })).toMatchObject({ deleted: ['lonely'], held: [] })
  })

  it('a young certificate superseded by an old one is deleted: the superseder is what ages', () => {
    const listed = [cert('young', 10, HOUR), cert('aged', 90, 10 * DAY)]
    expect(hold(listed, 86_400)).toMatchObject({ deleted: ['young'], held: [] })
  })

  it('sync: the certificate this run uploaded is 0 old; a reused one is as old as it is', () => {
    const listed = [cert('old', 10, 30 * DAY), cert('new', 90, 5 * DAY)]
    const newCertificate = {
      id: 'new',
      domains: ['a.test'],
      notAfter: listed[1].notAfter,
      keyAlgorithm: 'ECDSA' as const
    }
    expect(hold(listed, 86_400, { newCertificate }, true)).toMatchObject({ held: ['old'] })
    expect(hold(listed, 86_400, { newCertificate }, false)).toMatchObject({ deleted: ['old'] })
  })

  it('changes nothing when off', () => {
    expect(hold([cert('old', 10, 30 * DAY), cert('new', 90, 0)], 0)).toMatchObject({
      deleted: ['old'],
      held: []
    })
  })
})

describe('supersededKept', () => {
  const entry = (id: string, supersededBy?: string): PlanEntry => ({
    id,
    domains: ['a.test'],
    notAfter: NOW,
    alias: id,
    expired: false,
    reason: 'r',
    ...(supersededBy ? { supersededBy } : {})
  })

  it('mutes kept superseded, skipped and over-the-cap ones; never deleted, failed or new', () => {
    const result = {
      plan: {
        delete: [],
        keep: [entry('kept', 'n'), entry('newest'), entry('new', 'x')],
        outOfScope: {} as never
      },
      deleted: [entry('gone', 'n')],
      skipped: [
        { ...entry('bound', 'n'), skipReason: 'bound to cdn' },
        { ...entry('unknown', 'n'), skipReason: 'refused' }
      ],
      failed: [{ entry: entry('unknown', 'n'), error: {} as never }],
      refused: { message: 'cap', planned: [entry('capped', 'n'), entry('gone', 'n')] }
    } as unknown as PruneResult
    expect(supersededKept(result, 'new')).toEqual(['kept', 'bound', 'capped'])
  })

  it('never mutes a certificate nothing supersedes, even when keep 0 planned it and it is bound', () => {
    const result = {
      plan: { delete: [], keep: [], outOfScope: {} as never },
      deleted: [],
      skipped: [
        { ...entry('live'), skipReason: 'bound to cdn (1)' },
        { ...entry('renewedNow'), supersededByNew: true, skipReason: 'bound to clb (1)' }
      ],
      failed: [],
      refused: { message: 'cap', planned: [entry('alsoLive')] }
    } as unknown as PruneResult
    expect(supersededKept(result, 'new')).toEqual(['renewedNow'])
  })
})
