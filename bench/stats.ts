/** Small numeric and formatting helpers for the benchmark's figures. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const min = (values: number[]): number => Math.min(...values)
export const max = (values: number[]): number => Math.max(...values)

/** 1 MB = 1,000,000 bytes, as bench-notes.md counts. */
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`
export const kb = (bytes: number): string => `${(bytes / 1e3).toFixed(1)} kB`
export const bytesAnd = (bytes: number): string => `${bytes.toLocaleString('en-US')} (${mb(bytes)})`
export const ms = (value: number): string => `${value.toFixed(0)} ms`
export const seconds = (valueMs: number): string => `${(valueMs / 1000).toFixed(2)} s`
export const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`
export const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '—')
export const percent = (value: number): string => `${(value * 100).toFixed(1)} %`
