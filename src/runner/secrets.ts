/** Masking, before anything is logged (promise 5). */
export type SetSecret = (value: string) => void

/** Masks a value and, for multi-line values such as a PEM key, every line of it too. */
export function maskSecret(value: string, setSecret: SetSecret): void {
  if (value.trim() === '') return
  setSecret(value)
  for (const line of value.split(/\r?\n/)) {
    if (line.trim() !== '' && line !== value) setSecret(line.trim())
  }
}
