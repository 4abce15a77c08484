/**
 * The legacy API 2.0 (`/v2/index.php`): GET query or form POST, HmacSHA1/HmacSHA256
 * signature, `{code, message, codeDesc, data}` answers with Tencent's numeric codes (§1.4, §1.5).
 */
import { verifyV2, type V2Request } from './auth.js'
import type { EmulatorContext } from './context.js'
import {
  coversDomain,
  gmt8,
  isWildcard,
  matchesSearchKey,
  OWNER_UIN,
  statusName,
  statusOf,
  validityMonths
} from './format.js'
import { CertificateProblem, validateUpload, type CertType } from './pem.js'
import { recordFromFacts } from './records.js'
import { standInPem } from './stand-in-pem.js'
import type { StoredCertificate } from './store.js'

export const V2_PATH = '/v2/index.php'

export type V2Result =
  { ok: true; data: unknown } | { ok: false; code: number; codeDesc: string; message: string }

class V2Error extends Error {
  constructor(
    readonly code: number,
    readonly codeDesc: string,
    message: string
  ) {
    super(message)
  }
}

const invalid = (message: string): V2Error => new V2Error(4000, 'InvalidParameter', message)

/** Query parameters, overridden by those of a form body. */
export function v2Params(rawQuery: string, body: Buffer): Record<string, string> {
  const params: Record<string, string> = {}
  for (const source of [rawQuery, body.toString('utf8')]) {
    for (const [name, value] of new URLSearchParams(source)) params[name] = value
  }
  return params
}

export const v2Throttled = (): V2Result => ({
  ok: false,
  code: 4400,
  codeDesc: 'RequestLimitExceeded',
  message: 'request frequency limit exceeded'
})

export const v2InternalError = (): V2Result => ({
  ok: false,
  code: 6000,
  codeDesc: 'InternalError',
  message: 'internal server error'
})

type Handler = (params: Record<string, string>, context: EmulatorContext) => unknown

const ACTIONS: Record<string, Handler> = {
  CertGetList: certGetList,
  CertUpload: certUpload,
  CertDelete: certDelete
}

export const V2_ACTIONS = Object.keys(ACTIONS)

export function handleV2(request: V2Request, context: EmulatorContext): V2Result {
  return context.store.batch(() => answerV2(request, context))
}

function answerV2(request: V2Request, context: EmulatorContext): V2Result {
  try {
    const denied = verifyV2(request, context.options, context.now(), context.nonces, context.issued)
    if (denied) return { ok: false, ...denied }
    const action = request.params.Action
    const handler = ACTIONS[action]
    if (!handler) throw invalid(`unknown Action ${action}`)
    if (
      !context.rateLimiter.admit(`2.0 ${action}`, context.options.rateLimitPerSecond, Date.now())
    ) {
      return v2Throttled()
    }
    return { ok: true, data: handler(request.params, context) }
  } catch (error) {
    if (error instanceof V2Error) {
      return { ok: false, code: error.code, codeDesc: error.codeDesc, message: error.message }
    }
    return {
      ok: false,
      code: 6000,
      codeDesc: 'InternalError',
      message: `emulator: ${(error as Error).message}`
    }
  }
}

export function v2Envelope(result: V2Result): unknown {
  if (result.ok) return { code: 0, message: '', codeDesc: 'Success', data: result.data }
  return { code: result.code, message: result.message, codeDesc: result.codeDesc }
}

function positiveInteger(params: Record<string, string>, name: string, fallback: number): number {
  const text = params[name]
  if (text === undefined || text === '') return fallback
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalid(`${name} must be an integer >= 1`)
  return Number(text)
}

function certGetList(params: Record<string, string>, context: EmulatorContext): unknown {
  const page = positiveInteger(params, 'page', 1)
  const count = positiveInteger(params, 'count', 20)
  const { searchKey, certType, id, altDomain } = params
  const now = context.now()
  const matching = context.store
    .live()
    .filter(
      record =>
        (!searchKey || matchesSearchKey(record, searchKey)) &&
        (!certType || record.certType === certType) &&
        (!id || record.id === id) &&
        (!altDomain || coversDomain(record, altDomain))
    )
  const list = matching
    .slice((page - 1) * count, page * count)
    .map(record => listItem(record, now, params.withCert === '1'))
  return { totalNum: matching.length, list }
}

function listItem(record: StoredCertificate, now: number, withCert: boolean): unknown {
  const status = statusOf(record, now)
  const issued = record.from !== 'upload'
  const typeName = issued ? 'TrustAsia DV' : '自有证书'
  return {
    ownerUin: OWNER_UIN,
    projectId: String(record.projectId),
    from: record.from,
    type: issued ? 2 : 0,
    certType: record.certType,
    productZhName: typeName,
    domain: record.domains[0] ?? '',
    alias: record.alias,
    status,
    vulnerability_status: 'INACTIVE',
    statusMsg: '',
    verifyType: issued ? 'DNS' : '',
    certBeginTime: gmt8(record.notBefore),
    certEndTime: gmt8(record.notAfter),
    validityPeriod: validityMonths(record),
    insertTime: gmt8(record.insertTime),
    projectInfo: {
      projectId: String(record.projectId),
      ownerUin: Number(OWNER_UIN),
      name: 'Default Project',
      creatorUin: 0,
      createTime: '',
      info: ''
    },
    id: record.id,
    subjectAltName: [...record.domains],
    type_name: typeName,
    status_name: statusName(status),
    is_vip: false,
    is_dv: issued,
    is_wildcard: isWildcard(record),
    is_vulnerability: false,
    ...(withCert ? { cert: record.chainPem ?? standInPem(record.encryptAlgorithm) } : {})
  }
}

const PROBLEM_NAMES: Record<CertificateProblem['kind'], string> = {
  parse: 'CertificateParseError',
  mismatch: 'CertificateMismatch',
  chain: 'CertificateChainError',
  ca: 'CertificateCaError',
  'missing-key': 'MissingParameter'
}

/** 2.0 has no Repeatable: every upload stores a new copy. */
function certUpload(params: Record<string, string>, context: EmulatorContext): unknown {
  const { cert, key } = params
  if (!cert) throw invalid('missing parameter cert')
  if (params.certType !== 'SVR' && params.certType !== 'CA') {
    throw invalid('certType must be SVR or CA')
  }
  const certType: CertType = params.certType
  let facts
  try {
    facts = validateUpload({ chainPem: cert, keyPem: key, certType })
  } catch (error) {
    if (!(error instanceof CertificateProblem)) throw error
    throw invalid(`(${PROBLEM_NAMES[error.kind]}) ${error.message}`)
  }
  const extras = { certType, keyPem: key, alias: params.alias ?? '', projectId: 0, tags: [] }
  const [stored] = context.store.insert([recordFromFacts(facts, extras, context.now())])
  return { id: stored.id }
}

function certDelete(params: Record<string, string>, context: EmulatorContext): unknown {
  const { id } = params
  if (!id) throw invalid('missing parameter id')
  const blocker = context.store.delete(id)
  if (blocker === 'not-found')
    throw new V2Error(5000, 'ResourceNotFound', `certificate ${id} not exist`)
  if (blocker === 'issued') {
    throw new V2Error(5100, 'FailedOperation', 'issued certificate cannot be deleted')
  }
  if (blocker === 'bound') {
    throw new V2Error(5100, 'FailedOperation', 'certificate is bound to cloud resources')
  }
  return []
}
