/**
 * `mute-superseded`: Tencent's expiry reminders turned off (`ModifyCertificatesExpiringNotification
 * Switch`, `SwitchStatus` 1; at most 50 ids a call, as the SDK's model says) for the superseded
 * certificates a prune keeps: still bound, kept by `keep` or `expired-only`, held by `min-age`,
 * or over the cap. Never the new certificate, never one the run deleted or may have deleted (a
 * failed deletion), nothing in a dry run. API 3.0 only: 2.0 has no such action (refused by the
 * settings). A refused call is a warning: the reminders then simply go on.
 */
import type { PruneResult } from '../deletion/prune.js'
import type { PlanEntry } from '../planning/prune-plan.js'
import type { Log } from '../runner/log.js'
import type { ClientOptions } from '../tencent/client.js'
import { errorMessage } from '../tencent/errors.js'
import { chunks } from '../tencent/read.js'
import { sslTransport } from '../tencent/v3.js'

/** The SDK's model: "证书ID列表。最多50个". */
export const MUTE_BATCH = 50

/** The ids to mute, in plan order: superseded, kept, and certainly still there. */
export function supersededKept(result: PruneResult, newCertificateId?: string): string[] {
  const gone = new Set([
    ...result.deleted.map(e => e.id),
    ...result.failed.map(f => f.entry.id),
    ...(newCertificateId ? [newCertificateId] : [])
  ])
  // Only what a newer certificate supersedes: with keep 0 a bound certificate nothing replaces is
  // skipped too, and its reminders are the team's only warning before it lapses.
  const superseded = (e: PlanEntry): boolean =>
    e.supersededBy !== undefined || e.supersededByNew === true
  const kept = [...result.plan.keep, ...result.skipped, ...(result.refused?.planned ?? [])]
  return [...new Set(kept.filter(superseded).map(e => e.id))].filter(id => !gone.has(id))
}

export async function muteReminders(
  options: ClientOptions,
  ids: string[],
  dryRun: boolean,
  log: Log
): Promise<string[]> {
  if (ids.length === 0) return []
  if (dryRun) {
    log.info(`Dry run: would turn off the expiry reminders of ${ids.join(', ')}.`)
    return []
  }
  const transport = sslTransport(options, {})
  const muted: string[] = []
  for (const batch of chunks(ids, MUTE_BATCH)) {
    try {
      await transport.call(
        'ModifyCertificatesExpiringNotificationSwitch',
        { CertificateIds: batch, SwitchStatus: 1 },
        { subject: `certificates ${batch.join(', ')}` }
      )
      muted.push(...batch)
    } catch (error) {
      log.warning(
        `Could not turn off the expiry reminders of ${batch.join(', ')}: ${errorMessage(error)}. ` +
          'Tencent keeps sending them.'
      )
    }
  }
  if (muted.length > 0)
    log.info(`Turned off the expiry reminders of superseded ${muted.join(', ')}.`)
  return muted
}
