/**
 * The notes of one release: its section of CHANGELOG.md (Keep a Changelog: `## [X.Y.Z] - date`),
 * without the heading and the link definitions at the end of the file. The release workflow
 * makes the GitHub release's notes from it; scripts/release.sh refuses to tag a version that has
 * no section.
 *
 * Usage: node --import tsx scripts/release-notes.ts X.Y.Z [CHANGELOG.md]
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The body of `version`'s section, trimmed; undefined when there is none or it is empty. */
export function changelogSection(markdown: string, version: string): string | undefined {
  const lines = markdown.split('\n')
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const heading = new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`)
  const start = lines.findIndex(l => heading.test(l))
  if (start < 0) return undefined
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(l => /^## /.test(l) || /^\[[^\]]+\]:\s*\S/.test(l))
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
  return body === '' ? undefined : body
}

function main(args: string[]): void {
  const [version, file = 'CHANGELOG.md'] = args
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    console.error('usage: release-notes.ts X.Y.Z [CHANGELOG.md]')
    process.exit(2)
  }
  const notes = changelogSection(readFileSync(file, 'utf8'), version)
  if (notes === undefined) {
    console.error(
      `${file} has no section for ${version} (a heading "## [${version}] - YYYY-MM-DD")`
    )
    process.exit(1)
  }
  console.log(notes)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2))
}
