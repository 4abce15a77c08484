/** The pipeline in-process (src/main.ts `run` with a recording ActionIO): one failure, one summary, the mode's outputs. */
import { describe, expect, it } from '@jest/globals'
import { recordingIO } from '../fixtures/io.js'
import { run } from '../src/main.js'
import { outputsFor, emptyOutcome } from '../src/outcome.js'

const keys = { 'secret-id': 'AKIDtest', 'secret-key': 'secret-value' }

describe('run', () => {
  it('fails once, before any request, writes a summary, and sets the mode outputs', async () => {
    const io = recordingIO({ ...keys, mode: 'prune', 'prune-domains': 'a.example.com', keep: 'x' })
    await run(io)
    expect(io.failures).toHaveLength(1)
    expect(io.failures[0]).toMatch(/keep/)
    expect(io.summaries).toHaveLength(1)
    expect(io.summaries[0]).toContain('**Failed:**')
    expect(io.outputs).toEqual({ 'deleted-ids': '[]', 'skipped-ids': '[]', replaced: '[]' })
  })

  it('masks the secret key before anything else', async () => {
    const io = recordingIO({ ...keys, mode: 'upload', cert: 'missing.pem', key: 'missing.pem' })
    await run(io)
    expect(io.masked[0]).toBe('secret-value')
    expect(io.failures[0]).toMatch(/Input 'key'/)
  })
})

describe('outputsFor', () => {
  it('gives each mode its own outputs only', () => {
    const outcome = { ...emptyOutcome(), mode: 'list' as const }
    expect(Object.keys(outputsFor(outcome)).sort()).toEqual(['certificates', 'expiring-ids'])
    outcome.mode = 'upload' as never
    expect(Object.keys(outputsFor(outcome))).toContain('certificate-id')
  })

  it('gives the certificate outputs once an upload is recorded', () => {
    const outcome = {
      ...emptyOutcome(),
      mode: 'sync' as const,
      leaf: {
        notAfter: new Date('2027-01-02T03:04:05Z'),
        domains: ['a.example.com'],
        fingerprint: 'ab'
      },
      certificate: {
        id: 'Ab12Cd34',
        domains: ['a.example.com'],
        notAfter: new Date('2027-01-02T03:04:05Z'),
        fingerprint: 'ab',
        state: 'new',
        reused: false
      },
      deletedIds: ['Old00001']
    }
    expect(outputsFor(outcome)).toMatchObject({
      'certificate-id': 'Ab12Cd34',
      reused: 'false',
      'not-after': '2027-01-02T03:04:05.000Z',
      domains: '["a.example.com"]',
      'deleted-ids': '["Old00001"]',
      'skipped-ids': '[]'
    })
  })
})
