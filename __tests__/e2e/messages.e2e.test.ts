/**
 * Messages a newcomer meets (issue 18, item 11), end to end: dist/index.js against the emulator.
 * A `cert` path that is not there is named as resolved; keys Tencent refuses stop the run at the
 * first call, pointing at the secret; a failure after retries says how many attempts were made;
 * a skipped bound certificate says where its resources are and how to free it.
 */
import 'reflect-metadata'
import { describe, expect, it } from '@jest/globals'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { makeCa, makeChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS, ROOT } from '../../fixtures/runner.js'

const DAY = 86_400_000
const lab = useE2eLab('messages', {
  nodeArgs: [...QUICK_WAITS, '--import', join(ROOT, 'fixtures', 'short-backoff.mjs')]
})
const errors = (lines: string[]) => lines.filter(l => l.startsWith('::error')).join('\n')

describe('messages', () => {
  it('names the resolved path of a cert file that does not exist, and a directory as one', async () => {
    const missing = join(lab.workspace, 'no', 'fullchain.pem')
    const absolute = await lab.run(undefined, { mode: 'upload', cert: missing, key: missing })
    expect(absolute.status).toBe(1)
    expect(errors(absolute.lines)).toContain(`no such file: ${missing}`)
    expect(errors(absolute.lines)).not.toMatch(/relative to the workspace/)
    mkdirSync(join(lab.workspace, 'certs'), { recursive: true })
    const directory = await lab.run(undefined, { mode: 'upload', cert: 'certs', key: 'certs' })
    expect(errors(directory.lines)).toContain(
      `names ${join(lab.workspace, 'certs')}, which is a directory`
    )
    expect(lab.emulator.requests).toEqual([])
  })

  it('stops at the first call when Tencent refuses the keys, pointing at the secret', async () => {
    const ca = await makeCa(1, 'Messages')
    const chain = await makeChain({
      ca,
      domains: ['msg.example.test'],
      notAfter: new Date(Date.now() + 60 * DAY)
    })
    const result = await lab.run(chain, { mode: 'upload', 'secret-key': 'not-the-secret-key' })
    expect(result.status).toBe(1)
    expect(errors(result.lines)).toMatch(/AuthFailure\.SignatureFailure/)
    expect(errors(result.lines)).toMatch(/check secret-id and secret-key/)
    expect(lab.emulator.requests.map(r => r.action)).toEqual(['CheckCertificateExist'])
  })

  it('points at the secret when the keys are refused in a mode that starts with the list', async () => {
    const result = await lab.run(undefined, { mode: 'list', 'secret-key': 'not-the-secret-key' })
    expect(result.status).toBe(1)
    expect(errors(result.lines)).toMatch(
      /AuthFailure\.SignatureFailure.*check secret-id and secret-key/
    )
    expect(lab.emulator.requests.map(r => r.action)).toEqual(['DescribeCertificates'])
  })

  it('says how many attempts a call that kept failing was given', async () => {
    lab.emulator.faults.add({ kind: 'internal-error', action: 'DescribeCertificates', times: 20 })
    const result = await lab.run(undefined, { mode: 'list' })
    expect(result.status).toBe(1)
    const attempts = lab.emulator.requests.filter(r => r.action === 'DescribeCertificates').length
    expect(attempts).toBeGreaterThan(1)
    expect(errors(result.lines)).toMatch(
      new RegExp(`DescribeCertificates failed: InternalError.*gave up after ${attempts} attempts`)
    )
  })

  it('names where a skipped bound certificate is used and how to free it', async () => {
    const domains = ['bound.example.test']
    const [old] = lab.emulator.seed(
      [20, 80].map(days => ({ domains, notAfter: new Date(Date.now() + days * DAY) }))
    )
    lab.emulator.resources.seed([
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-msg00001|lbl-msg00001', certId: old.id }
    ])
    const result = await lab.run(undefined, { mode: 'prune', 'prune-domains': domains[0] })
    expect(result.status).toBe(0)
    const warning = result.lines.find(l => l.startsWith('::warning') && l.includes(old.id))
    expect(warning).toMatch(/clb in ap-guangzhou \(1\)/)
    expect(warning).toMatch(/replace: true/)
  })
})
