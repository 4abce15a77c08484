/**
 * What the action needs from Tencent Cloud SSL, independent of the API version.
 * `v3.ts` (ssl 2019-12-05) and `v2.ts` (legacy wss.api.qcloud.com) implement it.
 */
import type { KeyAlgorithm } from '../certificate/key-algorithm.js'
import type { CredentialSource } from './credential-source.js'
import type { TencentApiError } from './errors.js'
import type { ServerClock } from './server-clock.js'

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
  /** Fixed keys, or a source asked before every request (temporary credentials renewed before
   * they expire). */
  credentials: Credentials | CredentialSource
  /** Learns the server's time from the answers (shared by every client of a run). */
  serverClock?: ServerClock
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

export type { KeyAlgorithm } from '../certificate/key-algorithm.js'

/** `upload`: uploaded by a user; `buy`: issued or sold by Tencent. */
export type CertSource = 'upload' | 'buy'

/** A certificate as listed by either API, normalised. */
export interface ListedCertificate {
  id: string
  /** Every DNS name, main domain included, lower-case, deduplicated. */
  domains: string[]
  notAfter: Date
  /** CertBeginTime (3.0), certBeginTime or the PEM (2.0); an Invalid Date when neither says:
   * such a certificate supersedes nothing (superseded.ts). The clients always set it; a
   * certificate built without it counts as valid from the start of time. */
  notBefore?: Date
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
  /** `resources`: how many resources use it, by the answer's counts (`list`'s `bound`). */
  | { id: string; bound: true; reason: string; resources: number; places?: BoundPlace[] }
  /** Not checked: the answer did not say what is bound (a failed or unfinished lookup, a missing
   * list). Never deleted. With `error`, the check itself was refused (CAM permissions, the
   * service role): a configuration problem that also fails the step. */
  | { id: string; bound: 'unknown'; reason: string; error?: TencentApiError }
  /** The certificate no longer exists: the API said so by its error code. */
  | { id: string; bound: 'gone' }

/** Where a bound certificate's resources are, as the binding answer counts them. */
export interface BoundPlace {
  type: string
  /** null for a global type, or when the answer names no region. */
  region: string | null
  count: number
}

export interface BindingCheckOptions {
  /** `true` (default): `IsCache=0`, a fresh lookup. `false`: Tencent may answer with a result it
   * computed in the last 30 minutes (`IsCache=1`), which may miss a binding made since. */
  fresh?: boolean
}

export type DeleteOutcome =
  | { id: string; result: 'deleted' }
  /** No longer exists: the API said so by code, or a listing confirmed it after an unclear
   * answer. Not an error. */
  | { id: string; result: 'gone' }
  /** Kept back by the API and still in the account: bound to a resource, or refused, with the
   * API's reason. With `error`, the refusal also fails the step (a configuration problem such as
   * the service role, or a call the API refused outright). */
  | { id: string; result: 'skipped'; reason: string; error?: TencentApiError }
  /** The outcome is not known (the answer never came, was unreadable, or the task never
   * finished) and a listing could not show the certificate gone. */
  | { id: string; result: 'failed'; error: TencentApiError }

/** A certificate found by its id, whatever its source, type or project (read-only look-up). */
export interface FoundCertificate {
  id: string
  /** Every DNS name the list gives, lower-case; may be empty. */
  domains: string[]
  /** Undefined when the API's expiry cannot be read. */
  notAfter?: Date
  alias: string
  certType: string
  /** Uploaded by a user (as opposed to issued or sold by Tencent). */
  uploaded: boolean
}

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
  /** Read-only binding check, one state per distinct id in order; `null` when the API has none
   * (2.0). */
  checkBindings(ids: string[], options?: BindingCheckOptions): Promise<BindingState[] | null>
  /** Attempts every id; never throws for one certificate's failure. One outcome per distinct id,
   * in order. An unclear outcome is checked by looking the id up before it is called gone. */
  deleteCertificates(ids: string[]): Promise<DeleteOutcome[]>
  /** The certificates with these ids that exist (3.0 `DescribeCertificates` `CertIds`, 2.0
   * `CertGetList` `id`), any source, type or project. Throws when the API cannot tell (a failed
   * call, or an answer that ignored the filter). */
  findByIds(ids: string[]): Promise<Map<string, FoundCertificate>>
}
