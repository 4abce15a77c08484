/**
 * The binding check in documented terms (contract, **Bound**), end to end: dist/index.js against
 * an emulator that refuses undocumented filter values, as a strict server would. The detail is
 * asked without `ResourceTypes`; a certificate serving only a type the counts leave out (SCF) is
 * bound; a detail that reports none of the types, or a task refused for the service role, leaves
 * the certificate not checked: kept, never deleted, never called gone.
 */
import 'reflect-metadata'
import { describe, expect, it } from '@jest/globals'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['bind.example.test', 'www.bind.example.test']
const DETAIL = 'DescribeCertificateBindResourceTaskDetail'

const lab = useE2eLab('binding-check', { nodeArgs: QUICK_WAITS })

/** One superseded certificate of DOMAINS and the newer one that supersedes it. */
function seedRenewal(): { old: string; newest: string } {
  const [old, newest] = lab.emulator.seed(
    [20, 80].map(days => ({ domains: DOMAINS, notAfter: new Date(Date.now() + days * DAY) }))
  )
  return { old: old.id, newest: newest.id }
}

const prune = (inputs: Record<string, string> = {}): Promise<RunResult> =>
  lab.run(undefined, { mode: 'prune', 'prune-domains': DOMAINS.join(','), ...inputs })

const output = (result: RunResult, name: string): string[] =>
  JSON.parse(result.outputs[name] ?? 'null') as string[]
const live = (id: string): boolean =>
  lab.emulator.certificates().some(c => c.id === id && !c.deleted)
const details = () => lab.emulator.requests.filter(r => r.action === DETAIL)

describe('the binding check, in documented terms', () => {
  it('finds a certificate that serves only an SCF function bound, asking the detail without undocumented filter values', async () => {
    const { old } = seedRenewal()
    lab.emulator.resources.seed([
      { type: 'scf', region: 'ap-guangzhou', instance: 'fn-bind-01', certId: old }
    ])
    for (const dryRun of ['true', 'false']) {
      lab.emulator.clearRequests()
      const result = await prune({ 'dry-run': dryRun })
      expect(result.status).toBe(0)
      expect(output(result, 'deleted-ids')).toEqual([])
      expect(output(result, 'skipped-ids')).toEqual([old])
      expect(result.lines.join('\n')).toMatch(new RegExp(`${old}.*bound to scf \\(1\\)`))
      // The detail was asked, and answered: no InvalidParameterValue for a filter value.
      expect(details().length).toBeGreaterThan(0)
      expect(details().map(r => r.code)).toEqual(details().map(() => ''))
    }
    expect(live(old)).toBe(true)
  })

  it('keeps a certificate whose detail reports none of the types at all: not checked, never free', async () => {
    // Free in truth: only the action's own rule can keep it.
    const { old, newest } = seedRenewal()
    lab.emulator.scripts.add({ kind: 'binding-answer', id: old, shape: 'detail-empty' })
    const result = await prune()
    expect(result.status).toBe(0)
    expect(output(result, 'deleted-ids')).toEqual([])
    expect(output(result, 'skipped-ids')).toEqual([old])
    expect(result.lines.join('\n')).toMatch(/reports no resource type/)
    expect(live(old)).toBe(true)
    expect(live(newest)).toBe(true)
  })

  it('a binding task refused for the service role (Status 2): not checked, never gone, and the step fails saying how to fix it', async () => {
    // "RoleNotFoundAuthorization" contains "NotFound": the code, not its wording, decides.
    const { old } = seedRenewal()
    lab.emulator.scripts.add({ kind: 'binding-answer', id: old, shape: 'task-refused' })
    const result = await prune()
    expect(result.status).toBe(1)
    expect(output(result, 'deleted-ids')).toEqual([])
    expect(output(result, 'skipped-ids')).toEqual([old])
    expect(result.lines.join('\n')).not.toMatch(/already gone/)
    const errors = result.lines.filter(l => l.startsWith('::error'))
    expect(errors.join('\n')).toMatch(/RoleNotFoundAuthorization/)
    expect(errors.join('\n')).toMatch(/SSL_QCSLinkedRoleInReplaceLoadCertificate/)
    expect(lab.emulator.requests.map(r => r.action)).not.toContain('DeleteCertificates')
    expect(live(old)).toBe(true)
  })
})
