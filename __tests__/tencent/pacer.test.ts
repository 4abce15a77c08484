import { DEFAULT_PACING, Pacer } from '../../src/tencent/pacer.js'
import { busiestWindow, FakeClock } from './fakes.js'

describe('Pacer', () => {
  it('defaults to 10 sends per 1100 ms per action', () => {
    expect(DEFAULT_PACING).toEqual({ limit: 10, windowMs: 1100 })
  })

  it('never lets more than 10 sends of one action into any 1000 ms window', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    const sends: number[] = []
    const callers = Array.from({ length: 64 }, async () => {
      await pacer.acquire('DescribeCertificates')
      sends.push(clock.now)
    })
    await clock.run(Promise.all(callers))
    expect(sends).toHaveLength(64)
    expect(busiestWindow(sends, 1000)).toBeLessThanOrEqual(10)
    expect(busiestWindow(sends, DEFAULT_PACING.windowMs)).toBeLessThanOrEqual(10)
    // And it does not crawl: 64 sends need six full windows, not much more.
    expect(Math.max(...sends) - Math.min(...sends)).toBeLessThanOrEqual(7 * 1100)
  })

  it('holds the 11th send until the 1st has left the window', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    const sends: number[] = []
    await clock.run(
      (async () => {
        for (let i = 0; i < 11; i++) {
          await pacer.acquire('UploadCertificate')
          sends.push(clock.now)
          await clock.sleep(10)
        }
      })()
    )
    expect(sends[10] - sends[0]).toBeGreaterThanOrEqual(1100)
    expect(busiestWindow(sends, 1000)).toBeLessThanOrEqual(10)
  })

  it('paces each action on its own', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    const start = clock.now
    const a = Array.from({ length: 10 }, () => pacer.acquire('A'))
    const b = Array.from({ length: 10 }, () => pacer.acquire('B'))
    await clock.run(Promise.all([...a, ...b]))
    expect(clock.now).toBe(start)
  })

  it('honours a custom policy', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep }, { limit: 2, windowMs: 500 })
    const sends: number[] = []
    const callers = Array.from({ length: 9 }, async () => {
      await pacer.acquire('X')
      sends.push(clock.now)
    })
    await clock.run(Promise.all(callers))
    expect(busiestWindow(sends, 500)).toBeLessThanOrEqual(2)
  })

  it('is not stalled by a clock that jumps backwards', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    await clock.run(Promise.all(Array.from({ length: 10 }, () => pacer.acquire('A'))))
    clock.now -= 3_600_000
    const before = clock.now
    await clock.run(pacer.acquire('A'))
    expect(clock.now - before).toBeLessThanOrEqual(1100)
  })
})
