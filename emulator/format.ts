/** Presentation shared by both APIs: Tencent's times, statuses and matching rules. */
import type { StoredCertificate } from './store.js'

const GMT8_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** Account owner the emulator pretends to be. */
export const OWNER_UIN = '100000000001'

/** `YYYY-MM-DD HH:mm:ss` in GMT+8, as every time in both APIs is written. */
export function gmt8(ms: number): string {
  return new Date(ms + GMT8_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

export const isExpired = (record: StoredCertificate, now: number): boolean => record.notAfter <= now

/** 1 issued / approved, 3 expired (the statuses an uploaded certificate can have). */
export const statusOf = (record: StoredCertificate, now: number): number =>
  isExpired(record, now) ? 3 : 1

export const statusName = (status: number): string => (status === 3 ? '已过期' : '已通过')

/** Within 30 days of expiry, not yet expired. */
export const isExpiring = (record: StoredCertificate, now: number): boolean =>
  !isExpired(record, now) && record.notAfter - now <= 30 * DAY_MS

/** Validity in whole months, as a string (Tencent's ValidityPeriod). */
export const validityMonths = (record: StoredCertificate): string =>
  String(Math.max(0, Math.round((record.notAfter - record.notBefore) / (30 * DAY_MS))))

export const isWildcard = (record: StoredCertificate): boolean =>
  record.domains.some(domain => domain.startsWith('*.'))

/** Case-insensitive substring match on the id, the alias or any domain. */
export function matchesSearchKey(record: StoredCertificate, searchKey: string): boolean {
  const needle = searchKey.toLowerCase()
  return [record.id, record.alias, ...record.domains].some(text =>
    text.toLowerCase().includes(needle)
  )
}

/** Whether the certificate can serve `domain`: an exact name or a one-label wildcard. */
export function coversDomain(record: StoredCertificate, domain: string): boolean {
  const wanted = domain.toLowerCase()
  return record.domains.some(name => {
    const own = name.toLowerCase()
    if (own === wanted) return true
    const dot = wanted.indexOf('.')
    return own.startsWith('*.') && dot > 0 && wanted.slice(dot + 1) === own.slice(2)
  })
}
