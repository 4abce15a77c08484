/**
 * The bundles compared: our committed dist/, the SDK baseline (bench/baseline, installed and
 * bundled here), minified builds of both for reference, the floor of the design card's packages
 * alone, and a fresh build of src/ to tell whether dist/ is current.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join, relative } from 'node:path'
import { mustRun } from './processes.js'

export interface Paths {
  root: string
  bench: string
  work: string
  baseline: string
  dist: string
}

export function paths(root: string): Paths {
  const bench = join(root, 'bench')
  return {
    root,
    bench,
    work: join(bench, '.work'),
    baseline: join(bench, 'baseline'),
    dist: join(root, 'dist')
  }
}

export interface BundleSize {
  dir: string
  /** Every file under dir, bytes. */
  totalBytes: number
  /**
   * Every `.js` file (index.js and the numbered chunks ncc splits off for dynamic imports), bytes:
   * the code, without source maps, licences or `sourcemap-register.cjs`.
   */
  jsBytes: number
  /** The `.map` files, bytes. */
  mapBytes: number
  /** index.js alone, bytes: what is loaded before the first request (chunks load on demand). */
  indexBytes: number
  files: { name: string; bytes: number }[]
}

export function measureBundle(dir: string): BundleSize {
  if (!existsSync(join(dir, 'index.js'))) throw new Error(`no index.js in ${dir}`)
  const files: { name: string; bytes: number }[] = []
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push({ name: relative(dir, path), bytes: statSync(path).size })
    }
  }
  walk(dir)
  files.sort((a, b) => b.bytes - a.bytes)
  const bytesOf = (keep: (name: string) => boolean): number =>
    files.filter(f => keep(f.name)).reduce((sum, f) => sum + f.bytes, 0)
  return {
    dir,
    totalBytes: bytesOf(() => true),
    jsBytes: bytesOf(name => name.endsWith('.js')),
    mapBytes: bytesOf(name => name.endsWith('.map')),
    indexBytes: statSync(join(dir, 'index.js')).size,
    files
  }
}

/** `npm install` of the baseline into bench/baseline/node_modules (git-ignored). */
export async function installBaseline(p: Paths): Promise<number> {
  const result = await mustRun(
    'npm',
    ['install', '--prefix', p.baseline, '--no-audit', '--no-fund'],
    { cwd: p.root, timeoutMs: 180_000 }
  )
  const ncc = baselineNcc(p)
  if (!existsSync(ncc)) throw new Error(`the baseline install has no ncc at ${ncc}`)
  return result.ms
}

const baselineNcc = (p: Paths): string =>
  join(p.baseline, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
const projectNcc = (p: Paths): string =>
  join(p.root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

/** Same flags as our `npm run package`, so that "all files" compares like with like. */
const PACKAGE_FLAGS = ['--source-map', '--license', 'licenses.txt']

export interface Build {
  name: string
  out: string
  ms: number
}

async function ncc(
  name: string,
  cli: string,
  entry: string,
  out: string,
  flags: string[],
  cwd: string
): Promise<Build> {
  rmSync(out, { recursive: true, force: true })
  const result = await mustRun(process.execPath, [cli, 'build', entry, '-o', out, ...flags], {
    cwd,
    timeoutMs: 240_000
  })
  return { name, out, ms: result.ms }
}

/** The floor: the design card's packages alone (bench-notes.md), from the project's node_modules. */
function writeFloorEntry(p: Paths): string {
  const dir = join(p.work, 'floor-src')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n')
  const entry = join(dir, 'index.js')
  writeFileSync(
    entry,
    [
      "import * as core from '@actions/core'",
      "import { context } from '@actions/github'",
      "import fetch from 'node-fetch'",
      "core.setOutput('floor', `${typeof fetch} ${context.runNumber}`)",
      ''
    ].join('\n')
  )
  return entry
}

export interface Builds {
  baseline: Build
  baselineMin: Build
  oursMin: Build
  oursFresh: Build
  floor: Build
  floorMin: Build
}

/** All builds into bench/.work, two at a time (two cores). */
export async function buildAll(p: Paths): Promise<Builds> {
  mkdirSync(p.work, { recursive: true })
  const baselineEntry = join(p.baseline, 'index.js')
  const ourEntry = join(p.root, 'src', 'index.ts')
  const floorEntry = writeFloorEntry(p)
  const jobs: (() => Promise<Build>)[] = [
    () =>
      ncc(
        'baseline',
        baselineNcc(p),
        baselineEntry,
        join(p.work, 'baseline-dist'),
        PACKAGE_FLAGS,
        p.baseline
      ),
    () =>
      ncc('oursFresh', projectNcc(p), ourEntry, join(p.work, 'ours-fresh'), PACKAGE_FLAGS, p.root),
    () =>
      ncc(
        'baselineMin',
        baselineNcc(p),
        baselineEntry,
        join(p.work, 'baseline-min'),
        ['-m'],
        p.baseline
      ),
    () => ncc('oursMin', projectNcc(p), ourEntry, join(p.work, 'ours-min'), ['-m'], p.root),
    () => ncc('floor', projectNcc(p), floorEntry, join(p.work, 'floor'), [], p.root),
    () => ncc('floorMin', projectNcc(p), floorEntry, join(p.work, 'floor-min'), ['-m'], p.root)
  ]
  const done: Build[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < jobs.length) done.push(await jobs[next++]())
  }
  await Promise.all([worker(), worker()])
  const byName = new Map(done.map(b => [b.name, b]))
  const get = (name: string): Build => byName.get(name) as Build
  return {
    baseline: get('baseline'),
    baselineMin: get('baselineMin'),
    oursMin: get('oursMin'),
    oursFresh: get('oursFresh'),
    floor: get('floor'),
    floorMin: get('floorMin')
  }
}

/** Whether dist/index.js is byte for byte what src/ builds now. */
export function sameIndex(a: string, b: string): boolean {
  return readFileSync(join(a, 'index.js')).equals(readFileSync(join(b, 'index.js')))
}

/** A message of @actions/github's own (getOctokit's name is in the chunks that call it too). */
export const GITHUB_MARKER = 'Parameter token or opts.auth is required'

/**
 * The numbered chunks that `notify` loads (its own code, octokit's retry and throttling plugins,
 * and @actions/github's octokit), each found by a string only it holds; none is in index.js.
 */
export const NOTIFY_MARKERS = [
  'Tencent Cloud certificates need attention',
  'not accessible by integration',
  'octokit-write',
  GITHUB_MARKER
]

export function chunksContaining(dir: string, needles: string[]): string[] {
  const found = needles.map(needle => chunkContaining(dir, needle))
  return [...new Set(found.filter((name): name is string => name !== undefined))].sort()
}

/** The first numbered chunk (`.js`, not index.js) of dir whose text contains `needle`. */
export function chunkContaining(dir: string, needle: string): string | undefined {
  return readdirSync(dir)
    .filter(name => name.endsWith('.js') && name !== 'index.js')
    .sort()
    .find(name => readFileSync(join(dir, name), 'utf8').includes(needle))
}
