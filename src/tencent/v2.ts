/**
 * The legacy API 2.0 (`wss.api.qcloud.com/v2/index.php`): form POST signed with HmacSHA256,
 * envelope {code, message, codeDesc, data}. See tencent-cloud-ssl-api.md §1. Tencent announced
 * its retirement; it is kept for accounts that still depend on it.
 */
import { firstCertificate, keyAlgorithmOfPem } from '../certificate/key-algorithm.js'
import type {
  CertType,
  ClientDeps,
  ClientOptions,
  Credentials,
  DeleteOutcome,
  FoundCertificate,
  ListedCertificate,
  ListFilter,
  SslClient,
  UploadRequest,
  UploadResult
} from './client.js'
import { TencentApiError } from './errors.js'
import { readProjectId, sourceOf } from './list-fields.js'
import {
  confirmedGone,
  domainList,
  errorFor,
  isRecord,
  leavesOutcomeUnclear,
  meansNotFound,
  optionalArray,
  unique,
  type Fields
} from './read.js'
import { backoffDelay, classifyFailure, provesNotProcessed } from './retry.js'
import { signV2, v2SourceString } from './sign.js'
import { parseTencentTime } from './time.js'
import { credentialSource } from './credential-source.js'
import {
  malformed,
  parseJsonAnswer,
  Transport,
  type ApiAnswer,
  type ClientTuning,
  type Protocol,
  type WireRequest
} from './transport.js'

const PAGE_SIZE = 100

export class V2Protocol implements Protocol {
  /** `credentials`: what signs when the transport gives none for the attempt. */
  constructor(
    private readonly endpoint: URL,
    private readonly credentials: Credentials | undefined,
    private readonly random: () => number
  ) {}

  build(
    action: string,
    params: Record<string, unknown>,
    timestamp: number,
    given?: Credentials
  ): WireRequest {
    const credentials = given ?? this.credentials
    if (!credentials) throw new Error(`internal: ${action} has no credentials to sign with`)
    const form: Record<string, string> = {}
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) form[name] = String(value)
    Object.assign(form, {
      Action: action,
      // A fresh nonce per attempt: a repeated one is refused as a replay (code 4500).
      Nonce: String(1 + Math.floor(this.random() * 2_147_483_646)),
      Timestamp: String(timestamp),
      SecretId: credentials.secretId,
      SignatureMethod: 'HmacSHA256'
    })
    if (credentials.token) form.Token = credentials.token
    // url.host is host[:port] exactly as the Host header carries it.
    const source = v2SourceString('POST', this.endpoint.host, this.endpoint.pathname, form)
    form.Signature = signV2(credentials.secretKey, source, 'HmacSHA256')
    return {
      url: this.endpoint.href,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString()
    }
  }

  parse(action: string, text: string): ApiAnswer {
    const json = parseJsonAnswer(action, text)
    const code = isRecord(json) ? readCount(json.code) : undefined
    if (!isRecord(json) || code === undefined) throw malformed(action, 'the answer has no code')
    if (code !== 0) {
      const said = [json.message, json.codeDesc].find(v => typeof v === 'string' && v !== '')
      const message = typeof said === 'string' ? said : ''
      throw new TencentApiError({ operation: action, code: String(code), message })
    }
    return { data: json.data, requestId: '' }
  }
}

export class SslClientV2 implements SslClient {
  readonly api = '2.0' as const
  private readonly transport: Transport
  private readonly deps: ClientDeps
  private readonly timeoutMs: number

  constructor(options: ClientOptions, tuning: ClientTuning = {}) {
    const { deps } = options
    this.deps = deps
    this.timeoutMs = options.timeoutMs
    this.transport = new Transport({
      deps,
      timeoutMs: options.timeoutMs,
      protocol: new V2Protocol(options.endpoint, undefined, deps.random),
      secrets: [],
      credentials: credentialSource(options.credentials),
      serverClock: options.serverClock,
      retry: tuning.retry,
      pacing: tuning.pacing
    })
  }

  listUploaded(certType: CertType): Promise<ListedCertificate[]> {
    return this.listCertificates({ certType, source: 'upload' })
  }

  /**
   * CertGetList filters by searchKey, certType and one id; the source, several ids and the project
   * are filtered here, from the listed fields. `withCert=1`: the key algorithm is read from the
   * PEM, which is the only place 2.0 gives it.
   */
  async listCertificates(filter: ListFilter): Promise<ListedCertificate[]> {
    const ids = new Set(filter.ids ?? [])
    const params: Fields = { withCert: 1 }
    if (filter.searchKey) params.searchKey = filter.searchKey
    if (filter.certType) params.certType = filter.certType
    if (ids.size === 1) params.id = [...ids][0]
    const listed: ListedCertificate[] = []
    for (const item of await this.listAll(params)) {
      const entry = this.toListed(item, filter.certType)
      if (!entry) continue
      if (filter.source !== undefined && entry.source !== filter.source) continue
      if (ids.size > 0 && !ids.has(entry.id)) continue
      if (filter.projectId !== undefined && entry.projectId !== filter.projectId) continue
      listed.push(entry)
    }
    return listed
  }

