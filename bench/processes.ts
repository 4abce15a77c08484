/**
 * Child processes of the benchmark: every one is tracked by its pid so that a failure, an
 * interrupt or the normal end stops all of them. Measured runs go through /usr/bin/time for the
 * peak RSS; the wall time is taken here, from spawn to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseFileCommands, runnerEnvironment } from '../fixtures/runner.js'

export const TIME_BIN = '/usr/bin/time'

const live = new Set<ChildProcess>()

/**
 * Each child leads its own process group (so /usr/bin/time's node goes with it); this kills
 * the group of that one pid.
 */
function kill(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Temporary run directories not yet removed (an interrupt skips the runs' own clean-up). */
const tempDirs = new Set<string>()

/** Kills every child still running (by pid, each one we started) and removes their files. */
export function killChildren(): void {
  for (const child of live) kill(child)
  live.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

export interface CommandResult {
  status: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs a command to completion (asynchronously, so an in-process server keeps serving). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}
): Promise<CommandResult> {
  const started = performance.now()
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  live.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', chunk => (stdout += chunk))
  child.stderr?.on('data', chunk => (stderr += chunk))
  const timer = setTimeout(() => kill(child), options.timeoutMs ?? 300_000)
  return new Promise((done, fail) => {
    child.on('error', error => {
      clearTimeout(timer)
      live.delete(child)
      fail(error)
    })
    child.on('close', status => {
      clearTimeout(timer)
      live.delete(child)
      done({ status, stdout, stderr, ms: performance.now() - started })
    })
  })
}

/** Like runCommand, but a non-zero exit throws with the output. */
export async function mustRun(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}
): Promise<CommandResult> {
  const result = await runCommand(command, args, options)
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`
    )
  }
  return result
}

export interface ActionRun {
  status: number | null
  /** From spawn to exit, milliseconds (includes the /usr/bin/time wrapper, the same for all). */
  wallMs: number
  /** Peak resident set size of the node process, KiB (GNU time's %M). */
  peakRssKiB: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  startedAt: number
  endedAt: number
}

/**
 * Runs a bundled action the way a runner does: INPUT_<NAME> variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, a clean environment (no proxy variables), the workspace as cwd.
 */
export async function runBundledAction(
  script: string,
  inputs: Record<string, string>,
  options: {
    workspace: string
    env?: Record<string, string>
    timeoutMs?: number
    /** The node binary (default: the one running the benchmark). */
    node?: string
  }
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-run-'))
  tempDirs.add(dir)
  const rssFile = join(dir, 'rss')
  const { env, outputFile } = runnerEnvironment(dir, options.workspace, inputs)
  Object.assign(env, options.env ?? {})
  try {
    const startedAt = Date.now()
    const result = await runCommand(
      TIME_BIN,
      ['-f', '%M', '-o', rssFile, options.node ?? process.execPath, script],
      { cwd: options.workspace, env, timeoutMs: options.timeoutMs ?? 120_000 }
    )
    const endedAt = Date.now()
    const rss = /(\d+)\s*$/.exec(existsSync(rssFile) ? readFileSync(rssFile, 'utf8') : '')
    return {
      status: result.status,
      wallMs: result.ms,
      peakRssKiB: rss ? Number(rss[1]) : NaN,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
      startedAt,
      endedAt
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    tempDirs.delete(dir)
  }
}

/** /usr/bin/time must exist; when it does not, install Debian's `time` (and say so). */
export async function ensureTimeBinary(log: (line: string) => void): Promise<string | undefined> {
  if (existsSync(TIME_BIN)) return undefined
  log(`${TIME_BIN} is missing: installing Debian's 'time' package with apt-get.`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await runCommand('apt-get', ['update', '-qq'], { env })
  await mustRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'time'], { env })
  if (!existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} is still missing after apt-get install`)
  return `${TIME_BIN} was missing; the benchmark installed Debian's \`time\` package with apt-get.`
}
