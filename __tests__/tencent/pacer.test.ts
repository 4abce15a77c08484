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
      const release = await pacer.acquire('DescribeCertificates')
      sends.push(clock.now)
      release()
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
          const release = await pacer.acquire('UploadCertificate')
          sends.push(clock.now)
          release()
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
      const release = await pacer.acquire('X')
      sends.push(clock.now)
      release()
    })
    await clock.run(Promise.all(callers))
    expect(busiestWindow(sends, 500)).toBeLessThanOrEqual(2)
  })

  it('is not stalled by a clock that jumps backwards', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    const releases = await clock.run(
      Promise.all(Array.from({ length: 10 }, () => pacer.acquire('A')))
    )
    for (const release of releases) release()
    clock.now -= 3_600_000
    const before = clock.now
    await clock.run(pacer.acquire('A'))
    expect(clock.now - before).toBeLessThanOrEqual(1100)
  })

  it('holds a slot while its request is in flight, and one window after its answer', async () => {
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    const start = clock.now
    const releases = await clock.run(
      Promise.all(Array.from({ length: 10 }, () => pacer.acquire('A')))
    )
    let eleventh = -1
    const waiting = pacer.acquire('A').then(() => (eleventh = clock.now))
    // Ten answers take 5 s: the 11th may not go while any of them is still out.
    await clock.run(clock.sleep(5000))
    expect(eleventh).toBe(-1)
    releases[0]()
    await clock.run(waiting)
    expect(eleventh - (start + 5000)).toBe(DEFAULT_PACING.windowMs)
  })

  it('never lets an arrival share a server second with 10 earlier ones, whatever the latency', async () => {
    // The oracle: a request arrives somewhere between its send and its answer. For each send, the
    // earlier sends that could arrive within 1000 ms before it (answer later than send - 1000)
    // are at most 9, for any latencies, here seeded pseudo-random up to 3 s.
    const clock = new FakeClock()
    const pacer = new Pacer({ now: clock.clock, sleep: clock.sleep })
    let seed = 7
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    const flights: { sent: number; answered: number }[] = []
    const callers = Array.from({ length: 80 }, async (_, i) => {
      await clock.sleep(Math.floor(i / 20) * 700)
      const release = await pacer.acquire('DeleteCertificates')
      const sent = clock.now
      await clock.sleep(Math.floor(random() * 3000))
      release()
      flights.push({ sent, answered: clock.now })
    })
    await clock.run(Promise.all(callers))
    expect(flights).toHaveLength(80)
    const crowded = flights.filter(
      f =>
        flights.filter(o => o !== f && o.sent <= f.sent && o.answered > f.sent - 1000).length >= 10
    )
    expect(crowded).toEqual([])
  })
})
