/** API 3.0 actions that upload, find and describe certificates (§3.2 – §3.5). */
import type { EmulatorContext } from './context.js'
import {
  gmt8,
  isExpiring,
  isWildcard,
  matchesSearchKey,
  OWNER_UIN,
  statusName,
  statusOf,
  validityMonths
} from './format.js'
import {
  ApiError,
  readBoolean,
  readInteger,
  readIntegerArray,
  readString,
  readStringArray,
  readTags,
  requireString,
  type Params
} from './params.js'
import { CertificateProblem, chainFacts, parseChain, validateUpload, type CertType } from './pem.js'
import { recordFromFacts } from './records.js'
import type { StoredCertificate } from './store.js'

type Fields = Record<string, unknown>

const PROBLEM_CODES: Record<CertificateProblem['kind'], string> = {
  parse: 'FailedOperation.CertificateParseError',
  mismatch: 'FailedOperation.CertificateMismatch',
  chain: 'FailedOperation.CertificateChainError',
  ca: 'FailedOperation.CertificateCaError',
  'missing-key': 'InvalidParameter'
}

function asApiError(error: unknown): unknown {
  return error instanceof CertificateProblem
    ? new ApiError(PROBLEM_CODES[error.kind], error.message)
    : error
}

function readCertType(params: Params, name: string): CertType | undefined {
  const value = readString(params, name)
  if (value === undefined || value === '') return undefined
  if (value !== 'SVR' && value !== 'CA') {
    throw new ApiError('InvalidParameterValue', `${name} must be SVR or CA.`)
  }
  return value
}

export const notFound = (id: string): ApiError =>
  new ApiError('FailedOperation.CertificateNotFound', `Certificate ${id} does not exist.`)

export function uploadCertificate(params: Params, context: EmulatorContext): Fields {
  const chainPem = requireString(params, 'CertificatePublicKey')
  const keyPem = readString(params, 'CertificatePrivateKey')
  const certType = readCertType(params, 'CertificateType') ?? 'SVR'
  const extras = {
    certType,
    keyPem,
    alias: readString(params, 'Alias') ?? '',
    projectId: readInteger(params, 'ProjectId') ?? 0,
    tags: readTags(params, 'Tags') ?? []
  }
  const repeatable = readBoolean(params, 'Repeatable') ?? true
  readString(params, 'CertificateUse')
  let facts
  try {
    const keyPassword = readString(params, 'KeyPassword') || undefined
    facts = validateUpload({ chainPem, keyPem, keyPassword, certType })
  } catch (error) {
    throw asApiError(error)
  }
  if (!repeatable) {
    const existing = context.store.findByFingerprint(facts.fingerprint)
    if (existing) {
      const answerId = context.options.duplicateAnswer === 'CertificateId' ? existing.id : ''
      return { CertificateId: answerId, RepeatCertId: existing.id }
    }
  }
  const [stored] = context.store.insert([recordFromFacts(facts, extras, context.now())])
  return { CertificateId: stored.id, RepeatCertId: '' }
}

export function checkCertificateExist(params: Params, context: EmulatorContext): Fields {
  const chainPem = requireString(params, 'CertificatePublicKey')
  let fingerprint
  try {
    fingerprint = chainFacts(parseChain(chainPem)).fingerprint
  } catch (error) {
    if (!(error instanceof CertificateProblem)) throw error
    throw new ApiError('FailedOperation.InvalidParam', error.message)
  }
  return { RepeatCertId: context.store.findByFingerprint(fingerprint)?.id ?? '' }
}

const MAX_LIMIT = 1000
const DEFAULT_LIMIT = 10

export function describeCertificates(params: Params, context: EmulatorContext): Fields {
  const offset = readInteger(params, 'Offset') ?? 0
  const limit = readInteger(params, 'Limit') || DEFAULT_LIMIT
  if (offset < 0 || limit < 0) {
    throw new ApiError('InvalidParameterValue', 'Offset and Limit must not be negative.')
  }
  const now = context.now()
  const matching = context.store.live().filter(listFilter(params, now))
  const expirationSort = readString(params, 'ExpirationSort')
  if (expirationSort === 'ASC' || expirationSort === 'DESC') {
    const direction = expirationSort === 'ASC' ? 1 : -1
    matching.sort((a, b) => direction * (a.notAfter - b.notAfter))
  }
  const page = matching.slice(offset, offset + Math.min(limit, MAX_LIMIT))
  return { TotalCount: matching.length, Certificates: page.map(r => listItem(r, now)) }
}

