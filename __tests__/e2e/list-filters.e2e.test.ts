/**
 * `list` with `cert-type` (the original brief's certType, default SVR) and the reason it gives
 * for an expiring certificate, end to end on both APIs: dist/index.js against the emulator.
 */
import 'reflect-metadata'
import { beforeEach, describe, expect, it } from '@jest/globals'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const lab = useE2eLab('list-filters', { nodeArgs: QUICK_WAITS })
const inDays = (days: number) => new Date(Date.now() + days * DAY)
const listed = (r: RunResult) =>
  (JSON.parse(r.outputs.certificates ?? 'null') as { id: string; type: string }[]).map(c => c.id)

describe.each(['3.0', '2.0'] as const)('API %s: list', api => {
  beforeEach(
    () =>
      void lab.emulator.seed([
        { id: 'Server01', domains: ['svr.example.test'], notAfter: inDays(60) },
        { id: 'ClientCa', domains: ['ca.example.test'], notAfter: inDays(60), certType: 'CA' }
      ])
  )

  it('lists server certificates only by default, CA ones with cert-type CA', async () => {
    const byDefault = await lab.run(undefined, { api, mode: 'list' })
    expect(byDefault.status).toBe(0)
    expect(listed(byDefault)).toEqual(['Server01'])
    const ca = await lab.run(undefined, { api, mode: 'list', 'cert-type': 'CA' })
    expect(ca.status).toBe(0)
    expect(listed(ca)).toEqual(['ClientCa'])
  })
})

describe('API 3.0: list, an expiring certificate with a newer one of another key algorithm', () => {
  it('says that nothing newer of the same key algorithm covers it', async () => {
    lab.emulator.seed([
      { id: 'EcdsaOld', domains: ['algo.example.test'], notAfter: inDays(10) },
      {
        id: 'RsaNewer',
        domains: ['algo.example.test'],
        notAfter: inDays(80),
        encryptAlgorithm: 'RSA 2048'
      }
    ])
    const result = await lab.run(undefined, { mode: 'list' })
    expect(result.status).toBe(0)
    const warning = result.lines.find(l => l.startsWith('::warning') && l.includes('EcdsaOld'))
    expect(warning).toMatch(/nothing newer of the same key algorithm covers it/)
    expect(warning).toMatch(/RsaNewer/)
  })
})
