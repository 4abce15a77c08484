/**
 * DescribeHostDeployRecord takes only the ResourceType values the SDK's request model documents
 * (clb, cdn, ddos, waf, apigateway, teo, tke, cos, lighthouse, vod, tcb, tse): for live and mqtt,
 * which deploy-to accepts, the deploy records are never asked for and the binding check decides.
 * In-process against the emulator, which refuses the undocumented values as a strict server would.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals'
import { parseDeployTo } from '../../src/settings/deploy-targets.js'
import { deployToTargets } from '../../src/resources/deploy.js'
import { openLab, type ResourceLab } from '../support/resource-lab.js'

let lab: ResourceLab

beforeEach(async () => {
  lab = await openLab()
  lab.certificate('NEW', 90)
})

afterEach(async () => {
  await lab.emulator.stop()
})

it('a live domain Tencent refuses: failed, saying its deploy records are not looked up, and none asked for', async () => {
  const result = await deployToTargets(
    lab.api,
    'NEW',
    parseDeployTo('live:unknown-live.example.test'),
    { timeoutMs: 60_000, dryRun: false },
    { clock: lab.clock, log: lab.log }
  )
  expect(result.replaced[0]).toMatchObject({
    status: 'failed',
    instance: 'unknown-live.example.test'
  })
  expect(result.replaced[0].error).toMatch(/deploy records of live are not looked up/)
  expect(lab.actions()).not.toContain('DescribeHostDeployRecord')
})

it.each(['live', 'mqtt'])('the API client never sends ResourceType %s', async type => {
  await expect(lab.api.deployRecords('NEW', type, 20)).rejects.toThrow(
    `DescribeHostDeployRecord does not document ResourceType ${type}`
  )
  expect(lab.actions()).toEqual([])
})
