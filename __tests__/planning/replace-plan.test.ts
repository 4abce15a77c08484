/** The pure planners: replacement moves (src/planning/replace-plan.ts) and deployments (src/planning/deploy-plan.ts). */
import { describe, expect, it } from '@jest/globals'
import { planDeploy } from '../../src/planning/deploy-plan.js'
import { parseDeployTo } from '../../src/settings/deploy-targets.js'
import { describeResources, planReplace } from '../../src/planning/replace-plan.js'
import type { BindingDetails, BoundResource } from '../../src/tencent/resources.js'

const cdn = (instance: string): BoundResource => ({ type: 'cdn', region: null, instance })
const clb = (region: string | null, instance: string): BoundResource => ({
  type: 'clb',
  region,
  instance
})
const details = (certId: string, resources: BoundResource[], problems: string[] = []) =>
  new Map<string, BindingDetails>([[certId, { certId, resources, problems }]])

describe('planReplace', () => {
  const found = [
    clb('ap-shanghai', 'lb-2|lbl-2'),
    cdn('www.example.com'),
    clb('ap-guangzhou', 'lb-1|lbl-1'),
    clb('ap-guangzhou', 'lb-1|lbl-3|www.example.com'),
    { type: 'teo', region: null, instance: 'www.example.com' }
  ]

  it('moves every type found, with the regions they were found in, in the contract order', () => {
    const [plan] = planReplace([{ id: 'OLD', targetId: 'NEW' }], details('OLD', found), 'all')
    expect(plan).toMatchObject({
      from: 'OLD',
      to: 'NEW',
      types: ['cdn', 'clb', 'teo'],
      left: [],
      keptBecause: null
    })
    expect(plan.regions).toEqual([{ type: 'clb', regions: ['ap-guangzhou', 'ap-shanghai'] }])
    expect(plan.resources).toEqual(found)
  })

  it('leaves the types replace does not list, and keeps the certificate with the reason', () => {
    const [plan] = planReplace([{ id: 'OLD', targetId: 'NEW' }], details('OLD', found), ['cdn'])
    expect(plan.types).toEqual(['cdn'])
    expect(plan.regions).toEqual([])
    expect(plan.resources).toEqual([cdn('www.example.com')])
    expect(plan.left).toHaveLength(4)
    expect(plan.keptBecause).toBe(
      'still bound to clb in ap-shanghai (1), clb in ap-guangzhou (2), teo (1), which replace does not list'
    )
  })

  it('never moves a regional resource without a region, nor a type the update cannot move', () => {
    const odd = [
      clb(null, 'lb-9|lbl-9'),
      { type: 'lighthouse', region: 'ap-shanghai', instance: 'x' },
      cdn('a.example.com')
    ]
    const [plan] = planReplace([{ id: 'OLD', targetId: 'NEW' }], details('OLD', odd), 'all')
    expect(plan.resources).toEqual([cdn('a.example.com')])
    expect(plan.keptBecause).toBe(
      'bound to lighthouse in ap-shanghai (1), which cannot be moved; bound to clb (1) in no known region'
    )
  })

  it('moves what is known but keeps a certificate whose details are incomplete', () => {
    const [plan] = planReplace(
      [{ id: 'OLD', targetId: null }],
      details('OLD', [cdn('a.example.com')], ['clb in ap-guangzhou: timeout']),
      'all'
    )
    expect(plan.to).toBeNull()
    expect(plan.resources).toHaveLength(1)
    expect(plan.keptBecause).toBe(
      'the binding details are incomplete (clb in ap-guangzhou: timeout)'
    )
  })

  it('keeps a certificate whose details are unknown, moving nothing', () => {
    const [plan] = planReplace([{ id: 'GONE', targetId: 'NEW' }], details('OLD', found), 'all')
    expect(plan).toMatchObject({
      resources: [],
      types: [],
      keptBecause: 'its binding details are unknown'
    })
  })

  it('plans nothing, and keeps nothing back, for a certificate with no resources', () => {
    const [plan] = planReplace([{ id: 'OLD', targetId: 'NEW' }], details('OLD', []), 'all')
    expect(plan).toMatchObject({ resources: [], left: [], keptBecause: null })
  })

  it('describes resources by type and region, counted', () => {
    expect(describeResources(found)).toBe(
      'clb in ap-shanghai (1), cdn (1), clb in ap-guangzhou (2), teo (1)'
    )
  })
})

describe('planDeploy', () => {
  const targets = parseDeployTo(
    [
      'cdn:www.example.com|on',
      'clb:lb-1|lbl-1@ap-guangzhou',
      'clb:lb-2|lbl-2@ap-guangzhou',
      'clb:lb-3|lbl-3@ap-shanghai',
      'teo:WWW.example.com',
      'tse:gateway-1|gwcert-1@ap-guangzhou'
    ].join('\n')
  )

  it('groups the targets into one call per type and region, in the order given', () => {
    const plan = planDeploy(targets, [])
    expect(plan.serving).toEqual([])
    expect(plan.groups.map(g => `${g.type}@${g.region}:${g.targets.length}`)).toEqual([
      'cdn@null:1',
      'clb@ap-guangzhou:2',
      'clb@ap-shanghai:1',
      'teo@null:1',
      'tse@ap-guangzhou:1'
    ])
  })

  it('leaves alone what already serves the certificate, comparing resources as Tencent names them', () => {
    const serving = [
      cdn('www.example.com'),
      clb('ap-guangzhou', 'lb-2|lbl-2'),
      clb('ap-guangzhou', 'lb-3|lbl-3'),
      { type: 'teo', region: null, instance: 'www.example.com' },
      { type: 'tse', region: 'ap-guangzhou', instance: 'gateway-1' }
    ]
    const plan = planDeploy(targets, serving)
    expect(plan.serving.map(t => t.instance)).toEqual([
      'www.example.com|on',
      'lb-2|lbl-2',
      'WWW.example.com',
      'gateway-1|gwcert-1'
    ])
    expect(plan.groups.map(g => `${g.type}@${g.region}:${g.targets.map(t => t.instance)}`)).toEqual(
      ['clb@ap-guangzhou:lb-1|lbl-1', 'clb@ap-shanghai:lb-3|lbl-3']
    )
  })
})
