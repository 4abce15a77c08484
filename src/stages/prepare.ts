/**
 * Everything checked before the first request: masking, the inputs, the endpoint, and in
 * upload/sync the certificate and key (validated locally, promise 1). No request is made here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import fetch from 'node-fetch'
import type { ActionIO } from '../runner/action-io.js'
import { parseCertificateBundle, type CertificateBundle } from '../certificate/certificate.js'
import { InputError } from '../settings/input-error.js'
import { readMode, readSettings, UPLOADING, type Mode, type Settings } from '../settings/inputs.js'
import type { Outcome } from '../reporting/outcome.js'
import { resolvePemInput } from '../certificate/pem.js'
import { maskSecret } from '../runner/secrets.js'
import { notifySecrets } from '../notify/settings.js'
import type { ClientDeps, FetchLike } from '../tencent/client.js'
import { parseEndpoint } from '../tencent/endpoint.js'
import type { RunContext } from './context.js'
import { resolveEndpoints } from '../verify/endpoints.js'

const API2_NOTICE =
  "api '2.0' uses the legacy wss.api.qcloud.com API, which Tencent announced it would retire " +
  '(service planned to stop from 2023-01-01). Switch to api 3.0 (the default: ' +
  'ssl.tencentcloudapi.com, UploadCertificate/DescribeCertificates/DeleteCertificates).'

/** Tencent's CertDelete page (400/13696): only CLB, CDN and BM bindings stop a deletion. */
const API2_DELETION =
  "api '2.0' has no binding check: CertDelete refuses a certificate bound to CLB, CDN or BM, but " +
  'not one that only WAF, live, VOD, EdgeOne or another service uses. Use api 3.0 (the default) ' +
  'where anything else may serve a certificate.'

export function prepare(
  io: ActionIO,
  outcome: Outcome,
  clock?: Pick<ClientDeps, 'now' | 'sleep'>
): RunContext {
  maskSecretInputs(io)
  outcome.mode = readMode(io.input)
  const settings = readSettings(io.input, io.env)
  outcome.api = settings.api
  outcome.dryRun = settings.dryRun
  // Promise 5: a key read from a file or decoded from base64 is masked before any line.
  const key = UPLOADING.includes(settings.mode) ? readKey(settings, io) : undefined
  if (settings.api === '2.0') io.log.notice(API2_NOTICE)
  if (settings.api === '2.0' && ['prune', 'sync', 'delete'].includes(settings.mode))
    io.log.warning(API2_DELETION)
  const endpoint = parseEndpoint(settings.endpoint, settings.api)
  warnIgnoredInputs(settings, io)
  const bundle = UPLOADING.includes(settings.mode)
    ? loadCertificate(settings, key, io, outcome)
    : undefined
  // Checked before any request: sync must not upload and then find it has nothing to prune by.
  const scope =
    settings.pruneDomains.length > 0 ? settings.pruneDomains : (bundle?.leaf.domains ?? [])
  if ((settings.mode === 'prune' || settings.mode === 'sync') && scope.length === 0) {
    throw new InputError(
      'prune-domains',
      'is empty and the certificate has no DNS names to prune by; list the domains to prune'
    )
  }
  // `verify: true` takes the certificate's names: one without any fails here, before a request.
  const verify = resolveEndpoints(settings.verify, bundle?.leaf.domains ?? [])
  const deps = { ...productionDeps(io), ...clock }
  return { io, settings, endpoint, bundle, scope, verify, deps, now: () => new Date(deps.now()) }
}

