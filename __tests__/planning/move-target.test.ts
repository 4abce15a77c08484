/**
 * Where `replace` moves a superseded certificate's resources (poolRules().moveTarget): only onto a
 * valid certificate that supersedes it with its own known key algorithm. An expired certificate
 * may be deleted once any certificate supersedes it (the contract), but its resources never go
 * onto the ECDSA twin or an SM2 certificate in place of the RSA renewal.
 */
import { describe, expect, it } from '@jest/globals'
import { poolRules } from '../../src/planning/prune-plan.js'
import type { KeyAlgorithm } from '../../src/certificate/key-algorithm.js'
import type { ListedCertificate } from '../../src/tencent/client.js'

const DAY = 86_400_000
const now = new Date('2026-06-01T00:00:00Z')
const cert = (
  id: string,
  days: number,
  keyAlgorithm: KeyAlgorithm | null,
  extra: Partial<ListedCertificate> = {}
): ListedCertificate => ({
  id,
  domains: ['www.example.test'],
  notAfter: new Date(now.getTime() + days * DAY),
  notBefore: new Date(now.getTime() - 30 * DAY),
  insertedAt: new Date(now.getTime() - 10 * DAY),
  certType: 'SVR',
  source: 'upload',
  keyAlgorithm,
  projectId: 0,
  alias: id,
  ...extra
})
const target = (listed: ListedCertificate[], id = 'C') =>
  poolRules(listed, { certType: 'SVR', projectId: 0, now }).moveTarget(id)

describe('prune: the move target of an expired certificate', () => {
  it('is the newest valid one of its own key algorithm, not the newest of any', () => {
    expect(target([cert('C', -1, 'RSA'), cert('N', 60, 'RSA'), cert('S', 120, 'ECDSA')])).toEqual({
      id: 'N'
    })
  })

  it('is none when only the other key algorithm supersedes it, and says why', () => {
    const answer = target([cert('C', -1, 'RSA'), cert('S', 120, 'ECDSA')])
    expect(answer.id).toBeUndefined()
    expect(answer.why).toMatch(/S supersedes it, but no valid RSA certificate does .*ECDSA/)
  })

  it('is never a certificate of unknown key algorithm (SM2)', () => {
    const answer = target([cert('C', -1, 'RSA'), cert('SM', 120, null)])
    expect(answer).toEqual({ why: expect.stringContaining('of unknown algorithm') })
  })

  it('is none for a certificate whose own key algorithm is unknown', () => {
    const answer = target([cert('C', -1, null), cert('N', 60, 'RSA')])
    expect(answer).toEqual({ why: expect.stringContaining('its own key algorithm is unknown') })
  })

  it('skips a renewal of its algorithm that is not valid yet', () => {
    const later = { notBefore: new Date(now.getTime() + DAY) }
    const answer = target([
      cert('C', -1, 'RSA'),
      cert('N', 90, 'RSA', later),
      cert('S', 60, 'ECDSA')
    ])
    expect(answer.id).toBeUndefined()
  })

  it('a valid one is still the newest of its algorithm', () => {
    expect(target([cert('C', 10, 'RSA'), cert('N', 60, 'RSA'), cert('M', 90, 'RSA')])).toEqual({
      id: 'M'
    })
  })

  it('nothing supersedes it: no target and nothing to say', () => {
    expect(target([cert('C', -1, 'RSA')])).toEqual({})
  })
})

describe('sync: the move target is the new certificate, of the same key algorithm', () => {
  const sync = (keyAlgorithm: KeyAlgorithm | null) =>
    poolRules([cert('C', -1, 'RSA')], {
      certType: 'SVR',
      projectId: 0,
      now,
      newCertificate: {
        id: 'UP',
        domains: ['www.example.test'],
        notAfter: new Date(now.getTime() + 90 * DAY),
        notBefore: new Date(now.getTime() - DAY),
        keyAlgorithm
      }
    }).moveTarget('C')

  it('RSA renewal of an expired RSA certificate: moved', () => {
    expect(sync('RSA')).toEqual({ id: 'UP' })
  })

  it.each([['ECDSA' as const], [null]])('a %s upload: not moved, and why', algorithm => {
    expect(sync(algorithm)).toEqual({ why: expect.stringContaining('no valid RSA certificate') })
  })
})
