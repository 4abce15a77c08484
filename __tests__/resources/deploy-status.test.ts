/**
 * deploy-to decides from the deploy record's items, never from DeployStatus alone: Tencent's own
 * example answers DeployStatus 0 for a record it has just created, so a target that record lists
 * as failed is reported failed with the item's message and not deployed again; a target it does
 * not list is sent again. A scripted ResourceApi, so that the answers are exactly these.
 */
import { expect, it } from '@jest/globals'
import { recordingLog } from '../../fixtures/log.js'
import { deployToTargets } from '../../src/resources/deploy.js'
import { parseDeployTo } from '../../src/settings/deploy-targets.js'
import type { DeployRequest, RecordItem, ResourceApi } from '../../src/tencent/resources.js'

const item = (detailId: number, instance: string, status: number, error = ''): RecordItem => ({
  type: 'cdn',
  region: null,
  instance,
  detailId,
  status,
  error,
  certId: 'NEW',
  oldCertId: ''
})

/** Every DeployCertificateInstance answers DeployStatus 0; its record lists `listed`. */
function api(listed: (instances: string[]) => RecordItem[]) {
  const sent: string[][] = []
  const fake = {
    bindingDetails: async (ids: string[]) =>
      new Map(ids.map(id => [id, { certId: id, resources: [], problems: [] }])),
    deploy: async (request: DeployRequest) => {
      sent.push(request.instances)
      return { recordId: sent.length, alreadyRunning: true }
    },
    deployRecord: async (recordId: number) => ({
      items: listed(sent[recordId - 1]),
      requestId: `rid-${recordId}`
    })
  } as unknown as ResourceApi
  return { fake, sent }
}

const run = (fake: ResourceApi, targets: string) =>
  deployToTargets(
    fake,
    'NEW',
    parseDeployTo(targets),
    { timeoutMs: 60_000, dryRun: false },
    { clock: { now: () => 0, sleep: async () => undefined }, log: recordingLog().log }
  )

it('DeployStatus 0 with a failed item: failed with its message, sent once', async () => {
  const { fake, sent } = api(() => [item(1, 'a.example.test', 2, 'domain not found')])
  const result = await run(fake, 'cdn:a.example.test')
  expect(sent).toEqual([['a.example.test']])
  expect(result.replaced).toEqual([
    expect.objectContaining({
      instance: 'a.example.test',
      status: 'failed',
      error: 'domain not found'
    })
  ])
})

it('DeployStatus 0 with a successful item: success, sent once', async () => {
  const { fake, sent } = api(() => [item(1, 'a.example.test', 1)])
  const result = await run(fake, 'cdn:a.example.test')
  expect(sent).toEqual([['a.example.test']])
  expect(result.replaced[0]).toMatchObject({ status: 'success' })
})

it('a target the record does not list is sent again, and alone', async () => {
  const { fake, sent } = api(instances =>
    instances.length === 2 ? [item(1, 'a.example.test', 1)] : [item(2, 'b.example.test', 1)]
  )
  const result = await run(fake, 'cdn:a.example.test\ncdn:b.example.test')
  expect(sent).toEqual([['a.example.test', 'b.example.test'], ['b.example.test']])
  expect(result.replaced.map(r => r.status)).toEqual(['success', 'success'])
})