/** DescribeCertificates' filters as one predicate; every given filter must hold. */
function listFilter(params: Params, now: number): (record: StoredCertificate) => boolean {
  const filterSource = readString(params, 'FilterSource') || undefined
  if (filterSource !== undefined && filterSource !== 'upload' && filterSource !== 'buy') {
    throw new ApiError('InvalidParameterValue', 'FilterSource must be upload or buy.')
  }
  const certType = readCertType(params, 'CertificateType')
  const searchKey = readString(params, 'SearchKey') || undefined
  const certIds = readStringArray(params, 'CertIds')
  const tags = readTags(params, 'Tags')
  const projectId = readInteger(params, 'ProjectId')
  const uploadedOnly = readInteger(params, 'Upload') === 1
  const statuses = readIntegerArray(params, 'CertificateStatus')
  const deployable = readInteger(params, 'Deployable')
  const expiringOnly = readInteger(params, 'FilterExpiring') === 1
  // The emulator holds no SM2, renewable or pending certificates: these filters match nothing.
  const nothing = ['IsSM', 'Renew', 'IsPendingIssue'].some(name => readInteger(params, name) === 1)
  const tests: ((record: StoredCertificate) => boolean)[] = [
    () => !nothing,
    r => filterSource === undefined || (r.from === 'upload') === (filterSource === 'upload'),
    r => !uploadedOnly || r.from === 'upload',
    r => certType === undefined || r.certType === certType,
    r => searchKey === undefined || matchesSearchKey(r, searchKey),
    r => !certIds?.length || certIds.includes(r.id),
    r => projectId === undefined || r.projectId === projectId,
    r => !tags || tags.every(tag => hasTag(r, tag.TagKey, tag.TagValue)),
    r => !statuses?.length || statuses.includes(statusOf(r, now)),
    r => deployable === undefined || (statusOf(r, now) === 1) === (deployable === 1),
    r => !expiringOnly || isExpiring(r, now)
  ]
  return record => tests.every(test => test(record))
}

const hasTag = (record: StoredCertificate, key: string, value: string): boolean =>
  record.tags.some(tag => tag.TagKey === key && (value === '' || tag.TagValue === value))

export function describeCertificateDetail(params: Params, context: EmulatorContext): Fields {
  const id = requireString(params, 'CertificateId')
  const record = context.store.get(id)
  if (!record) throw notFound(id)
  const item = listItem(record, context.now())
  return {
    ...item,
    // Unlike the list, the detail's SubjectAltName leaves the main domain out (§3.5).
    SubjectAltName: record.domains.slice(1),
    CertificatePublicKey: record.chainPem ?? null,
    CertificatePrivateKey: record.privateKeyPem ?? null,
    CertFingerprint: record.sha1Fingerprint ?? null,
    TypeName: item.PackageTypeName,
    OrderId: null,
    RootCert: null,
    EncryptCert: null,
    EncryptPrivateKey: null,
    DvAuthDetail: null,
    SubmittedData: null
  }
}

/** One `Certificates` item of DescribeCertificates (§3.4). */
function listItem(record: StoredCertificate, now: number): Fields {
  const status = statusOf(record, now)
  const issued = record.from !== 'upload'
  return {
    OwnerUin: OWNER_UIN,
    ProjectId: String(record.projectId),
    From: record.from,
    PackageType: issued ? '2' : null,
    PackageTypeName: issued ? 'TrustAsia DV' : null,
    ProductZhName: issued ? 'TrustAsia DV' : null,
    CertificateType: record.certType,
    Domain: record.domains[0] ?? '',
    Alias: record.alias,
    Status: status,
    StatusName: statusName(status),
    StatusMsg: '',
    VerifyType: issued ? 'DNS' : '',
    VulnerabilityStatus: 'INACTIVE',
    CertBeginTime: gmt8(record.notBefore),
    CertEndTime: gmt8(record.notAfter),
    ValidityPeriod: validityMonths(record),
    InsertTime: gmt8(record.insertTime),
    CertificateId: record.id,
    SubjectAltName: [...record.domains],
    CertSANs: [...record.domains],
    IsVip: false,
    IsWildcard: isWildcard(record),
    IsDv: issued,
    IsVulnerability: false,
    IsSM: false,
    IsIgnore: false,
    IsPackage: false,
    IsExpiring: isExpiring(record, now),
    IsDNSPODResolve: false,
    RenewAble: false,
    Deployable: status === 1,
    AllowDownload: true,
    KeyPasswordCustomFlag: false,
    EncryptAlgorithm: record.encryptAlgorithm ?? null,
    Tags: record.tags.map(tag => ({ ...tag })),
    BoundResource: [],
    HostingStatus: null,
    ProjectInfo: {
      ProjectName: 'Default Project',
      ProjectCreatorUin: 0,
      ProjectCreateTime: '',
      ProjectResume: '',
      OwnerUin: Number(OWNER_UIN),
      ProjectId: String(record.projectId)
    },
    CertificateExtra: {
      DomainNumber: String(record.domains.length),
      OriginCertificateId: null,
      ReplacedBy: null,
      ReplacedFor: null,
      RenewOrder: null,
      SMCert: null,
      CompanyType: 0
    }
  }
}
