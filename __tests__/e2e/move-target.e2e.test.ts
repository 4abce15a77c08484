/**
 * The move target of an expired certificate (prune with replace): dist/index.js against the
 * emulator. An expired RSA certificate may be deleted once any certificate supersedes it, but its
 * resources move only onto the newest valid RSA one, never onto the ECDSA twin that outlives it;
 * with no RSA one, they stay where they are and the certificate is kept, saying why.
 */
import 'reflect-metadata'
import { afterEach, expect, it } from '@jest/globals'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS } from '../../fixtures/runner.js'
import { parseJson, servingOf } from '../support/resource-oracle.js'

const DAY = 86_400_000
const DOMAINS = ['www.alg.example.test']
const CDN = 'www.alg.example.test'

const lab = useE2eLab('move-target', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

const seed = (days: number, encryptAlgorithm: string): string =>
  lab.emulator.seed({
    domains: DOMAINS,
    notAfter: new Date(Date.now() + days * DAY),
    encryptAlgorithm
  })[0].id
const live = (id: string) => lab.emulator.certificates().some(c => c.id === id && !c.deleted)
const prune = () =>
  lab.run(undefined, { mode: 'prune', 'prune-domains': DOMAINS.join(','), replace: 'true' })

it('an expired RSA certificate’s CDN domain moves onto the RSA renewal, not the newer ECDSA one', async () => {
  const expired = seed(-1, 'RSA 2048')
  const rsa = seed(60, 'RSA 2048')
  const ecdsa = seed(120, 'ECC 256')
  lab.emulator.resources.seed([{ type: 'cdn', instance: CDN, certId: expired }])
  const result = await prune()
  expect(result.status).toBe(0)
  expect(servingOf(lab.emulator)).toEqual({ [`cdn ${CDN}`]: rsa })
  expect(parseJson<{ to: string }[]>(result.outputs.replaced).map(r => r.to)).toEqual([rsa])
  expect(live(ecdsa)).toBe(true)
  expect(live(expired)).toBe(false)
})

it('with only an ECDSA certificate superseding it: the domain stays, the certificate is kept, and the step says why', async () => {
  const expired = seed(-1, 'RSA 2048')
  seed(120, 'ECC 256')
  lab.emulator.resources.seed([{ type: 'cdn', instance: CDN, certId: expired }])
  const result = await prune()
  expect(servingOf(lab.emulator)).toEqual({ [`cdn ${CDN}`]: expired })
  expect(lab.emulator.requests.map(r => r.action)).not.toContain('UpdateCertificateInstance')
  expect(live(expired)).toBe(true)
  expect(parseJson<string[]>(result.outputs['skipped-ids'])).toEqual([expired])
  expect(result.lines.join('\n')).toMatch(
    new RegExp(`Skipped ${expired}.*bound to cdn.*no valid RSA certificate does`)
  )
})
