/** Watching a record: a failed resource is retried once, and only once its record has settled. */
import { describe, expect, it } from '@jest/globals'
import { watchRecord } from '../../src/resources/record-watch.js'
import { MOVING, retrying } from '../../src/planning/replace-machine.js'
import type { RecordItem, RecordView } from '../../src/tencent/resources.js'

const item = (detailId: number, status: number, error = ''): RecordItem => ({
  detailId,
  status,
  error,
  type: 'clb',
  region: 'ap-guangzhou',
  instance: `lb-${detailId}|lbl-${detailId}`,
  certId: 'NEW',
  oldCertId: 'OLD'
})

function scripted(views: RecordItem[][]) {
  let clock = 0
  let reads = 0
  const events: string[] = []
  const read = async (): Promise<RecordView> => {
    const items = views[Math.min(reads, views.length - 1)]
    events.push(`read ${reads++}`)
    return { items, requestId: `r${reads}` }
  }
  return {
    events,
    options: {
      clock: { now: () => clock, sleep: async (ms: number) => void (clock += ms) },
      poll: { firstDelayMs: 0, stepMs: 1000, maxDelayMs: 1000, totalMs: 0 },
      deadline: 60_000,
      timeoutS: 60,
      read
    }
  }
}

describe('watchRecord', () => {
  it('waits for the other items to settle before it retries a failed one', async () => {
    const { events, options } = scripted([
      [item(1, 2, 'locked'), item(2, 3)],
      [item(1, 2, 'locked'), item(2, 3)],
      [item(1, 2, 'locked'), item(2, 1)],
      [item(1, 1), item(2, 1)]
    ])
    const watched = await watchRecord({
      ...options,
      start: () => MOVING,
      retry: async it => void events.push(`retry ${it.detailId}`)
    })
    expect(events).toEqual(['read 0', 'read 1', 'read 2', 'retry 1', 'read 3'])
    expect(watched.states.get(1)).toEqual({ at: 'done', status: 'success' })
  })

  it('retries nothing for an item that starts as already retried: its failure is final', async () => {
    const { events, options } = scripted([[item(1, 2, 'locked')]])
    const watched = await watchRecord({
      ...options,
      start: () => retrying(),
      retry: async it => void events.push(`retry ${it.detailId}`)
    })
    expect(events).toEqual(['read 0'])
    expect(watched.states.get(1)).toEqual({ at: 'done', status: 'failed', error: 'locked' })
  })

  it('a failed item whose record never settles is failed at the deadline, not retried', async () => {
    const { events, options } = scripted([[item(1, 2, 'locked'), item(2, 3)]])
    const watched = await watchRecord({
      ...options,
      start: () => MOVING,
      retry: async it => void events.push(`retry ${it.detailId}`)
    })
    expect(events.some(e => e.startsWith('retry'))).toBe(false)
    expect(watched.states.get(1)).toEqual({
      at: 'done',
      status: 'failed',
      error: 'locked; not retried: its record did not settle within 60 s'
    })
  })
})
