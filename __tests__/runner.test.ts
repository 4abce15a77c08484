/**
 * The runner-faithful launcher of dist/index.js (fixtures/runner.ts) refuses a run in which Node
 * printed a runtime warning: that check is what makes the Node 24 pass of .ci/run fail on a
 * deprecation, so it must itself be able to fail. It stops a run only once it stalls, never
 * because the machine is slow; and fixtures/quick-waits.mjs shortens sleeps, not timeouts.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  cpuTicks,
  cpuTicksOf,
  nodeWarnings,
  QUICK_WAITS,
  runAction,
  StallWatch,
  stopRunningActions
} from '../fixtures/runner.js'

describe('nodeWarnings', () => {
  it("finds the warnings Node prints, in each of Node's forms", () => {
    const stderr = [
      '(node:4242) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security issues.',
      '(node:4242) Warning: Closing file descriptor 21 on garbage collection',
      '(node:17) ExperimentalWarning: VM Modules is an experimental feature.',
      '(Use `node --trace-deprecation ...` to show where the warning was created)'
    ].join('\n')
    expect(nodeWarnings(stderr)).toHaveLength(3)
  })

  it("leaves the action's own warnings and other text alone", () => {
    const text = [
      '::warning::cert: the chain may be incomplete',
      'Warning: this line is not from Node',
      'a (node:1) Warning: not at the start of the line'
    ].join('\n')
    expect(nodeWarnings(text)).toEqual([])
  })
})

describe('runAction', () => {
  it('rejects a run of dist/index.js in which Node printed a deprecation warning', async () => {
    const deprecate = "process.emitWarning('old API','DeprecationWarning','DEP0999')"
    await expect(
      runAction({ nodeArgs: ['--import', `data:text/javascript,${deprecate}`] })
    ).rejects.toThrow(/printed runtime warnings[\s\S]*DEP0999/)
  })
})

describe('the stall guard', () => {
  it('is stalled only once neither the output nor the CPU time moved for the whole span', () => {
    const watch = new StallWatch(1000)
    expect(watch.stalled({ output: 0, cpu: 5 }, 0)).toBe(false)
    expect(watch.stalled({ output: 0, cpu: 5 }, 999)).toBe(false)
    expect(watch.stalled({ output: 10, cpu: 5 }, 1500)).toBe(false) // output moved
    expect(watch.stalled({ output: 10, cpu: 9 }, 2400)).toBe(false) // CPU time moved
    expect(watch.stalled({ output: 10, cpu: 9 }, 3399)).toBe(false)
    expect(watch.stalled({ output: 10, cpu: 9 }, 3400)).toBe(true)
  })

  it('counts output alone where the CPU time is unknown', () => {
    const watch = new StallWatch(1000)
    expect(watch.stalled({ output: 0, cpu: undefined }, 0)).toBe(false)
    expect(watch.stalled({ output: 3, cpu: undefined }, 900)).toBe(false)
    expect(watch.stalled({ output: 3, cpu: undefined }, 1900)).toBe(true)
  })

  it('reads user and system CPU time from /proc/<pid>/stat, whatever the command name', () => {
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194304 100 0 0 0 17 4 0 0 20 0 11 0'
    expect(cpuTicksOf(stat)).toBe(21)
    expect(cpuTicksOf('garbage')).toBeUndefined()
    if (process.platform === 'linux') {
      const own = cpuTicksOf(readFileSync('/proc/self/stat', 'utf8'))
      expect(own).toBeGreaterThan(0)
      expect(cpuTicks(process.pid)).toBeGreaterThanOrEqual(own ?? 0)
    }
  })

  it('stops a run that waits for nothing, saying why', async () => {
    // node -e runs the code instead of dist/index.js: a process that prints nothing, uses no CPU.
    const idle = ['-e', 'setInterval(() => {}, 2 ** 30)']
    await expect(runAction({ nodeArgs: idle, stallMs: 300 })).rejects.toThrow(
      /printed nothing and used no CPU time for 0.3 s: stopped/
    )
  })
})

describe('stopRunningActions', () => {
  it('kills the runs still going and waits until they have exited', async () => {
    const run = runAction({ nodeArgs: ['-e', 'setInterval(() => {}, 2 ** 30)'] })
    await stopRunningActions()
    expect((await run).status).toBeNull()
    await stopRunningActions() // nothing left: resolves at once
  })
})

describe('fixtures/quick-waits.mjs', () => {
  it('shortens the sleeps a tenth, and leaves every other timer as long as asked', () => {
    // A recorder preloaded first: quick-waits wraps it, so it sees the delays quick-waits passes on.
    const recorder =
      'const real = globalThis.setTimeout; globalThis.asked = [];' +
      'globalThis.setTimeout = (f, ms, ...a) => (globalThis.asked.push(ms), real(f, 0, ...a))'
    const script = [
      'const sleep = ms => new Promise(done => setTimeout(done, ms))',
      'const timeout = ms => setTimeout(() => undefined, ms)',
      'await sleep(1000); await sleep(50); timeout(30000); timeout(1000)',
      'console.log(JSON.stringify(globalThis.asked))'
    ].join(';')
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(recorder)}`,
        ...QUICK_WAITS,
        '--input-type=module',
        '-e',
        script
      ],
      { encoding: 'utf8' }
    )
    expect(child.stderr).toBe('')
    expect(JSON.parse(child.stdout)).toEqual([100, 50, 30000, 1000])
  })
})
