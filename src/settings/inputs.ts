/**
 * Reads and validates every input of action.yml into typed settings, before any request.
 * Pure: the input reader and the environment are passed in.
 */
import {
  checkResourceInputsForApi,
  parseDeployTo,
  parseReplace,
  parseReplaceTimeout,
  type DeployTarget,
  type ReplaceScope
} from './deploy-targets.js'
import { InputError } from './input-error.js'
import { readOidcSettings, type OidcSettings } from '../credentials/oidc-settings.js'
import { parseVerify, parseVerifyTimeout, type VerifySetting } from '../verify/endpoints.js'
import { readNotifySettings, type NotifySettings } from '../notify/settings.js'
import type { ApiVersion, CertType, Credentials, Tag } from '../tencent/client.js'

export type Mode = 'upload' | 'prune' | 'sync' | 'list' | 'delete'

export interface Settings {
  mode: Mode
  /** Raw `cert` / `key` inputs (PEM, path or base64), resolved later by pem.ts. */
  cert: string
  key: string
  alias: string
  certType: CertType
  /** The key pair; undefined with `role-arn`, whose temporary credentials come from STS. */
  credentials?: Credentials
  /** Keyless credentials (`role-arn` and its companions); undefined when keys are used. */
  oidc?: OidcSettings
  api: ApiVersion
  /** Raw `endpoint` input; parsed by tencent/endpoint.ts. */
  endpoint: string
  projectId: number
  tags: Tag[]
  /** Lower-cased; empty means "the uploaded certificate's domains" in sync. */
  pruneDomains: string[]
  keep: number
  expiredOnly: boolean
  maxDeletions: number
  dryRun: boolean
  requestTimeoutMs: number
  /** `replace`: false, or the resource types to move ('all' for every type found). */
  replace: ReplaceScope
  replaceTimeoutMs: number
  rollbackOnFailure: boolean
  deployTo: DeployTarget[]
  /** `delete`: the ids to delete; `list`: the ids to show (empty: all). */
  certificateIds: string[]
  searchKey: string
  source: 'upload' | 'buy' | 'all'
  expiringWithinDays: number
  failOnExpiring: boolean
  /** `verify`: the endpoints to check over TLS (`true`: the certificate's names). */
  verify: VerifySetting
  verifyTimeoutMs: number
  /** `notify` and its companions (notify/settings.ts). */
  notify: NotifySettings
}

/** Reads one input, trimmed, '' when absent (as @actions/core's getInput does). */
export type InputReader = (name: string) => string

const MODES: readonly Mode[] = ['upload', 'prune', 'sync', 'list', 'delete']
/** The modes that validate and upload a certificate. */
export const UPLOADING: readonly Mode[] = ['upload', 'sync']
/** Tencent's certificate ids: letters and digits (8 today). */
const CERTIFICATE_ID = /^[A-Za-z0-9]{1,64}$/

/** The mode alone, so that a run whose other inputs are bad still sets that mode's outputs. */
export function readMode(raw: InputReader): Mode {
  return oneOf(name => raw(name).trim(), 'mode', MODES, 'upload')
}

export function readSettings(raw: InputReader, env: NodeJS.ProcessEnv): Settings {
  // Trimmed here too: runners other than GitHub's (e.g. @github/local-action) pass spaces on.
  const input: InputReader = name => raw(name).trim()
  const mode = readMode(input)
  const oidc = readOidcSettings(input, env)
  // Unquoted in YAML, `api: 2.0` reaches the action as '2' (a number first): accept it.
  const api = oneOf(input, 'api', ['3.0', '2.0'] as const, '3.0', s =>
    /^[23]$/.test(s) ? `${s}.0` : s
  )
  const certType = oneOf(input, 'cert-type', ['SVR', 'CA'] as const, 'SVR', s => s.toUpperCase())
  const settings: Settings = {
    mode,
    cert: input('cert'),
    key: input('key'),
    alias: input('alias'),
    certType,
    credentials: oidc ? undefined : readCredentials(input, env),
    oidc,
    api,
    endpoint: input('endpoint'),
    projectId: wholeNumber(input, 'project-id', 0),
    tags: readTags(input('tags')),
    pruneDomains: splitList(input('prune-domains')).map(d => d.toLowerCase()),
    keep: wholeNumber(input, 'keep', 1),
    expiredOnly: boolean(input, 'expired-only', false),
    maxDeletions: wholeNumber(input, 'max-deletions', 20),
    dryRun: boolean(input, 'dry-run', false),
    requestTimeoutMs: Math.round(timeoutSeconds(input) * 1000),
    replace: parseReplace(input('replace')),
    replaceTimeoutMs: parseReplaceTimeout(input('replace-timeout')) * 1000,
    rollbackOnFailure: boolean(input, 'rollback-on-failure', false),
    deployTo: parseDeployTo(input('deploy-to')),
    certificateIds: splitList(input('certificate-ids')),
    searchKey: input('search-key'),
    source: oneOf(input, 'source', ['upload', 'buy', 'all'] as const, 'upload'),
    expiringWithinDays: wholeNumber(input, 'expiring-within', 30),
    failOnExpiring: boolean(input, 'fail-on-expiring', false),
    verify: parseVerify(input('verify'), mode),
    verifyTimeoutMs: parseVerifyTimeout(input('verify-timeout')) * 1000,
    notify: readNotifySettings(input, env)
  }
  checkCombination(settings)
  return settings
}

