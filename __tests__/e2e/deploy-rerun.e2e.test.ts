/**
 * `deploy-to` re-runs end to end (contract, `deploy-to`): dist/index.js run like a runner against
 * the emulator. A resource that already serves the certificate is `unchanged`, whether the
 * binding check shows it or only the certificate's own deploy records do (lighthouse, which no
 * binding check reports); a deployment still running from an earlier run is waited for, not
 * sent again and failed; one refused instance gets its own status and message and holds back
 * no other instance of its call.
 */
import 'reflect-metadata'
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fetch from 'node-fetch'
import { makeCa, makeChain, type TestChain } from '../../fixtures/certs.js'
import { useE2eLab } from '../../fixtures/e2e-lab.js'
import { QUICK_WAITS } from '../../fixtures/runner.js'
import type { ClientDeps, FetchLike } from '../../src/tencent/client.js'
import { ResourceApiV3 } from '../../src/tencent/resources.js'

const DAY = 86_400_000
const DOMAINS = ['www.rerun.example.test', 'rerun.example.test']
const LIGHTHOUSE = 'ap-shanghai|lhins-rerun01|www.rerun.example.test'

const lab = useE2eLab('deploy-rerun', {
  nodeArgs: QUICK_WAITS,
  options: { recordPolls: 0, creationPolls: 0 }
})
let chain: TestChain

beforeAll(async () => {
  const ca = await makeCa(1, 'Rerun')
  chain = await makeChain({ ca, domains: DOMAINS, notAfter: new Date(Date.now() + 90 * DAY) })
})

afterEach(() => {
  expect(lab.emulator.resources.violations()).toEqual([])
})

interface Replaced {
  from: string | null
  to: string | null
  type: string
  region: string | null
  instance: string
  status: string
  error: string | null
}

const replacedOf = (json: string | undefined): Replaced[] => JSON.parse(json ?? '[]') as Replaced[]
const serving = () =>
  Object.fromEntries(lab.emulator.resources.all().map(r => [`${r.type} ${r.instance}`, r.certId]))
const deploys = () => lab.emulator.requests.filter(r => r.action === 'DeployCertificateInstance')

/** Uploads the certificate; its id. */
async function uploaded(): Promise<string> {
  const first = await lab.run(chain, { mode: 'upload' })
  expect(first.status).toBe(0)
  lab.emulator.clearRequests()
  return first.outputs['certificate-id']
}

/** Someone else's DeployCertificateInstance (an earlier run, the console), made in-process. */
async function deployElsewhere(certificateId: string, instances: string[]): Promise<void> {
  const deps: ClientDeps = {
    fetch: fetch as unknown as FetchLike,
    now: Date.now,
    sleep: async () => undefined,
    random: () => 0.5,
    debug: () => undefined,
    warning: () => undefined,
    setTimer: () => () => undefined
  }
  const api = new ResourceApiV3({
    credentials: lab.emulator.credentials,
    endpoint: new URL(lab.emulator.url),
    timeoutMs: 10_000,
    deps
  })
  const start = await api.deploy(
    { certificateId, type: 'clb', region: 'ap-guangzhou', instances },
    Date.now() + 10_000
  )
  expect(start.alreadyRunning).toBe(false)
}

describe('deploy-to, run again', () => {
  it('reports a lighthouse instance that already serves the certificate unchanged: its deploy records show it', async () => {
    lab.emulator.resources.seed([
      { type: 'lighthouse', region: 'ap-shanghai', instance: LIGHTHOUSE }
    ])
    const inputs = { mode: 'upload', 'deploy-to': `lighthouse:${LIGHTHOUSE}@ap-shanghai` }
    const first = await lab.run(chain, inputs)
    expect(first.status).toBe(0)
    const id = first.outputs['certificate-id']
    expect(replacedOf(first.outputs.replaced).map(r => r.status)).toEqual(['success'])
    expect(serving()[`lighthouse ${LIGHTHOUSE}`]).toBe(id)

    // No binding check reports lighthouse: Tencent answers CertificateNotDeployInstance, and
    // the certificate's deploy records settle it as "already serving".
    lab.emulator.clearRequests()
    const again = await lab.run(chain, inputs)
    expect(again.status).toBe(0)
    expect(replacedOf(again.outputs.replaced)).toEqual([
      expect.objectContaining({
        type: 'lighthouse',
        status: 'unchanged',
        from: id,
        to: id,
        error: null
      })
    ])
    expect(lab.emulator.requests.map(r => r.action)).toContain('DescribeHostDeployRecord')
    expect(again.lines.join('\n')).toMatch(/already serves .* deploy records/)

    // A dry run plans what the real run does: unchanged, nothing deployed.
    lab.emulator.clearRequests()
    const dry = await lab.run(chain, { ...inputs, 'dry-run': 'true' })
    expect(dry.status).toBe(0)
    expect(replacedOf(dry.outputs.replaced).map(r => r.status)).toEqual(['unchanged'])
    expect(deploys()).toEqual([])
  })

  it('waits for a deployment still running from an earlier run, and sends only what it does not cover', async () => {
    lab.emulator.resources.seed([
      // The earlier deployment's item stays running for three reads of its record.
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000021|lbl-gz000021', settlePolls: 3 },
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000022|lbl-gz000022' }
    ])
    const id = await uploaded()
    await deployElsewhere(id, ['lb-gz000021|lbl-gz000021'])
    lab.emulator.clearRequests()

    const result = await lab.run(chain, {
      mode: 'upload',
      'deploy-to':
        'clb:lb-gz000021|lbl-gz000021@ap-guangzhou\nclb:lb-gz000022|lbl-gz000022@ap-guangzhou'
    })
    expect(result.status).toBe(0)
    expect(replacedOf(result.outputs.replaced).map(r => [r.instance, r.status, r.error])).toEqual([
      ['lb-gz000021|lbl-gz000021', 'success', null],
      ['lb-gz000022|lbl-gz000022', 'success', null]
    ])
    expect(serving()).toEqual({
      'clb lb-gz000021|lbl-gz000021': id,
      'clb lb-gz000022|lbl-gz000022': id
    })
    // The first call was answered with the earlier record (DeployStatus 0); the second sent
    // only the listener that record did not cover, and nothing was refused.
    expect(deploys().map(r => r.code)).toEqual(['', ''])
  })

  it('gives each instance of a refused call its own status and message', async () => {
    lab.emulator.resources.seed([
      { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000031|lbl-gz000031' }
    ])
    const result = await lab.run(chain, {
      mode: 'upload',
      'deploy-to':
        'clb:lb-gz000031|lbl-gz000031@ap-guangzhou\nclb:lb-gz000099|lbl-gz000099@ap-guangzhou'
    })
    expect(result.status).toBe(1)
    const id = result.outputs['certificate-id']
    const [valid, invalid] = replacedOf(result.outputs.replaced)
    expect(valid).toMatchObject({
      instance: 'lb-gz000031|lbl-gz000031',
      status: 'success',
      error: null
    })
    expect(invalid).toMatchObject({ instance: 'lb-gz000099|lbl-gz000099', status: 'failed' })
    expect(invalid.error).toMatch(/lb-gz000099\|lbl-gz000099 is not a resource/)
    expect(invalid.error).not.toMatch(/lb-gz000031/)
    expect(invalid.error).toMatch(/domain matches the certificate/)
    expect(serving()['clb lb-gz000031|lbl-gz000031']).toBe(id)
    expect(result.summary).toContain('lb-gz000099')
  })
})
