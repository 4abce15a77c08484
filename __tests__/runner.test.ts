/**
 * The runner-faithful launcher of dist/index.js (fixtures/runner.ts) refuses a run in which Node
 * printed a runtime warning: that check is what makes the Node 24 pass of .ci/run fail on a
 * deprecation, so it must itself be able to fail.
 */
import { describe, expect, it } from '@jest/globals'
import { nodeWarnings, runAction } from '../fixtures/runner.js'

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
