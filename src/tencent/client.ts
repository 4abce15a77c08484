/**
 * What the action needs from Tencent Cloud SSL, independent of the API version.
 * `v3.ts` (ssl 2019-12-05) and `v2.ts` (legacy wss.api.qcloud.com) implement it.
 */
import type { KeyAlgorithm } from '../key-algorithm.js'
import type { TencentApiError } from './errors.js'

export type ApiVersion = '3.0' | '2.0'
export type CertType = 'SVR' | 'CA'

export interface Credentials {
  secretId: string
  secretKey: string
  /** Session token of temporary (STS) credentials. */
  token?: string
}

/** Minimal fetch signature, satisfied by node-fetch and by test fakes. */
export type FetchLike = (
  url: string,
  init: {
    method: string
    headers: Record<string, string>
    body?: string
    signal?: AbortSignal
    /** Largest body accepted, in bytes (node-fetch enforces it while reading; fakes may ignore it). */
    size?: number
    /** `manual`: a redirect is answered, not followed, so headers never go to another host. */
    redirect?: 'manual' | 'error' | 'follow'
  }
) => Promise<FetchResponse>

export interface FetchResponse {
  status: number
  headers: { get(name: string): string | null }
  text(): Promise<string>
}

/** Everything with a side effect or a time, injected so tests take no real time. */
export interface ClientDeps {
  fetch: FetchLike
  /** Milliseconds since the epoch. */
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** In [0, 1): jitter and nonces. */
  random: () => number
  /** Debug lines; never given a request body that holds a key. */
  debug: (message: string) => void
  /** Warnings for the log (e.g. a listed certificate that could not be read). */
  warning: (message: string) => void
  /** Arms the per-request timeout and returns its cancel. Defaults to the real setTimeout, which
   * is cleared as soon as the answer is in (a pending `sleep` would keep the process alive). */
  setTimer?: (ms: number, fire: () => void) => () => void
}

export interface ClientOptions {
  credentials: Credentials
  /** The `endpoint` input, already validated (see endpoint.ts). */
  endpoint: URL
  /** Per-request timeout in milliseconds. */
  timeoutMs: number
  deps: ClientDeps
}

export interface Tag {
  key: string
  value: string
}

export interface UploadRequest {
  /** Leaf first, then the chain in issuing order; cleaned PEM. */
  certificatePem: string
  /** Cleaned key PEM; absent for CA certificates uploaded without a key. */
  privateKeyPem?: string
  certType: CertType
  alias: string
  projectId: number
  tags: Tag[]
  /** SHA-256 of the leaf's DER, lower-case hex: how 2.0 finds an identical certificate. */
  fingerprint: string
}

export interface UploadResult {
  certificateId: string
  /** True when an identical certificate already existed and no new copy was made. */
  reused: boolean
}

export type { KeyAlgorithm } from '../key-algorithm.js'

/** `upload`: uploaded by a user; `buy`: issued or sold by Tencent. */
export type CertSource = 'upload' | 'buy'

/** A certificate as listed by either API, normalised. */
export interface ListedCertificate {
  id: string
  /** Every DNS name, main domain included, lower-case, deduplicated. */
  domains: string[]
  notAfter: Date
  /** When it was uploaded, if the API says. */
  insertedAt?: Date
  /** `SVR` or `CA` as the API writes it, upper-cased. */
  certType: string
  /** A source the listing cannot tell is `buy`: only certificates known to be uploaded are ever
   * pruned. */
  source: CertSource
  /** RSA or ECDSA; null when the API does not say, or it is neither (SM2). */
  keyAlgorithm: KeyAlgorithm | null
  /** Undefined when the API does not say. */
  projectId?: number
  alias: string
}

/** Filters of a listing, each applied by the API where it has one; absent ones do not filter. */
export interface ListFilter {
  /** Tencent's keyword filter: id, alias or domain, partial match. */
  searchKey?: string
  certType?: CertType
  source?: CertSource
  /** Only these ids; empty or absent: any. */
  ids?: readonly string[]
  projectId?: number
}

export type BindingState =
  | { id: string; bound: false }
  | { id: string; bound: true; reason: string }
  /** Not known. With `error`, the check itself was refused (permissions, the service role):
   * a configuration problem that fails the step; without, a passing one (a skip). */
  | { id: string; bound: 'unknown'; reason: string; error?: TencentApiError }

export type DeleteOutcome =
  | { id: string; result: 'deleted' }
  /** Already gone: not an error. */
  | { id: string; result: 'gone' }
  /** Kept back by the API: still bound to a resource, or refused; a warning, not a failure. */
  | { id: string; result: 'skipped'; reason: string }
  | { id: string; result: 'failed'; error: TencentApiError }

export interface SslClient {
  readonly api: ApiVersion
  /** Upload once: an identical certificate already there is reused, and a retried upload whose
   * first answer was lost still leaves one certificate. */
  upload(request: UploadRequest): Promise<UploadResult>
  /** The id of an identical certificate already there, or '' (read-only: what dry-run uses). */
  findIdentical(request: UploadRequest): Promise<string>
  /** Every uploaded certificate of this type, every project, all pages. */
  listUploaded(certType: CertType): Promise<ListedCertificate[]>
  /** Every certificate that matches the filter, all pages; `{}`: the whole account. */
  listCertificates(filter: ListFilter): Promise<ListedCertificate[]>
  /** Read-only binding check; `null` when the API has none (2.0). */
  checkBindings(ids: string[]): Promise<BindingState[] | null>
  /** Attempts every id; never throws for one certificate's failure. */
  deleteCertificates(ids: string[]): Promise<DeleteOutcome[]>
}
