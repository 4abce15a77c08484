/**
 * Every output a mode promises is set on every path, failure included (the contract's Outputs),
 * so that an `if: always()` step can read the JSON ones with fromJSON; inputs are trimmed by the
 * action itself; the summary's footer never prints what the runner did not give.
 */
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { makeCa, makeChain, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import type { RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['out.example.test']
const FAILED = 1

/** Each mode's outputs, and which of them are JSON arrays (from the contract's Outputs table). */
const PROMISED: Record<string, { strings: string[]; arrays: string[] }> = {
  upload: {
    strings: ['certificate-id', 'reused', 'not-after', 'fingerprint', 'account-id'],
    arrays: ['domains', 'deleted-ids', 'skipped-ids', 'replaced', 'verified', 'notified']
  },
  sync: {
    strings: ['certificate-id', 'reused', 'not-after', 'fingerprint', 'account-id'],
    arrays: ['domains', 'deleted-ids', 'skipped-ids', 'replaced', 'verified', 'notified']
  },
  prune: {
    strings: ['account-id'],
    arrays: ['deleted-ids', 'skipped-ids', 'replaced', 'notified']
  },
  delete: {
    strings: ['account-id'],
    arrays: ['deleted-ids', 'skipped-ids', 'replaced', 'notified']
  },
  list: {
    strings: ['account-id'],
    arrays: ['certificates', 'expiring-ids', 'stale-bound-ids', 'verified', 'notified']
  }
}

const lab = useE2eLab('outputs')
let chain: TestChain

beforeAll(async () => {
  const ca = await makeCa(1, 'Outputs')
  chain = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 60 * DAY) })
})

const run = (api: string, inputs: Record<string, string>, env: Record<string, string> = {}) =>
  lab.run(chain, { api, ...inputs }, { env })

/** Every promised output is present; JSON arrays parse; on failure, the arrays are empty. */
function expectPromisedOutputs(result: RunResult, mode: string): void {
  const { strings, arrays } = PROMISED[mode]
  for (const name of [...strings, ...arrays])
    expect({ name, set: name in result.outputs }).toEqual({ name, set: true })
  for (const name of arrays) expect(Array.isArray(JSON.parse(result.outputs[name]))).toBe(true)
}

describe.each(['3.0', '2.0'])('API %s: outputs on failure', api => {
  it('an upload that fails still sets every upload output', async () => {
    lab.emulator.faults.add({
      kind: 'malformed',
      variant: 'not-json',
      action: api === '3.0' ? 'UploadCertificate' : 'CertUpload'
    })
    lab.emulator.faults.add({
      kind: 'malformed',
      variant: 'not-json',
      action: api === '3.0' ? 'CheckCertificateExist' : 'CertGetList'
    })
    const result = await run(api, { mode: 'upload' })
    expect(result.status).toBe(FAILED)
    expectPromisedOutputs(result, 'upload')
    expect(result.outputs['certificate-id']).toBe('')
    expect(result.outputs['deleted-ids']).toBe('[]')
    // The leaf was validated before the failure: what is known is still given.
    expect(JSON.parse(result.outputs.domains)).toEqual(DOMAINS)
  })

  it('a sync whose list answer is malformed sets deleted-ids, skipped-ids and replaced to []', async () => {
    lab.emulator.faults.add({
      kind: 'malformed',
      variant: 'not-json',
      action: api === '3.0' ? 'DescribeCertificates' : 'CertGetList',
      times: 20
    })
    const result = await run(api, { mode: 'sync' })
    expect(result.status).toBe(FAILED)
    expectPromisedOutputs(result, 'sync')
    expect(result.outputs['skipped-ids']).toBe('[]')
    expect(result.outputs.replaced).toBe('[]')
  })

  it.each([
    ['prune', { mode: 'prune', 'prune-domains': 'out.example.test', keep: 'one' }],
    ['delete', { mode: 'delete', 'certificate-ids': 'not/an/id' }],
    ['list', { mode: 'list', 'expiring-within': 'soon' }]
  ])('%s with a bad input fails before any request and sets its outputs', async (mode, inputs) => {
    const result = await run(api, inputs)
    expect(result.status).toBe(FAILED)
    expect(lab.emulator.requests).toEqual([])
    expectPromisedOutputs(result, mode)
  })

  it('an unknown mode still sets every JSON array output', async () => {
    const result = await run(api, { mode: 'remove' })
    expect(result.status).toBe(FAILED)
    expect(result.lines.join('\n')).toMatch(/mode.*'upload', 'prune', 'sync', 'list', 'delete'/)
    for (const name of [
      'deleted-ids',
      'skipped-ids',
      'replaced',
      'certificates',
      'expiring-ids',
      'stale-bound-ids',
      'verified',
      'notified'
    ])
      expect({ name, value: result.outputs[name] }).toEqual({ name, value: '[]' })
  })
})

describe('inputs and the summary footer', () => {
  it('inputs with stray spaces are trimmed by the action', async () => {
    const result = await run('3.0', { mode: 'upload  ', 'dry-run': ' true ', 'cert-type': 'SVR ' })
    expect(result.status).toBe(0)
    expect(result.outputs.reused).toBe('false')
    expect(lab.emulator.certificates()).toEqual([])
  })

  it('the footer leaves out the workflow and run number when the runner gives none', async () => {
    const result: RunResult = await run(
      '3.0',
      { mode: 'upload' },
      { GITHUB_REPOSITORY: 'octo/site' }
    )
    expect(result.status).toBe(0)
    expect(result.summary).toContain('octo/site')
    expect(result.summary).not.toMatch(/undefined|NaN/)
    const named = await run(
      '3.0',
      { mode: 'upload' },
      {
        GITHUB_REPOSITORY: 'octo/site',
        GITHUB_WORKFLOW: 'Renew',
        GITHUB_RUN_NUMBER: '42'
      }
    )
    expect(named.summary).toContain('octo/site Renew #42')
  })
})
