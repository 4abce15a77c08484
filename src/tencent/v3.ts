/**
 * API 3.0: service `ssl`, version 2019-12-05, JSON POST signed with TC3-HMAC-SHA256.
 * See tencent-cloud-ssl-api.md §2-4 for every action, field and code used here.
 */
import type {
  BindingCheckOptions,
  BindingState,
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
import { keyAlgorithmOfTencent } from '../certificate/key-algorithm.js'
import { refusesCredentials, TencentApiError, withCredentialHint } from './errors.js'
import { readProjectId, sourceOf } from './list-fields.js'
import { DEFAULT_POLL } from './poll.js'
import { chunks, domainList, isRecord, optionalString, unique, type Fields } from './read.js'
import { classifyFailure } from './retry.js'
import { credentialSource } from './credential-source.js'
import { SSL_API, Tc3ServiceProtocol } from './tc3.js'
import { parseTencentTime } from './time.js'
import { malformed, Transport, type ClientTuning, type Protocol } from './transport.js'
import { LOOKUP_BATCH, V3Deletion } from './v3-deletion.js'

/** DescribeCertificates' largest page. */
const PAGE_SIZE = 1000

/** Signs and reads API 3.0 requests: service `ssl`, 2019-12-05, whatever host the endpoint
 * names (intl site, emulator). */
export class Tc3Protocol extends Tc3ServiceProtocol {
  /** `credentials`: fixed ones, for callers without a transport source (tests). */
  constructor(endpoint: URL, credentials?: Credentials) {
    super(endpoint, SSL_API, credentials)
  }
}

/** The transport of an SSL 3.0 client: `protocol` wraps Tc3Protocol where an action needs more
 * (the common Region of resources.ts). */
export function sslTransport(
  options: ClientOptions,
  tuning: ClientTuning,
  protocol: Protocol = new Tc3Protocol(options.endpoint)
): Transport {
  return new Transport({
    deps: options.deps,
    timeoutMs: options.timeoutMs,
    protocol,
    secrets: [],
    credentials: credentialSource(options.credentials),
    serverClock: options.serverClock,
    retry: tuning.retry,
    pacing: tuning.pacing
  })
}

export class SslClientV3 implements SslClient {
  readonly api = '3.0' as const
  private readonly transport: Transport
  private readonly deps: ClientDeps
  /** Binding checks, deletions and look-ups by id (v3-deletion.ts). */
  private readonly deletion: V3Deletion

  constructor(options: ClientOptions, tuning: ClientTuning = {}) {
    this.deps = options.deps
    this.transport = sslTransport(options, tuning)
    const poll = { ...DEFAULT_POLL, ...tuning.poll }
    this.deletion = new V3Deletion({ transport: this.transport, deps: this.deps, poll })
  }

  async upload(request: UploadRequest): Promise<UploadResult> {
    const subject = `certificate "${request.alias}"`
    const existing = await this.probe(request.certificatePem, subject)
    if (existing) return { certificateId: existing, reused: true }

    const params: Record<string, unknown> = { CertificatePublicKey: request.certificatePem }
    if (request.privateKeyPem) params.CertificatePrivateKey = request.privateKeyPem
    Object.assign(params, {
      CertificateType: request.certType,
      Alias: request.alias,
      ProjectId: request.projectId,
      // With Repeatable false the server answers a duplicate with RepeatCertId, which makes a
      // retry after a lost answer safe.
      Repeatable: false
    })
    if (request.tags.length > 0)
      params.Tags = request.tags.map(tag => ({ TagKey: tag.key, TagValue: tag.value }))

    const secrets = request.privateKeyPem ? [request.privateKeyPem] : []
    const answer = await this.transport.call('UploadCertificate', params, {
      subject,
      secrets,
      settleAfterTimeout: true
    })
    const data = answer.data as Fields
    const created = optionalString(data.CertificateId)
    const repeated = optionalString(data.RepeatCertId)
    const id = created || repeated
    if (created === undefined || repeated === undefined || !id)
      throw malformed(
        'UploadCertificate',
        'no CertificateId or RepeatCertId',
        answer.requestId
      ).about(subject)
    // If an earlier attempt may have reached the server, the "repeat" may be our own upload.
    const reused =
      repeated !== '' && (created === '' || created === repeated) && answer.maybeProcessed === 1
    return { certificateId: id, reused }
  }

  findIdentical(request: UploadRequest): Promise<string> {
    return this.probe(request.certificatePem, `certificate "${request.alias}"`)
  }

  /** The id of an identical certificate, or '' (also when the key may not call the probe). */
  private async probe(certificatePem: string, subject: string): Promise<string> {
    try {
      const answer = await this.transport.call(
        'CheckCertificateExist',
        { CertificatePublicKey: certificatePem },
        { subject }
      )
      const id = optionalString((answer.data as Fields).RepeatCertId)
      if (id === undefined)
        throw malformed('CheckCertificateExist', 'RepeatCertId is not a string', answer.requestId)
      return id
    } catch (error) {
      if (!(error instanceof TencentApiError) || classifyFailure(error.code) !== 'fatal')
        throw error
      // Keys Tencent refuses cannot upload either: stop here, pointing at them.
      if (refusesCredentials(error.code)) throw withCredentialHint(error)
      this.deps.debug(`Going on with UploadCertificate (Repeatable=false): ${error.message}`)
      return ''
    }
  }

  listUploaded(certType: CertType): Promise<ListedCertificate[]> {
    return this.listCertificates({ certType, source: 'upload' })
  }

  async listCertificates(filter: ListFilter): Promise<ListedCertificate[]> {
    const found = new Map<string, ListedCertificate | undefined>()
    const ids = unique(filter.ids ?? [])
    // CertIds takes at most LOOKUP_BATCH ids a call.
    for (const certIds of ids.length > 0 ? chunks(ids, LOOKUP_BATCH) : [undefined]) {
      const params = listParams(filter, certIds)
      for (let offset = 0; ;) {
        const answer = await this.transport.call('DescribeCertificates', {
          Offset: offset,
          Limit: PAGE_SIZE,
          ...params
        })
        const data = answer.data as Fields
        const page = data.Certificates
        if (typeof data.TotalCount !== 'number' || !Array.isArray(page))
          throw malformed('DescribeCertificates', 'no TotalCount or Certificates', answer.requestId)
        let added = 0
        for (const item of page) {
          const id = isRecord(item) ? item.CertificateId : undefined
          if (typeof id !== 'string' || id === '')
            throw malformed(
              'DescribeCertificates',
              'a certificate has no CertificateId',
              answer.requestId
            )
          if (found.has(id)) continue
          found.set(id, this.toListed(item as Fields, id, filter))
          added++
        }
        offset += page.length
        // A page with nothing new means the server is repeating itself: stop rather than loop.
        if (page.length === 0 || offset >= data.TotalCount || added === 0) break
      }
    }
    return [...found.values()].filter((c): c is ListedCertificate => c !== undefined)
  }

  private toListed(item: Fields, id: string, filter: ListFilter): ListedCertificate | undefined {
    const notAfter = parseTencentTime(item.CertEndTime)
    if (!notAfter) {
      this.deps.warning(
        `Certificate ${id} is left out: its expiry (CertEndTime ${JSON.stringify(item.CertEndTime)}) ` +
          'could not be read, so it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    // SubjectAltName lists every name; a null one (the API says fields may be) leaves only
    // CertSANs, and with neither the main Domain alone could put a certificate in scope that
    // also serves other names: such a certificate is left out, never deleted.
    const listed = (value: unknown) =>
      Array.isArray(value) && value.length > 0 ? value : undefined
    const type =
      typeof item.CertificateType === 'string' && item.CertificateType !== ''
        ? item.CertificateType.toUpperCase()
        : (filter.certType ?? '')
    // A CA certificate for client authentication has no alternative names: its Domain is its name.
    const names =
      listed(item.SubjectAltName) ??
      listed(item.CertSANs) ??
      (type === 'CA' && typeof item.Domain === 'string' ? [item.Domain] : undefined)
    if (!names) {
      this.deps.warning(
        `Certificate ${id} is left out: the list gives neither SubjectAltName nor CertSANs, so ` +
          'its domains are not known; it is neither deleted nor counted as a newer certificate.'
      )
      return undefined
    }
    const projectInfo = isRecord(item.ProjectInfo) ? item.ProjectInfo : {}
    return {
      id,
      domains: domainList([...names, ...(listed(item.CertSANs) ?? []), item.Domain]),
      notAfter,
      notBefore: parseTencentTime(item.CertBeginTime) ?? new Date(NaN),
      insertedAt: parseTencentTime(item.InsertTime),
      certType: type,
      source: sourceOf(item.From, filter.source),
      keyAlgorithm: keyAlgorithmOfTencent(item.EncryptAlgorithm),
      projectId: readProjectId(item.ProjectId) ?? readProjectId(projectInfo.ProjectId),
      alias: typeof item.Alias === 'string' ? item.Alias : ''
    }
  }

  checkBindings(ids: string[], options?: BindingCheckOptions): Promise<BindingState[]> {
    return this.deletion.checkBindings(ids, options)
  }

  deleteCertificates(ids: string[]): Promise<DeleteOutcome[]> {
    return this.deletion.deleteCertificates(ids)
  }

  findByIds(ids: string[]): Promise<Map<string, FoundCertificate>> {
    return this.deletion.findByIds(ids)
  }
}

/** DescribeCertificates' filter parameters (paging aside). */
function listParams(filter: ListFilter, certIds: string[] | undefined): Fields {
  const params: Fields = {}
  if (filter.searchKey) params.SearchKey = filter.searchKey
  if (filter.certType) params.CertificateType = filter.certType
  if (filter.source) params.FilterSource = filter.source
  if (certIds) params.CertIds = certIds
  if (filter.projectId !== undefined) params.ProjectId = filter.projectId
  return params
}