  /**
   * 2.0 has no Repeatable flag: look for the fingerprint first, and after an ambiguous failure
   * look again before uploading again, so a lost answer never leaves two copies. An upload that
   * timed out may still be on its way and land after the look: before looking, it is given as
   * long again as the timeout, and once no retry may start it still gets that one look.
   */
  async upload(request: UploadRequest): Promise<UploadResult> {
    const subject = `certificate "${request.alias}"`
    const existing = await this.findByFingerprint(request)
    if (existing) return { certificateId: existing, reused: true }

    const params: Record<string, unknown> = {
      cert: request.certificatePem,
      certType: request.certType,
      key: request.privateKeyPem,
      alias: request.alias
    }
    const secrets = request.privateKeyPem ? [request.privateKeyPem] : []
    const { policy } = this.transport
    const started = this.deps.now()
    for (let attempt = 1; ; attempt++) {
      let ambiguous: TencentApiError
      try {
        const answer = await this.transport.call('CertUpload', params, {
          nonIdempotent: true,
          subject,
          secrets
        })
        const id = isRecord(answer.data) ? answer.data.id : undefined
        if (typeof id === 'string' && id !== '') return { certificateId: id, reused: false }
        ambiguous = malformed('CertUpload', 'the answer has no id').about(subject)
      } catch (error) {
        // Throttling was already retried by the transport; anything else is not ambiguous.
        const retryable =
          error instanceof TencentApiError && classifyFailure(error.code) === 'retry'
        if (!retryable || provesNotProcessed(error.code)) throw error
        ambiguous = error
      }
      const landing = ambiguous.code === 'Timeout' ? this.timeoutMs : 0
      const delay = Math.max(backoffDelay(policy, attempt - 1, this.deps.random), landing)
      const last =
        attempt >= policy.maxAttempts || this.deps.now() - started + delay >= policy.budgetMs
      // Even when no retry may follow, look once: the upload may have been stored.
      this.deps.debug(
        `CertUpload: ${ambiguous.code}; looking for the certificate in ${Math.round(delay)} ms` +
          (last ? '' : ' before retrying')
      )
      await this.deps.sleep(delay)
      const stored = await this.findByFingerprint(request)
      if (stored) return { certificateId: stored, reused: false }
      if (last) throw ambiguous
    }
  }

  /** 2.0 has no binding check. */
  async checkBindings(): Promise<null> {
    return null
  }

  /** One CertDelete per id. "Gone" by code (5000); an unclear failure is confirmed by looking
   * the id up; 51xx (the operation failed: bound, or not deletable) keeps it back. */
  async deleteCertificates(ids: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = []
    for (const id of unique(ids)) {
      try {
        await this.transport.call('CertDelete', { id }, { subject: id })
        outcomes.push({ id, result: 'deleted' })
      } catch (thrown) {
        const error = errorFor(thrown, 'CertDelete', id)
        if (meansNotFound(error.code)) outcomes.push({ id, result: 'gone' })
        else if (/^51\d\d$/.test(error.code))
          outcomes.push({ id, result: 'skipped', reason: error.apiMessage || 'refused by the API' })
        else if (leavesOutcomeUnclear(error.code)) outcomes.push({ id, result: 'failed', error })
        else {
          const reason = `refused by the API: ${error.code}: ${error.apiMessage || 'no reason given'}`
          outcomes.push({ id, result: 'skipped', reason, error })
        }
      }
    }
    const doubtful = outcomes.filter(o => o.result === 'failed').map(o => o.id)
    const gone = await confirmedGone(doubtful, found => this.findByIds(found), this.deps.debug)
    return outcomes.map(o => (gone.has(o.id) ? { id: o.id, result: 'gone' } : o))
  }

  /** One CertGetList per id (its `id` filter), any type and source. */
  async findByIds(ids: string[]): Promise<Map<string, FoundCertificate>> {
    const found = new Map<string, FoundCertificate>()
    for (const id of unique(ids)) {
      const answer = await this.transport.call('CertGetList', { id, page: 1, count: 10 })
      const data = isRecord(answer.data) ? answer.data : {}
      const list = data.list
      // An answer without its list must not read as "no such certificate".
      if (readCount(data.totalNum) === undefined || !Array.isArray(list))
        throw malformed('CertGetList', 'no totalNum or list')
      for (const item of list) {
        // A server that ignored the filter would make the id look gone: refuse to judge.
        if (!isRecord(item) || item.id !== id)
          throw malformed('CertGetList', 'the answer lists a certificate that was not asked for')
        found.set(id, foundCertificate(item, id))
      }
    }
    return found
  }

