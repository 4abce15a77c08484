/**
 * Hygiene of the action itself, read from its sources and metadata: no shell, plain http only
 * to loopback, no secret echoed by an error, the dependencies a runner loads, and action.yml
 * against the contract (docs/action-contract.md, the project's copy).
 */
// @peculiar/x509 (used by the fixtures) needs the reflect polyfill loaded before it.
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeChain, type TestChain } from '../fixtures/certs.js'
import { readActionMetadata, ROOT } from '../fixtures/runner.js'
import { parseCertificateBundle } from '../src/certificate/certificate.js'
import { InputError } from '../src/settings/input-error.js'
import { readSettings } from '../src/settings/inputs.js'
import { resolvePemInput } from '../src/certificate/pem.js'
import { parseEndpoint } from '../src/tencent/endpoint.js'

const SRC = join(ROOT, 'src')
const CONTRACT = join(ROOT, 'docs', 'action-contract.md')

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path, suffix)
    return path.endsWith(suffix) ? [path] : []
  })
}

const sources = (): { path: string; text: string }[] =>
  filesUnder(SRC, '.ts').map(path => ({
    path: relative(ROOT, path),
    text: readFileSync(path, 'utf8')
  }))

/** Module specifiers a source file loads: static imports, re-exports, import(), require(). */
function specifiers(text: string): string[] {
  const found: string[] = []
  const patterns = [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g
  ]
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1])
  return found
}

