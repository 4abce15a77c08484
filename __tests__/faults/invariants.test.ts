/**
 * The invariant checker the fault suites rely on, fed states that break each promise: it must
 * name every violation (a checker that always says [] would make those suites pass vacuously).
 */
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { CertificateSnapshot } from '../../emulator/server.js'
import type { RunResult } from '../../fixtures/runner.js'
import {
  DOMAINS,
  fingerprintOf,
  invariantViolations,
  makeChains,
  type Chains,
  type InvariantInput
} from './harness.js'

let chains: Chains
beforeAll(async () => {
  chains = await makeChains()
})

const snapshot = (id: string, fields: Partial<CertificateSnapshot> = {}): CertificateSnapshot => ({
  id,
  domains: DOMAINS,
  notBefore: new Date(0),
  notAfter: new Date(0),
  insertTime: new Date(0),
  from: 'upload',
  certType: 'SVR',
  alias: '',
  fingerprint: `fp-${id}`,
  projectId: 0,
  tags: [],
  boundTo: [],
  hasPem: false,
  hasPrivateKey: false,
  deleted: false,
  ...fields
})

const ran = (status: number, outputs: Record<string, string> = {}): RunResult => ({
  status,
  stdout: '',
  stderr: '',
  lines: [],
  outputs,
  summary: ''
})

const gone = (c: CertificateSnapshot): CertificateSnapshot => ({ ...c, deleted: true })

/** A successful sync: `old` deleted, `renewed` uploaded as `new`. */
function cleanSync(): InvariantInput {
  const old = snapshot('old')
  const other = snapshot('other', { domains: ['b.example.test'] })
  const uploaded = snapshot('new', { fingerprint: fingerprintOf(chains.renewed) })
  return {
    before: [old, other],
    after: [gone(old), other, uploaded],
    result: ran(0, { 'certificate-id': 'new', 'deleted-ids': '["old"]' }),
    scope: DOMAINS,
    uploaded: chains.renewed
  }
}

describe('invariantViolations', () => {
  it('finds nothing wrong with a clean sync', () => {
    expect(invariantViolations(cleanSync())).toEqual([])
  })

  it.each<[string, (input: InvariantInput) => InvariantInput, RegExp]>([
    [
      'two copies of the upload',
      i => ({
        ...i,
        after: [...i.after, snapshot('dup', { fingerprint: fingerprintOf(chains.renewed) })]
      }),
      /2 live copies/
    ],
    [
      'a wrong certificate-id',
      i => ({ ...i, result: ran(0, { ...i.result.outputs, 'certificate-id': 'elsewhere' }) }),
      /certificate-id elsewhere is not the stored new/
    ],
    [
      'a success without the upload stored',
      i => ({ ...i, after: i.after.filter(c => c.id !== 'new') }),
      /not stored/
    ],
    [
      'a deletion outside the scope',
      i => ({ ...i, after: i.after.map(c => (c.id === 'other' ? gone(c) : c)) }),
      /other .* outside the scope/
    ],
    [
      'a Tencent-issued certificate deleted',
      i => ({
        ...i,
        before: [...i.before, snapshot('issued', { from: 'trustasia' })],
        after: [...i.after, gone(snapshot('issued', { from: 'trustasia' }))]
      }),
      /Tencent issued it/
    ],
    [
      'another type deleted',
      i => ({
        ...i,
        before: [...i.before, snapshot('ca', { certType: 'CA' })],
        after: [...i.after, gone(snapshot('ca', { certType: 'CA' }))]
      }),
      /another type/
    ],
    [
      'a bound certificate deleted',
      i => ({
        ...i,
        before: [...i.before, snapshot('bound', { boundTo: ['cdn'] })],
        after: [...i.after, gone(snapshot('bound', { boundTo: ['cdn'] }))]
      }),
      /while bound to cdn/
    ],
    ['a deletion in a dry run', i => ({ ...i, dryRun: true }), /by a dry run/],
    ['a deletion by a refused plan', i => ({ ...i, refused: true }), /by a refused plan/],
    ['a deletion in upload mode', i => ({ ...i, scope: undefined }), /prunes nothing/],
    [
      'something else created',
      i => ({ ...i, after: [...i.after, snapshot('stray')] }),
      /stray .* was created/
    ],
    [
      'deleted-ids that differ from what was deleted',
      i => ({ ...i, result: ran(0, { ...i.result.outputs, 'deleted-ids': '[]' }) }),
      /deleted-ids \[\] but deleted \["old"\]/
    ],
    [
      'the uploaded certificate deleted',
      i => {
        const existing = snapshot('existing', { fingerprint: fingerprintOf(chains.renewed) })
        return {
          ...i,
          before: [...i.before, existing],
          after: [...i.after.filter(c => c.id !== 'new'), gone(existing)],
          result: ran(1)
        }
      },
      /the uploaded certificate existing was deleted/
    ],
    [
      'the certificate just uploaded deleted',
      i => ({ ...i, after: i.after.map(c => (c.id === 'new' ? gone(c) : c)), result: ran(1) }),
      /the uploaded certificate new was deleted/
    ]
  ])('names %s', (_what, spoil, expected) => {
    const violations = invariantViolations(spoil(cleanSync()))
    expect(violations).toContainEqual(expect.stringMatching(expected))
  })
})