function checkCombination(s: Settings): void {
  const uploading = UPLOADING.includes(s.mode)
  if (uploading && s.cert === '') {
    throw new InputError(
      'cert',
      `is required in ${s.mode} mode: PEM text, a path to a PEM file, or base64 of the PEM text`
    )
  }
  if (uploading && s.certType === 'SVR' && s.key === '') {
    throw new InputError(
      'key',
      `is required in ${s.mode} mode when cert-type is SVR: PEM text, a path, or base64`
    )
  }
  if (s.mode === 'prune' && s.pruneDomains.length === 0) {
    throw new InputError(
      'prune-domains',
      'is required in prune mode: newline- or comma-separated domains'
    )
  }
  if (s.mode === 'delete' && s.certificateIds.length === 0) {
    throw new InputError(
      'certificate-ids',
      'is required in delete mode: the ids to delete, newline- or comma-separated'
    )
  }
  for (const id of s.certificateIds) {
    if (!CERTIFICATE_ID.test(id)) {
      throw new InputError(
        'certificate-ids',
        `'${id}' is not a certificate id (letters and digits, as the console shows them)`
      )
    }
  }
  checkResourceInputsForApi(s.api, s.replace, s.deployTo)
  if (s.api === '2.0' && s.tags.length > 0) {
    throw new InputError('tags', "is supported by api '3.0' only; remove it or use api '3.0'")
  }
  for (const domain of s.pruneDomains) {
    if (!/^(\*\.)?[a-z0-9_.-]+$/.test(domain)) {
      throw new InputError(
        'prune-domains',
        `'${domain}' is not a domain name (letters, digits, '-', '.', an optional leading '*.')`
      )
    }
  }
}

function readCredentials(input: InputReader, env: NodeJS.ProcessEnv): Credentials {
  const secretId = input('secret-id') || (env.TENCENTCLOUD_SECRET_ID ?? '').trim()
  const secretKey = input('secret-key') || (env.TENCENTCLOUD_SECRET_KEY ?? '').trim()
  const token =
    input('session-token') ||
    [env.TENCENTCLOUD_SESSION_TOKEN, env.TENCENTCLOUD_TOKEN, env.TENCENTCLOUD_SECURITY_TOKEN]
      .map(v => (v ?? '').trim())
      .find(v => v !== '') ||
    ''
  if (secretId === '') {
    throw new InputError(
      'secret-id',
      'is required: set it, or the TENCENTCLOUD_SECRET_ID environment variable'
    )
  }
  if (secretKey === '') {
    throw new InputError(
      'secret-key',
      'is required: set it, or the TENCENTCLOUD_SECRET_KEY environment variable'
    )
  }
  if (/\s/.test(secretId))
    throw new InputError('secret-id', 'contains white space; paste the key id alone')
  if (/\s/.test(secretKey))
    throw new InputError('secret-key', 'contains white space; paste the secret alone')
  if (/\s/.test(token))
    throw new InputError('session-token', 'contains white space; paste the token alone')
  return token === '' ? { secretId, secretKey } : { secretId, secretKey, token }
}

function oneOf<T extends string>(
  input: InputReader,
  name: string,
  allowed: readonly T[],
  fallback: T,
  normalise: (s: string) => string = s => s.toLowerCase()
): T {
  const raw = input(name)
  if (raw === '') return fallback
  const value = normalise(raw)
  const match = allowed.find(a => a === value)
  if (match === undefined) {
    throw new InputError(
      name,
      `must be one of ${allowed.map(a => `'${a}'`).join(', ')}; got '${raw}'`
    )
  }
  return match
}

function boolean(input: InputReader, name: string, fallback: boolean): boolean {
  const raw = input(name)
  if (raw === '') return fallback
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw new InputError(name, `must be 'true' or 'false'; got '${raw}'`)
}

function wholeNumber(input: InputReader, name: string, fallback: number): number {
  const raw = input(name)
  if (raw === '') return fallback
  if (!/^\d{1,9}$/.test(raw)) {
    throw new InputError(name, `must be a whole number (0 or more); got '${raw}'`)
  }
  return Number(raw)
}

function timeoutSeconds(input: InputReader): number {
  const raw = input('request-timeout')
  if (raw === '') return 30
  const value = Number(raw)
  if (!/^\d+(\.\d+)?$/.test(raw) || value < 1 || value > 300) {
    throw new InputError(
      'request-timeout',
      `must be a number of seconds from 1 to 300; got '${raw}'`
    )
  }
  return value
}

/** Newline- or comma-separated, trimmed, empty entries dropped, duplicates removed. */
export function splitList(raw: string): string[] {
  const items = raw
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  return [...new Set(items)]
}

function readTags(raw: string): Tag[] {
  return splitList(raw).map(item => {
    const eq = item.indexOf('=')
    const key = eq < 0 ? '' : item.slice(0, eq).trim()
    if (key === '') {
      throw new InputError(
        'tags',
        `'${item}' is not a key=value pair; give one key=value per line or comma`
      )
    }
    return { key, value: item.slice(eq + 1).trim() }
  })
}
