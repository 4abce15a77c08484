/**
 * `min-age`: a grace period before a superseded certificate is deleted. The input's parser, and
 * the pure step over a prune plan: a certificate younger than `min-age` (by Tencent's
 * `InsertTime`; the one this run uploaded is 0 old; one whose time is unknown counts as young)
 * supersedes nothing yet for deletion. Moves are not delayed: the held certificates stay in the
 * plan's `keep` with their superseder, where `replace` finds them.
 */
import { InputError } from '../settings/input-error.js'
import type { PlanEntry, PlanOptions, PrunePlan } from '../planning/prune-plan.js'
import { SupersederIndex, toSupersedable } from '../planning/superseded.js'
import type { ListedCertificate } from '../tencent/client.js'

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `90m`, `12h`, `2d`, `45s` or whole seconds; 0 (the default) turns the guard off. */
export function parseMinAge(raw: string): number {
  const value = raw.trim()
  if (value === '') return 0
  const match = /^(\d{1,9})([smhd]?)$/.exec(value)
  if (!match)
    throw new InputError(
      'min-age',
      `must be a duration such as 90m, 12h or 2d, or whole seconds; got '${raw}'`
    )
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']
}

/** `90m`, `12h`, `2d` for a log line. */
export function formatAge(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds >= 3600) return `${Math.round(seconds / 360) / 10}h`
  if (seconds >= 60) return `${Math.round(seconds / 60)}m`
  return `${Math.max(0, Math.round(seconds))}s`
}

export interface MinAgeOptions {
  minAgeSeconds: number
  /** `sync`: the certificate was uploaded by this run (0 old), not reused. */
  uploadedNow: boolean
}

export interface HeldPlan {
  /** The plan to execute: the held entries moved from `delete` to `keep`. */
  plan: PrunePlan
  /** Entries kept for min-age, with the reason in `reason`. */
  held: PlanEntry[]
}

/**
 * The plan that waits out `min-age`: a planned deletion of a superseded certificate stays only if
 * at least `keep` (at least one) of its superseders are `min-age` old: the same pool as the
 * planner's (uploaded certificates of the type and project, and the new certificate), without
 * the young ones. A deletion that relies on no superseder (`keep` 0) is not delayed.
 */
export function holdForMinAge(
  plan: PrunePlan,
  listed: readonly ListedCertificate[],
  planOptions: PlanOptions,
  options: MinAgeOptions
): HeldPlan {
  if (options.minAgeSeconds <= 0 || plan.delete.length === 0) return { plan, held: [] }
  const now = planOptions.now.getTime()
  const { newCertificate, certType, projectId } = planOptions
  const byId = new Map(listed.map(c => [c.id, c]))
  const ageOf = (id: string): number => {
    if (id === newCertificate?.id && options.uploadedNow) return 0
    const inserted = byId.get(id)?.insertedAt?.getTime()
    return inserted === undefined || Number.isNaN(inserted) ? 0 : (now - inserted) / 1000
  }
  const aged = (id: string): boolean => ageOf(id) >= options.minAgeSeconds
  const pool = [...byId.values()]
    .filter(c => c.source === 'upload' && c.certType === certType && c.projectId === projectId)
    .filter(c => c.id !== newCertificate?.id && aged(c.id))
    .map(c => toSupersedable(c))
  if (newCertificate && aged(newCertificate.id))
    pool.push(toSupersedable({ ...newCertificate, certType }, true))
  const index = new SupersederIndex(pool)
  const needed = Math.max(planOptions.keep, 1)

  const minAge = formatAge(options.minAgeSeconds)
  const held: PlanEntry[] = []
  const kept: PlanEntry[] = []
  for (const entry of plan.delete) {
    const cert = byId.get(entry.id)
    const waits =
      entry.supersededBy !== undefined &&
      cert !== undefined &&
      index.find(toSupersedable(cert), now, needed).length < needed
    if (!waits) {
      kept.push(entry)
      continue
    }
    const by = entry.supersededBy as string
    held.push({
      ...entry,
      reason:
        `min-age ${minAge}: ${by}, which supersedes it, has been in the account ` +
        `${formatAge(ageOf(by))}; a later run deletes it`
    })
  }
  return { plan: { ...plan, delete: kept, keep: [...plan.keep, ...held] }, held }
}
