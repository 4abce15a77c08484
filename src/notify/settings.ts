/**
 * The `notify`, `notify-format`, `notify-label` and `github-token` inputs, checked before any
 * request. A webhook URL is a secret (its path or query is the robot's key): messages name its
 * line, never its text. Pure.
 */
import { InputError } from '../settings/input-error.js'
import { plainHttpProblem, PLAIN_HTTP_RULE, schemeProblem } from '../tencent/endpoint.js'

export const NOTIFY_FORMATS = ['json', 'slack', 'wecom', 'dingtalk', 'feishu'] as const
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number]

export const DEFAULT_LABEL = 'tencentcloud-ssl'

export interface NotifySettings {
  /** `issue`: keep one GitHub issue current. */
  issue: boolean
  /** Webhook URLs, as given (masked by prepare before anything is logged). */
  webhooks: string[]
  format: NotifyFormat
  label: string
  /** `github-token`; checked only when `issue` is asked for. */
  token: string
  /** `owner/name`, from GITHUB_REPOSITORY. */
  repository: string
}

type InputReader = (name: string) => string

const ACCEPTS = `accepts 'issue' and webhook URLs, one per line: https, or ${PLAIN_HTTP_RULE}`

/** The `notify` lines that are not `issue`: the values to mask, whatever their shape. */
export function notifySecrets(input: InputReader): string[] {
  const lines = notifyLines(input('notify')).filter(line => line.toLowerCase() !== 'issue')
  return [...lines.flatMap(urlForms), input('github-token')].filter(value => value !== '')
}

/** A URL as typed and as a client may print it (normalised), and its path with the query: the
 * part that holds a robot's key. The host alone is no secret and is named in messages. */
function urlForms(line: string): string[] {
  try {
    const url = new URL(line)
    const tail = `${url.pathname}${url.search}`
    return [...new Set([line, url.href, ...(tail.length > 1 ? [tail] : [])])]
  } catch {
    return [line]
  }
}

export function readNotifySettings(input: InputReader, env: NodeJS.ProcessEnv): NotifySettings {
  const format = input('notify-format').toLowerCase() || 'json'
  if (!NOTIFY_FORMATS.includes(format as NotifyFormat))
    throw new InputError(
      'notify-format',
      `must be one of ${NOTIFY_FORMATS.map(f => `'${f}'`).join(', ')}; got '${input('notify-format')}'`
    )
  const label = input('notify-label') || DEFAULT_LABEL
  // GitHub's limit; a comma would split the issues filter (`labels=a,b`).
  if (label.length > 50 || /[,\n]/.test(label))
    throw new InputError('notify-label', 'must be a label name of at most 50 characters, no comma')
  let issue = false
  const webhooks: string[] = []
  notifyLines(input('notify')).forEach((line, index) => {
    if (line.toLowerCase() === 'issue') issue = true
    else webhooks.push(checkWebhook(line, index + 1))
  })
  const settings: NotifySettings = {
    issue,
    webhooks: [...new Set(webhooks)],
    format: format as NotifyFormat,
    label,
    token: input('github-token'),
    repository: (env.GITHUB_REPOSITORY ?? '').trim()
  }
  if (issue) checkIssueNeeds(settings)
  return settings
}

/** Whether any notification is asked for. */
export const notifies = (s: NotifySettings): boolean => s.issue || s.webhooks.length > 0

function notifyLines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
}

function checkWebhook(line: string, number: number): string {
  const fail = (problem: string): never => {
    throw new InputError('notify', `line ${number}${problem}; ${ACCEPTS}`)
  }
  let url: URL
  try {
    url = new URL(line)
  } catch {
    return fail(" is neither 'issue' nor a URL")
  }
  const problem = schemeProblem(url) ?? plainHttpProblem(url)
  if (problem) fail(`: ${problem}`)
  if (url.username !== '' || url.password !== '') fail(': credentials in the URL are not allowed')
  return line
}

function checkIssueNeeds(s: NotifySettings): void {
  if (s.token === '')
    throw new InputError(
      'github-token',
      "is empty, and notify 'issue' needs it: the job's token (`${{ github.token }}`) with " +
        '`permissions: issues: write`, or a token with that access'
    )
  if (/^\$\{\{.*\}\}$/.test(s.token))
    throw new InputError(
      'github-token',
      "is an expression the runner did not expand; notify 'issue' needs the token itself"
    )
  if (/\s/.test(s.token)) throw new InputError('github-token', 'contains white space')
  if (!/^[^/\s]+\/[^/\s]+$/.test(s.repository))
    throw new InputError(
      'notify',
      "'issue' needs GITHUB_REPOSITORY (owner/name), which the runner sets; it is missing here"
    )
}
