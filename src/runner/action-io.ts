/**
 * The runner's side of the action: inputs, outputs, masking, logs, the OIDC token, exported
 * variables, the job summary and the step's failure. Only this module touches @actions/core, so
 * the pipeline (main.ts) and its stages can be driven in-process by a recording ActionIO.
 */
import * as core from '@actions/core'
import type { Log } from './log.js'

export interface ActionIO {
  env: NodeJS.ProcessEnv
  /** One input, trimmed by the action itself ('' when absent): not every runner trims. */
  input(name: string): string
  output(name: string, value: string): void
  /** Masks one value in every later line (the caller masks each line of a multi-line value). */
  mask(secret: string): void
  exportVariable(name: string, value: string): void
  /** The job's GitHub OIDC token for `audience` (needs `permissions: id-token: write`). */
  idToken(audience: string): Promise<string>
  log: Log
  /** Appends Markdown to the job summary; a no-op outside a runner. */
  summary(markdown: string): Promise<void>
  fail(message: string): void
}

export function coreIO(env: NodeJS.ProcessEnv = process.env): ActionIO {
  return {
    env,
    input: name => core.getInput(name, { trimWhitespace: false }).trim(),
    output: (name, value) => core.setOutput(name, value),
    mask: secret => core.setSecret(secret),
    exportVariable: (name, value) => core.exportVariable(name, value),
    idToken: audience => core.getIDToken(audience),
    log: {
      info: m => core.info(m),
      notice: m => core.notice(m),
      warning: m => core.warning(m),
      debug: m => core.debug(m)
    },
    summary: async markdown => {
      if (!env.GITHUB_STEP_SUMMARY) return
      await core.summary.addRaw(markdown).write()
    },
    fail: message => core.setFailed(message)
  }
}
