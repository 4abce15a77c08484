/**
 * Watching one update, rollback or deploy record: read every item, run each through the
 * resource machine (replace-machine.ts), carry out the retries it asks for, until every item
 * is settled or the time is up. The reading is injected, so this works for any record kind.
 */
import {
  next,
  retryRefused,
  retrying,
  timedOut,
  type ResourceState
} from '../planning/replace-machine.js'
import { errorMessage, TencentApiError } from '../tencent/errors.js'
import type { PollPolicy } from '../tencent/poll.js'
import type { RecordItem, RecordView } from '../tencent/resources.js'
import { done, pending, until, waitFor, type WaitClock } from '../tencent/wait.js'

export interface WatchOptions {
  clock: WaitClock
  poll: PollPolicy
  /** Injected-clock ms after which unsettled items are given up on. */
  deadline: number
  /** For messages: the time allowed, in seconds. */
  timeoutS: number
  read: () => Promise<RecordView>
  /** The state of an item seen for the first time. */
  start: (item: RecordItem) => ResourceState
  /** Carries out a retry the machine asks for; absent: a failure is final. */
  retry?: (item: RecordItem) => Promise<void>
}

export interface Watched {
  /** Every item seen, by detail id, as last seen. */
  items: Map<number, RecordItem>
  /** Every item's verdict: all `done` once the watch returns. */
  states: Map<number, Extract<ResourceState, { at: 'done' }>>
  /** RequestId of the last read that reported the items. */
  requestId: string
  /** A read that failed for good: the unsettled items carry it as their error. */
  error?: TencentApiError
}

/** A resource whose record could no longer be read: a move is failed, a rollback unknown. */
function unread(state: ResourceState, error: TencentApiError): ResourceState {
  if (state.at === 'rolling-back')
    return {
      at: 'done',
      status: 'success',
      error: `the rollback could not be followed: ${error.message}`
    }
  return { at: 'done', status: 'failed', error: `its record could not be read: ${error.message}` }
}

export async function watchRecord(options: WatchOptions): Promise<Watched> {
  const { clock, read, start, retry } = options
  const items = new Map<number, RecordItem>()
  const states = new Map<number, ResourceState>()
  let requestId = ''
  let error: TencentApiError | undefined
  const unsettled = () => [...states.values()].filter(s => s.at !== 'done').length
  const policy = until(options.poll, options.deadline, clock.now())
  await waitFor(clock, policy, async () => {
    let view: RecordView
    try {
      view = await read()
    } catch (thrown) {
      error =
        thrown instanceof TencentApiError
          ? thrown
          : new TencentApiError({
              operation: 'read record',
              code: 'UnexpectedError',
              message: errorMessage(thrown)
            })
      return done(false)
    }
    requestId = view.requestId
    for (const item of view.items) {
      items.set(item.detailId, item)
      states.set(item.detailId, next(states.get(item.detailId) ?? start(item), item))
    }
    // Tencent's flow: poll until the record settles (no item pending or running), then retry;
    // a retry while another item runs is refused (CertificateDeployHasPendingRecord).
    if (view.items.every(item => item.status !== 0 && item.status !== 3))
      for (const item of view.items) {
        const state = states.get(item.detailId)
        if (state?.at !== 'retry') continue
        let after: ResourceState
        if (!retry) after = retryRefused(state, 'no retry for this record')
        else
          try {
            await retry(item)
            after = retrying()
          } catch (refused) {
            after = retryRefused(state, errorMessage(refused))
          }
        states.set(item.detailId, after)
      }
    if (items.size === 0) return pending('no resource listed yet')
    const left = unsettled()
    return left === 0 ? done(true) : pending(`${left} of ${items.size} resource(s) still moving`)
  })
  const verdicts = new Map<number, Extract<ResourceState, { at: 'done' }>>()
  for (const [id, state] of states) {
    const final =
      state.at === 'done'
        ? state
        : error
          ? unread(state, error)
          : timedOut(state, options.timeoutS, items.get(id)?.status)
    verdicts.set(id, final as Extract<ResourceState, { at: 'done' }>)
  }
  return { items, states: verdicts, requestId, error }
}
