/**
 * The keyless inputs (`role-arn` and its companions) read and checked before any request, so a
 * misconfiguration fails the step at once, naming the input. Pure: the input reader and the
 * environment are passed in.
 */
import { InputError } from '../settings/input-error.js'
import { parseServiceEndpoint } from '../tencent/endpoint.js'

export interface OidcSettings {
  roleArn: string
  /** `ProviderId`: the name of the CAM identity provider. */
  providerId: string
  /** Audience of the GitHub token: one of the identity provider's client ids. */
  audience: string
  roleSessionName: string
  durationSeconds: number
  /** `X-TC-Region` of the exchange. */
  region: string
  stsEndpoint: URL
  exportCredentials: boolean
  /** Long-term keys found in the environment that role-arn takes precedence over. */
  ignoredEnvironment: string[]
}

export const DEFAULT_AUDIENCE = 'sts.tencentcloudapi.com'
export const DEFAULT_STS_HOST = 'sts.tencentcloudapi.com'
export const DEFAULT_REGION = 'ap-guangzhou'
export const MIN_DURATION_SECONDS = 900
export const MAX_DURATION_SECONDS = 43_200

/** `role/<id>` and `roleName/<name>`, the general-role forms Tencent documents for RoleArn;
 * role names are CAM's `[\w+=,.@-]`, at most 128 characters. */
const ROLE_ARN = /^qcs::cam::uin\/\d{1,20}:(?:roleName\/[\w+=,.@-]{1,128}|role\/\d{1,20})$/
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+){1,3}$/
const SESSION_NAME_MAX = 64

/** Env variables that would otherwise supply long-term credentials. */
const KEY_ENVIRONMENT = [
  'TENCENTCLOUD_SECRET_ID',
  'TENCENTCLOUD_SECRET_KEY',
  'TENCENTCLOUD_SESSION_TOKEN',
  'TENCENTCLOUD_TOKEN',
  'TENCENTCLOUD_SECURITY_TOKEN'
]

const STS_ENDPOINT = { input: 'sts-endpoint', defaultHost: DEFAULT_STS_HOST, defaultPath: '/' }

/** Undefined when no keyless input is set: the long-term keys are used then. */
export function readOidcSettings(
  input: (name: string) => string,
  env: NodeJS.ProcessEnv
): OidcSettings | undefined {
  const roleArn = input('role-arn')
  const providerId = input('oidc-provider-id')
  const exportCredentials = readBoolean(input, 'export-credentials')
  if (roleArn === '') {
    // Without role-arn these would be silently ignored and the keys asked for instead.
    if (providerId !== '')
      throw new InputError('role-arn', 'is required with oidc-provider-id (keyless credentials)')
    if (exportCredentials)
      throw new InputError(
        'export-credentials',
        'exports the temporary credentials of role-arn; set role-arn too, or remove it'
      )
    // Unused without role-arn, but a bad value is still a mistake worth naming now.
    duration(input('role-duration'))
    region(input('region'))
    parseServiceEndpoint(input('sts-endpoint'), STS_ENDPOINT)
    return undefined
  }
  const keyInput = ['secret-id', 'secret-key', 'session-token'].find(name => input(name) !== '')
  if (keyInput)
    throw new InputError(
      'role-arn',
      `cannot be combined with ${keyInput}: use either keyless credentials (role-arn) ` +
        'or long-term keys (secret-id, secret-key), not both'
    )
  if (!ROLE_ARN.test(roleArn))
    throw new InputError(
      'role-arn',
      `'${roleArn}' is not a CAM role ARN; expected qcs::cam::uin/<account id>:roleName/<role ` +
        'name> (or :role/<role id>), as the role page of the CAM console shows it'
    )
  if (providerId === '')
    throw new InputError(
      'oidc-provider-id',
      'is required with role-arn: the name of the OIDC identity provider in CAM'
    )
  return {
    roleArn,
    providerId: noSpace('oidc-provider-id', providerId),
    audience: noSpace('audience', input('audience') || DEFAULT_AUDIENCE),
    roleSessionName: sessionName(input('role-session-name'), env),
    durationSeconds: duration(input('role-duration')),
    region: region(input('region')),
    stsEndpoint: parseServiceEndpoint(input('sts-endpoint'), STS_ENDPOINT),
    exportCredentials,
    ignoredEnvironment: KEY_ENVIRONMENT.filter(name => (env[name] ?? '').trim() !== '')
  }
}

/** `sts-endpoint` and `region`: where STS is asked, with or without role-arn
 * (`allowed-account-ids` asks `GetCallerIdentity` there). */
export function readStsSettings(input: (name: string) => string): {
  endpoint: URL
  region: string
} {
  return {
    endpoint: parseServiceEndpoint(input('sts-endpoint'), STS_ENDPOINT),
    region: region(input('region'))
  }
}

/** `github-<owner>-<repo>-<run id>` by default; characters STS refuses become '-', cut to 64. */
export function sessionName(given: string, env: NodeJS.ProcessEnv): string {
  const raw =
    given ||
    ['github', ...(env.GITHUB_REPOSITORY ?? '').split('/'), env.GITHUB_RUN_ID ?? '']
      .filter(part => part !== '')
      .join('-')
  const name = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX)
  if (name.length < 2)
    throw new InputError('role-session-name', 'must have 2 to 64 characters of [\\w+=,.@-]')
  return name
}

function duration(raw: string): number {
  if (raw === '') return MIN_DURATION_SECONDS
  const seconds = Number(raw)
  if (!/^\d+$/.test(raw) || seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS)
    throw new InputError(
      'role-duration',
      `must be a whole number of seconds from ${MIN_DURATION_SECONDS} to ` +
        `${MAX_DURATION_SECONDS}; got '${raw}'`
    )
  return seconds
}

function region(raw: string): string {
  if (raw === '') return DEFAULT_REGION
  if (!REGION.test(raw))
    throw new InputError(
      'region',
      `must be a Tencent Cloud region such as ap-guangzhou; got '${raw}'`
    )
  return raw
}

function noSpace(name: string, value: string): string {
  if (/\s/.test(value)) throw new InputError(name, 'contains white space')
  return value
}

function readBoolean(input: (name: string) => string, name: string): boolean {
  const raw = input(name)
  if (raw === '' || /^false$/i.test(raw)) return false
  if (/^true$/i.test(raw)) return true
  throw new InputError(name, `must be 'true' or 'false'; got '${raw}'`)
}
