/**
 * The GitHub side of `notify: issue`: @actions/github's octokit (GITHUB_API_URL honoured, so
 * GitHub Enterprise Server works; the runner's proxy settings too) with octokit's own retry
 * (5xx, broken connections) and throttling (rate limits) plugins, behind the few issue calls
 * the action makes. Loaded only when `notify` asks for the issue.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Log } from '../runner/log.js'

export interface OpenIssue {
  number: number
  body: string
  url: string
}

/** The calls the issue's life needs; issue.ts decides which. */
export interface IssueApi {
  /** Open issues (not pull requests) with `label`, oldest first. */
  openIssues(label: string): Promise<OpenIssue[]>
  /** Creates the label unless it exists. */
  ensureLabel(label: string): Promise<void>
  create(title: string, body: string, label: string): Promise<OpenIssue>
  updateBody(number: number, body: string): Promise<void>
  comment(number: number, body: string): Promise<void>
  close(number: number): Promise<void>
}

export interface GitHubOptions {
  token: string
  /** `owner/name`. */
  repository: string
  /** GITHUB_API_URL, or https://api.github.com. */
  baseUrl: string
  log: Log
  /** Each call's deadline, its retries included; 60 s by default. */
  callTimeoutMs?: number
  /** The plugins' base wait (1 s); tests shorten it. */
  retryBaseMs?: number
}

/** Rate-limit waits the action takes; anything longer fails the notification. */
const LONGEST_LIMIT_WAIT_S = 120
const LABEL_COLOR = 'd93f0b'

export function gitHubIssues(options: GitHubOptions): IssueApi {
  const { log } = options
  const [owner, repo] = options.repository.split('/')
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _: unknown, count: number) => {
      const wait = count < 2 && retryAfter <= LONGEST_LIMIT_WAIT_S
      log.warning(
        `GitHub's ${kind} rate limit for ${request.method} ${request.url}: ` +
          (wait ? `retrying in ${retryAfter} s.` : 'not waiting for it.')
      )
      return wait
    }
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      retry: { retryAfterBaseValue: options.retryBaseMs ?? 1000 },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        retryAfterBaseValue: options.retryBaseMs ?? 1000
      },
      log: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string) => log.warning(m),
        error: (m: string) => log.warning(m)
      }
    },
    retry,
    throttling
  )
  const deadline = options.callTimeoutMs ?? 60_000
  // The outermost hook: one deadline per call, over the plugins' retries.
  octokit.hook.before('request', requestOptions => {
    requestOptions.request = {
      ...requestOptions.request,
      signal: requestOptions.request?.signal ?? AbortSignal.timeout(deadline)
    }
  })
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (error) {
      throw new Error(`GitHub ${what} failed: ${explain(error, options.repository, deadline)}`, {
        cause: error
      })
    }
  }
  const issueOf = (i: { number: number; body?: string | null; html_url: string }) => ({
    number: i.number,
    body: i.body ?? '',
    url: i.html_url
  })
  return {
    openIssues: label =>
      call('listing the open issues', async () => {
        const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
          owner,
          repo,
          state: 'open',
          labels: label,
          sort: 'created',
          direction: 'asc',
          per_page: 100
        })
        return issues.filter(i => !i.pull_request).map(issueOf)
      }),
    ensureLabel: label =>
      call(`creating the label '${label}'`, async () => {
        try {
          await octokit.rest.issues.getLabel({ owner, repo, name: label })
          return
        } catch (error) {
          if (statusOf(error) !== 404) throw error
        }
        try {
          await octokit.rest.issues.createLabel({
            owner,
            repo,
            name: label,
            color: LABEL_COLOR,
            description: 'Tencent Cloud certificates that need a person (tencentcloud-ssl-action)'
          })
        } catch (error) {
          // Created meanwhile by a run beside this one.
          if (statusOf(error) !== 422) throw error
        }
      }),
    create: (title, body, label) =>
      call('opening the issue', async () => {
        const { data } = await octokit.rest.issues.create({
          owner,
          repo,
          title,
          body,
          labels: [label]
        })
        return issueOf(data)
      }),
    updateBody: (number, body) =>
      call(`updating issue #${number}`, async () => {
        await octokit.rest.issues.update({ owner, repo, issue_number: number, body })
      }),
    comment: (number, body) =>
      call(`commenting on issue #${number}`, async () => {
        await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body })
      }),
    close: number =>
      call(`closing issue #${number}`, async () => {
        await octokit.rest.issues.update({
          owner,
          repo,
          issue_number: number,
          state: 'closed',
          state_reason: 'completed'
        })
      })
  }
}

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'status' in error
    ? Number((error as { status: unknown }).status)
    : undefined

/** What went wrong, in terms of what the workflow's author can change. */
export function explain(error: unknown, repository: string, deadlineMs: number): string {
  const status = statusOf(error)
  const message = error instanceof Error ? error.message.replace(/ - https:\/\/\S+$/, '') : ''
  if (status === 403 && /not accessible by integration/i.test(message))
    return (
      `403 ${message}: the job's token may not write issues; give the job ` +
      '`permissions: issues: write` (or github-token a token with that access)'
    )
  if (status === 401) return `401 ${message}: github-token was refused`
  if (status === 404)
    return `404 ${message}: ${repository} is not visible to github-token (or GITHUB_API_URL is wrong)`
  if (status === 410) return `410 ${message}: issues are turned off in ${repository}`
  if (/aborted due to timeout|TimeoutError/i.test(message) || isTimeout(error))
    return `no answer within ${deadlineMs / 1000} s`
  return status ? `${status} ${message}` : message
}

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
