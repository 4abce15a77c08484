/**
 * The state file: every certificate record, written atomically after each change. Private keys
 * are never written, only whether there was one and its SHA-256, so a leaked state file leaks
 * nothing that signs.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { ResourceSeed } from './resources.js'
import type { StoredCertificate } from './store.js'

interface PersistedCertificate {
  id: string
  domains: string[]
  notBefore: string
  notAfter: string
  insertTime: string
  certType: StoredCertificate['certType']
  from: string
  alias: string
  projectId: number
  tags: StoredCertificate['tags']
  fingerprint: string
  sha1Fingerprint?: string
  encryptAlgorithm?: string | null
  chainPem?: string
  privateKeySha256?: string
  boundTo: string[]
  deleted: boolean
}

interface StateFile {
  version: 1
  certificates: PersistedCertificate[]
  /** Cloud resources and the certificate each serves (optional: older files have none). */
  resources?: ResourceSeed[]
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** An allow-list of fields, so a field added to the record later is not persisted by accident. */
function persisted(record: StoredCertificate): PersistedCertificate {
  return {
    id: record.id,
    domains: record.domains,
    notBefore: iso(record.notBefore),
    notAfter: iso(record.notAfter),
    insertTime: iso(record.insertTime),
    certType: record.certType,
    from: record.from,
    alias: record.alias,
    projectId: record.projectId,
    tags: record.tags,
    fingerprint: record.fingerprint,
    sha1Fingerprint: record.sha1Fingerprint,
    encryptAlgorithm: record.encryptAlgorithm,
    chainPem: record.chainPem,
    privateKeySha256: record.privateKeySha256,
    boundTo: record.boundTo,
    deleted: record.deleted
  }
}

export function saveState(
  file: string,
  records: StoredCertificate[],
  resources: ResourceSeed[] = []
): void {
  const state: StateFile = { version: 1, certificates: records.map(persisted), resources }
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(state, null, 1) + '\n', { mode: 0o600 })
  renameSync(temporary, file)
}

/** The records of an existing state file; [] when there is none yet. Throws on a damaged file. */
export function loadState(file: string): StoredCertificate[] {
  if (!existsSync(file)) return []
  let state: StateFile
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as StateFile
  } catch (error) {
    throw new Error(`state file ${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error
    })
  }
  if (state?.version !== 1 || !Array.isArray(state.certificates)) {
    throw new Error(`state file ${file} is not an emulator state file (version 1)`)
  }
  return state.certificates.map((record, index) => {
    const times = [record.notBefore, record.notAfter, record.insertTime].map(Date.parse)
    if (typeof record.id !== 'string' || !Array.isArray(record.domains) || times.some(isNaN)) {
      throw new Error(`state file ${file}: certificate ${index + 1} is incomplete`)
    }
    const [notBefore, notAfter, insertTime] = times
    return {
      ...record,
      notBefore,
      notAfter,
      insertTime,
      tags: record.tags ?? [],
      boundTo: record.boundTo ?? [],
      deleted: record.deleted === true
    }
  })
}

/** The resources of an existing state file, as seeds; [] when there is none or it has none. */
export function loadResourceSeeds(file: string): ResourceSeed[] {
  if (!existsSync(file)) return []
  const state = JSON.parse(readFileSync(file, 'utf8')) as StateFile
  return Array.isArray(state.resources) ? state.resources : []
}
