/**
 * `notify` end to end (dist/index.js run like a runner): the GitHub issue against a fake GitHub
 * REST API (GITHUB_API_URL, fixtures/fake-github.ts) and webhooks against a local sink
 * (fixtures/webhook-sink.ts). The issue's whole life, a custom label, each webhook format, a
 * sink that fails and one that never accepts, a failed upload that notifies, no permission, the
 * URL masked in debug logs, and bad values refused before any request.
 */
import 'reflect-metadata'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { SeedRecord } from '../../emulator/server.js'
import { makeCa, makeChain, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { startFakeGitHub, type FakeGitHub } from '../../fixtures/fake-github.js'
import { DIST, QUICK_WAITS, type RunResult } from '../../fixtures/runner.js'
import { startWebhookSink, type WebhookSink } from '../../fixtures/webhook-sink.js'

const DAY = 86_400_000
const inDays = (days: number) => new Date(Date.now() + days * DAY)
const TITLE = 'Tencent Cloud certificates need attention'
const MARKER = '<!-- tencentcloud-ssl-action:notify -->'

const lab = useE2eLab('notify', { nodeArgs: QUICK_WAITS })
let github: FakeGitHub
let sink: WebhookSink
let chain: TestChain

beforeAll(async () => {
  github = await startFakeGitHub()
  sink = await startWebhookSink()
  const ca = await makeCa(1, 'Notify')
  chain = await makeChain({ ca, domains: ['notify.example.test'], notAfter: inDays(60) })
})
afterAll(async () => {
  await github.stop()
  await sink.stop()
})
beforeEach(() => {
  github.reset()
  sink.reset()
})

/** What a runner gives a step about the run and the API. */
const runnerEnv = (): Record<string, string> => ({
  GITHUB_API_URL: github.url,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: github.repository,
  GITHUB_RUN_ID: '9001',
  GITHUB_RUN_NUMBER: '12'
})
const RUN_URL = 'https://github.com/octo-org/octo-repo/actions/runs/9001'

const EXPIRING: SeedRecord = {
  id: 'LoneEc01',
  domains: ['lone.example.test'],
  notAfter: inDays(10),
  alias: 'lone'
}
const RENEWED: SeedRecord[] = [
  { id: 'RenOld01', domains: ['renew.example.test'], notAfter: inDays(10) },
  { id: 'RenNew01', domains: ['renew.example.test'], notAfter: inDays(80) }
]

const list = (inputs: Record<string, string>, debug = false): Promise<RunResult> =>
  lab.run(
    undefined,
    { mode: 'list', 'github-token': github.token, ...inputs },
    { env: runnerEnv(), debug }
  )
const json = (r: RunResult, name: string): unknown => JSON.parse(r.outputs[name] ?? 'null')
const writes = () => github.requests.filter(r => r.method !== 'GET')
const errorLine = (r: RunResult) => r.lines.find(line => line.startsWith('::error::')) ?? ''

describe('notify: issue', () => {
  it('opens one issue, updates it in place, leaves it when unchanged, closes it, then creates nothing', async () => {
    // Nothing to report and no issue: not even a request that changes anything.
    lab.emulator.seed(RENEWED)
    const quiet = await list({ notify: 'issue' })
    expect(quiet.status).toBe(0)
    expect(json(quiet, 'notified')).toEqual([])
    expect(writes()).toEqual([])

    lab.emulator.seed([EXPIRING])
    const opened = await list({ notify: 'issue' })
    expect(opened.status).toBe(0)
    expect(json(opened, 'notified')).toEqual(['issue'])
    expect(github.issues).toHaveLength(1)
    const issue = github.issues[0]
    expect(issue).toMatchObject({ title: TITLE, labels: ['tencentcloud-ssl'], state: 'open' })
    expect(github.labels.has('tencentcloud-ssl')).toBe(true)
    expect(issue.body).toContain(MARKER)
    expect(issue.body).toMatch(
      /\| `LoneEc01` \| lone \| lone\.example\.test \| \d{4}-\d{2}-\d{2} \|/
    )
    expect(issue.body).toContain(`[run #12](${RUN_URL})`)

    const before = writes().length
    const same = await list({ notify: 'issue' })
    expect(json(same, 'notified')).toEqual(['issue'])
    expect(writes()).toHaveLength(before)
    expect(issue.edits).toBe(0)

    lab.emulator.seed([{ id: 'Second01', domains: ['second.example.test'], notAfter: inDays(20) }])
    const updated = await list({ notify: 'issue' })
    expect(json(updated, 'notified')).toEqual(['issue'])
    expect(github.issues).toHaveLength(1)
    expect(issue.edits).toBe(1)
    expect(issue.body).toContain('Second01')

    lab.emulator.reset()
    lab.emulator.seed(RENEWED.slice(1))
    const closed = await list({ notify: 'issue' })
    expect(closed.status).toBe(0)
    expect(json(closed, 'notified')).toEqual([])
    expect(issue).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(issue.comments).toHaveLength(1)
    expect(issue.comments[0]).toContain(`[Run #12](${RUN_URL}) found nothing`)

    const afterClose = writes().length
    await list({ notify: 'issue' })
    expect(writes()).toHaveLength(afterClose)
    expect(github.issues).toHaveLength(1)
  })

  it('reports a stale-bound certificate and the endpoint still serving it, in the issue and the webhook', async () => {
    // The old certificate really uploaded (the edge serves its key), a CDN domain still on it,
    // and a newer one of the same names that never reached the CDN.
    const first = await lab.run(chain, { mode: 'upload' })
    expect(first.status).toBe(0)
    const oldId = first.outputs['certificate-id']
    lab.emulator.resources.seed([{ type: 'cdn', instance: 'notify.example.test', certId: oldId }])
    lab.emulator.seed({ id: 'NewerN01', domains: ['notify.example.test'], notAfter: inDays(90) })
    const endpoint = `notify.example.test=127.0.0.1:${lab.emulator.edge.port}`

    const result = await list({
      notify: `issue\n${sink.url('/hook')}`,
      'expiring-within': '90',
      verify: endpoint
    })
    expect(result.status).toBe(0)
    expect(json(result, 'stale-bound-ids')).toEqual([oldId])
    expect(json(result, 'notified')).toEqual(['issue', 'webhook'])
    const body = github.issues[0].body
    expect(body).toMatch(/Stale-bound: superseded, still used \(1\)/)
    expect(body).toContain(oldId)
    expect(body).toMatch(/Endpoints that do not serve what they should \(1\)/)
    const posted = sink.posts[0].body as Record<string, unknown[]>
    expect(posted['stale-bound']).toEqual([expect.objectContaining({ id: oldId, bound: 1 })])
    expect(posted.mismatched).toEqual([
      expect.objectContaining({ host: 'notify.example.test', status: 'expiring' })
    ])
  })

  it('keeps one issue per label: a custom label gets its own, created when missing', async () => {
    const theirs = github.addIssue({
      title: TITLE,
      body: `${MARKER}\nold`,
      labels: ['tencentcloud-ssl']
    })
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: 'issue', 'notify-label': 'certs watch' })
    expect(result.status).toBe(0)
    expect(github.labels.get('certs watch')).toMatchObject({ name: 'certs watch' })
    expect(github.issues).toHaveLength(2)
    expect(github.issues[1]).toMatchObject({ labels: ['certs watch'], state: 'open' })
    expect(theirs).toMatchObject({ body: `${MARKER}\nold`, edits: 0 })
  })

  it('without issues: write, fails naming the permission; the outputs are still set', async () => {
    github.forbidden = true
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: 'issue' })
    expect(result.status).toBe(1)
    expect(errorLine(result)).toContain('Resource not accessible by integration')
    expect(errorLine(result)).toContain('permissions: issues: write')
    expect(json(result, 'expiring-ids')).toEqual(['LoneEc01'])
    expect(json(result, 'notified')).toEqual([])
    expect(result.summary).toContain('LoneEc01')
    expect(result.summary).toContain('permissions: issues: write')
  })

  it('rides out GitHub 502s with the retry plugin', async () => {
    github.failNext(2)
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: 'issue' })
    expect(result.status).toBe(0)
    expect(json(result, 'notified')).toEqual(['issue'])
    expect(github.issues).toHaveLength(1)
  })
})

