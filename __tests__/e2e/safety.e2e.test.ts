/**
 * Deletion safety (issue 10, items 2, 3, 5 and 6), end to end: the bundled action (dist/index.js)
 * run as a GitHub runner runs it, against the lab.emulator scripted into each situation. The
 * emulator's store is the oracle for what was deleted; the outputs for what was reported.
 */
import 'reflect-metadata'
import { describe, expect, it } from '@jest/globals'
import type { Script } from '../../emulator/server.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'

const DAY = 86_400_000
const DOMAINS = ['safe.example.test', 'www.safe.example.test']

const lab = useE2eLab('safety', { nodeArgs: QUICK_WAITS })

/** `olds` superseded certificates of DOMAINS (oldest first) and the newest one, which stays. */
function seedRenewals(olds: number, bound: string[][] = []) {
  const stored = lab.emulator.seed(
    Array.from({ length: olds + 1 }, (_, i) => ({
      domains: DOMAINS,
      notAfter: new Date(Date.now() + (10 + 10 * i) * DAY),
      boundTo: bound[i] ?? []
    }))
  )
  return { olds: stored.slice(0, olds).map(c => c.id), newest: stored[olds].id }
}

const prune = (inputs: Record<string, string> = {}): Promise<RunResult> =>
  lab.run(undefined, { api: '3.0', mode: 'prune', 'prune-domains': DOMAINS.join(','), ...inputs })

const output = (result: RunResult, name: string): string[] =>
  JSON.parse(result.outputs[name] ?? 'null') as string[]
const deletedNow = (): string[] =>
  lab.emulator
    .certificates()
    .filter(c => c.deleted)
    .map(c => c.id)
const errorLines = (result: RunResult): string[] =>
  result.lines.filter(l => l.startsWith('::error'))
const sorted = (ids: string[]): string[] => [...ids].sort()

describe('a certificate that another job deletes right after the list (10.2)', () => {
  it('counts it as already gone and deletes the others', async () => {
    const { olds, newest } = seedRenewals(3)
    const script: Script = { kind: 'delete-after', action: 'DescribeCertificates', id: olds[1] }
    lab.emulator.scripts.add(script)
    const result = await prune()

    expect(errorLines(result)).toEqual([])
    expect(result.status).toBe(0)
    expect(sorted(deletedNow())).toEqual(sorted(olds))
    expect(deletedNow()).not.toContain(newest)
    // The README: an id already gone is in deleted-ids, and the log says so.
    expect(sorted(output(result, 'deleted-ids'))).toEqual(sorted(olds))
    expect(output(result, 'skipped-ids')).toEqual([])
    expect(result.stdout).toContain(`${olds[1]} (`)
    expect(result.stdout).toMatch(/already gone/)
  })
})

describe('a binding answer that does not say what is bound (10.3)', () => {
  it.each(['result-null', 'result-absent', 'regions-null'] as const)(
    '%s: a dry run keeps the certificate back, not "would delete"',
    async shape => {
      // Not bound in truth: the answer's missing list is all there is to go by.
      const { olds } = seedRenewals(1)
      lab.emulator.scripts.add({ kind: 'binding-answer', id: olds[0], shape })
      const result = await prune({ 'dry-run': 'true' })

      expect(result.status).toBe(0)
      expect(output(result, 'deleted-ids')).toEqual([])
      expect(output(result, 'skipped-ids')).toEqual(olds)
      expect(result.lines.join('\n')).toMatch(new RegExp(`Skipped ${olds[0]} .*not checked`))
    }
  )

  it('never deletes a certificate whose binding answer is null, even one Tencent would let go', async () => {
    // Not bound in truth: only the action's own rule can keep it.
    const { olds } = seedRenewals(2)
    lab.emulator.scripts.add({ kind: 'binding-answer', id: olds[0], shape: 'result-null' })
    const result = await prune()

    expect(result.status).toBe(0)
    expect(deletedNow()).toEqual([olds[1]])
    expect(output(result, 'deleted-ids')).toEqual([olds[1]])
    expect(output(result, 'skipped-ids')).toEqual([olds[0]])
  })
})

describe('deletions Tencent refuses (10.5)', () => {
  it('a delete task ending in status 3: kept back in skipped-ids, and the step fails saying why', async () => {
    const { olds } = seedRenewals(2)
    lab.emulator.scripts.add({ kind: 'refuse-delete', id: olds[0], as: 'task-status-3' })
    const result = await prune()

    expect(result.status).toBe(1)
    expect(deletedNow()).toEqual([olds[1]])
    expect(output(result, 'deleted-ids')).toEqual([olds[1]])
    expect(output(result, 'skipped-ids')).toEqual([olds[0]])
    const errors = errorLines(result)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(olds[0])
    expect(errors[0]).toContain('role does not exist, please authorise')
    expect(errors[0]).toContain('SSL_QCSLinkedRoleInReplaceLoadCertificate')
  })

  it("a Fail entry: kept back in skipped-ids with Tencent's message", async () => {
    const { olds } = seedRenewals(2)
    lab.emulator.scripts.add({ kind: 'refuse-delete', id: olds[0], as: 'fail-entry' })
    const result = await prune()

    expect(result.status).toBe(0)
    expect(deletedNow()).toEqual([olds[1]])
    expect(output(result, 'skipped-ids')).toEqual([olds[0]])
    expect(result.stdout).toContain('certificate not yet expired, cannot be deleted')
  })
})

describe('"gone" is never read from a refusal\'s wording (10.6)', () => {
  it.each(['fail-entry', 'task-failed'] as const)(
    '%s worded "role does not exist": reported kept back, not deleted',
    async as => {
      const { olds } = seedRenewals(2)
      const message = 'role does not exist, please authorise'
      lab.emulator.scripts.add({ kind: 'refuse-delete', id: olds[0], as, message })
      const result = await prune()

      expect(lab.emulator.certificates().find(c => c.id === olds[0])?.deleted).toBe(false)
      expect(output(result, 'deleted-ids')).toEqual([olds[1]])
      expect(output(result, 'skipped-ids')).toEqual([olds[0]])
      expect(result.lines.join('\n')).toMatch(
        new RegExp(`Skipped ${olds[0]} .*role does not exist, please authorise`)
      )
      // It was looked up (DescribeCertificates with CertIds) before anything was concluded.
      const lists = lab.emulator.requests.filter(r => r.action === 'DescribeCertificates')
      expect(lists).toHaveLength(2)
    }
  )
})
