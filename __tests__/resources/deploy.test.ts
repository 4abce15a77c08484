/**
 * `deploy-to` end to end in-process (src/resources/deploy.ts over the 3.0 ResourceApi, against the
 * emulator): regional and global types, resources already serving the certificate, failures,
 * a deployment already running, and the dry run. The emulator's state is the oracle.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { parseDeployTo } from '../../src/settings/deploy-targets.js'
import { deployToTargets, type DeployOptions } from '../../src/resources/deploy.js'
import { openLab, type ResourceLab } from '../support/resource-lab.js'

let lab: ResourceLab

beforeEach(async () => {
  lab = await openLab()
  lab.certificate('OLD', 10)
  lab.certificate('NEW', 90)
  lab.emulator.resources.seed([
    { type: 'clb', region: 'ap-guangzhou', instance: 'lb-gz000001|lbl-gz000001' },
    { type: 'clb', region: 'ap-shanghai', instance: 'lb-sh000001|lbl-sh000001|www.example.test' },
    { type: 'cdn', instance: 'www.example.test', certId: 'OLD' },
    { type: 'teo', instance: 'www.example.test', certId: 'NEW' }
  ])
})

afterEach(async () => {
  const violations = lab.emulator.resources.violations()
  await lab.emulator.stop()
  expect(violations).toEqual([])
})

const OPTIONS: DeployOptions = { timeoutMs: 60_000, dryRun: false }
const TARGETS = parseDeployTo(
  [
    'clb:lb-gz000001|lbl-gz000001@ap-guangzhou',
    'clb:lb-sh000001|lbl-sh000001|www.example.test@ap-shanghai',
    'cdn:www.example.test|on',
    'teo:www.example.test'
  ].join('\n')
)
const deploy = (
  targets = TARGETS,
  options: Partial<DeployOptions> = {},
  certificateId: string | null = 'NEW'
) =>
  deployToTargets(
    lab.api,
    certificateId,
    targets,
    { ...OPTIONS, ...options },
    { clock: lab.clock, log: lab.log }
  )
const serving = () =>
  Object.fromEntries(lab.emulator.resources.all().map(r => [`${r.type} ${r.instance}`, r.certId]))

describe('deploy-to', () => {
  it('binds a regional and a global type, reads each status back, and leaves what already serves it', async () => {
    const result = await deploy()
    expect(result.replaced).toEqual([
      {
        from: null,
        to: 'NEW',
        type: 'clb',
        region: 'ap-guangzhou',
        instance: 'lb-gz000001|lbl-gz000001',
        status: 'success',
        error: null
      },
      {
        from: null,
        to: 'NEW',
        type: 'clb',
        region: 'ap-shanghai',
        instance: 'lb-sh000001|lbl-sh000001|www.example.test',
        status: 'success',
        error: null
      },
      {
        from: 'OLD',
        to: 'NEW',
        type: 'cdn',
        region: null,
        instance: 'www.example.test',
        status: 'success',
        error: null
      },
      {
        from: 'NEW',
        to: 'NEW',
        type: 'teo',
        region: null,
        instance: 'www.example.test',
        status: 'unchanged',
        error: null
      }
    ])
    expect(Object.values(serving())).toEqual(['NEW', 'NEW', 'NEW', 'NEW'])
    expect(result.failures).toEqual([])
    // One call per type and region; none for the resource already serving it.
    expect(lab.actions().filter(a => a === 'DeployCertificateInstance')).toHaveLength(3)
  })

  it('reports a resource Tencent fails to deploy to, with its message', async () => {
    lab.emulator.resources.seed([
      {
        type: 'clb',
        region: 'ap-guangzhou',
        instance: 'lb-gz000001|lbl-gz000001',
        fail: { message: 'no HTTPS listener' }
      }
    ])
    const result = await deploy(TARGETS.slice(0, 1))
    expect(result.replaced[0]).toMatchObject({ status: 'failed', error: 'no HTTPS listener' })
    expect(result.failures[0]).toMatchObject({
      certificateId: 'NEW',
      type: 'clb',
      region: 'ap-guangzhou',
      message: 'no HTTPS listener'
    })
    expect(serving()['clb lb-gz000001|lbl-gz000001']).toBeNull()
  })

  it('reports every target of a call Tencent refuses, and the refusal', async () => {
    const result = await deploy(parseDeployTo('cdn:unknown.example.test'))
    expect(result.replaced[0]).toMatchObject({ status: 'failed', instance: 'unknown.example.test' })
    expect(result.replaced[0].error).toMatch(/not a resource the certificate can be deployed to/)
    // Not seen serving it by the binding check nor in its deploy records: a mismatch, and said so.
    expect(result.replaced[0].error).toMatch(/domain matches the certificate/)
    expect(result.failures.map(f => f.instance)).toEqual(['unknown.example.test'])
    expect(lab.actions()).toContain('DescribeHostDeployRecord')
  })

  it('waits for a deployment of the same certificate and type that is already running', async () => {
    lab.emulator.setOption('recordPolls', 2)
    const first = deploy(TARGETS.slice(0, 1))
    const second = deploy(TARGETS.slice(1, 2))
    const [a, b] = await Promise.all([first, second])
    expect(a.replaced[0].status).toBe('success')
    expect(b.replaced[0].status).toBe('success')
    expect(serving()['clb lb-sh000001|lbl-sh000001|www.example.test']).toBe('NEW')
    // The second call was answered with the first's record (DeployStatus 0), then made again.
    expect(lab.actions().filter(a => a === 'DeployCertificateInstance')).toHaveLength(3)
  })

  it('in a dry run: plans, and calls nothing that changes state', async () => {
    const result = await deploy(TARGETS, { dryRun: true })
    expect(result.replaced.map(e => e.status)).toEqual([
      'planned',
      'planned',
      'planned',
      'unchanged'
    ])
    expect(lab.actions()).not.toContain('DeployCertificateInstance')
    expect(serving()['cdn www.example.test']).toBe('OLD')
  })

  it('in a dry run before the upload: plans every target, from nothing to an unknown id', async () => {
    const result = await deploy(TARGETS, { dryRun: true }, null)
    expect(result.replaced.every(e => e.status === 'planned' && e.to === null)).toBe(true)
    expect(lab.actions()).toEqual([])
  })
})
