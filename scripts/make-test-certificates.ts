/**
 * Writes test certificates for the CI job that runs the action with `uses: ./` against the
 * emulator, and for local runs (`npx @github/local-action`, .env.example):
 *   node --import tsx scripts/make-test-certificates.ts DIR [DOMAIN...]
 * DIR/current, DIR/renewed and DIR/later each get fullchain.pem (leaf + intermediate) and
 * privkey.pem (PKCS#8, mode 0600), one CA for all; each expires 30 days after the one before, so a
 * sync of `renewed` supersedes `current` and one of `later` supersedes `renewed`.
 * Default domains: ci.example.test, www.ci.example.test.
 * Made locally with fixtures/certs.ts: no network, no openssl; never valid anywhere.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { makeCa, makeChain } from '../fixtures/certs.js'

const DAY = 86_400_000
const USAGE = 'usage: node --import tsx scripts/make-test-certificates.ts DIR [DOMAIN...]'

async function main(): Promise<void> {
  const [dir, ...named] = process.argv.slice(2)
  if (!dir) {
    console.error(USAGE)
    process.exit(2)
  }
  const domains = named.length > 0 ? named : ['ci.example.test', 'www.ci.example.test']
  const ca = await makeCa(1, 'CI')
  for (const [name, days] of [
    ['current', 60],
    ['renewed', 90],
    ['later', 120]
  ] as const) {
    const chain = await makeChain({ ca, domains, notAfter: new Date(Date.now() + days * DAY) })
    const out = resolve(dir, name)
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'fullchain.pem'), chain.fullchainPem)
    writeFileSync(join(out, 'privkey.pem'), chain.keyPem, { mode: 0o600 })
    console.log(`${join(out, 'fullchain.pem')}: ${domains.join(', ')}, ${days} days`)
  }
}

main().catch(error => {
  console.error(`make-test-certificates: ${(error as Error).message}`)
  process.exit(1)
})
