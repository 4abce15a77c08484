/** One moved resource's state machine (src/planning/replace-machine.ts), as a table. */
import { describe, expect, it } from '@jest/globals'
import {
  DEPLOYING,
  MOVING,
  next,
  retryRefused,
  retrying,
  ROLLING_BACK,
  timedOut,
  type ResourceState
} from '../../src/planning/replace-machine.js'

const RETRIED = retrying()
const seen = (status: number, error = '') => ({ status, error })

describe('next', () => {
  it.each<[string, ResourceState, number, string, ResourceState]>([
    ['pending stays moving', MOVING, 0, '', MOVING],
    ['running stays moving', MOVING, 3, '', MOVING],
    ['success is done', MOVING, 1, '', { at: 'done', status: 'success' }],
    ['nothing to deploy is unchanged', MOVING, 6, '', { at: 'done', status: 'unchanged' }],
    ['rolled back by someone', MOVING, 4, '', { at: 'done', status: 'rolled-back' }],
    [
      'a first failure asks for the retry',
      MOVING,
      2,
      'no listener',
      { at: 'retry', error: 'no listener' }
    ],
    [
      'a failure after the retry is final',
      RETRIED,
      2,
      'no listener',
      { at: 'done', status: 'failed', error: 'no listener' }
    ],
    [
      'a failure without a message says so',
      RETRIED,
      2,
      '',
      { at: 'done', status: 'failed', error: 'Tencent reported the update failed' }
    ],
    ['success after the retry', RETRIED, 1, '', { at: 'done', status: 'success' }],
    [
      'a failed rollback in an update record fails',
      MOVING,
      5,
      'x',
      { at: 'done', status: 'failed', error: 'x' }
    ],
    [
      'an unknown status fails',
      MOVING,
      9,
      '',
      { at: 'done', status: 'failed', error: 'unexpected status 9' }
    ],
    [
      'a deployment never retries',
      DEPLOYING,
      2,
      'bad domain',
      { at: 'done', status: 'failed', error: 'bad domain' }
    ],
    ['rollback pending', ROLLING_BACK, 0, '', ROLLING_BACK],
    ['rollback running', ROLLING_BACK, 3, '', ROLLING_BACK],
    ['rolled back', ROLLING_BACK, 4, '', { at: 'done', status: 'rolled-back' }],
    [
      'rolled back, reported as success',
      ROLLING_BACK,
      1,
      '',
      { at: 'done', status: 'rolled-back' }
    ],
    [
      'a failed rollback leaves it on the new certificate',
      ROLLING_BACK,
      5,
      'locked',
      { at: 'done', status: 'success', error: 'the rollback failed: locked' }
    ],
    [
      'a rollback with nothing to do',
      ROLLING_BACK,
      6,
      '',
      { at: 'done', status: 'success', error: 'the rollback failed: nothing to move back' }
    ]
  ])('%s', (_name, state, status, error, expected) => {
    expect(next(state, seen(status, error))).toEqual(expected)
  })

  it.each([0, 1, 2, 3, 4, 5, 6])('never leaves a done state (status %d)', status => {
    const final: ResourceState = { at: 'done', status: 'failed', error: 'x' }
    expect(next(final, seen(status))).toBe(final)
  })

  it('a retry state waits for the executor, whatever is seen', () => {
    const asked: ResourceState = { at: 'retry', error: 'e' }
    expect(next(asked, seen(1))).toBe(asked)
  })
})

describe('retryRefused and timedOut', () => {
  it('keeps both reasons when the retry is refused', () => {
    expect(retryRefused({ at: 'retry', error: 'no listener' }, 'RetryStatusInvalid')).toEqual({
      at: 'done',
      status: 'failed',
      error: 'no listener; the retry was refused: RetryStatusInvalid'
    })
  })

  it.each<[ResourceState, number | undefined, ResourceState]>([
    [
      MOVING,
      0,
      { at: 'done', status: 'failed', error: 'no final status within 60 s (last seen: pending)' }
    ],
    [
      RETRIED,
      3,
      { at: 'done', status: 'failed', error: 'no final status within 60 s (last seen: running)' }
    ],
    [
      MOVING,
      undefined,
      {
        at: 'done',
        status: 'failed',
        error: 'no final status within 60 s (last seen: never listed)'
      }
    ],
    [
      ROLLING_BACK,
      3,
      {
        at: 'done',
        status: 'success',
        error: 'the rollback did not finish within 60 s (last seen: running)'
      }
    ],
    [{ at: 'done', status: 'success' }, 1, { at: 'done', status: 'success' }],
    [
      { at: 'retry', error: 'locked' },
      2,
      {
        at: 'done',
        status: 'failed',
        error: 'locked; not retried: its record did not settle within 60 s'
      }
    ]
  ])('times %j out as %j', (state, last, expected) => {
    expect(timedOut(state, 60, last)).toEqual(expected)
  })
})
