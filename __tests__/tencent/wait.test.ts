/** The one waiter (src/tencent/wait.ts): delays, verdicts, the timeout state, on a clock that only sleep moves. */
import { describe, expect, it } from '@jest/globals'
import { done, pending, until, waitFor, type Verdict } from '../../src/tencent/wait.js'

function clock() {
  const c = {
    t: 1_000_000,
    sleeps: [] as number[],
    asks: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms)
      c.t += ms
    }
  }
  return c
}

const policy = { firstDelayMs: 500, stepMs: 1000, maxDelayMs: 3000, totalMs: 10_000 }

describe('waitFor', () => {
  it('sleeps first, then a step longer each time up to the maximum, and returns the value', async () => {
    const c = clock()
    let n = 0
    const result = await waitFor(
      c,
      { ...policy, totalMs: 60_000 },
      async (): Promise<Verdict<string>> => {
        c.asks.push(c.t)
        return ++n < 5 ? pending(`ask ${n}`) : done('ready')
      }
    )
    expect(result).toEqual({ state: 'done', value: 'ready' })
    expect(c.sleeps).toEqual([500, 1500, 2500, 3000, 3000])
    expect(c.asks).toHaveLength(5)
  })

  it('stops at a failed verdict with its reason', async () => {
    const c = clock()
    const result = await waitFor(
      c,
      policy,
      async () => ({ state: 'failed', reason: 'refused' }) as const
    )
    expect(result).toEqual({ state: 'failed', reason: 'refused' })
    expect(c.sleeps).toEqual([500])
  })

  it('times out as a state, with the last progress, asking one last time at the deadline', async () => {
    const c = clock()
    const start = c.t
    let n = 0
    const result = await waitFor(c, policy, async () => {
      c.asks.push(c.t - start)
      return pending<never>(`still ${++n}`)
    })
    expect(result).toEqual({ state: 'timeout', progress: `still ${n}` })
    expect(c.asks[c.asks.length - 1]).toBe(policy.totalMs)
    expect(c.t - start).toBe(policy.totalMs)
  })

  it('asks at once with a first delay of 0, and never spins on a zero policy', async () => {
    const c = clock()
    let n = 0
    const zero = { firstDelayMs: 0, stepMs: 0, maxDelayMs: 0, totalMs: 3 }
    const result = await waitFor(c, zero, async () => (++n === 1 ? pending() : pending()))
    expect(result.state).toBe('timeout')
    expect(c.sleeps).toEqual([1, 1, 1])
    expect(n).toBe(4)
  })

  it('does not ask at all when no time is left', async () => {
    const c = clock()
    let asked = false
    const result = await waitFor(c, { ...policy, totalMs: 0 }, async () => {
      asked = true
      return done(1)
    })
    expect(result).toEqual({ state: 'timeout', progress: undefined })
    expect(asked).toBe(false)
  })

  it('rejects with what the check throws', async () => {
    const c = clock()
    await expect(
      waitFor(c, policy, async () => {
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
  })

  it('until() gives the policy what is left before a deadline', () => {
    expect(until(policy, 5000, 2000).totalMs).toBe(3000)
    expect(until(policy, 1000, 2000).totalMs).toBe(0)
  })
})