describe('no shell execution', () => {
  it('finds the module specifiers it looks for (the scanner works)', () => {
    const text = [
      "import { spawn } from 'node:child_process'",
      "import * as cp from 'child_process'",
      "export { x } from './x.js'",
      "const m = await import('node:child_process')",
      "const r = require('child_process')",
      "import 'side-effect'"
    ].join('\n')
    expect(specifiers(text)).toEqual([
      'node:child_process',
      'child_process',
      './x.js',
      'side-effect',
      'node:child_process',
      'child_process'
    ])
  })

  it('no file under src/ loads child_process, @actions/exec, or a network module of its own', () => {
    const forbidden =
      /^(node:)?(child_process|worker_threads|cluster|http|https|http2|net|dgram)$|^@actions\/(exec|io|tool-cache)(\/|$)/
    const offenders = sources().flatMap(({ path, text }) =>
      specifiers(text)
        .filter(s => forbidden.test(s))
        .map(s => `${path}: ${s}`)
    )
    expect(offenders).toEqual([])
    expect(sources().length).toBeGreaterThan(10)
  })

  it('src/ never calls what could reach @actions/exec (core.platform, exec, spawn, fork)', () => {
    const calls =
      /\bcore\.platform\b|\bgetDetails\b|(?<![\w$.])(exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(|\.(execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(/
    const offenders = sources().flatMap(({ path, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => !/^\s*(\*|\/\/)/.test(line) && calls.test(line))
        .map(({ line, i }) => `${path}:${i + 1}: ${line.trim()}`)
    )
    expect(offenders).toEqual([])
  })

  it('in dist/, child_process is used only by the bundled @actions/exec', () => {
    const bundles = readdirSync(join(ROOT, 'dist')).filter(name => name.endsWith('.js'))
    expect(bundles).toContain('index.js')
    const users: string[] = []
    for (const name of bundles) {
      const text = readFileSync(join(ROOT, 'dist', name), 'utf8')
      const lines = text.split('\n')
      // The names the bundle binds child_process to: `const x = ...("child_process")`.
      const bindings = [
        ...text.matchAll(
          /\b(?:const|let|var)\s+([\w$]+)\s*=[^;\n]*\(\s*"(?:node:)?child_process"\s*\)/g
        )
      ].map(m => m[1])
      const loads = [...text.matchAll(/\(\s*"(?:node:)?child_process"\s*\)/g)].length
      // Every load is such a binding: nothing requires it inline.
      expect(loads).toBe(bindings.length)
      if (bindings.length === 0) continue
      const map = new SourceMap(JSON.parse(readFileSync(join(ROOT, 'dist', `${name}.map`), 'utf8')))
      lines.forEach((line, lineIndex) => {
        for (const binding of bindings) {
          const use = new RegExp(`(?<![\\w$])${binding.replace(/\$/g, '\\$')}(?![\\w$])`, 'g')
          for (const match of line.matchAll(use)) {
            if (/\b(?:const|let|var)\s+$/.test(line.slice(0, match.index))) continue
            const entry = map.findEntry(lineIndex, match.index ?? 0) as { originalSource?: string }
            users.push(entry.originalSource ?? `${name}:${lineIndex + 1} (unmapped)`)
          }
        }
      })
    }
    expect(users.length).toBeGreaterThan(0)
    expect(users.filter(source => !/node_modules\/@actions\/exec\//.test(source))).toEqual([])
  })
})

describe('plain http only to loopback', () => {
  it('the string http:// appears in src/ only in the endpoint check', () => {
    const users = sources()
      .filter(({ text }) => /http:\/\//i.test(text))
      .map(({ path }) => path)
    expect(users).toEqual([join('src', 'tencent', 'endpoint.ts')])
  })

  it('every request goes to the parsed endpoint, and redirects are not followed', () => {
    const fetchCalls = sources().flatMap(({ path, text }) =>
      [...text.matchAll(/\bfetch\s*\(([^,]+),/g)].map(m => `${path}: ${m[1].trim()}`)
    )
    // And the webhooks of notify, whose URLs notify/settings.ts checks by the same rule.
    expect(fetchCalls).toEqual([
      join('src', 'notify', 'webhook.ts') + ': url',
      join('src', 'tencent', 'transport.ts') + ': wire.url'
    ])
    for (const sender of [join('tencent', 'transport.ts'), join('notify', 'webhook.ts')])
      expect(readFileSync(join(SRC, sender), 'utf8')).toMatch(/redirect: 'manual'/)
    for (const protocol of ['tc3.ts', 'v2.ts'])
      expect(readFileSync(join(SRC, 'tencent', protocol), 'utf8')).toMatch(
        /url: this\.endpoint\.href/
      )
  })

  it.each([
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000/'],
    ['http://127.1.2.3', 'http://127.1.2.3/'],
    ['http://127.1:8080', 'http://127.0.0.1:8080/'],
    ['http://localhost:9000', 'http://localhost:9000/'],
    ['HTTP://LOCALHOST', 'http://localhost/'],
    ['http://[::1]:9000', 'http://[::1]:9000/'],
    ['https://ssl.intl.tencentcloudapi.com', 'https://ssl.intl.tencentcloudapi.com/'],
    ['ssl.tencentcloudapi.com', 'https://ssl.tencentcloudapi.com/'],
    ['10.0.0.8:8443', 'https://10.0.0.8:8443/'],
    // Numeric forms of 127.0.0.1, normalised by URL before the loopback check.
    ['http://2130706433', 'http://127.0.0.1/'],
    ['http://0x7f.1:9000', 'http://127.0.0.1:9000/']
  ])('accepts %s', (value, href) => {
    expect(parseEndpoint(value, '3.0').href).toBe(href)
  })

  it.each([
    'http://ssl.tencentcloudapi.com',
    'http://example.com:80',
    'HTTP://EXAMPLE.COM',
    'http://10.0.0.8',
    'http://192.168.1.1:9000',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0:9000',
    'http://[::]:9000',
    'http://[::ffff:127.0.0.1]',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'http://127.0.0.1@evil.example',
    'http://localhost:9000@evil.example',
    'http://user:pass@127.0.0.1',
    'http://evil.example#@127.0.0.1',
    'http://evil.example?x=127.0.0.1',
    'ftp://127.0.0.1',
    'ws://127.0.0.1',
    'file:///etc/passwd',
    'javascript:alert(1)'
  ])('refuses %s with an InputError naming endpoint', value => {
    for (const api of ['3.0', '2.0'] as const) {
      let error: unknown
      try {
        parseEndpoint(value, api)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).input).toBe('endpoint')
    }
  })

  it('never quotes credentials given in the URL', () => {
    for (const value of [
      'https://AKIDsecretid:hunter2-secret-key@ssl.tencentcloudapi.com',
      'http://AKIDsecretid:hunter2-secret-key@127.0.0.1:9000'
    ]) {
      const message = (() => {
        try {
          parseEndpoint(value, '3.0')
          return ''
        } catch (error) {
          return (error as Error).message
        }
      })()
      expect(message).toMatch(/^Input 'endpoint'/)
      expect(message).not.toContain('hunter2')
      expect(message).not.toContain('AKIDsecretid')
    }
  })
})

describe('errors never echo a secret', () => {
  let chain: TestChain
  let rsaKeyPem: string
  beforeAll(async () => {
    chain = await makeChain({ domains: ['hygiene.example.test'] })
    rsaKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString()
  })

  const bodyLines = (pem: string): string[] =>
    pem.split('\n').filter(line => line.trim() !== '' && !line.startsWith('-----'))

  /** 16-character windows of every body line: a key quoted in part is still found. */
  const traces = (pem: string): string[] =>
    bodyLines(pem).flatMap(line => {
      const out: string[] = []
      for (let i = 0; i + 16 <= line.length; i += 4) out.push(line.slice(i, i + 16))
      return out
    })

  const corruptions: [string, (pem: string) => string][] = [
    ['a character that is not base64', pem => pem.replace(/\n(.{10})/, '\n$1!')],
    ['no END line', pem => pem.replace(/-----END[^\n]*\n?$/, '')],
    [
      'a mismatched END label',
      pem => pem.replace(/-----END [A-Z ]*KEY-----/, '-----END CERTIFICATE-----')
    ],
    ['bad padding', pem => pem.replace(/\n([^-\n]+)\n-----END/, '\n$1=\n-----END')],
    [
      'a body that is not a key',
      pem => pem.replace(/\n([A-Za-z0-9+/]{20})/, '\nAAAAAAAAAAAAAAAAAAAA')
    ],
    ['the last body line missing', pem => pem.replace(/\n[^-\n]+\n(-----END)/, '\n$1')],
    ['an unknown label', pem => pem.replace(/(BEGIN|END) [A-Z ]*KEY/g, '$1 PRIVATE KEYS')],
    [
      'an encryption header',
      pem => pem.replace(/-----\n/, '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n')
    ],
    ['line breaks turned into spaces, then cut', pem => pem.replace(/\n/g, ' ').slice(0, 200)],
    ['the BEGIN line without its dashes', pem => pem.replace(/^-----BEGIN/, 'BEGIN')],
    ['two keys', pem => pem + pem]
  ]

  it.each(corruptions)('a key with %s', (_what, corrupt) => {
    for (const key of [chain.keyPem, rsaKeyPem]) {
      const broken = corrupt(key)
      for (const given of [broken, Buffer.from(broken).toString('base64')]) {
        let message = ''
        try {
          const pem = resolvePemInput('key', given, {
            workspace: '/nonexistent-workspace',
            exists: () => false,
            readFile: () => Buffer.alloc(0)
          })
          parseCertificateBundle({
            cert: chain.fullchainPem,
            key: pem,
            certType: 'SVR',
            now: new Date()
          })
        } catch (error) {
          expect(error).toBeInstanceOf(InputError)
          expect((error as InputError).input).toBe('key')
          message = (error as Error).message
        }
        expect(message).not.toBe('')
        const echoed = [...traces(key), ...traces(broken)].filter(t => message.includes(t))
        expect(echoed).toEqual([])
      }
    }
  })

  it('a key pasted into cert is refused without quoting it', () => {
    const key = createPrivateKey(chain.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString()
    for (const cert of [key, chain.fullchainPem + key]) {
      let message = ''
      try {
        parseCertificateBundle({ cert, key: chain.keyPem, certType: 'SVR', now: new Date() })
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(/^Input 'cert'/)
      expect(traces(key).filter(t => message.includes(t))).toEqual([])
    }
  })

  it('a secret key or token with white space is refused without quoting it', () => {
    const secret = 'hunter2 secret key value'
    const cases: [string, Record<string, string>][] = [
      ['secret-key', { 'secret-key': secret }],
      ['session-token', { 'session-token': secret }]
    ]
    for (const [name, given] of cases) {
      const inputs: Record<string, string> = {
        'secret-id': 'AKIDhygiene',
        'secret-key': 'hygiene-secret',
        cert: 'c.pem',
        key: 'k.pem',
        ...given
      }
      let message = ''
      try {
        readSettings(input => inputs[input] ?? '', {})
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(new RegExp(`^Input '${name}'`))
      expect(message).not.toContain('hunter2')
    }
  })
})

describe('dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >

  it('are exactly @actions/core, @actions/github, octokit retry and throttling, and node-fetch at run time', () => {
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual([
      '@actions/core',
      '@actions/github',
      '@octokit/plugin-retry',
      '@octokit/plugin-throttling',
      'node-fetch'
    ])
    for (const field of ['peerDependencies', 'optionalDependencies', 'bundleDependencies'])
      expect(pkg[field] ?? {}).toEqual({})
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string> }>
    }
    expect(Object.keys(lock.packages[''].dependencies ?? {}).sort()).toEqual(
      Object.keys(pkg.dependencies ?? {}).sort()
    )
  })

  it('has the Tencent Cloud SDK only as a development dependency, and not in dist/', () => {
    const sdk = (deps: Record<string, string> | undefined) =>
      Object.keys(deps ?? {}).filter(name => name.startsWith('tencentcloud-sdk-nodejs'))
    expect(sdk(pkg.devDependencies).length).toBeGreaterThan(0)
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
      expect(sdk(pkg[field])).toEqual([])
    const maps = readdirSync(join(ROOT, 'dist')).filter(name => name.endsWith('.js.map'))
    expect(maps.length).toBeGreaterThan(0)
    for (const name of maps) {
      const map = JSON.parse(readFileSync(join(ROOT, 'dist', name), 'utf8')) as {
        sources: string[]
      }
      expect(map.sources.filter(source => source.includes('tencentcloud-sdk'))).toEqual([])
    }
  })
})

/** Backticked names in the first column of the table under `## <heading>`. */
function contractTable(markdown: string, heading: string): { name: string; cells: string[] }[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex(line => line.trim() === `## ${heading}`)
  if (start < 0) return []
  const rows: { name: string; cells: string[] }[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break
    const cells = line.split('|').map(cell => cell.trim())
    const name = /^`([\w-]+)`$/.exec(cells[1] ?? '')?.[1]
    if (line.startsWith('|') && name) rows.push({ name, cells: cells.slice(1, -1) })
  }
  return rows
}

describe('action.yml', () => {
  const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')

  it('runs dist/index.js on node24', () => {
    const runs: Record<string, string> = {}
    let inRuns = false
    for (const line of actionYml.split('\n')) {
      if (/^\S/.test(line)) inRuns = /^runs:\s*$/.test(line)
      const entry = /^ {2}([\w-]+):\s*['"]?([^'"#]*?)['"]?\s*$/.exec(line)
      if (inRuns && entry) runs[entry[1]] = entry[2]
    }
    expect(runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares every input and output of the contract, with its default', () => {
    expect(existsSync(CONTRACT)).toBe(true)
    const contract = readFileSync(CONTRACT, 'utf8')
    const inputs = contractTable(contract, 'Inputs')
    const outputs = contractTable(contract, 'Outputs')
    expect(inputs.length).toBeGreaterThanOrEqual(15)
    const declared = readActionMetadata()
    expect(inputs.map(i => i.name).filter(name => !declared.inputs.has(name))).toEqual([])
    expect(outputs.map(o => o.name).sort()).toEqual([...declared.outputs].sort())
    // A default the contract gives as one literal is action.yml's default too.
    for (const { name, cells } of inputs) {
      const literal = /^`([^`\s]+)`$/.exec(cells[1])?.[1]
      if (literal !== undefined)
        expect({ name, default: declared.inputs.get(name) }).toEqual({ name, default: literal })
    }
  })

  it('documents every input it declares beyond the contract in the README', () => {
    const contract = contractTable(readFileSync(CONTRACT, 'utf8'), 'Inputs').map(i => i.name)
    const readme = contractTable(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'Inputs').map(
      i => i.name
    )
    const extra = [...readActionMetadata().inputs.keys()].filter(name => !contract.includes(name))
    expect(extra.filter(name => !readme.includes(name))).toEqual([])
  })
})

describe('self-contained', () => {
  const TRACKED_DIRS = [
    'src',
    '__tests__',
    'fixtures',
    'emulator',
    'scripts',
    'bench',
    '.ci',
    'docs'
  ]
  const outside = /\.\.\/shared\b|['"`]shared['"`]\s*,\s*['"`]docs['"`]/

  it('the scanner sees a path outside the checkout', () => {
    // Built from parts, so that this file does not itself name the folder it looks for.
    const up = '..'
    expect(outside.test(`join(ROOT, '${up}', 'shared', 'docs', 'x.md')`)).toBe(true)
    expect(outside.test(`see ${up}/shared/docs/action-contract.md`)).toBe(true)
    expect(outside.test("join(ROOT, 'docs', 'action-contract.md')")).toBe(false)
  })

  it('no test, script, fixture or doc reads the brief beside the checkout', () => {
    const files = TRACKED_DIRS.filter(dir => existsSync(join(ROOT, dir))).flatMap(dir =>
      filesUnder(join(ROOT, dir), '')
    )
    const offenders = files
      .filter(path => !path.includes('node_modules') && /\.(ts|js|md|sh|yml)$|\/run$/.test(path))
      .filter(
        path => path !== fileURLToPath(import.meta.url) && outside.test(readFileSync(path, 'utf8'))
      )
      .map(path => relative(ROOT, path))
    expect(files.length).toBeGreaterThan(50)
    expect(offenders).toEqual([])
  })
})
