/** The README's inputs and outputs tables, action.yml and the contract name the same things. */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readActionMetadata, ROOT } from '../fixtures/runner.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionMetadata()

/** First-column names of the Markdown table between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
function tableNames(markdown: string, marker: string): string[] {
  const start = markdown.indexOf(`<!-- ${marker}:start -->`)
  const end = markdown.indexOf(`<!-- ${marker}:end -->`)
  if (start < 0 || end < start) throw new Error(`no ${marker} table`)
  return markdown
    .slice(start, end)
    .split('\n')
    .map(line => /^\| `([\w-]+)` \|/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
}

describe('documentation', () => {
  it('lists exactly the inputs action.yml declares', () => {
    expect(tableNames(readme, 'inputs').sort()).toEqual([...action.inputs.keys()].sort())
  })

  it('lists exactly the outputs action.yml declares', () => {
    expect(tableNames(readme, 'outputs').sort()).toEqual([...action.outputs].sort())
  })

  it('declares every input and output of the contract', () => {
    const contract = join(ROOT, 'docs', 'action-contract.md')
    expect(existsSync(contract)).toBe(true)
    const text = readFileSync(contract, 'utf8')
    const section = (title: string) => text.slice(text.indexOf(`## ${title}`)).split('\n## ')[0]
    const names = (md: string) => [...md.matchAll(/^\| `([\w-]+)` \|/gm)].map(m => m[1])
    const inputs = names(section('Inputs'))
    const outputs = names(section('Outputs'))
    expect(inputs.length).toBeGreaterThan(10)
    for (const name of inputs) expect(action.inputs.has(name)).toBe(true)
    expect(outputs.sort()).toEqual([...action.outputs].sort())
  })

  it('states the demo and test commands at the top of the README', () => {
    const top = readme.split('\n').slice(0, 15).join('\n')
    expect(top).toContain('npm ci && npm run demo')
    expect(top).toContain('npm test')
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts
    expect(scripts.demo).toBeDefined()
    expect(scripts.test).toBeDefined()
  })
})
