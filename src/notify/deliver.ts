/**
 * Sends a run's report where `notify` says: the issue (issue.ts, through github.ts, loaded only
 * when asked for) and each webhook in `notify-format`. One destination failing does not stop the
 * others; what failed is returned for the step's failure, where it went for `notified`.
 */
import type { Log } from '../runner/log.js'
import type { FetchLike } from '../tencent/client.js'
import { needsPerson, type Attention } from './attention.js'
import { webhookBody } from './formats.js'
import { syncIssue } from './issue.js'
import type { NotifySettings } from './settings.js'
import { postWebhook, webhookName } from './webhook.js'

export interface DeliverDeps {
  fetch: FetchLike
  sleep: (ms: number) => Promise<void>
  random: () => number
  log: Log
  env: NodeJS.ProcessEnv
}

export interface Delivery {
  /** `issue`, `webhook`: where the report went. */
  notified: string[]
  failures: string[]
}

export async function deliver(
  settings: NotifySettings,
  a: Attention,
  deps: DeliverDeps
): Promise<Delivery> {
  const delivery: Delivery = { notified: [], failures: [] }
  if (settings.issue) await keepIssue(settings, a, deps, delivery)
  if (settings.webhooks.length > 0 && needsPerson(a)) await postAll(settings, a, deps, delivery)
  return delivery
}

async function keepIssue(
  settings: NotifySettings,
  a: Attention,
  deps: DeliverDeps,
  delivery: Delivery
): Promise<void> {
  const { gitHubIssues } = await import('./github.js')
  const api = gitHubIssues({
    token: settings.token,
    repository: settings.repository,
    baseUrl: (deps.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    log: deps.log
  })
  try {
    const { step, issue } = await syncIssue(api, settings.label, a)
    const where = issue ? `#${issue.number} (${issue.url})` : ''
    const said: Record<typeof step, string> = {
      opened: `Opened the notification issue ${where}.`,
      updated: `Updated the notification issue ${where}.`,
      unchanged: `The notification issue ${where} already says this; left as it is.`,
      closed: `Closed the notification issue ${where}: nothing needs a person.`,
      none: `No notification issue labelled '${settings.label}' is open; nothing to report.`
    }
    deps.log.info(said[step])
    if (step === 'opened' || step === 'updated' || step === 'unchanged')
      delivery.notified.push('issue')
  } catch (error) {
    delivery.failures.push(
      `Could not keep the notification issue current: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}

async function postAll(
  settings: NotifySettings,
  a: Attention,
  deps: DeliverDeps,
  delivery: Delivery
): Promise<void> {
  const body = webhookBody(settings.format, a)
  let delivered = 0
  for (const [index, url] of settings.webhooks.entries()) {
    const name = webhookName(url, index)
    try {
      await postWebhook(url, name, settings.format, body, { ...deps, debug: deps.log.debug })
      deps.log.info(`Sent the report to ${name} (${settings.format}).`)
      delivered++
    } catch (error) {
      delivery.failures.push(error instanceof Error ? error.message : String(error))
    }
  }
  if (delivered > 0) delivery.notified.push('webhook')
}
