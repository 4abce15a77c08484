/**
 * The `list` mode's work: list the whole account once (superseded-by looks at all of it, every
 * source and project), pick the certificates that match the filters, and build the inventory.
 * Only `search-key` needs the API (its matching is Tencent's): it costs a second, filtered
 * listing; the other filters are exact on the listed fields and cost nothing.
 */
import {
  buildInventory,
  certificateOutput,
  expiringIds,
  type CertificateOutput,
  type InventoryEntry
} from './inventory.js'
import type { CertSource, CertType, ListedCertificate, SslClient } from '../tencent/client.js'

export interface InventoryRequest {
  /** `certificate-ids`; empty: any. */
  certificateIds: readonly string[]
  /** `search-key`; empty: none. */
  searchKey: string
  /** `source`. */
  source: CertSource | 'all'
  /** `cert-type` (default SVR); absent: both types are listed. */
  certType?: CertType
  /** `expiring-within`, days. */
  expiringWithinDays: number
  now: Date
}

export interface InventoryResult {
  /** Sorted by expiry, expiring ones first. */
  entries: InventoryEntry[]
  /** The `certificates` output, in the same order. */
  certificates: CertificateOutput[]
  /** The `expiring-ids` output. */
  expiringIds: string[]
  /** Every certificate of the account that could be read. */
  accountSize: number
}

export async function runInventory(
  client: Pick<SslClient, 'listCertificates'>,
  request: InventoryRequest
): Promise<InventoryResult> {
  const source = request.source === 'all' ? undefined : request.source
  const ids = new Set(request.certificateIds)
  const account = await client.listCertificates({})
  const candidates = request.searchKey
    ? await client.listCertificates({
        searchKey: request.searchKey,
        certType: request.certType,
        source,
        ids: [...ids]
      })
    : account
  const matches = (cert: ListedCertificate): boolean =>
    (source === undefined || cert.source === source) &&
    (request.certType === undefined || cert.certType === request.certType) &&
    (ids.size === 0 || ids.has(cert.id))
  const entries = buildInventory(account, candidates.filter(matches), {
    now: request.now,
    expiringWithinDays: request.expiringWithinDays
  })
  return {
    entries,
    certificates: entries.map(certificateOutput),
    expiringIds: expiringIds(entries),
    accountSize: account.length
  }
}