describe('notify: webhooks', () => {
  const SHAPES: [string, (body: Record<string, unknown>) => void][] = [
    [
      'json',
      body => {
        expect(body).toMatchObject({
          source: 'tencentcloud-ssl-action',
          mode: 'list',
          status: 'attention',
          'stale-bound': [],
          mismatched: [],
          failures: [],
          'run-url': RUN_URL
        })
        expect(body.expiring).toEqual([
          expect.objectContaining({ id: 'LoneEc01', alias: 'lone', domains: ['lone.example.test'] })
        ])
      }
    ],
    [
      'slack',
      body => {
        expect(Object.keys(body)).toEqual(['text'])
        expect(body.text).toContain('*Expiring*: `LoneEc01` lone (lone.example.test)')
        expect(body.text).toContain(`<${RUN_URL}|Run #12>`)
      }
    ],
    [
      'wecom',
      body => {
        expect(body).toEqual({ msgtype: 'markdown', markdown: { content: expect.any(String) } })
        expect((body.markdown as { content: string }).content).toContain('**Expiring**: `LoneEc01`')
      }
    ],
    [
      'dingtalk',
      body => {
        expect(body).toEqual({
          msgtype: 'markdown',
          markdown: {
            title: 'Tencent Cloud SSL: certificates need attention (list)',
            text: expect.any(String)
          }
        })
        expect((body.markdown as { text: string }).text).toContain(`[Run #12](${RUN_URL})`)
      }
    ],
    [
      'feishu',
      body => {
        expect(body).toEqual({ msg_type: 'text', content: { text: expect.any(String) } })
        expect((body.content as { text: string }).text).toContain('Expiring: LoneEc01 lone')
      }
    ]
  ]

  it.each(SHAPES)('%s: one POST of its shape', async (format, check) => {
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: sink.url('/hook?key=k1'), 'notify-format': format })
    expect(result.status).toBe(0)
    expect(json(result, 'notified')).toEqual(['webhook'])
    expect(sink.posts).toHaveLength(1)
    expect(sink.posts[0].path).toBe('/hook?key=k1')
    expect(sink.posts[0].contentType).toBe('application/json; charset=utf-8')
    check(sink.posts[0].body as Record<string, unknown>)
    expect(github.requests).toEqual([])
  })

  it('sends nothing when list finds nothing', async () => {
    lab.emulator.seed(RENEWED.slice(1))
    const result = await list({ notify: sink.url('/hook') })
    expect(result.status).toBe(0)
    expect(sink.posts).toEqual([])
    expect(json(result, 'notified')).toEqual([])
  })

  it('retries a sink that fails twice, then is delivered', async () => {
    sink.failNext(2, 502)
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: sink.url('/flaky') })
    expect(result.status).toBe(0)
    expect(sink.posts).toHaveLength(3)
    expect(json(result, 'notified')).toEqual(['webhook'])
  })

  it("fails the step when a report cannot be delivered, with the run's outcome in the outputs and summary", async () => {
    sink.alwaysFail(500)
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: `issue\n${sink.url('/down')}` })
    expect(result.status).toBe(1)
    expect(sink.posts).toHaveLength(4)
    expect(errorLine(result)).toMatch(
      /Could not deliver the notification to webhook 1 \(127\.0\.0\.1:\d+\): HTTP 500/
    )
    // The issue went; the webhook did not.
    expect(json(result, 'notified')).toEqual(['issue'])
    expect(json(result, 'expiring-ids')).toEqual(['LoneEc01'])
    expect(result.summary).toContain('LoneEc01')
    expect(result.summary).toContain('Could not deliver the notification')
  })

  it('masks the URL before anything is logged, debug included', async () => {
    sink.failNext(1, 503)
    lab.emulator.seed([EXPIRING])
    const url = sink.url('/services/T0/B0/s3cretpath?key=s3cretkey')
    const result = await list({ notify: url }, true)
    expect(result.status).toBe(0)
    expect(result.lines).toContain(`::add-mask::${url}`)
    expect(result.lines.some(line => line.startsWith('::debug::webhook 1 (127.0.0.1:'))).toBe(true)
    const others = result.lines.filter(line => !line.startsWith('::add-mask::'))
    expect(others.filter(line => /s3cret/.test(line))).toEqual([])
  })

  it('keeps the URL out of the log and the failure when the connection is refused', async () => {
    lab.emulator.seed([EXPIRING])
    // No path, an upper-case host: node-fetch quotes it normalised ('/?key=') in its message.
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
    const port = (server.address() as { port: number }).port
    await new Promise(resolve => server.close(resolve))
    const url = `HTTP://LOCALHOST:${port}?key=s3cretkey`
    const result = await list({ notify: url }, true)
    expect(result.status).toBe(1)
    expect(errorLine(result)).toContain('the connection failed (ECONNREFUSED)')
    const others = result.lines.filter(line => !line.startsWith('::add-mask::'))
    expect(others.filter(line => /s3cret/.test(line))).toEqual([])
    expect(result.summary).not.toContain('s3cret')
  })
})

