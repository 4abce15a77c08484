/**
 * Replacement end to end in-process (src/resources/replace.ts over the 3.0 ResourceApi, against the
 * emulator): renewals that move resources, retries, lasting failures, rollback, the timeout,
 * re-runs that converge, pending records, the service role, and the dry run. The oracle is the
 * emulator's own state (which certificate each resource serves) and its request log, and after
 * every test, its record of resources ever left without a certificate: none.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { ResourceSeed } from '../../emulator/server.js'
import { replaceResources, type ReplaceOptions } from '../../src/resources/replace.js'
import { resourceFailureMessage, resourceRows } from '../../src/reporting/resource-report.js'
import { openLab, type ResourceLab } from '../support/resource-lab.js'

let lab: ResourceLab

beforeEach(async () => {
  lab = await openLab()
  lab.certificate('OLD', 10)
  lab.certificate('NEW', 90)
})

afterEach(async () => {
  const violations = lab.emulator.resources.violations()
  await lab.emulator.stop()
  expect(violations).toEqual([])
})

const CDN: ResourceSeed = { type: 'cdn', instance: 'www.example.test', certId: 'OLD' }
const CLB_GZ: ResourceSeed = {
  type: 'clb',
  region: 'ap-guangzhou',
  instance: 'lb-gz000001|lbl-gz000001',
  certId: 'OLD'
}
const CLB_SH: ResourceSeed = {
  type: 'clb',
  region: 'ap-shanghai',
  instance: 'lb-sh000001|lbl-sh000001|www.example.test',
  certId: 'OLD'
}

const OPTIONS: ReplaceOptions = {
  scope: 'all',
  timeoutMs: 60_000,
  rollbackOnFailure: false,
  dryRun: false
}

const replace = (options: Partial<ReplaceOptions> = {}) =>
  replaceResources(
    lab.api,
    [{ id: 'OLD', targetId: 'NEW' }],
    { ...OPTIONS, ...options },
    { clock: lab.clock, log: lab.log }
  )

/** Which certificate each resource serves now, by instance: the emulator's word. */
const serving = () =>
  Object.fromEntries(lab.emulator.resources.all().map(r => [r.instance, r.certId]))
const count = (action: string) => lab.actions().filter(a => a === action).length
const statuses = (entries: { instance: string; status: string }[]) =>
  Object.fromEntries(entries.map(e => [e.instance, e.status]))

