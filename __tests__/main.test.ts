/** The pieces of the pipeline's stages that are plain functions: the default alias and the one message. */
import { describe, expect, it } from '@jest/globals'
import { failureMessage } from '../src/stages/prune.js'
import { defaultAlias } from '../src/stages/upload.js'
import type { PruneResult } from '../src/deletion/prune.js'
import { TencentApiError } from '../src/tencent/errors.js'

const entry = (id: string) => ({
  id,
  domains: ['a.example.com'],
  notAfter: new Date('2027-01-01T00:00:00Z'),
  alias: id,
  expired: false,
  reason: ''
})

describe('defaultAlias', () => {
  it.each([
    [['a.example.com', 'b.example.com'], 'CN=a.example.com', 'a.example.com 2027-03-04'],
    [[], 'O=Example, CN=Example Client CA', 'Example Client CA 2027-03-04'],
    [[], 'O=Example', 'certificate 2027-03-04']
  ])('is <first domain> <not-after> for %j / %s', (domains, subject, alias) => {
    expect(defaultAlias(domains, subject, new Date('2027-03-04T23:59:59Z'))).toBe(alias)
  })
})

describe('failureMessage', () => {
  const failures = (n: number): PruneResult => ({
    plan: {
      delete: [],
      keep: [],
      outOfScope: {
        notUploaded: 0,
        otherType: 0,
        otherProject: 0,
        outsideDomains: 0,
        newCertificate: 0
      }
    },
    deleted: [entry('done')],
    skipped: [],
    failed: Array.from({ length: n }, (_, i) => ({
      entry: entry(`f${i}`),
      error: new TencentApiError({
        operation: 'DeleteCertificates',
        code: 'InternalError',
        message: 'boom',
        requestId: `rid-${i}`,
        subject: `f${i}`
      })
    }))
  })

  it('names every failure with its operation, code and request id', () => {
    const message = failureMessage(failures(2))
    expect(message).toMatch(/^Pruning failed for 2 of 3 certificate\(s\): /)
    expect(message).toContain(
      'DeleteCertificates for f0 failed: InternalError: boom (RequestId rid-0)'
    )
    expect(message).toContain('(RequestId rid-1)')
  })

  it('shows the first ten and counts the rest', () => {
    const message = failureMessage(failures(25))
    expect(message).toContain('(RequestId rid-9)')
    expect(message).not.toContain('(RequestId rid-10)')
    expect(message).toMatch(/and 15 more \(listed in the log and the job summary\)$/)
  })
})
