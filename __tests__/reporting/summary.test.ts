import { describe, expect, it } from '@jest/globals'
import { maskSecret } from '../../src/runner/secrets.js'
import { renderSummary, ROWS_PER_KIND, type PruneReport } from '../../src/reporting/summary.js'

const entry = (id: string, reason: string) => ({
  id,
  domains: ['a.example.com', '*.a.example.com'],
  notAfter: new Date('2027-01-02T03:04:05Z'),
  alias: 'alias',
  expired: false,
  reason
})

/** A summary of a prune run: nothing in any list unless the test says so. */
const pruneSummary = (prune: Partial<PruneReport>): string =>
  renderSummary({
    title: 'x',
    api: '3.0',
    prune: {
      dryRun: false,
      scope: ['a.example.com'],
      deleted: [],
      kept: [],
      skipped: [],
      failed: [],
      refused: [],
      ...prune
    }
  })

describe('renderSummary', () => {
  it('shows the certificate and every kind of plan row as table rows', () => {
    const md = renderSummary({
      title: 'Tencent Cloud SSL: sync',
      api: '3.0',
      certificate: {
        id: 'NEWID123',
        domains: ['a.example.com'],
        notAfter: new Date('2027-03-01T00:00:00Z'),
        fingerprint: 'ab'.repeat(32),
        state: 'new'
      },
      prune: {
        dryRun: false,
        scope: ['a.example.com', '*.a.example.com'],
        deleted: [entry('OLD1', 'superseded by NEWID123')],
        kept: [entry('KEEP1', 'newest for its domains')],
        skipped: [{ ...entry('BOUND1', ''), skipReason: 'bound to cdn (1)' }],
        failed: [{ entry: entry('FAIL1', ''), reason: 'DeleteCertificates failed: InternalError' }],
        refused: []
      }
    })
    const rows = md.split('\n').filter(l => l.startsWith('| '))
    expect(rows).toContainEqual(
      expect.stringMatching(
        /^\| NEWID123 \| a\.example\.com \| 2027-03-01T00:00:00\.000Z \| new \|/
      )
    )
    expect(rows).toContainEqual(
      expect.stringMatching(/^\| deleted \| OLD1 \| .* \| 2027-01-02 \| superseded by NEWID123 \|$/)
    )
    expect(rows).toContainEqual(
      expect.stringMatching(/^\| skipped \| BOUND1 .* bound to cdn \(1\) \|$/)
    )
    expect(rows).toContainEqual(expect.stringMatching(/^\| failed \| FAIL1 .* InternalError \|$/))
    expect(rows).toContainEqual(expect.stringMatching(/^\| kept \| KEEP1 /))
  })

  it('says when a dry run deleted nothing and escapes table syntax and HTML', () => {
    const md = renderSummary({
      title: 'x',
      api: '2.0',
      prune: {
        dryRun: true,
        scope: ['a|b'],
        deleted: [entry('OLD1', '<b>x</b> | y')],
        kept: [],
        skipped: [],
        failed: [],
        refused: []
      }
    })
    expect(md).toContain('dry run: nothing was deleted')
    expect(md).toContain('| would delete | OLD1 |')
    expect(md).toContain('&lt;b&gt;x&lt;/b&gt; \\| y')
    expect(md).not.toContain('<b>')
  })

  it('shows a plan refused over max-deletions as not deleted', () => {
    const md = pruneSummary({ refused: [entry('OLD1', 'superseded by NEW')] })
    expect(md).toContain('| not deleted: over max-deletions | OLD1 |')
    expect(md).not.toContain('| deleted |')
  })

  it('cuts each kind of row at a bound and counts the rest', () => {
    const many = Array.from({ length: ROWS_PER_KIND + 37 }, (_, i) => entry(`DEL${i}`, 'old'))
    const md = pruneSummary({ deleted: many, kept: [entry('KEEP1', 'newest')] })
    const deletedRows = md.split('\n').filter(l => l.startsWith('| deleted |'))
    expect(deletedRows).toHaveLength(ROWS_PER_KIND + 1)
    expect(md).toContain(`| deleted | … and 37 more |`)
    expect(md).not.toContain(`| DEL${ROWS_PER_KIND} |`)
    expect(md).toContain('| kept | KEEP1 |')
  })

  it('reports an empty scope in words', () => {
    const md = pruneSummary({})
    expect(md).toContain('No uploaded certificate is in scope.')
  })
})

describe('maskSecret', () => {
  it('masks the whole value and each of its lines', () => {
    const masked: string[] = []
    maskSecret('-----BEGIN KEY-----\r\nAAAA\nBBBB\n-----END KEY-----\n', v => masked.push(v))
    expect(masked[0]).toContain('AAAA\nBBBB')
    expect(masked).toEqual(expect.arrayContaining(['AAAA', 'BBBB', '-----BEGIN KEY-----']))
  })

  it('masks a one-line value once and ignores blanks', () => {
    const masked: string[] = []
    maskSecret('token', v => masked.push(v))
    maskSecret('  ', v => masked.push(v))
    expect(masked).toEqual(['token'])
  })
})

describe('renderSummary: delete mode', () => {
  it('shows an unreadable expiry as unknown, and ids not in the account as not found', () => {
    const md = pruneSummary({
      deleted: [{ ...entry('NODATE01', 'named in certificate-ids'), notAfter: new Date(NaN) }],
      notFound: ['NOSUCH01']
    })
    expect(md).toContain('| deleted | NODATE01 | a.example.com, *.a.example.com | unknown |')
    expect(md).toMatch(/\| not found \| NOSUCH01 \|/)
  })

  it('shows the resources moved or deployed, with their errors', () => {
    const md = renderSummary({
      title: 't',
      api: '3.0',
      replaced: [
        {
          from: 'OLD',
          to: 'NEW',
          type: 'clb',
          region: 'ap-guangzhou',
          instance: 'lb-1|lbl-1',
          status: 'failed',
          error: 'busy'
        },
        {
          from: null,
          to: 'NEW',
          type: 'cdn',
          region: null,
          instance: 'www.a.example.com',
          status: 'success',
          error: null
        }
      ]
    })
    expect(md).toContain('### Resources')
    expect(md).toContain('| clb | ap-guangzhou | lb-1\\|lbl-1 | OLD | NEW | failed | busy |')
    expect(md).toContain('| cdn | — | www.a.example.com | — | NEW | success |  |')
  })
})