describe('a renewal', () => {
  it('moves a CDN domain and CLB listeners in two regions, then finds the old certificate free', async () => {
    lab.emulator.resources.seed([CDN, CLB_GZ, CLB_SH])
    const result = await replace()
    expect(serving()).toEqual({
      [CDN.instance]: 'NEW',
      [CLB_GZ.instance]: 'NEW',
      [CLB_SH.instance]: 'NEW'
    })
    expect(result.replaced).toEqual(
      expect.arrayContaining([
        {
          from: 'OLD',
          to: 'NEW',
          type: 'cdn',
          region: null,
          instance: CDN.instance,
          status: 'success',
          error: null
        },
        {
          from: 'OLD',
          to: 'NEW',
          type: 'clb',
          region: 'ap-guangzhou',
          instance: CLB_GZ.instance,
          status: 'success',
          error: null
        },
        {
          from: 'OLD',
          to: 'NEW',
          type: 'clb',
          region: 'ap-shanghai',
          instance: CLB_SH.instance,
          status: 'success',
          error: null
        }
      ])
    )
    expect(result.replaced).toHaveLength(3)
    expect(result.free).toEqual(['OLD'])
    expect(result.certificates[0].keptBecause).toBeNull()
    expect(result.failures).toEqual([])
    expect(lab.emulator.certificates().find(c => c.id === 'OLD')?.boundTo).toEqual([])
  })

  it('with replace limited to cdn, leaves the CLB listeners and keeps the old certificate, saying why', async () => {
    lab.emulator.resources.seed([CDN, CLB_GZ, CLB_SH])
    const result = await replace({ scope: ['cdn'] })
    expect(serving()).toEqual({
      [CDN.instance]: 'NEW',
      [CLB_GZ.instance]: 'OLD',
      [CLB_SH.instance]: 'OLD'
    })
    expect(statuses(result.replaced)).toEqual({ [CDN.instance]: 'success' })
    expect(result.free).toEqual([])
    expect(result.certificates[0].keptBecause).toBe(
      'still bound to clb in ap-guangzhou (1), clb in ap-shanghai (1), which replace does not list'
    )
  })

  it('retries a resource that fails once, exactly once, and moves it', async () => {
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, fail: { times: 1, message: 'listener busy' } }])
    const result = await replace()
    expect(serving()).toEqual({ [CDN.instance]: 'NEW', [CLB_GZ.instance]: 'NEW' })
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'success',
      [CLB_GZ.instance]: 'success'
    })
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
    expect(result.free).toEqual(['OLD'])
    expect(lab.lines).toContain(`info Retrying clb ${CLB_GZ.instance}: listener busy.`)
  })

  it('reports a resource that keeps failing, with its message and request id, and keeps the old certificate', async () => {
    lab.emulator.resources.seed([
      CDN,
      { ...CLB_GZ, fail: { message: 'listener lbl-gz000001 has no rules' } }
    ])
    const result = await replace()
    expect(serving()).toEqual({ [CDN.instance]: 'NEW', [CLB_GZ.instance]: 'OLD' })
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
    const failed = result.replaced.find(e => e.status === 'failed')
    expect(failed).toEqual({
      from: 'OLD',
      to: 'NEW',
      type: 'clb',
      region: 'ap-guangzhou',
      instance: CLB_GZ.instance,
      status: 'failed',
      error: 'listener lbl-gz000001 has no rules'
    })
    expect(result.failures).toHaveLength(1)
    expect(result.failures[0]).toMatchObject({
      certificateId: 'OLD',
      type: 'clb',
      instance: CLB_GZ.instance
    })
    expect(result.failures[0].requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.free).toEqual([])
    expect(result.certificates[0].keptBecause).toBe('1 resource(s) did not move to NEW')
    expect(
      lab.lines.some(l =>
        l.startsWith(
          'warning Could not move clb lb-gz000001|lbl-gz000001 in ap-guangzhou of certificate OLD: listener lbl-gz000001 has no rules (RequestId '
        )
      )
    ).toBe(true)
  })

  it('with rollback-on-failure, moves the successful ones back, and no certificate is left split', async () => {
    lab.emulator.resources.seed([CDN, CLB_SH, { ...CLB_GZ, fail: {} }])
    const result = await replace({ rollbackOnFailure: true })
    expect(serving()).toEqual({
      [CDN.instance]: 'OLD',
      [CLB_GZ.instance]: 'OLD',
      [CLB_SH.instance]: 'OLD'
    })
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'rolled-back',
      [CLB_SH.instance]: 'rolled-back',
      [CLB_GZ.instance]: 'failed'
    })
    expect(count('UpdateCertificateRecordRollback')).toBe(1)
    expect(result.free).toEqual([])
  })

  it('says which resource a failed rollback left on the new certificate', async () => {
    lab.emulator.resources.seed([
      { ...CDN, rollbackFails: true },
      { ...CLB_GZ, fail: {} }
    ])
    const result = await replace({ rollbackOnFailure: true })
    expect(serving()).toEqual({ [CDN.instance]: 'NEW', [CLB_GZ.instance]: 'OLD' })
    const cdn = result.replaced.find(e => e.type === 'cdn')
    expect(cdn?.status).toBe('success')
    expect(cdn?.error).toMatch(/^the rollback failed: /)
  })

  it('gives up on a resource with no final status within the timeout, and keeps the old certificate', async () => {
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, settlePolls: 1000 }])
    const started = lab.clock.sleptMs
    const result = await replace({ timeoutMs: 30_000 })
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'success',
      [CLB_GZ.instance]: 'failed'
    })
    expect(result.replaced.find(e => e.status === 'failed')?.error).toBe(
      'no final status within 30 s (last seen: running)'
    )
    expect(lab.clock.sleptMs - started).toBeGreaterThanOrEqual(30_000)
    expect(lab.clock.sleptMs - started).toBeLessThan(40_000)
    expect(serving()[CLB_GZ.instance]).toBe('OLD')
    expect(result.free).toEqual([])
  })
})

