/**
 * Building store records: from an upload, from a seed (metadata only, or full PEM), and the
 * snapshot tests read back.
 */
import { randomBytes } from 'node:crypto'
import {
  CertificateProblem,
  chainFacts,
  parseChain,
  parsePrivateKey,
  sha256Hex,
  type CertType,
  type ChainFacts
} from './pem.js'
import type { NewCertificate, StoredCertificate, Tag } from './store.js'

export type DateLike = Date | string | number

interface SeedCommon {
  id?: string
  alias?: string
  /** `upload` (default) or an issuer such as `trustasia`: issued by Tencent, never deletable. */
  from?: string
  certType?: CertType
  insertTime?: DateLike
  projectId?: number
  tags?: Tag[]
  /** Resource types the certificate is deployed to, e.g. ['cdn']. */
  boundTo?: string[]
}

/** A certificate without PEM: enough to list, page, filter and delete thousands quickly. */
export interface MetadataSeed extends SeedCommon {
  domains: string[]
  notAfter: DateLike
  /** Default: 90 days before notAfter. */
  notBefore?: DateLike
  /** Default: random, so it never matches an upload. */
  fingerprint?: string
  /** DescribeCertificates' `EncryptAlgorithm`, e.g. `RSA 2048`, `ECC 256`, `SM2`, or null (not
   * said). Default `ECC 256`, the key of the test fixtures' chains. */
  encryptAlgorithm?: string | null
}

/** A real certificate chain (leaf first), optionally with its key (kept in memory only). */
export interface PemSeed extends SeedCommon {
  certificatePem: string
  privateKeyPem?: string
}

export type SeedRecord = MetadataSeed | PemSeed

export interface CertificateSnapshot {
  id: string
  domains: string[]
  notBefore: Date
  notAfter: Date
  insertTime: Date
  from: string
  certType: CertType
  alias: string
  fingerprint: string
  projectId: number
  tags: Tag[]
  boundTo: string[]
  /** Expiry reminders turned off (ModifyCertificatesExpiringNotificationSwitch, 1). */
  remindersOff?: boolean
  hasPem: boolean
  hasPrivateKey: boolean
  deleted: boolean
}

export interface UploadExtras {
  certType: CertType
  alias: string
  projectId: number
  tags: Tag[]
  keyPem?: string
  from?: string
}

export function recordFromFacts(
  facts: ChainFacts,
  extras: UploadExtras,
  now: number
): NewCertificate {
  const keyPem = extras.keyPem?.trim() ? extras.keyPem : undefined
  return {
    domains: facts.domains,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    insertTime: now,
    certType: extras.certType,
    from: extras.from ?? 'upload',
    alias: extras.alias,
    projectId: extras.projectId,
    tags: extras.tags,
    fingerprint: facts.fingerprint,
    sha1Fingerprint: facts.sha1Fingerprint,
    encryptAlgorithm: facts.encryptAlgorithm,
    chainPem: facts.chainPem,
    privateKeyPem: keyPem,
    privateKeySha256: keyPem === undefined ? undefined : sha256Hex(keyPem)
  }
}

function toMs(value: DateLike | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const ms = value instanceof Date ? value.getTime() : new Date(value).getTime()
  if (Number.isNaN(ms)) throw new TypeError(`seed ${name} is not a date: ${String(value)}`)
  return ms
}

const DAY_MS = 86_400_000

/** A store record from a seed; throws TypeError on a seed that makes no sense. */
export function recordFromSeed(seed: SeedRecord, now: number): NewCertificate {
  if (typeof seed !== 'object' || seed === null) throw new TypeError('a seed is an object')
  const certType = seed.certType ?? 'SVR'
  if (certType !== 'SVR' && certType !== 'CA') throw new TypeError("seed certType is 'SVR' or 'CA'")
  const common = {
    id: seed.id,
    insertTime: toMs(seed.insertTime, 'insertTime') ?? now,
    boundTo: (seed.boundTo ?? []).map(type => type.toLowerCase())
  }
  const extras: UploadExtras = {
    certType,
    alias: seed.alias ?? '',
    projectId: seed.projectId ?? 0,
    tags: seed.tags ?? [],
    from: seed.from ?? 'upload'
  }
  if ('certificatePem' in seed) {
    const facts = pemSeedFacts(seed)
    return {
      ...recordFromFacts(facts, { ...extras, keyPem: seed.privateKeyPem }, now),
      ...common
    }
  }
  if (!Array.isArray(seed.domains) || seed.domains.length === 0) {
    throw new TypeError('a metadata seed needs domains (non-empty) and notAfter')
  }
  const notAfter = toMs(seed.notAfter, 'notAfter')
  if (notAfter === undefined) throw new TypeError('a metadata seed needs notAfter')
  return {
    ...common,
    domains: [...seed.domains],
    notAfter,
    // A 90-day certificate, already valid: a seed far in the future is not one that is not
    // valid yet unless it says so.
    notBefore: toMs(seed.notBefore, 'notBefore') ?? Math.min(notAfter - 90 * DAY_MS, now - DAY_MS),
    certType,
    from: extras.from as string,
    alias: extras.alias,
    projectId: extras.projectId,
    tags: extras.tags,
    fingerprint: seed.fingerprint?.toLowerCase() ?? randomBytes(32).toString('hex'),
    encryptAlgorithm: seed.encryptAlgorithm === undefined ? 'ECC 256' : seed.encryptAlgorithm
  }
}

function pemSeedFacts(seed: PemSeed): ChainFacts {
  try {
    const chain = parseChain(seed.certificatePem)
    if (seed.privateKeyPem && !chain[0].checkPrivateKey(parsePrivateKey(seed.privateKeyPem))) {
      throw new CertificateProblem('mismatch', 'the private key does not match the certificate')
    }
    return chainFacts(chain)
  } catch (error) {
    if (error instanceof CertificateProblem) {
      throw new TypeError(`seed: ${error.message}`, { cause: error })
    }
    throw error
  }
}

export function snapshotOf(record: StoredCertificate): CertificateSnapshot {
  return {
    id: record.id,
    domains: [...record.domains],
    notBefore: new Date(record.notBefore),
    notAfter: new Date(record.notAfter),
    insertTime: new Date(record.insertTime),
    from: record.from,
    certType: record.certType,
    alias: record.alias,
    fingerprint: record.fingerprint,
    projectId: record.projectId,
    tags: record.tags.map(tag => ({ ...tag })),
    boundTo: [...record.boundTo],
    remindersOff: record.remindersOff === true,
    hasPem: record.chainPem !== undefined,
    hasPrivateKey: record.privateKeySha256 !== undefined,
    deleted: record.deleted
  }
}
