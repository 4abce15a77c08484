/**
 * The emulator's options: what can be set at start, what can change while it runs, and the
 * checks that keep a typo in a test (or in a POST to /_emulator/options) from passing silently.
 */
import {
  checkProviders,
  checkRoles,
  type OidcProviderConfig,
  type StsRoleConfig
} from './sts-config.js'

/** Documented test credentials; the CLI prints them. Never valid anywhere but here. */
export const DEFAULT_SECRET_ID = 'AKIDEMULATOR0000000000000000000000000'
export const DEFAULT_SECRET_KEY = 'emulator-secret-key-0000000000000000'

export type ThrottleCode = 'RequestLimitExceeded' | 'LimitExceeded.RateLimitExceeded'

/**
 * What a `Repeatable: false` upload of a certificate that already exists answers:
 * `RepeatCertId`: `CertificateId` empty and the existing id in `RepeatCertId`;
 * `CertificateId`: the existing id in both fields. Tencent's docs leave it open (§3.2).
 */
export type DuplicateAnswer = 'RepeatCertId' | 'CertificateId'

export interface TemporaryCredentials {
  secretId: string
  secretKey: string
  /** Must arrive as `X-TC-Token` (3.0) or `Token` (2.0) with every request signed by secretId. */
  token: string
}

/** Behaviour that may change while the emulator runs (setOption, POST /_emulator/options). */
export interface RuntimeOptions {
  secretId: string
  secretKey: string
  temporaryCredentials?: TemporaryCredentials
  /** Per action, over a rolling 1000 ms window; 0 disables the limit. */
  rateLimitPerSecond: number
  throttleCode: ThrottleCode
  duplicateAnswer: DuplicateAnswer
  /** Added to every API request before it is answered. */
  latencyMs: number
  /** How many polls an asynchronous task answers Status 0 before it finishes. */
  taskPolls: number
  /** Offset of the server's clock from the machine's: drives the Date header and the 5-minute window. */
  clockSkewMs: number
  /** false: the service-linked role is missing, so asynchronous deletions end in Status 3. */
  deleteTaskRole: boolean
  /** STS: the OIDC identity providers AssumeRoleWithWebIdentity accepts tokens of. */
  oidcProviders: OidcProviderConfig[]
  /** STS: the roles those providers' tokens may assume. */
  stsRoles: StsRoleConfig[]
  /** Reads a record item stays running (Status 3) before it settles, unless its resource says. */
  recordPolls: number
  /** UpdateCertificateInstance calls answering DeployRecordId 0 before the task exists. */
  creationPolls: number
  /** false: the SSL service role is not authorised: resource actions answer RoleNotFoundAuthorization. */
  serviceRole: boolean
}

export interface EmulatorOptions extends Partial<RuntimeOptions> {
  /** 0 (default) picks a free port. The emulator always listens on 127.0.0.1. */
  port?: number
  /** The TLS edge's port (edge.ts); 0 (default) picks a free one. */
  edgePort?: number
  /** JSON file loaded at start and rewritten after every change; never holds a private key. */
  stateFile?: string
}

export const DEFAULT_OPTIONS: RuntimeOptions = {
  secretId: DEFAULT_SECRET_ID,
  secretKey: DEFAULT_SECRET_KEY,
  rateLimitPerSecond: 10,
  throttleCode: 'RequestLimitExceeded',
  duplicateAnswer: 'RepeatCertId',
  latencyMs: 0,
  taskPolls: 1,
  clockSkewMs: 0,
  deleteTaskRole: true,
  oidcProviders: [],
  stsRoles: [],
  recordPolls: 1,
  creationPolls: 1,
  serviceRole: true
}

type Check = (value: unknown) => string | undefined

const nonEmptyString: Check = v =>
  typeof v === 'string' && v !== '' ? undefined : 'a non-empty string'
const count: Check = v =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'an integer >= 0'
const integer: Check = v =>
  typeof v === 'number' && Number.isInteger(v) ? undefined : 'an integer'
const boolean: Check = v => (typeof v === 'boolean' ? undefined : 'true or false')
const oneOf =
  (...allowed: string[]): Check =>
  v =>
    allowed.includes(v as string) ? undefined : allowed.map(a => `'${a}'`).join(' or ')
const temporary: Check = v => {
  if (v === undefined || v === null) return undefined
  const t = v as Partial<TemporaryCredentials>
  const ok = typeof v === 'object' && [t.secretId, t.secretKey, t.token].every(isNonEmpty)
  return ok ? undefined : 'null or {secretId, secretKey, token} of non-empty strings'
}
const isNonEmpty = (v: unknown): boolean => typeof v === 'string' && v !== ''

const CHECKS: Record<keyof RuntimeOptions, Check> = {
  secretId: nonEmptyString,
  secretKey: nonEmptyString,
  temporaryCredentials: temporary,
  rateLimitPerSecond: count,
  throttleCode: oneOf('RequestLimitExceeded', 'LimitExceeded.RateLimitExceeded'),
  duplicateAnswer: oneOf('RepeatCertId', 'CertificateId'),
  latencyMs: count,
  taskPolls: count,
  clockSkewMs: integer,
  deleteTaskRole: boolean,
  oidcProviders: checkProviders,
  stsRoles: checkRoles,
  recordPolls: count,
  creationPolls: count,
  serviceRole: boolean
}

export const isRuntimeOption = (name: string): name is keyof RuntimeOptions =>
  Object.prototype.hasOwnProperty.call(CHECKS, name)

/**
 * A checked copy of `patch`; throws TypeError naming the first bad or unknown option.
 * `temporaryCredentials: null` clears them (JSON has no undefined).
 */
export function checkOptionPatch(patch: Record<string, unknown>): Partial<RuntimeOptions> {
  const checked: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(patch)) {
    if (!isRuntimeOption(name)) {
      throw new TypeError(
        `unknown emulator option '${name}' (known: ${Object.keys(CHECKS).join(', ')})`
      )
    }
    if (value === undefined && name !== 'temporaryCredentials') continue
    const expected = CHECKS[name](value)
    if (expected) throw new TypeError(`emulator option '${name}' must be ${expected}`)
    checked[name] = value ?? undefined
  }
  return checked as Partial<RuntimeOptions>
}
