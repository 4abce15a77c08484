/**
 * The `endpoint` and `sts-endpoint` inputs: a host (`ssl.intl.tencentcloudapi.com`, `host:port`)
 * or a URL. Requests carry credentials, private keys and OIDC tokens, so plain http is allowed
 * only to this machine (an emulator). Pure.
 */
import { InputError } from '../settings/input-error.js'
import type { ApiVersion } from './client.js'

export const DEFAULT_HOST: Readonly<Record<ApiVersion, string>> = {
  '3.0': 'ssl.tencentcloudapi.com',
  '2.0': 'wss.api.qcloud.com'
}

export const DEFAULT_PATH: Readonly<Record<ApiVersion, string>> = {
  '3.0': '/',
  '2.0': '/v2/index.php'
}

/** What an endpoint input is called and where it points when empty. */
export interface EndpointInput {
  input: string
  defaultHost: string
  defaultPath: string
}

/** The one plain-http rule, for `endpoint`, `sts-endpoint` and webhook URLs alike. */
export const PLAIN_HTTP_RULE = 'http:// only for a loopback host (127.0.0.0/8, ::1, localhost)'

const accepts = (example: string): string =>
  `accepts a host such as ${example} or an https:// URL; ${PLAIN_HTTP_RULE}`

/** host, host:port, [v6]:port, optionally followed by a path; no scheme. */
const BARE_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:\/[^\s?#]*)?$/i

export function parseEndpoint(value: string, api: ApiVersion): URL {
  return parseServiceEndpoint(value, {
    input: 'endpoint',
    defaultHost: DEFAULT_HOST[api],
    defaultPath: DEFAULT_PATH[api]
  })
}

export function parseServiceEndpoint(value: string, where: EndpointInput): URL {
  const fail = (problem: string): never => {
    throw new InputError(where.input, `${problem}; ${accepts(where.defaultHost)}`)
  }
  const text = value.trim()
  if (text === '') return new URL(`https://${where.defaultHost}${where.defaultPath}`)
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  // Text with an @ may hold credentials (user:password@host): it is never quoted back.
  const shown = text.includes('@') ? 'the value' : `'${text}'`
  if (text.includes('?')) fail('a query string is not allowed')
  if (text.includes('#')) fail('a fragment is not allowed')
  if (!hasScheme && !BARE_HOST.test(text)) fail(`${shown} is neither a host name nor a URL`)

  let url: URL
  try {
    url = new URL(hasScheme ? text : `https://${text}`)
  } catch {
    return fail(`${shown} is not a valid URL`)
  }
  if (url.username !== '' || url.password !== '') fail('credentials in the URL are not allowed')
  const scheme = schemeProblem(url)
  if (scheme) fail(scheme)
  if (url.hostname === '') fail('the URL has no host')
  const plain = plainHttpProblem(url)
  if (plain) fail(plain)
  if (url.pathname === '' || url.pathname === '/') url.pathname = where.defaultPath
  return url
}

/** Only https and http are spoken. */
export function schemeProblem(url: URL): string | undefined {
  return url.protocol === 'https:' || url.protocol === 'http:'
    ? undefined
    : `the scheme ${url.protocol}// is not supported`
}

/** What is wrong with a URL by PLAIN_HTTP_RULE, or undefined when it keeps it. */
export function plainHttpProblem(url: URL): string | undefined {
  return url.protocol === 'http:' && !isLoopback(url.hostname)
    ? `http:// is refused for ${url.hostname}, which is not a loopback host`
    : undefined
}

/** 127.0.0.0/8, ::1 and localhost; `hostname` as URL normalises it (127.1 → 127.0.0.1). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
