/**
 * `mode: delete`: exactly the ids the workflow named (already validated), whatever their source,
 * domains or project. They are looked up first, read-only, to report their domains and expiry
 * and to tell a wrong id from a certificate; then they go through the same execution as pruning
 * (deletion.ts: binding check, cap, dry run, delete, outcomes).
 */
import { executeDeletion, type DeletionResult, type SkippedEntry } from './deletion.js'
import type { Log } from '../runner/log.js'
import type { PlanEntry } from '../planning/prune-plan.js'
import type { FoundCertificate, SslClient } from '../tencent/client.js'

export interface DeleteIdsOptions {
  /** The `certificate-ids`, already validated; repeats are deleted once. */
  ids: string[]
  maxDeletions: number
  dryRun: boolean
  now: Date
  batchesInFlight?: number
}

export interface DeleteIdsResult extends DeletionResult {
  /** The entries looked up, in the order named. */
  found: PlanEntry[]
  /** Named ids that do not exist in the account: reported, never an error, never deleted. */
  notFound: string[]
}

export const ISSUED_REASON = 'issued or sold by Tencent, not uploaded: this action never deletes it'

export const NOT_FOUND_REASON =
  'no such certificate in the account (already deleted, or a wrong id)'

export async function deleteByIds(
  client: SslClient,
  options: DeleteIdsOptions,
  log: Log
): Promise<DeleteIdsResult> {
  const ids = [...new Set(options.ids)]
  const certificates = await client.findByIds(ids)
  const found: PlanEntry[] = []
  const notFound: string[] = []
  // Purchased and Tencent-issued ones are never deleted: kept back in a dry run as in a real run.
  const issued: SkippedEntry[] = []
  for (const id of ids) {
    const certificate = certificates.get(id)
    if (!certificate) {
      notFound.push(id)
      log.warning(`${id}: ${NOT_FOUND_REASON}; nothing to delete.`)
      continue
    }
    const entry = entryOf(certificate, options.now)
    found.push(entry)
    if (!certificate.uploaded) {
      issued.push({ ...entry, skipReason: ISSUED_REASON })
      log.warning(`Skipped ${id}: ${ISSUED_REASON}.`)
    }
  }
  log.info(`Found ${found.length} of the ${ids.length} certificate(s) named in certificate-ids.`)
  const skip = new Set(issued.map(e => e.id))
  const result = await executeDeletion(
    client,
    found.filter(e => !skip.has(e.id)),
    {
      maxDeletions: options.maxDeletions,
      dryRun: options.dryRun,
      batchesInFlight: options.batchesInFlight
    },
    log
  )
  const named = (e: SkippedEntry) => ids.indexOf(e.id)
  const skipped = [...issued, ...result.skipped].sort((a, b) => named(a) - named(b))
  return { ...result, skipped, found, notFound }
}

function entryOf(certificate: FoundCertificate, now: Date): PlanEntry {
  // An expiry the API does not give stays unknown (an invalid date), never a guess.
  const notAfter = certificate.notAfter ?? new Date(NaN)
  return {
    id: certificate.id,
    domains: certificate.domains,
    notAfter,
    alias: certificate.alias,
    expired: notAfter.getTime() <= now.getTime(),
    reason: 'named in certificate-ids'
  }
}
