/**
 * The pure parts of notify: what in an Outcome needs a person (attention.ts), the webhook bodies
 * of each notify-format (formats.ts), and the issue's body (issue-body.ts).
 */
import { describe, expect, it } from '@jest/globals'
import { attentionOf, needsPerson, type Attention } from '../../src/notify/attention.js'
import { chatText, jsonBody, titleOf, webhookBody } from '../../src/notify/formats.js'
import { closingComment, ISSUE_MARKER, issueBody, sameReport } from '../../src/notify/issue-body.js'
import { emptyOutcome, type Outcome, type VerifiedEndpoint } from '../../src/reporting/outcome.js'

const RUNNER = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_NUMBER: '17'
}
const RUN_URL = 'https://github.com/octo-org/octo-repo/actions/runs/4242'

const entry = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  alias: `${id} alias`,
  domains: [`${id.toLowerCase()}.example.test`],
  'not-after': '2027-01-09T12:00:00.000Z',
  source: 'upload',
  type: 'SVR',
  'key-algorithm': 'ECDSA',
  'project-id': 0,
  expired: false,
  expiring: true,
  'superseded-by': null,
  ...over
})

const mismatch: VerifiedEndpoint = {
  host: 'www.example.test',
  port: 443,
  address: '10.0.0.1',
  status: 'mismatch',
  fingerprint: 'ab'.repeat(32),
  'not-after': '2026-12-20T00:00:00.000Z',
  error: null
}

function listOutcome(over: Partial<Outcome> = {}): Outcome {
  return {
    ...emptyOutcome(),
    mode: 'list',
    inventory: {
      certificates: [
        entry('Lone0001'),
        entry('Stale001', { 'superseded-by': 'Newer001', bound: 3 }),
        entry('Fine0001', { expiring: false })
      ],
      expiringIds: ['Lone0001', 'Stale001'],
      staleBoundIds: ['Stale001'],
      markdown: ''
    },
    verified: [mismatch, { ...mismatch, host: 'ok.example.test', status: 'ok' }],
    ...over
  }
}

describe('attentionOf', () => {
  it('takes the expiring, stale-bound and mismatched entries with their names and dates', () => {
    const a = attentionOf(listOutcome(), RUNNER)
    expect(a.status).toBe('attention')
    expect(a.expiring.map(c => c.id)).toEqual(['Lone0001', 'Stale001'])
    expect(a.staleBound).toEqual([
      {
        id: 'Stale001',
        alias: 'Stale001 alias',
        domains: ['stale001.example.test'],
        notAfter: '2027-01-09T12:00:00.000Z',
        supersededBy: 'Newer001',
        bound: 3
      }
    ])
    expect(a.mismatched.map(e => e.host)).toEqual(['www.example.test'])
    expect(a.runUrl).toBe(RUN_URL)
    expect(a.runName).toBe('#17')
  })

  it('a dry run of upload or sync is no news: its endpoints still serve the old certificate', () => {
    const rehearsal = { ...emptyOutcome(), dryRun: true, verified: [mismatch] }
    expect(needsPerson(attentionOf({ ...rehearsal, mode: 'sync' }, RUNNER))).toBe(false)
    expect(needsPerson(attentionOf({ ...rehearsal, mode: 'upload' }, RUNNER))).toBe(false)
    // A real sync that left an endpoint behind is.
    expect(needsPerson(attentionOf({ ...rehearsal, mode: 'sync', dryRun: false }, RUNNER))).toBe(
      true
    )
  })

  it('is ok when nothing needs a person, and has no run link outside a runner', () => {
    const a = attentionOf({ ...emptyOutcome(), mode: 'list' }, {})
    expect(needsPerson(a)).toBe(false)
    expect(a.runUrl).toBe('')
  })

  it("splits main.ts's joined failure back into the problems and the error", () => {
    const failed = (problems: string[], failure: string) =>
      attentionOf({ ...emptyOutcome(), mode: 'sync', problems, failure }, RUNNER)
    expect(failed([], 'boom').failures).toEqual(['boom'])
    expect(failed(['p1', 'p2'], 'p1; p2').failures).toEqual(['p1', 'p2'])
    expect(failed(['p1'], 'p1; boom; with; semicolons').failures).toEqual([
      'p1',
      'boom; with; semicolons'
    ])
    expect(failed([], 'boom').status).toBe('failed')
  })
})

