/**
 * The fake GitHub API (fixtures/fake-github.ts) proven with octokit itself, as the action builds
 * it (@actions/github's getOctokit), then the issue's life through src/notify/github.ts: opened,
 * updated in place, left alone, closed; the 403, 401 and 502 modes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { startFakeGitHub, type FakeGitHub } from '../../fixtures/fake-github.js'
import { recordingLog } from '../../fixtures/log.js'
import type { Attention } from '../../src/notify/attention.js'
import { gitHubIssues, type IssueApi } from '../../src/notify/github.js'
import { syncIssue } from '../../src/notify/issue.js'
import { ISSUE_MARKER, ISSUE_TITLE } from '../../src/notify/issue-body.js'

let fake: FakeGitHub
beforeAll(async () => void (fake = await startFakeGitHub()))
afterAll(async () => fake.stop())
beforeEach(() => fake.reset())

const [owner, repo] = ['octo-org', 'octo-repo']

describe('the fake GitHub API, driven by octokit', () => {
  const octokit = () => getOctokit(fake.token, { baseUrl: fake.url })

  it('creates, lists (with pagination and labels), updates, comments on and closes issues', async () => {
    const gh = octokit()
    for (let n = 0; n < 3; n++)
      await gh.rest.issues.create({ owner, repo, title: `t${n}`, body: 'b', labels: ['x'] })
    fake.addIssue({ title: 'a pull request', labels: ['x'], pullRequest: true })
    fake.addIssue({ title: 'other label', labels: ['y'] })
    const listed = await gh.paginate(gh.rest.issues.listForRepo, {
      owner,
      repo,
      labels: 'x',
      state: 'open',
      per_page: 2,
      direction: 'asc'
    })
    expect(listed.map(i => i.title)).toEqual(['t0', 't1', 't2', 'a pull request'])
    expect(listed[3].pull_request).toBeDefined()
    // Two pages of two: octokit followed the Link header.
    expect(fake.requests.filter(r => r.method === 'GET')).toHaveLength(2)

    await gh.rest.issues.update({ owner, repo, issue_number: 1, body: 'new' })
    await gh.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'bye' })
    await gh.rest.issues.update({
      owner,
      repo,
      issue_number: 1,
      state: 'closed',
      state_reason: 'completed'
    })
    expect(fake.issues[0]).toMatchObject({
      body: 'new',
      comments: ['bye'],
      state: 'closed',
      state_reason: 'completed'
    })
    const open = await gh.rest.issues.listForRepo({ owner, repo, state: 'open', labels: 'x' })
    expect(open.data.map(i => i.number)).toEqual([4, 3, 2])
  })

  it('reads and creates labels; a second creation is 422 already_exists', async () => {
    const gh = octokit()
    await expect(gh.rest.issues.getLabel({ owner, repo, name: 'l b' })).rejects.toMatchObject({
      status: 404
    })
    await gh.rest.issues.createLabel({ owner, repo, name: 'l b', color: 'ffffff' })
    expect((await gh.rest.issues.getLabel({ owner, repo, name: 'l b' })).data.name).toBe('l b')
    await expect(gh.rest.issues.createLabel({ owner, repo, name: 'l b' })).rejects.toMatchObject({
      status: 422
    })
  })

  it('checks the token, and answers 403 in forbidden mode and 502 when told to', async () => {
    const wrong = getOctokit('ghs_wrong', { baseUrl: fake.url })
    await expect(wrong.rest.issues.listForRepo({ owner, repo })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('Bad credentials')
    })
    fake.forbidden = true
    await expect(octokit().rest.issues.listForRepo({ owner, repo })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration')
    })
    fake.forbidden = false
    fake.failNext(1)
    await expect(octokit().rest.issues.listForRepo({ owner, repo })).rejects.toMatchObject({
      status: 502
    })
    expect((await octokit().rest.issues.listForRepo({ owner, repo })).status).toBe(200)
    await expect(
      octokit().rest.issues.listForRepo({ owner, repo: 'elsewhere' })
    ).rejects.toMatchObject({ status: 404 })
  })
})

const attention = (over: Partial<Attention> = {}): Attention => ({
  mode: 'list',
  status: 'attention',
  expiring: [
    {
      id: 'Exp00001',
      alias: 'www 2027-01-01',
      domains: ['www.example.test'],
      notAfter: '2027-01-01T00:00:00.000Z',
      supersededBy: null,
      bound: null
    }
  ],
  staleBound: [],
  mismatched: [],
  failures: [],
  runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/7',
  runName: '#7',
  ...over
})
const nothing = attention({ status: 'ok', expiring: [] })

describe('the issue through src/notify/github.ts', () => {
  const { log, lines } = recordingLog()
  const api = (token = fake.token): IssueApi =>
    gitHubIssues({ token, repository: fake.repository, baseUrl: fake.url, log, retryBaseMs: 1 })
  const writes = () => fake.requests.filter(r => r.method !== 'GET')

  it('lives once: opened with its label, updated in place, left alone, closed with a comment', async () => {
    expect(await syncIssue(api(), 'certs', nothing)).toEqual({ step: 'none' })
    expect(fake.requests.map(r => r.method)).toEqual(['GET'])
    expect(fake.labels.size).toBe(0)

    const opened = await syncIssue(api(), 'certs', attention())
    expect(opened.step).toBe('opened')
    expect(fake.labels.get('certs')).toMatchObject({ color: 'd93f0b' })
    expect(fake.issues).toHaveLength(1)
    expect(fake.issues[0]).toMatchObject({ title: ISSUE_TITLE, labels: ['certs'] })
    expect(fake.issues[0].body).toContain(ISSUE_MARKER)
    expect(fake.issues[0].body).toContain('Exp00001')

    // The same findings from a later run: no edit.
    const before = writes().length
    const again = await syncIssue(
      api(),
      'certs',
      attention({ runUrl: 'https://x/runs/8', runName: '#8' })
    )
    expect(again.step).toBe('unchanged')
    expect(writes()).toHaveLength(before)

    const failed = attention({ status: 'failed', failures: ['UploadCertificate: InternalError'] })
    expect((await syncIssue(api(), 'certs', failed)).step).toBe('updated')
    expect(fake.issues).toHaveLength(1)
    expect(fake.issues[0].body).toContain('UploadCertificate: InternalError')

    // An upload that has nothing to report leaves it open; a list run closes it.
    expect((await syncIssue(api(), 'certs', { ...nothing, mode: 'upload' })).step).toBe('none')
    expect(fake.issues[0].state).toBe('open')
    expect((await syncIssue(api(), 'certs', nothing)).step).toBe('closed')
    expect(fake.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(fake.issues[0].comments[0]).toContain('found nothing that needs a person')

    // A new finding opens a new issue; the closed one stays closed.
    expect((await syncIssue(api(), 'certs', attention())).step).toBe('opened')
    expect(fake.issues.map(i => i.state)).toEqual(['closed', 'open'])
  })

  it("leaves a person's issue with the same label alone: the marker finds the action's", async () => {
    fake.addIssue({ title: 'mine', body: 'about certificates', labels: ['certs'] })
    expect((await syncIssue(api(), 'certs', attention())).step).toBe('opened')
    expect((await syncIssue(api(), 'certs', nothing)).step).toBe('closed')
    expect(fake.issues.map(i => [i.title, i.state])).toEqual([
      ['mine', 'open'],
      [ISSUE_TITLE, 'closed']
    ])
  })

  it('retries 502s with the retry plugin', async () => {
    fake.failNext(2)
    expect((await syncIssue(api(), 'certs', attention())).step).toBe('opened')
    expect(fake.requests.slice(0, 3).map(r => r.method)).toEqual(['GET', 'GET', 'GET'])
  })

  it('names issues: write on 403, and the token on 401', async () => {
    fake.forbidden = true
    await expect(syncIssue(api(), 'certs', attention())).rejects.toThrow(
      /403 Resource not accessible by integration.*permissions: issues: write/
    )
    fake.forbidden = false
    await expect(syncIssue(api('ghs_revoked'), 'certs', attention())).rejects.toThrow(
      /401 Bad credentials: github-token was refused/
    )
    // Neither is retried.
    expect(fake.requests).toHaveLength(2)
    expect(lines.join('\n')).not.toContain(fake.token)
  })
})
