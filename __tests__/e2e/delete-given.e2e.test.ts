/**
 * `mode: delete` end to end (contract, `certificate-ids`): a purchased or Tencent-issued id is
 * never deleted and is in `skipped-ids`, in a dry run too, so that the dry run plans what the
 * real run does; the log and the summary speak of deleting the given ids, not of pruning a scope.
 */
import 'reflect-metadata'
import { beforeEach, describe, expect, it } from '@jest/globals'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const lab = useE2eLab('delete-given', { nodeArgs: QUICK_WAITS })
const inDays = (days: number) => new Date(Date.now() + days * DAY)
const ids = (r: RunResult, name: string) => JSON.parse(r.outputs[name] ?? 'null') as string[]
const live = () =>
  lab.emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)

describe.each(['3.0', '2.0'] as const)('API %s: delete the given ids', api => {
  beforeEach(
    () =>
      void lab.emulator.seed([
        { id: 'Plain001', domains: ['plain.example.test'], notAfter: inDays(30) },
        {
          id: 'Bought01',
          domains: ['bought.example.test'],
          notAfter: inDays(30),
          from: 'trustasia'
        }
      ])
  )

  it('a dry run keeps a purchased id back, as the real run then does', async () => {
    const inputs = { api, mode: 'delete', 'certificate-ids': 'Plain001,Bought01' }
    const dry = await lab.run(undefined, { ...inputs, 'dry-run': 'true' })
    expect(dry.status).toBe(0)
    expect(ids(dry, 'deleted-ids')).toEqual(['Plain001'])
    expect(ids(dry, 'skipped-ids')).toEqual(['Bought01'])
    expect(dry.summary).toMatch(/skipped \| Bought01 .*issued or sold by Tencent/)

    const real = await lab.run(undefined, inputs)
    expect(real.status).toBe(0)
    expect(ids(real, 'deleted-ids')).toEqual(ids(dry, 'deleted-ids'))
    expect(ids(real, 'skipped-ids')).toEqual(ids(dry, 'skipped-ids'))
    expect(live()).toEqual(['Bought01'])
    // Never asked to delete it: no refusal to report.
    const deletions = lab.emulator.requests.filter(r => /Delete/.test(r.action))
    expect(deletions.every(r => r.code === '')).toBe(true)
  })

  it('speaks of deleting the given ids, not of pruning a scope', async () => {
    const result = await lab.run(undefined, {
      api,
      mode: 'delete',
      'certificate-ids': 'Plain001'
    })
    expect(result.status).toBe(0)
    const text = `${result.lines.join('\n')}\n${result.summary}`
    expect(text).not.toMatch(/prun|scope/i)
    expect(result.summary).toContain('### Deleting the given ids')
    expect(result.summary).toContain('certificate-ids: Plain001')
    expect(result.lines.join('\n')).toMatch(/Deleting the given ids deleted 1, skipped 0/)
  })
})
