/**
 * Deployment planning, pure: the `deploy-to` targets minus those already serving the
 * certificate (left alone, reported `unchanged`), grouped into DeployCertificateInstance calls:
 * one per type and region, since a call carries one common Region.
 */
import type { DeployTarget } from '../settings/deploy-targets.js'
import { canonicalInstance, resourceKey } from '../resources/resource-types.js'
import type { BoundResource } from '../tencent/resources.js'

export interface DeployGroup {
  type: string
  region: string | null
  targets: DeployTarget[]
}

export interface DeployPlan {
  /** Calls to make, in the order the targets were given. */
  groups: DeployGroup[]
  /** Targets that already serve the certificate. */
  serving: DeployTarget[]
}

/** The target as a bound resource would name it. */
export function asResource(target: DeployTarget): BoundResource {
  return {
    type: target.type,
    region: target.region,
    instance: canonicalInstance(target.type, target.instance)
  }
}

/** `serving`: the resources the certificate is bound to now ([] for a certificate not
 * uploaded yet). */
export function planDeploy(
  targets: readonly DeployTarget[],
  serving: readonly BoundResource[]
): DeployPlan {
  const bound = new Set(serving.map(resourceKey))
  const plan: DeployPlan = { groups: [], serving: [] }
  for (const target of targets) {
    if (bound.has(resourceKey(asResource(target)))) {
      plan.serving.push(target)
      continue
    }
    let group = plan.groups.find(g => g.type === target.type && g.region === target.region)
    if (!group)
      plan.groups.push((group = { type: target.type, region: target.region, targets: [] }))
    group.targets.push(target)
  }
  return plan
}
