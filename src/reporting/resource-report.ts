/**
 * What the resource stages report, pure: the `replaced` output's entries, the resources that
 * did not move or deploy (for the log and the step's one failure message), and the rows of the
 * job summary's Resources table.
 */
import type { ReplacedStatus } from '../planning/replace-machine.js'

/** One object of the `replaced` output (contract). */
export interface ReplacedEntry {
  from: string | null
  to: string | null
  type: string
  region: string | null
  instance: string
  status: ReplacedStatus | 'planned'
  error: string | null
}

/** A resource that did not move, for the log, the summary and the step's failure message. */
export interface ResourceFailure {
  certificateId: string
  type: string
  region: string | null
  instance: string
  message: string
  requestId: string
}

export function describeFailure(f: ResourceFailure): string {
  const where = f.region ? `${f.type} ${f.instance} in ${f.region}` : `${f.type} ${f.instance}`
  const rid = f.requestId ? ` (RequestId ${f.requestId})` : ''
  return `${where} of certificate ${f.certificateId}: ${f.message}${rid}`
}

/** The step's one failure message for resources that did not move or deploy, the first `shown`
 * named one by one. */
export function resourceFailureMessage(
  failures: readonly ResourceFailure[],
  verb = 'move',
  shown = 10
): string {
  const details = failures.slice(0, shown).map(describeFailure)
  const more = failures.length - details.length
  if (more > 0) details.push(`and ${more} more (listed in the log and the job summary)`)
  return `${failures.length} resource(s) did not ${verb}: ${details.join('; ')}`
}

/** The Resources table of the job summary: type, region, instance, from, to, status, error. */
export const RESOURCE_COLUMNS = ['Type', 'Region', 'Instance', 'From', 'To', 'Status', 'Error']

export function resourceRows(entries: readonly ReplacedEntry[]): string[][] {
  return entries.map(e => [
    e.type,
    e.region ?? '—',
    e.instance,
    e.from ?? '—',
    e.to ?? '—',
    e.status,
    e.error ?? ''
  ])
}
