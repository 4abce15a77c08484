/**
 * Times as Tencent's SSL APIs write them: `YYYY-MM-DD HH:mm:ss` in China Standard Time (GMT+8),
 * both in 3.0 (`CertEndTime`, `InsertTime`) and 2.0 (`certEndTime`, `insertTime`). ISO 8601 with
 * an explicit offset is accepted too, in case an account or a future version answers that way.
 */

const CHINA_OFFSET_MINUTES = 8 * 60

const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s*(Z|[+-]\d{2}:?\d{2}))?$/i

/** The instant, or undefined for anything that is not an exact, valid date and time. */
export function parseTencentTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined
  const match = TIME_PATTERN.exec(value.trim())
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)
  const millis = match[7] ? Number(`0.${match[7]}`) * 1000 : 0
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(millis))
  // Date.UTC rolls 2026-02-30 over into March: refuse instead of guessing.
  const check = new Date(wallClock)
  if (check.getUTCFullYear() !== year || check.getUTCDate() !== day) return undefined
  const offset = match[8] === undefined ? CHINA_OFFSET_MINUTES : offsetMinutes(match[8])
  if (offset === undefined) return undefined
  return new Date(wallClock - offset * 60_000)
}

function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2))
  if (hours > 14 || minutes > 59) return undefined
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}
