/**
 * One moved resource as a pure state machine: from the per-resource status Tencent reports in
 * an update (or rollback, or deploy) record to the action's verdict. No I/O: the executor
 * (replace.ts, deploy.ts) reads the record, feeds each item's status here, and carries out the
 * one thing the machine can ask for, a retry.
 *
 * Tencent's statuses: 0 pending, 1 success, 2 failed, 3 running, 4 rolled back, 5 rollback
 * failed, 6 nothing to deploy. A failed resource is retried exactly once (UpdateCertificateRecordRetry),
 * then reported failed; 0 and 3 keep it waiting until the executor's time is up (`timedOut`).
 * A rollback of a moved resource ends rolled back, or, when Tencent could not move it back,
 * still serving the new certificate (`success`, with the rollback's error).
 */

export type ReplacedStatus = 'success' | 'failed' | 'rolled-back' | 'unchanged'

export type ResourceState =
  /** Tencent 0 or 3; `retried` once the one retry was asked for. */
  | { at: 'moving'; retried: boolean }
  /** The executor calls UpdateCertificateRecordRetry, then `retrying()`. */
  | { at: 'retry'; error: string }
  /** In a rollback record, moving back to the old certificate. */
  | { at: 'rolling-back' }
  | { at: 'done'; status: ReplacedStatus; error?: string }

export interface Seen {
  status: number
  /** Tencent's ErrorMsg; '' when none. */
  error: string
}

export const MOVING: ResourceState = { at: 'moving', retried: false }
/** A deployment: nothing to retry, so a failure is final at once. */
export const DEPLOYING: ResourceState = { at: 'moving', retried: true }
export const ROLLING_BACK: ResourceState = { at: 'rolling-back' }

export const retrying = (): ResourceState => ({ at: 'moving', retried: true })

const finished = (status: ReplacedStatus, error?: string): ResourceState =>
  error === undefined ? { at: 'done', status } : { at: 'done', status, error }

const unsettled = (status: number): boolean => status === 0 || status === 3

export function next(state: ResourceState, seen: Seen): ResourceState {
  if (state.at === 'rolling-back') return rollbackNext(seen)
  if (state.at !== 'moving' || unsettled(seen.status)) return state
  switch (seen.status) {
    case 1:
      return finished('success')
    case 6:
      return finished('unchanged')
    case 4:
      return finished('rolled-back')
    case 2:
      return state.retried
        ? finished('failed', seen.error || 'Tencent reported the update failed')
        : { at: 'retry', error: seen.error }
    case 5:
      return finished('failed', seen.error || 'Tencent reported a failed rollback')
    default:
      return finished(
        'failed',
        `unexpected status ${seen.status}${seen.error ? `: ${seen.error}` : ''}`
      )
  }
}

function rollbackNext(seen: Seen): ResourceState {
  if (unsettled(seen.status)) return ROLLING_BACK
  if (seen.status === 4 || seen.status === 1) return finished('rolled-back')
  const why = seen.status === 6 ? 'nothing to move back' : seen.error || `status ${seen.status}`
  // Not moved back: it still serves the new certificate, which is what `success` says.
  return finished('success', `the rollback failed: ${why}`)
}

/** A retry that Tencent refused: the resource stays failed, with both reasons. */
export function retryRefused(
  state: Extract<ResourceState, { at: 'retry' }>,
  why: string
): ResourceState {
  const first = state.error || 'Tencent reported the update failed'
  return finished('failed', `${first}; the retry was refused: ${why}`)
}

/** The verdict for a resource still unsettled when the time is up. */
export function timedOut(
  state: ResourceState,
  seconds: number,
  lastStatus: number | undefined
): ResourceState {
  if (state.at === 'done') return state
  if (state.at === 'retry')
    return finished(
      'failed',
      `${state.error || 'Tencent reported the update failed'}; not retried: its record did not settle within ${seconds} s`
    )
  const last = lastStatus === undefined ? 'never listed' : lastStatus === 0 ? 'pending' : 'running'
  if (state.at === 'rolling-back')
    return finished(
      'success',
      `the rollback did not finish within ${seconds} s (last seen: ${last})`
    )
  return finished('failed', `no final status within ${seconds} s (last seen: ${last})`)
}
