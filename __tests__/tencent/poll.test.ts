import { DEFAULT_POLL, pollUntilDone } from '../../src/tencent/poll.js'
import { FakeClock } from './fakes.js'

describe('pollUntilDone', () => {
  it('waits half a second twice, then half a second longer each time up to 5 s, and gives up after 120 s', async () => {
    const clock = new FakeClock()
    let checks = 0
    const start = clock.now
    const done = await clock.run(
      pollUntilDone({ now: clock.clock, sleep: clock.sleep }, DEFAULT_POLL, async () => {
        checks++
        return false
      })
    )
    expect(done).toBe(false)
    expect(clock.sleeps.slice(0, 12)).toEqual([
      500, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 5000
    ])
    expect(clock.now - start).toBe(120_000)
    expect(checks).toBe(clock.sleeps.length)
  })

  it('stops as soon as the check reports completion', async () => {
    const clock = new FakeClock()
    let checks = 0
    const done = await clock.run(
      pollUntilDone(
        { now: clock.clock, sleep: clock.sleep },
        DEFAULT_POLL,
        async () => ++checks === 3
      )
    )
    expect(done).toBe(true)
    expect(checks).toBe(3)
    expect(clock.sleeps).toEqual([500, 500, 1000])
  })
})