const attention = (): Attention => attentionOf(listOutcome(), RUNNER)
const failedUpload = (): Attention =>
  attentionOf(
    { ...emptyOutcome(), mode: 'upload', failure: 'UploadCertificate failed: InternalError' },
    RUNNER
  )

describe('webhook bodies', () => {
  it('json: the action own fields, named as its outputs', () => {
    const body = jsonBody(attention())
    expect(body).toMatchObject({
      source: 'tencentcloud-ssl-action',
      mode: 'list',
      status: 'attention',
      failures: [],
      'run-url': RUN_URL
    })
    expect((body.expiring as { id: string }[]).map(c => c.id)).toEqual(['Lone0001', 'Stale001'])
    expect(body['stale-bound']).toEqual([
      {
        id: 'Stale001',
        alias: 'Stale001 alias',
        domains: ['stale001.example.test'],
        'not-after': '2027-01-09T12:00:00.000Z',
        'superseded-by': 'Newer001',
        bound: 3
      }
    ])
    expect(body.mismatched).toEqual([mismatch])
  })

  it('slack: {text} in mrkdwn with the run link', () => {
    const body = webhookBody('slack', attention()) as { text: string }
    expect(Object.keys(body)).toEqual(['text'])
    expect(body.text.split('\n')[0]).toBe('*Tencent Cloud SSL: certificates need attention (list)*')
    expect(body.text).toContain(
      '• *Expiring*: `Lone0001` Lone0001 alias (lone0001.example.test), not after 2027-01-09'
    )
    expect(body.text).toContain('• *Stale-bound*: `Stale001`')
    expect(body.text).toContain('superseded by `Newer001`, still used by 3 resource(s)')
    expect(body.text).toContain(
      '• *Endpoint*: www.example.test:443 (10.0.0.1) serves another certificate'
    )
    expect(body.text).toContain(`<${RUN_URL}|Run #17>`)
  })

  it('each certificate is shown once to people: a stale-bound one is not also expiring', () => {
    const text = chatText(attention(), {
      bold: t => t,
      code: t => t,
      link: t => t,
      escape: t => t,
      bullet: '- '
    })
    expect(text.split('\n').filter(line => line.includes('Stale001'))).toEqual([
      expect.stringMatching(/^- Stale-bound: Stale001 /)
    ])
  })

  it('wecom: robot markdown', () => {
    const body = webhookBody('wecom', failedUpload()) as {
      msgtype: string
      markdown: { content: string }
    }
    expect(body.msgtype).toBe('markdown')
    expect(body.markdown.content).toBe(
      [
        '**Tencent Cloud SSL: upload failed**',
        '- **Failed**: UploadCertificate failed: InternalError',
        `[Run #17](${RUN_URL})`
      ].join('\n')
    )
  })

  it('dingtalk: markdown with a title', () => {
    const body = webhookBody('dingtalk', attention()) as {
      msgtype: string
      markdown: { title: string; text: string }
    }
    expect(body.msgtype).toBe('markdown')
    expect(body.markdown.title).toBe(titleOf(attention()))
    expect(body.markdown.text).toContain('- **Expiring**: Lone0001 ')
  })

  it('feishu: plain text', () => {
    const body = webhookBody('feishu', failedUpload()) as {
      msg_type: string
      content: { text: string }
    }
    expect(body).toEqual({
      msg_type: 'text',
      content: {
        text: [
          'Tencent Cloud SSL: upload failed',
          '- Failed: UploadCertificate failed: InternalError',
          `Run #17: ${RUN_URL}`
        ].join('\n')
      }
    })
  })

  it('slack escapes what mrkdwn would read as markup', () => {
    const a = attentionOf({ ...emptyOutcome(), mode: 'list', failure: 'a <b> & c' }, RUNNER)
    expect((webhookBody('slack', a) as { text: string }).text).toContain('a &lt;b&gt; &amp; c')
  })

  it('a chat message stays under 4,000 bytes, keeping the title and the run link', () => {
    const many = Array.from({ length: 300 }, (_, n) =>
      entry(`Many${String(n).padStart(4, '0')}`, {
        domains: Array.from({ length: 5 }, (_, d) => `name-${d}.many${n}.example.test`)
      })
    )
    const a = attentionOf(
      listOutcome({
        inventory: {
          certificates: many,
          expiringIds: many.map(c => c.id),
          staleBoundIds: [],
          markdown: ''
        },
        verified: []
      }),
      RUNNER
    )
    const content = (webhookBody('wecom', a) as { markdown: { content: string } }).markdown.content
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4000)
    expect(content.startsWith('**Tencent Cloud SSL')).toBe(true)
    expect(content.endsWith(`[Run #17](${RUN_URL})`)).toBe(true)
    expect(content).toContain('…')
  })
})

