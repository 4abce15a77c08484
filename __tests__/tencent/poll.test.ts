import { DEFAULT_POLL } from '../../src/tencent/poll.js'
import { done, pending, waitFor } from '../../src/tencent/wait.js'
import { FakeClock } from './fakes.js'

describe('DEFAULT_POLL on the one waiter', () => {
  it('waits half a second, then half a second longer each time up to 5 s, and gives up after 120 s', async () => {
    const clock = new FakeClock()
    let checks = 0
    const start = clock.now
    const result = await clock.run(
      waitFor({ now: clock.clock, sleep: clock.sleep }, DEFAULT_POLL, async () => {
        checks++
        return pending<never>()
      })
    )
    expect(result.state).toBe('timeout')
    expect(clock.sleeps.slice(0, 11)).toEqual([
      500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 5000
    ])
    expect(clock.now - start).toBe(120_000)
    expect(checks).toBe(clock.sleeps.length)
  })

  it('stops as soon as the check reports completion', async () => {
    const clock = new FakeClock()
    let checks = 0
    const result = await clock.run(
      waitFor({ now: clock.clock, sleep: clock.sleep }, DEFAULT_POLL, async () =>
        ++checks === 3 ? done(true) : pending()
      )
    )
    expect(result.state).toBe('done')
    expect(checks).toBe(3)
    expect(clock.sleeps).toEqual([500, 1000, 1500])
  })
})