describe('notify on failure', () => {
  it('a failed upload opens the issue and posts the failure', async () => {
    lab.emulator.faults.add({ kind: 'malformed', variant: 'not-json', action: 'UploadCertificate' })
    lab.emulator.faults.add({
      kind: 'malformed',
      variant: 'not-json',
      action: 'CheckCertificateExist'
    })
    const result = await lab.run(
      chain,
      { mode: 'upload', notify: `issue\n${sink.url('/hook')}`, 'github-token': github.token },
      { env: runnerEnv() }
    )
    expect(result.status).toBe(1)
    expect(json(result, 'notified')).toEqual(['issue', 'webhook'])
    expect(result.outputs['certificate-id']).toBe('')
    expect(github.issues).toHaveLength(1)
    expect(github.issues[0].body).toContain('### The `upload` run failed')
    const body = sink.posts[0].body as { status: string; mode: string; failures: string[] }
    expect(body).toMatchObject({ status: 'failed', mode: 'upload' })
    expect(body.failures).toHaveLength(1)
    expect(errorLine(result)).toContain(body.failures[0].slice(0, 40))
  })

  it('a successful upload with nothing to report asks GitHub nothing and posts nothing', async () => {
    const result = await lab.run(
      chain,
      { mode: 'upload', notify: `issue\n${sink.url('/hook')}`, 'github-token': github.token },
      { env: runnerEnv() }
    )
    expect(result.status).toBe(0)
    expect(github.requests).toEqual([])
    expect(sink.posts).toEqual([])
    expect(json(result, 'notified')).toEqual([])
  })

  it('a bad input other than notify reaches the webhook too, with no request to Tencent', async () => {
    const result = await lab.run(
      undefined,
      { mode: 'prune', 'prune-domains': 'a.example.test', keep: 'one', notify: sink.url('/hook') },
      { env: runnerEnv() }
    )
    expect(result.status).toBe(1)
    expect(lab.emulator.requests).toEqual([])
    expect(sink.posts).toHaveLength(1)
    expect(sink.posts[0].body).toMatchObject({
      mode: 'prune',
      status: 'failed',
      failures: [expect.stringContaining("Input 'keep'")]
    })
  })

  it.each([
    [{ notify: 'issues' }, "Input 'notify': line 1 is neither 'issue' nor a URL"],
    [
      { notify: 'http://hooks.example.test/x?key=1' },
      "Input 'notify': line 1: http:// is refused for hooks.example.test"
    ],
    [{ 'notify-format': 'teams' }, "Input 'notify-format': must be one of 'json', 'slack'"],
    [{ notify: 'issue', 'github-token': '' }, "Input 'github-token': is empty"]
  ])('refuses %j before any request', async (inputs, message) => {
    lab.emulator.seed([EXPIRING])
    const result = await list({ notify: sink.url('/hook'), ...inputs })
    expect(result.status).toBe(1)
    expect(errorLine(result)).toContain(message)
    expect(lab.emulator.requests).toEqual([])
    expect(github.requests).toEqual([])
    expect(sink.posts).toEqual([])
  })
})

it('dist/index.js holds none of the notification code: it is loaded only when notify is set', () => {
  const index = readFileSync(DIST, 'utf8')
  expect(index).not.toContain(TITLE)
  expect(index).not.toContain('octokit-write')
})
