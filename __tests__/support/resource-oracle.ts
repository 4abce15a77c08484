/**
 * What the resource end-to-end suites read from the emulator as their oracle (never the action's
 * report), and the shape of the `replaced` output they parse.
 */
import type { Emulator } from '../../emulator/server.js'

/** Actions that change a resource or a certificate: a dry run calls none of them. */
export const CHANGING = [
  'UploadCertificate',
  'DeleteCertificates',
  'DeleteCertificate',
  'UpdateCertificateInstance',
  'UpdateCertificateRecordRetry',
  'UpdateCertificateRecordRollback',
  'DeployCertificateInstance'
]

/** One entry of the `replaced` output. */
export interface Replaced {
  from: string | null
  to: string | null
  type: string
  region: string | null
  instance: string
  status: string
  error: string | null
}

/** Which certificate each resource serves now, by `type instance`. */
export const servingOf = (emulator: Emulator): Record<string, string | null> =>
  Object.fromEntries(emulator.resources.all().map(r => [`${r.type} ${r.instance}`, r.certId]))

/** The ids of the certificates not deleted. */
export const liveOf = (emulator: Emulator): string[] =>
  emulator
    .certificates()
    .filter(c => !c.deleted)
    .map(c => c.id)

export const parseJson = <T>(json: string | undefined): T => JSON.parse(json ?? 'null') as T
