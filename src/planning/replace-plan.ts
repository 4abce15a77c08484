/**
 * Replacement planning, pure: for each superseded certificate, the resources the binding
 * details found on it become the moves of one UpdateCertificateInstance call (its types, and
 * for regional types the regions they were found in, never the user's), limited to the types
 * `replace` lists. Whatever cannot move (an unlisted type, a regional resource without a
 * region, a lookup that listed less than it counted) is left where it is, and the certificate
 * is kept, with the reason.
 */
import { REPLACE_TYPES, UPDATE_REGIONAL } from '../resources/resource-types.js'
import type { BindingDetails, BoundResource } from '../tencent/resources.js'

export interface SupersededCertificate {
  id: string
  /** The certificate its resources move to: the uploaded one (sync) or its newest
   * superseder (prune), either way valid and of its own key algorithm; null in a dry run before
   * the upload. */
  targetId: string | null
}

export interface PlannedMove {
  from: string
  to: string | null
  /** UpdateCertificateInstance.ResourceTypes, in the contract's order; [] when nothing moves. */
  types: string[]
  /** ResourceTypesRegions: every regional type to move, with the regions it was found in. */
  regions: { type: string; regions: string[] }[]
  /** What moves. */
  resources: BoundResource[]
  /** What stays bound to `from`. */
  left: BoundResource[]
  /** Why `from` must be kept after the move; null when every resource found moves. */
  keptBecause: string | null
}

const typeOrder = (type: string): number => {
  const at = (REPLACE_TYPES as readonly string[]).indexOf(type)
  return at < 0 ? REPLACE_TYPES.length : at
}

/** `clb in ap-guangzhou (2), cdn (1)`. */
export function describeResources(resources: readonly BoundResource[]): string {
  const counts = new Map<string, number>()
  for (const r of resources) {
    const key = r.region ? `${r.type} in ${r.region}` : r.type
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([key, n]) => `${key} (${n})`).join(', ')
}

export function planReplace(
  certificates: readonly SupersededCertificate[],
  details: ReadonlyMap<string, BindingDetails>,
  scope: 'all' | readonly string[]
): PlannedMove[] {
  return certificates.map(({ id, targetId }) => {
    const found = details.get(id)
    const plan: PlannedMove = {
      from: id,
      to: targetId,
      types: [],
      regions: [],
      resources: [],
      left: [],
      keptBecause: null
    }
    if (found === undefined) return { ...plan, keptBecause: 'its binding details are unknown' }
    const reasons: string[] = []
    const listed = (type: string) => scope === 'all' || scope.includes(type)
    const unmovable = found.resources.filter(
      r => !(REPLACE_TYPES as readonly string[]).includes(r.type)
    )
    const noRegion = found.resources.filter(r => UPDATE_REGIONAL.has(r.type) && !r.region)
    for (const r of found.resources) {
      const moves = !unmovable.includes(r) && !noRegion.includes(r) && listed(r.type)
      ;(moves ? plan.resources : plan.left).push(r)
    }
    const unlisted = plan.left.filter(r => !unmovable.includes(r) && !noRegion.includes(r))
    if (unlisted.length > 0)
      reasons.push(`still bound to ${describeResources(unlisted)}, which replace does not list`)
    if (unmovable.length > 0)
      reasons.push(`bound to ${describeResources(unmovable)}, which cannot be moved`)
    if (noRegion.length > 0)
      reasons.push(`bound to ${describeResources(noRegion)} in no known region`)
    if (found.problems.length > 0)
      reasons.push(`the binding details are incomplete (${found.problems.join('; ')})`)
    plan.types = [...new Set(plan.resources.map(r => r.type))].sort(
      (a, b) => typeOrder(a) - typeOrder(b)
    )
    plan.regions = plan.types
      .filter(type => UPDATE_REGIONAL.has(type))
      .map(type => ({
        type,
        regions: [
          ...new Set(plan.resources.filter(r => r.type === type).map(r => r.region as string))
        ].sort()
      }))
    plan.keptBecause = reasons.length > 0 ? reasons.join('; ') : null
    return plan
  })
}
