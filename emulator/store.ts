/**
 * The one certificate store both APIs share. Deleted certificates stay as tombstones so tests
 * can see what was deleted; the APIs never show them.
 */
import { randomInt } from 'node:crypto'
import type { CertType } from './pem.js'

/** Tencent's wire shape for a tag. */
export interface Tag {
  TagKey: string
  TagValue: string
}

export interface StoredCertificate {
  id: string
  /** Main domain first. */
  domains: string[]
  /** Milliseconds since the epoch. */
  notBefore: number
  notAfter: number
  insertTime: number
  certType: CertType
  /** `upload` for uploads; anything else (`trustasia`, ...) was issued by Tencent. */
  from: string
  alias: string
  projectId: number
  tags: Tag[]
  /** SHA-256 of the leaf's DER, lower-case hex. */
  fingerprint: string
  sha1Fingerprint?: string
  /** Tencent's wording (`RSA 2048`, `ECC 256`); null: the list says nothing. */
  encryptAlgorithm?: string | null
  /** Absent for metadata-only records. */
  chainPem?: string
  /** Held in memory only: the state file keeps privateKeySha256 instead. */
  privateKeyPem?: string
  privateKeySha256?: string
  /** Resource types (`cdn`, `clb`, ...) the certificate is deployed to. */
  boundTo: string[]
  /** ModifyCertificatesExpiringNotificationSwitch set SwitchStatus 1 (memory only). */
  remindersOff?: boolean
  deleted: boolean
}

export type NewCertificate = Omit<StoredCertificate, 'id' | 'deleted' | 'boundTo'> & {
  id?: string
  boundTo?: string[]
}

/** Why a certificate may not be deleted, in the order Tencent checks. */
export type DeletionBlocker = 'not-found' | 'issued' | 'bound'

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Tencent-style id: 8 random alphanumerics. */
export function randomId(length = 8): string {
  let id = ''
  for (let i = 0; i < length; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)]
  return id
}

export class CertificateStore {
  private readonly byId = new Map<string, StoredCertificate>()
  /** Insertion order; the listing sorts by insertTime and breaks ties with it. */
  private readonly order: StoredCertificate[] = []

  private batchDepth = 0
  private changedInBatch = false

  /** @param onChange called after every change (the state file is rewritten there). */
  constructor(private readonly onChange: () => void = () => undefined) {}

  /**
   * Runs `work` with change notifications held back and sends at most one at the end, so a
   * request deleting 100 certificates rewrites the state file once, before it is answered.
   */
  batch<T>(work: () => T): T {
    this.batchDepth++
    try {
      return work()
    } finally {
      this.batchDepth--
      if (this.batchDepth === 0 && this.changedInBatch) {
        this.changedInBatch = false
        this.onChange()
      }
    }
  }

  private changed(): void {
    if (this.batchDepth > 0) this.changedInBatch = true
    else this.onChange()
  }

  insert(records: NewCertificate[]): StoredCertificate[] {
    const ids = new Set<string>()
    for (const record of records) {
      if (record.id === undefined) continue
      if (this.byId.has(record.id) || ids.has(record.id)) {
        throw new RangeError(`certificate id ${record.id} already exists`)
      }
      ids.add(record.id)
    }
    const added = records.map(record => {
      let id = record.id
      while (id === undefined || this.byId.has(id) || (record.id === undefined && ids.has(id))) {
        id = randomId()
      }
      const stored: StoredCertificate = {
        ...record,
        id,
        boundTo: [...(record.boundTo ?? [])],
        deleted: false
      }
      this.byId.set(id, stored)
      this.order.push(stored)
      return stored
    })
    if (added.length > 0) this.changed()
    return added
  }

  /** Restores records from the state file as they were (deleted ones included). */
  restore(records: StoredCertificate[]): void {
    for (const record of records) {
      this.byId.set(record.id, record)
      this.order.push(record)
    }
  }

  /** A certificate the APIs can see. */
  get(id: string): StoredCertificate | undefined {
    const found = this.byId.get(id)
    return found && !found.deleted ? found : undefined
  }

  /** Every record, tombstones included, oldest first. */
  all(): StoredCertificate[] {
    return [...this.order]
  }

  /** What the APIs list: live certificates, newest insert first. */
  live(): StoredCertificate[] {
    const positions = new Map(this.order.map((record, index) => [record, index]))
    return this.order
      .filter(record => !record.deleted)
      .sort(
        (a, b) =>
          b.insertTime - a.insertTime || (positions.get(b) as number) - (positions.get(a) as number)
      )
  }

  /** The newest live certificate whose leaf has this SHA-256 fingerprint. */
  findByFingerprint(fingerprint: string): StoredCertificate | undefined {
    return this.live().find(record => record.fingerprint === fingerprint)
  }

  deletionBlocker(id: string): DeletionBlocker | undefined {
    const record = this.get(id)
    if (!record) return 'not-found'
    if (record.from !== 'upload') return 'issued'
    if (record.boundTo.length > 0) return 'bound'
    return undefined
  }

  /** Deletes unless something blocks it; returns the blocker, if any. */
  delete(id: string): DeletionBlocker | undefined {
    const blocker = this.deletionBlocker(id)
    if (blocker) return blocker
    ;(this.byId.get(id) as StoredCertificate).deleted = true
    this.changed()
    return undefined
  }

  /** Deletes whatever blocks it (another client with other rights); false when not there. */
  deleteAnyway(id: string): boolean {
    const record = this.get(id)
    if (!record) return false
    record.deleted = true
    this.changed()
    return true
  }

  bind(id: string, resourceType: string): void {
    const record = this.mustGet(id)
    const type = resourceType.toLowerCase()
    if (!record.boundTo.includes(type)) record.boundTo.push(type)
    this.changed()
  }

  /** Removes one binding, or all of them when no type is given. */
  unbind(id: string, resourceType?: string): void {
    const record = this.mustGet(id)
    const type = resourceType?.toLowerCase()
    record.boundTo = type === undefined ? [] : record.boundTo.filter(t => t !== type)
    this.changed()
  }

  clear(): void {
    this.byId.clear()
    this.order.length = 0
    this.changed()
  }

  private mustGet(id: string): StoredCertificate {
    const record = this.get(id)
    if (!record) throw new RangeError(`no certificate with id ${id}`)
    return record
  }
}