describe('a re-run after a partial failure', () => {
  it('after a lasting failure: moves only what is left, then frees the old certificate', async () => {
    lab.emulator.resources.seed([CDN, CLB_SH, { ...CLB_GZ, fail: { times: 2 } }])
    expect((await replace()).free).toEqual([])
    lab.emulator.clearRequests()
    const again = await replace()
    expect(statuses(again.replaced)).toEqual({ [CLB_GZ.instance]: 'success' })
    expect(serving()).toEqual({
      [CDN.instance]: 'NEW',
      [CLB_GZ.instance]: 'NEW',
      [CLB_SH.instance]: 'NEW'
    })
    expect(again.free).toEqual(['OLD'])
  })

  it('after a timeout: watches the task still running instead of starting another', async () => {
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, settlePolls: 12 }])
    expect((await replace({ timeoutMs: 30_000 })).free).toEqual([])
    const again = await replace({ timeoutMs: 30_000 })
    expect(lab.lines.some(l => /update record \d+ \(answered as already running\)/.test(l))).toBe(
      true
    )
    expect(statuses(again.replaced)).toMatchObject({ [CLB_GZ.instance]: 'success' })
    expect(serving()).toEqual({ [CDN.instance]: 'NEW', [CLB_GZ.instance]: 'NEW' })
    expect(again.free).toEqual(['OLD'])
  })

  it('after a timeout whose task then fails: retries it once, reports it once, and the next run moves it', async () => {
    lab.emulator.resources.seed([{ ...CLB_GZ, settlePolls: 12, fail: { times: 2 } }])
    expect((await replace({ timeoutMs: 30_000 })).free).toEqual([])
    lab.emulator.clearRequests()
    const again = await replace({ timeoutMs: 200_000 })
    // The earlier task: failed, retried once by this run (its one retry), failed again.
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
    expect(count('UpdateCertificateInstance')).toBe(1)
    expect(again.replaced).toEqual([
      expect.objectContaining({ instance: CLB_GZ.instance, status: 'failed' })
    ])
    const third = await replace({ timeoutMs: 200_000 })
    expect(third.replaced).toEqual([
      {
        from: 'OLD',
        to: 'NEW',
        type: 'clb',
        region: 'ap-guangzhou',
        instance: CLB_GZ.instance,
        status: 'success',
        error: null
      }
    ])
    expect(third.failures).toEqual([])
    expect(serving()).toEqual({ [CLB_GZ.instance]: 'NEW' })
    expect(third.free).toEqual(['OLD'])
  })

  it('after a rollback: moves everything once the failure is gone', async () => {
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, fail: { times: 2 } }])
    expect((await replace({ rollbackOnFailure: true })).free).toEqual([])
    expect(serving()).toEqual({ [CDN.instance]: 'OLD', [CLB_GZ.instance]: 'OLD' })
    const again = await replace({ rollbackOnFailure: true })
    expect(statuses(again.replaced)).toEqual({
      [CDN.instance]: 'success',
      [CLB_GZ.instance]: 'success'
    })
    expect(again.free).toEqual(['OLD'])
  })

  it('with nothing left on the old certificate: moves nothing and finds it free', async () => {
    lab.emulator.resources.seed([{ ...CDN, certId: 'NEW' }])
    const result = await replace()
    expect(result.replaced).toEqual([])
    expect(count('UpdateCertificateInstance')).toBe(0)
    expect(result.free).toEqual(['OLD'])
  })
})

describe('open records of an earlier run', () => {
  it('one towards another certificate: waited for, then what it moved goes on to the target', async () => {
    lab.certificate('N1', 60)
    lab.emulator.resources.seed([CDN, CLB_GZ])
    lab.emulator.resources.openUpdate({
      from: 'OLD',
      to: 'N1',
      instances: [CLB_GZ.instance],
      polls: 3
    })
    // NEW supersedes N1 (replace-via.test.ts: otherwise nothing is asked of N1).
    const result = await replaceResources(lab.api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, {
      clock: lab.clock,
      log: lab.log,
      supersedes: (newer, older) => newer === 'NEW' && older === 'N1'
    })
    expect(serving()).toEqual({ [CDN.instance]: 'NEW', [CLB_GZ.instance]: 'NEW' })
    expect(result.replaced.map(e => [e.instance, e.from, e.to, e.status]).sort()).toEqual(
      [
        [CDN.instance, 'OLD', 'NEW', 'success'],
        [CLB_GZ.instance, 'OLD', 'NEW', 'success']
      ].sort()
    )
    expect(result.free).toEqual(['OLD'])
  })

  it('one towards another certificate whose item failed: not retried there, moved by this run', async () => {
    lab.certificate('N1', 60)
    lab.emulator.resources.seed([{ ...CLB_GZ, fail: { times: 1 } }])
    lab.emulator.resources.openUpdate({ from: 'OLD', to: 'N1', polls: 1 })
    const before = lab.emulator.resources.attempts()
    const result = await replace()
    expect(serving()).toEqual({ [CLB_GZ.instance]: 'NEW' })
    expect(statuses(result.replaced)).toEqual({ [CLB_GZ.instance]: 'success' })
    expect(count('UpdateCertificateRecordRetry')).toBe(0)
    const key = `clb@ap-guangzhou@${CLB_GZ.instance}`
    expect(lab.emulator.resources.attempts()[key] - before[key]).toBe(1)
  })

  it('rollback-on-failure rolls back the earlier record and this run’s, newest first', async () => {
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, fail: {} }])
    lab.emulator.resources.openUpdate({
      from: 'OLD',
      to: 'NEW',
      instances: [CDN.instance],
      polls: 2
    })
    const result = await replace({ rollbackOnFailure: true })
    expect(serving()).toEqual({ [CDN.instance]: 'OLD', [CLB_GZ.instance]: 'OLD' })
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'rolled-back',
      [CLB_GZ.instance]: 'failed'
    })
  })
})

