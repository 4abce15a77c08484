/** Reading the listing fields both API versions share: a certificate's source and project. */
import type { CertSource } from './client.js'

/**
 * `From` (3.0) / `from` (2.0): `upload` for uploads, an issuer (`trustasia`, ...) for certificates
 * Tencent issued or sold. An empty one is what the listing was filtered by, and otherwise `buy`:
 * only a certificate known to be uploaded may ever be pruned.
 */
export function sourceOf(from: unknown, filtered: CertSource | undefined): CertSource {
  if (from === 'upload') return 'upload'
  if (typeof from === 'string' && from !== '') return 'buy'
  return filtered ?? 'buy'
}

/** A project id as either API writes it (a digit string in lists, a number elsewhere). */
export function readProjectId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim())
  return undefined
}
