/**
 * The notify stage, after the run's failure is known and before the outputs are written: a run
 * that needs a person (promise 10) is reported where `notify` says; a `list` run that finds
 * nothing closes the issue. Everything that talks to GitHub or a webhook is loaded only then, so
 * a run without notifications starts as fast as before.
 */
import fetch from 'node-fetch'
import { attentionOf, needsPerson } from '../notify/attention.js'
import { notifies, readNotifySettings, type NotifySettings } from '../notify/settings.js'
import type { Outcome } from '../reporting/outcome.js'
import type { ActionIO } from '../runner/action-io.js'
import type { ClientDeps, FetchLike } from '../tencent/client.js'

type Deliverer = typeof import('../notify/deliver.js')

/** `load`: the notification code, imported only here (tests give their own). */
export async function notify(
  io: ActionIO,
  outcome: Outcome,
  clock?: Pick<ClientDeps, 'sleep'>,
  load: () => Promise<Pick<Deliverer, 'deliver'>> = () => import('../notify/deliver.js')
): Promise<void> {
  const settings = notifySettingsOf(io)
  if (!settings || !notifies(settings)) return
  const attention = attentionOf(outcome, io.env)
  const closing = settings.issue && attention.mode === 'list' && !needsPerson(attention)
  if (!needsPerson(attention) && !closing) return
  const { deliver } = await load()
  const delivery = await deliver(settings, attention, {
    fetch: fetch as unknown as FetchLike,
    sleep: clock?.sleep ?? (ms => new Promise(done => setTimeout(done, ms))),
    random: Math.random,
    log: io.log,
    env: io.env
  })
  outcome.notified = delivery.notified
  if (delivery.failures.length > 0)
    outcome.failure = [outcome.failure, ...delivery.failures].filter(Boolean).join('; ')
}

/** Undefined when the notify inputs are bad: prepare already failed the run naming them. */
function notifySettingsOf(io: ActionIO): NotifySettings | undefined {
  try {
    return readNotifySettings(name => io.input(name).trim(), io.env)
  } catch {
    return undefined
  }
}