describe('the issue body', () => {
  it('has the marker, a table per finding with ids, names and dates, and the run link', () => {
    const body = issueBody(attention())
    expect(body.startsWith(`${ISSUE_MARKER}\n`)).toBe(true)
    expect(body).toContain('### Expiring with nothing newer (1)')
    expect(body).toContain('| `Lone0001` | Lone0001 alias | lone0001.example.test | 2027-01-09 |')
    expect(body).toContain('### Stale-bound: superseded, still used (1)')
    expect(body).toContain(
      '| `Stale001` | Stale001 alias | stale001.example.test | 2027-01-09 | `Newer001` | 3 |'
    )
    expect(body).toContain('| www.example.test:443 (10.0.0.1) | mismatch | 2026-12-20 | — |')
    expect(body).toContain(`Reported by [run #17](${RUN_URL}) (\`list\` mode).`)
    expect(body).not.toContain('failed')
  })

  it('quotes the failure, one line of a table cell never breaks the table', () => {
    const body = issueBody(failedUpload())
    expect(body).toContain(
      '### The `upload` run failed\n\n> UploadCertificate failed: InternalError'
    )
    const odd = attentionOf(
      listOutcome({
        inventory: {
          certificates: [entry('Pipe0001', { alias: 'a | b\nc' })],
          expiringIds: ['Pipe0001'],
          staleBoundIds: [],
          markdown: ''
        }
      }),
      RUNNER
    )
    expect(issueBody(odd)).toContain('| `Pipe0001` | a \\| b c |')
  })

  it('is the same report when only the run differs, not when a finding changed', () => {
    const later = attentionOf(listOutcome(), {
      ...RUNNER,
      GITHUB_RUN_ID: '5000',
      GITHUB_RUN_NUMBER: '18'
    })
    expect(issueBody(later)).not.toBe(issueBody(attention()))
    expect(sameReport(issueBody(attention()), issueBody(later))).toBe(true)
    expect(sameReport(issueBody(attention()), issueBody(failedUpload()))).toBe(false)
    expect(sameReport(issueBody(attention()).replace(/\n/g, '\r\n'), issueBody(later))).toBe(true)
  })

  it('says the run failed when even the mode was bad', () => {
    const body = issueBody(attentionOf({ ...emptyOutcome(), failure: "Input 'mode': …" }, RUNNER))
    expect(body).toContain("### The run failed\n\n> Input 'mode': …")
    expect(body).toContain('(mode unknown).')
  })

  it('the closing comment links the run', () => {
    expect(closingComment(attention())).toBe(
      `[Run #17](${RUN_URL}) found nothing that needs a person: no certificate expiring with nothing newer, none stale-bound, no endpoint mismatch. Closing.`
    )
  })
})