describe('one retry per resource per run', () => {
  it('a resource retried by one move of the run is not retried by the next', async () => {
    lab.emulator.resources.seed([{ ...CLB_GZ, fail: {} }])
    const retried = new Set<string>()
    const context = { clock: lab.clock, log: lab.log, retried }
    const once = await replaceResources(lab.api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, context)
    expect(statuses(once.replaced)).toEqual({ [CLB_GZ.instance]: 'failed' })
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
    await replaceResources(lab.api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, context)
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
  })

  it('DeployStatus 0 for a record just created changes nothing: one call, one retry', async () => {
    lab.emulator.setOption('createdDeployStatus', 0)
    lab.emulator.resources.seed([CDN, { ...CLB_GZ, fail: {} }])
    const result = await replace()
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'success',
      [CLB_GZ.instance]: 'failed'
    })
    expect(result.replaced).toHaveLength(2)
    // "Being created", then the record: one update; the CLB retried once.
    expect(count('UpdateCertificateInstance')).toBe(2)
    expect(count('UpdateCertificateRecordRetry')).toBe(1)
  })
})

describe('Tencent refusing', () => {
  it('waits out pending-record conflicts and moves anyway', async () => {
    lab.emulator.resources.seed([CDN])
    lab.emulator.resources.addPendingConflicts(2)
    const result = await replace()
    expect(statuses(result.replaced)).toEqual({ [CDN.instance]: 'success' })
    // Two conflicts, one answer "being created", one with the record.
    expect(count('UpdateCertificateInstance')).toBe(4)
  })

  it('without the service role: moves nothing and says which role to authorise', async () => {
    lab.emulator.resources.seed([CDN])
    lab.emulator.setOption('serviceRole', false)
    const result = await replace()
    expect(serving()).toEqual({ [CDN.instance]: 'OLD' })
    expect(result.free).toEqual([])
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0].message).toMatch(
      /RoleNotFoundAuthorization.*SSL_QCSLinkedRoleInReplaceLoadCertificate/
    )
    expect(result.certificates[0].keptBecause).toMatch(/^its binding details could not be read: /)
  })
})

describe('reading the record failing for good', () => {
  it('fails the move with the error, and frees nothing the fresh check still finds bound', async () => {
    lab.emulator.resources.seed([CDN])
    lab.emulator.faults.add({
      kind: 'internal-error',
      action: 'DescribeHostUpdateRecordDetail',
      times: 100
    })
    const result = await replace()
    expect(result.errors.map(e => e.code)).toEqual(['InternalError'])
    expect(result.errors[0].operation).toBe('DescribeHostUpdateRecordDetail')
    // Its status was never seen: failed, never success.
    expect(result.replaced).toEqual([
      expect.objectContaining({
        instance: 'www.example.test',
        status: 'failed',
        error: expect.stringMatching(/^its status could not be read: .*InternalError/)
      })
    ])
    expect(result.failures).toHaveLength(1)
    // The task was created and runs on: only the fresh check can tell where the domain is.
    expect(result.free).toEqual([])
    expect(result.certificates[0].keptBecause).toMatch(
      /^the move could not be followed: DescribeHostUpdateRecordDetail for record \d+ failed: InternalError/
    )
  })
})

describe('resourceFailureMessage', () => {
  it('names ten failures one by one and counts the rest', () => {
    const failures = Array.from({ length: 12 }, (_, i) => ({
      certificateId: 'OLD',
      type: 'clb',
      region: 'ap-guangzhou',
      instance: `lb-${i}|lbl-${i}`,
      message: 'no rules',
      requestId: `rid-${i}`
    }))
    const message = resourceFailureMessage(failures)
    expect(message).toMatch(
      /^12 resource\(s\) did not move: clb lb-0\|lbl-0 in ap-guangzhou of certificate OLD: no rules \(RequestId rid-0\); /
    )
    expect(message).toContain('lb-9|lbl-9')
    expect(message).not.toContain('lb-10|')
    expect(message).toMatch(/; and 2 more \(listed in the log and the job summary\)$/)
  })
})

