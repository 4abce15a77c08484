/**
 * `mode: delete`: exactly the ids the workflow named (already validated), whatever their source,
 * domains or project. They are looked up first, read-only, to report their domains and expiry
 * and to tell a wrong id from a certificate; then they go through the same execution as pruning
 * (deletion.ts: binding check, cap, dry run, delete, outcomes).
 */
import { executeDeletion, type BoundHook, type DeletionResult } from './deletion.js'
import type { Log } from '../runner/log.js'
import type { PlanEntry } from '../planning/prune-plan.js'
import type { FoundCertificate, SslClient } from '../tencent/client.js'

export interface DeleteIdsOptions {
  /** The `certificate-ids`, already validated; repeats are deleted once. */
  ids: string[]
  maxDeletions: number
  dryRun: boolean
  now: Date
  onBound?: BoundHook
  batchesInFlight?: number
}

export interface DeleteIdsResult extends DeletionResult {
  /** The entries looked up, in the order named. */
  found: PlanEntry[]
  /** Named ids that do not exist in the account: reported, never an error, never deleted. */
  notFound: string[]
}

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
  for (const id of ids) {
    const certificate = certificates.get(id)
    if (certificate) found.push(entryOf(certificate, options.now))
    else {
      notFound.push(id)
      log.warning(`${id}: ${NOT_FOUND_REASON}; nothing to delete.`)
    }
    if (certificate && !certificate.uploaded)
      log.info(`${id} was issued by Tencent, not uploaded: Tencent may refuse to delete it.`)
  }
  log.info(`Found ${found.length} of the ${ids.length} certificate(s) named in certificate-ids.`)
  const result = await executeDeletion(
    client,
    found,
    {
      maxDeletions: options.maxDeletions,
      dryRun: options.dryRun,
      onBound: options.onBound,
      batchesInFlight: options.batchesInFlight
    },
    log
  )
  return { ...result, found, notFound }
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
