/**
 * scripts/test-peers.sh, which `npm test` runs first (pretest) so that it passes on a fresh
 * Debian machine: nothing when pebble and lego are on PATH, apt-get when one is missing and this
 * user may install (root, or sudo without a password), and otherwise a stop that names the
 * command. Run here with a PATH of stand-ins (id, sudo, apt-get, pebble, lego) in a temporary
 * folder, so nothing is installed and the machine's own tools do not count.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../fixtures/runner.js'

const SCRIPT = join(ROOT, 'scripts', 'test-peers.sh')
const where = (names: string[]): string => {
  const found = names.find(existsSync)
  if (!found) throw new Error(`none of ${names.join(', ')} exists`)
  return found
}
const BASH = where(['/bin/bash', '/usr/bin/bash'])
const ENV = where(['/usr/bin/env', '/bin/env'])
const TRUE = where(['/bin/true', '/usr/bin/true'])

let bin: string
let log: string

beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'test-peers-'))
  log = join(bin, 'calls.log')
  writeFileSync(log, '')
  symlinkSync(ENV, join(bin, 'env'))
  symlinkSync(TRUE, join(bin, 'true'))
})

afterEach(() => rmSync(bin, { recursive: true, force: true }))

function tool(name: string, body = 'exit 0'): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
  chmodSync(join(bin, name), 0o755)
}

/** `id -u` answers `uid`. */
const user = (uid: number) => tool('id', `echo ${uid}`)

/** An apt-get that records its arguments and, on install, puts pebble and lego on PATH. */
function aptGet(installExit = 0): void {
  const install = `printf '#!/bin/sh\\n' > "${bin}/pebble"; printf '#!/bin/sh\\n' > "${bin}/lego"; /bin/chmod +x "${bin}/pebble" "${bin}/lego"`
  tool(
    'apt-get',
    [
      `printf 'apt-get %s (DEBIAN_FRONTEND=%s)\\n' "$*" "$DEBIAN_FRONTEND" >> "${log}"`,
      `case "$1" in install) [ ${installExit} -eq 0 ] || exit ${installExit}; ${install};; esac`
    ].join('\n')
  )
}

function run(env: Record<string, string> = {}) {
  const child = spawnSync(BASH, [SCRIPT], {
    env: { PATH: bin, ...env },
    encoding: 'utf8'
  })
  return { status: child.status, stderr: child.stderr, calls: readFileSync(log, 'utf8') }
}

describe('scripts/test-peers.sh', () => {
  it('is what npm test runs first', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts
    expect(scripts.pretest).toBe('bash scripts/test-peers.sh')
  })

  it('does nothing when pebble and lego are on PATH', () => {
    tool('pebble')
    tool('lego')
    user(1000)
    aptGet()
    expect(run()).toEqual({ status: 0, stderr: '', calls: '' })
  })

  it('installs both with apt-get as root when one is missing', () => {
    tool('lego')
    user(0)
    aptGet()
    const result = run()
    expect(result.status).toBe(0)
    expect(result.calls.split('\n')).toEqual([
      'apt-get update -qq (DEBIAN_FRONTEND=noninteractive)',
      'apt-get install -y -qq --no-install-recommends pebble lego (DEBIAN_FRONTEND=noninteractive)',
      ''
    ])
    expect(result.stderr).toContain('pebble not found; installing: apt-get install -y pebble lego')
    expect(result.stderr).toContain('installed pebble and lego')
  })

  it('installs through sudo when this user may use it without a password', () => {
    user(1000)
    aptGet()
    tool('sudo', `printf 'sudo %s\\n' "$*" >> "${log}"\n[ "$1" = -n ] && shift\nexec "$@"`)
    const result = run()
    expect(result.status).toBe(0)
    expect(result.calls).toContain('sudo -n true')
    expect(result.calls).toContain('sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install')
    expect(result.calls).toContain('apt-get install -y -qq --no-install-recommends pebble lego')
  })

  it('stops, naming the command, when this user may not install', () => {
    user(1000)
    aptGet()
    const result = run()
    expect(result.status).toBe(1)
    expect(result.calls).toBe('')
    expect(result.stderr).toContain('missing: pebble lego')
    expect(result.stderr).toContain('not root and cannot use sudo without a password')
    expect(result.stderr).toContain('sudo apt-get install -y pebble lego')
  })

  it('stops, naming the command, without apt-get', () => {
    user(0)
    const result = run()
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('apt-get was not found')
    expect(result.stderr).toContain('sudo apt-get install -y pebble lego')
  })

  it('stops when apt-get cannot install them', () => {
    user(0)
    aptGet(100)
    const result = run()
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('apt-get install pebble lego failed')
  })

  it('lets a run of other test files go on with ACME_PEERS=skip, saying what will fail', () => {
    user(1000)
    const result = run({ ACME_PEERS: 'skip' })
    expect(result.status).toBe(0)
    expect(result.stderr).toContain('the ACME tests will fail')
  })
})