describe('resourceRows', () => {
  it('gives one summary row per entry, a dash for what is unknown', () => {
    expect(
      resourceRows([
        {
          from: 'OLD',
          to: 'NEW',
          type: 'clb',
          region: 'ap-guangzhou',
          instance: 'lb-1|lbl-1',
          status: 'failed',
          error: 'no rules'
        },
        {
          from: null,
          to: null,
          type: 'cdn',
          region: null,
          instance: 'www.example.test',
          status: 'planned',
          error: null
        }
      ])
    ).toEqual([
      ['clb', 'ap-guangzhou', 'lb-1|lbl-1', 'OLD', 'NEW', 'failed', 'no rules'],
      ['cdn', '—', 'www.example.test', '—', '—', 'planned', '']
    ])
  })
})

describe('a dry run', () => {
  const WRITES = [
    'UpdateCertificateInstance',
    'UpdateCertificateRecordRetry',
    'UpdateCertificateRecordRollback',
    'DeployCertificateInstance',
    'DeleteCertificates',
    'DeleteCertificate',
    'UploadCertificate'
  ]

  it('plans the moves from the binding details and calls nothing that changes state', async () => {
    lab.emulator.resources.seed([CDN, CLB_GZ, CLB_SH])
    const result = await replace({ dryRun: true })
    expect(statuses(result.replaced)).toEqual({
      [CDN.instance]: 'planned',
      [CLB_GZ.instance]: 'planned',
      [CLB_SH.instance]: 'planned'
    })
    expect(result.replaced.every(e => e.from === 'OLD' && e.to === 'NEW' && e.error === null)).toBe(
      true
    )
    expect(result.free).toEqual(['OLD'])
    expect(lab.actions().filter(a => WRITES.includes(a))).toEqual([])
    expect(new Set(lab.actions())).toEqual(
      new Set([
        'CreateCertificateBindResourceSyncTask',
        'DescribeCertificateBindResourceTaskResult',
        'DescribeCertificateBindResourceTaskDetail'
      ])
    )
    expect(serving()).toEqual({
      [CDN.instance]: 'OLD',
      [CLB_GZ.instance]: 'OLD',
      [CLB_SH.instance]: 'OLD'
    })
  })

  it('before the upload: moves to an unknown target, and keeps what replace does not list', async () => {
    lab.emulator.resources.seed([CDN, CLB_GZ])
    const result = await replaceResources(
      lab.api,
      [{ id: 'OLD', targetId: null }],
      { ...OPTIONS, scope: ['clb'], dryRun: true },
      { clock: lab.clock, log: lab.log }
    )
    expect(result.replaced).toEqual([
      {
        from: 'OLD',
        to: null,
        type: 'clb',
        region: 'ap-guangzhou',
        instance: CLB_GZ.instance,
        status: 'planned',
        error: null
      }
    ])
    expect(result.free).toEqual([])
    expect(result.certificates[0].keptBecause).toBe(
      'still bound to cdn (1), which replace does not list'
    )
  })
})

describe('resources that no update record lists', () => {
  /** A ResourceApi whose update answers "nothing to move" (CertificateDeployInstanceEmpty). */
  function nothingToMove(stillBoundAfter: boolean) {
    const cdn = { type: 'cdn', region: null, instance: 'www.example.test' }
    let looks = 0
    const api = {
      bindingDetails: async (ids: string[]) => {
        looks++
        const bound = looks === 1 || stillBoundAfter
        return new Map(
          ids.map(id => [id, { certId: id, resources: bound ? [cdn] : [], problems: [] }])
        )
      },
      startUpdate: async () => ({
        state: 'nothing' as const,
        code: 'FailedOperation.CertificateDeployInstanceEmpty',
        requestId: 'rid-1'
      })
    } as unknown as Parameters<typeof replaceResources>[0]
    return replaceResources(api, [{ id: 'OLD', targetId: 'NEW' }], OPTIONS, {
      clock: lab.clock,
      log: lab.log
    })
  }

  it('a resource still bound after Tencent said there was nothing to move is failed, one by one', async () => {
    const result = await nothingToMove(true)
    expect(result.replaced).toEqual([
      expect.objectContaining({ instance: 'www.example.test', status: 'failed', to: 'NEW' })
    ])
    expect(result.failures).toHaveLength(1)
    expect(result.free).toEqual([])
  })

  it('one no longer bound (an earlier run moved it) is unchanged, and the certificate is free', async () => {
    const result = await nothingToMove(false)
    expect(result.replaced).toEqual([
      // What it serves now was not seen: `to` is not claimed.
      expect.objectContaining({ instance: 'www.example.test', status: 'unchanged', to: null })
    ])
    expect(result.failures).toEqual([])
    expect(result.free).toEqual(['OLD'])
  })
})