  findIdentical(request: UploadRequest): Promise<string> {
    return this.findByFingerprint(request)
  }

  private async findByFingerprint(request: UploadRequest): Promise<string> {
    const wanted = request.fingerprint.replace(/:/g, '').toLowerCase()
    for (const item of await this.listAll({ certType: request.certType, withCert: 1 }))
      if (leafFingerprint(item.cert) === wanted) return item.id as string
    return ''
  }

  /** Every listed item that matches `filter` (CertGetList parameters), all pages; each has a
   * non-empty string `id`. */
  private async listAll(filter: Fields): Promise<Fields[]> {
    const items = new Map<string, Fields>()
    for (let page = 1, seen = 0; ; page++) {
      const params: Record<string, unknown> = { page, count: PAGE_SIZE, ...filter }
      const answer = await this.transport.call('CertGetList', params)
      const data = isRecord(answer.data) ? answer.data : {}
      const total = readCount(data.totalNum)
      const list = optionalArray(data.list)
      if (total === undefined || !list) throw malformed('CertGetList', 'no totalNum or list')
      let added = 0
      for (const item of list) {
        const id = isRecord(item) ? item.id : undefined
        if (typeof id !== 'string' || id === '')
          throw malformed('CertGetList', 'a certificate has no id')
        if (items.has(id)) continue
        items.set(id, item as Fields)
        added++
      }
      seen += list.length
      // A page with nothing new means the server is repeating itself: stop rather than loop.
      if (list.length === 0 || seen >= total || added === 0) break
    }
    return [...items.values()]
  }

  private toListed(item: Fields, certType: CertType | undefined): ListedCertificate | undefined {
    const id = item.id as string
    const notAfter = parseTencentTime(item.certEndTime)
    if (!notAfter) {
      this.deps.warning(
        `Certificate ${id} is left out: its expiry (certEndTime ${JSON.stringify(item.certEndTime)}) ` +
          'could not be read, so it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    const type =
      typeof item.certType === 'string' && item.certType !== ''
        ? item.certType.toUpperCase()
        : (certType ?? '')
    // Without subjectAltName the main domain alone could put a certificate in scope that also
    // serves other names: such a certificate is left out, never deleted.
    const alt = item.subjectAltName
    const names =
      Array.isArray(alt) && alt.length > 0
        ? alt
        : type === 'CA' && typeof item.domain === 'string'
          ? [item.domain]
          : undefined
    if (!names) {
      this.deps.warning(
        `Certificate ${id} is left out: the list gives no subjectAltName, so its domains are not ` +
          'known; it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    const projectInfo = isRecord(item.projectInfo) ? item.projectInfo : {}
    return {
      id,
      domains: domainList([...names, item.domain]),
      notAfter,
      notBefore: notBeforeOf(item),
      insertedAt: parseTencentTime(item.insertTime),
      certType: type,
      // CertGetList has no source filter: an item that does not say is not known to be uploaded.
      source: sourceOf(item.from, undefined),
      keyAlgorithm: keyAlgorithmOfPem(item.cert),
      projectId: readProjectId(item.projectId) ?? readProjectId(projectInfo.projectId),
      alias: typeof item.alias === 'string' ? item.alias : ''
    }
  }
}

/** certBeginTime, or the leaf's own (`withCert=1` lists the PEM); an Invalid Date when neither. */
function notBeforeOf(item: Fields): Date {
  const listed = parseTencentTime(item.certBeginTime)
  if (listed) return listed
  const validFrom = firstCertificate(item.cert)?.validFrom
  return validFrom === undefined ? new Date(NaN) : new Date(validFrom)
}

/** One CertGetList item, read leniently: a certificate named by id is reported, not judged. */
function foundCertificate(item: Fields, id: string): FoundCertificate {
  const alt = Array.isArray(item.subjectAltName) ? item.subjectAltName : []
  return {
    id,
    domains: domainList([item.domain, ...alt]),
    notAfter: parseTencentTime(item.certEndTime),
    alias: typeof item.alias === 'string' ? item.alias : '',
    certType: typeof item.certType === 'string' ? item.certType : '',
    uploaded: item.from === 'upload'
  }
}

/** A count that PHP may have written as a number or as a digit string. */
function readCount(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value)
  return undefined
}

/** SHA-256 of the first certificate in a PEM, lower-case hex; undefined when unreadable. */
export function leafFingerprint(pem: unknown): string | undefined {
  return firstCertificate(pem)?.fingerprint256.replace(/:/g, '').toLowerCase()
}