/** Inputs that the mode does not use are most likely a mistake in the workflow: say so. */
function warnIgnoredInputs(s: Settings, io: ActionIO): void {
  const pruning = ['prune', 'sync'] as const
  const given: [string, boolean, readonly Mode[]][] = [
    ['cert', s.cert !== '', UPLOADING],
    ['key', s.key !== '', UPLOADING],
    ['alias', s.alias !== '', UPLOADING],
    ['tags', s.tags.length > 0, UPLOADING],
    ['deploy-to', s.deployTo.length > 0, UPLOADING],
    ['prune-domains', s.pruneDomains.length > 0, pruning],
    ['keep', s.keep !== 1, pruning],
    ['expired-only', s.expiredOnly, pruning],
    ['replace', s.replace !== false, pruning],
    ['min-age', s.minAgeSeconds > 0, pruning],
    ['mute-superseded', s.muteSuperseded, pruning],
    ['certificate-ids', s.certificateIds.length > 0, ['list', 'delete']],
    ['search-key', s.searchKey !== '', ['list']],
    ['fail-on-expiring', s.failOnExpiring, ['list']],
    ['verify', s.verify.kind !== 'none', [...UPLOADING, 'list']]
  ]
  const ignored = given
    .filter(([, set, modes]) => set && !modes.includes(s.mode))
    .map(([name]) => name)
  if (ignored.length > 0) io.log.warning(`${ignored.join(', ')} ignored in ${s.mode} mode.`)
}

/** Promise 5: every secret is masked before anything is logged. */
function maskSecretInputs(io: ActionIO): void {
  const env = io.env
  const secrets = [
    io.input('secret-key'),
    io.input('session-token'),
    env.TENCENTCLOUD_SECRET_KEY,
    env.TENCENTCLOUD_SESSION_TOKEN,
    env.TENCENTCLOUD_TOKEN,
    env.TENCENTCLOUD_SECURITY_TOKEN,
    // Webhook URLs carry their robot's key.
    ...notifySecrets(io.input)
  ]
  for (const secret of secrets) maskSecret(secret ?? '', io.mask)
  // The key input is PEM text or base64 of it unless it names a file; mask it either way but
  // the file case, whose content is masked once read.
  const key = io.input('key')
  if (key !== '' && !isFile(resolve(workspace(env), key))) maskSecret(key, io.mask)
}

function pemFiles(env: NodeJS.ProcessEnv) {
  return {
    workspace: workspace(env),
    exists: isFile,
    isDirectory: (path: string) => existsSync(path) && statSync(path).isDirectory(),
    readFile: (path: string) => readFileSync(path)
  }
}

function readKey(settings: Settings, io: ActionIO): string | undefined {
  if (settings.key === '') return undefined
  const key = resolvePemInput('key', settings.key, pemFiles(io.env))
  maskSecret(key, io.mask)
  return key
}

function loadCertificate(
  settings: Settings,
  key: string | undefined,
  io: ActionIO,
  outcome: Outcome
): CertificateBundle {
  const cert = resolvePemInput('cert', settings.cert, pemFiles(io.env))
  const bundle = parseCertificateBundle({ cert, key, certType: settings.certType, now: new Date() })
  // The cleaned key may differ from the input (line ends, wrapping): mask it as sent too.
  if (bundle.keyPem !== undefined && bundle.keyPem !== key) maskSecret(bundle.keyPem, io.mask)
  for (const notice of bundle.notices) io.log.notice(notice)
  for (const warning of bundle.warnings) io.log.warning(warning)
  const leaf = bundle.leaf
  io.log.info(
    `Certificate for ${leaf.domains.join(', ') || leaf.subject}: not after ` +
      `${leaf.notAfter.toISOString()}, ${bundle.certificateCount} certificate(s) in the chain, ` +
      `key ${leaf.keyType}, SHA-256 ${leaf.fingerprint}.`
  )
  outcome.leaf = { notAfter: leaf.notAfter, domains: leaf.domains, fingerprint: leaf.fingerprint }
  return bundle
}

function productionDeps(io: ActionIO): ClientDeps {
  return {
    fetch: fetch as unknown as FetchLike,
    now: () => Date.now(),
    sleep: ms => new Promise(done => setTimeout(done, ms)),
    random: () => Math.random(),
    debug: m => io.log.debug(m),
    warning: m => io.log.warning(m)
  }
}

function workspace(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_WORKSPACE || process.cwd()
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile()
  } catch {
    return false
  }
}
