/**
 * The action: read inputs, validate the certificate locally, upload once, prune, set outputs and
 * the job summary. The single place that fails the step.
 */
import * as core from '@actions/core'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import fetch from 'node-fetch'
import { parseCertificateBundle, type CertificateBundle } from './certificate.js'
import { InputError } from './input-error.js'
import { readSettings, type Settings } from './inputs.js'
import type { Log } from './log.js'
import { resolvePemInput } from './pem.js'
import { describe, prune, type PruneResult } from './prune.js'
import { maskSecret } from './secrets.js'
import { renderSummary, type Report } from './summary.js'
import type { ClientDeps, FetchLike, SslClient } from './tencent/client.js'
import { parseEndpoint } from './tencent/endpoint.js'
import { errorMessage, TencentApiError } from './tencent/errors.js'
import { createSslClient } from './tencent/index.js'

const API2_NOTICE =
  "api '2.0' uses the legacy wss.api.qcloud.com API, which Tencent announced it would retire " +
  '(service planned to stop from 2023-01-01). Switch to api 3.0 (the default: ' +
  'ssl.tencentcloudapi.com, UploadCertificate/DescribeCertificates/DeleteCertificates).'

const coreLog: Log = {
  info: m => core.info(m),
  notice: m => core.notice(m),
  warning: m => core.warning(m),
  debug: m => core.debug(m)
}

export async function run(env: NodeJS.ProcessEnv = process.env, log: Log = coreLog): Promise<void> {
  const report: Report = { title: 'Tencent Cloud SSL certificate', api: '' }
  try {
    maskSecretInputs(env)
    const settings = readSettings(name => core.getInput(name), env)
    // Promise 5: a key read from a file or decoded from base64 is masked before any line.
    const key = settings.mode === 'prune' ? undefined : readKey(settings, env)
    report.api = settings.api
    report.title = `Tencent Cloud SSL: ${settings.mode}${settings.dryRun ? ' (dry run)' : ''}`
    if (settings.api === '2.0') log.notice(API2_NOTICE)
    const endpoint = parseEndpoint(settings.endpoint, settings.api)
    warnIgnoredInputs(settings, log)
    const bundle = settings.mode === 'prune' ? undefined : loadCertificate(settings, key, env, log)
    // Checked before any request: sync must not upload and then find it has nothing to prune by.
    const scope =
      settings.pruneDomains.length > 0 ? settings.pruneDomains : (bundle?.leaf.domains ?? [])
    if (settings.mode !== 'upload' && scope.length === 0) {
      throw new InputError(
        'prune-domains',
        'is empty and the certificate has no DNS names to prune by; list the domains to prune'
      )
    }
    const client = createSslClient(settings.api, {
      credentials: settings.credentials,
      endpoint,
      timeoutMs: settings.requestTimeoutMs,
      deps: productionDeps(log)
    })
    log.debug(`API ${settings.api} at ${endpoint.origin}${endpoint.pathname}`)

    let newCertificate: { id: string; domains: string[]; notAfter: Date } | undefined
    if (bundle) newCertificate = await upload(client, bundle, settings, report, log)
    if (settings.mode === 'upload') {
      core.setOutput('deleted-ids', '[]')
      core.setOutput('skipped-ids', '[]')
      return
    }
    const result = await prune(
      client,
      {
        scope,
        keep: settings.keep,
        expiredOnly: settings.expiredOnly,
        maxDeletions: settings.maxDeletions,
        dryRun: settings.dryRun,
        certType: settings.certType,
        now: new Date(),
        newCertificate
      },
      log
    )
    report.prune = {
      dryRun: settings.dryRun,
      scope,
      deleted: result.deleted,
      kept: result.plan.keep,
      skipped: result.skipped,
      failed: result.failed.map(f => ({ entry: f.entry, reason: f.error.message })),
      refused: result.refused?.planned ?? []
    }
    core.setOutput('deleted-ids', JSON.stringify(result.deleted.map(e => e.id)))
    // The contract's skipped-ids: kept back because bound, refused by the API, or over a limit.
    const heldBack = [...result.skipped, ...(result.refused?.planned ?? [])]
    core.setOutput('skipped-ids', JSON.stringify(heldBack.map(e => e.id)))
    for (const f of result.failed) log.info(`Failed: ${f.error.message}`)
    if (result.refused) throw new Error(result.refused.message)
    logPruneTotals(result, settings.dryRun, log)
    if (result.failed.length > 0) throw new Error(failureMessage(result))
  } catch (error) {
    const message = errorMessage(error)
    report.error = message
    core.setFailed(message)
  } finally {
    await writeSummary(report, env, log)
  }
}

/** Inputs that the mode does not use are most likely a mistake in the workflow: say so. */
function warnIgnoredInputs(settings: Settings, log: Log): void {
  const ignored: string[] = []
  if (settings.mode === 'prune') {
    if (settings.cert !== '') ignored.push('cert')
    if (settings.key !== '') ignored.push('key')
  }
  if (settings.mode === 'upload') {
    if (settings.pruneDomains.length > 0) ignored.push('prune-domains')
    if (settings.expiredOnly) ignored.push('expired-only')
  }
  if (ignored.length > 0) {
    log.warning(`${ignored.join(', ')} ignored in ${settings.mode} mode.`)
  }
}

/** Promise 5: every secret is masked before anything is logged. */
function maskSecretInputs(env: NodeJS.ProcessEnv): void {
  const secrets = [
    core.getInput('secret-key'),
    core.getInput('session-token'),
    env.TENCENTCLOUD_SECRET_KEY,
    env.TENCENTCLOUD_SESSION_TOKEN,
    env.TENCENTCLOUD_TOKEN,
    env.TENCENTCLOUD_SECURITY_TOKEN
  ]
  for (const secret of secrets) maskSecret(secret ?? '', core.setSecret)
  // The key input is PEM text or base64 of it unless it names a file; mask it either way but
  // the file case, whose content is masked once read.
  const key = core.getInput('key')
  if (key !== '' && !isFile(resolve(workspace(env), key))) maskSecret(key, core.setSecret)
}

function pemFiles(env: NodeJS.ProcessEnv) {
  return {
    workspace: workspace(env),
    exists: isFile,
    readFile: (path: string) => readFileSync(path)
  }
}

function readKey(settings: Settings, env: NodeJS.ProcessEnv): string | undefined {
  if (settings.key === '') return undefined
  const key = resolvePemInput('key', settings.key, pemFiles(env))
  maskSecret(key, core.setSecret)
  return key
}

function loadCertificate(
  settings: Settings,
  key: string | undefined,
  env: NodeJS.ProcessEnv,
  log: Log
): CertificateBundle {
  const cert = resolvePemInput('cert', settings.cert, pemFiles(env))
  const bundle = parseCertificateBundle({ cert, key, certType: settings.certType, now: new Date() })
  // The cleaned key may differ from the input (line ends, wrapping): mask it as sent too.
  if (bundle.keyPem !== undefined && bundle.keyPem !== key)
    maskSecret(bundle.keyPem, core.setSecret)
  for (const notice of bundle.notices) log.notice(notice)
  for (const warning of bundle.warnings) log.warning(warning)
  const leaf = bundle.leaf
  log.info(
    `Certificate for ${leaf.domains.join(', ') || leaf.subject}: not after ` +
      `${leaf.notAfter.toISOString()}, ${bundle.certificateCount} certificate(s) in the chain, ` +
      `key ${leaf.keyType}, SHA-256 ${leaf.fingerprint}.`
  )
  core.setOutput('not-after', leaf.notAfter.toISOString())
  core.setOutput('domains', JSON.stringify(leaf.domains))
  core.setOutput('fingerprint', leaf.fingerprint)
  return bundle
}

async function upload(
  client: SslClient,
  bundle: CertificateBundle,
  settings: Settings,
  report: Report,
  log: Log
): Promise<{ id: string; domains: string[]; notAfter: Date }> {
  const leaf = bundle.leaf
  const alias = settings.alias || defaultAlias(leaf.domains, leaf.subject, leaf.notAfter)
  const certificate = { domains: leaf.domains, notAfter: leaf.notAfter }
  const request = {
    certificatePem: bundle.chainPem,
    privateKeyPem: bundle.keyPem,
    certType: settings.certType,
    alias,
    projectId: settings.projectId,
    tags: settings.tags,
    fingerprint: leaf.fingerprint
  }
  if (settings.dryRun) {
    const existing = await client.findIdentical(request)
    log.info(
      existing
        ? `Dry run: an identical certificate already exists: ${existing}; nothing would be uploaded.`
        : `Dry run: would upload the certificate as '${alias}'.`
    )
    core.setOutput('certificate-id', existing)
    core.setOutput('reused', String(existing !== ''))
    const state = existing ? 'reused (dry run)' : 'dry run: would upload'
    report.certificate = { id: existing, ...certificate, fingerprint: leaf.fingerprint, state }
    return { id: existing || '(new certificate)', ...certificate }
  }
  if (settings.projectId !== 0 && settings.api === '2.0') {
    log.warning(
      "project-id is not supported by api '2.0'; the certificate goes to the default project."
    )
  }
  try {
    const result = await client.upload(request)
    log.info(
      result.reused
        ? `An identical certificate already exists: ${result.certificateId} (no new copy made).`
        : `Uploaded as ${result.certificateId} ('${alias}').`
    )
    core.setOutput('certificate-id', result.certificateId)
    core.setOutput('reused', String(result.reused))
    report.certificate = {
      id: result.certificateId,
      ...certificate,
      fingerprint: leaf.fingerprint,
      state: result.reused ? 'reused' : 'new'
    }
    return { id: result.certificateId, ...certificate }
  } catch (error) {
    if (error instanceof TencentApiError && !error.subject) {
      error.about(`the certificate for ${leaf.domains.join(', ') || leaf.subject}`)
    }
    throw error
  }
}

/** `<first domain> <not-after, YYYY-MM-DD>`, as the contract says. */
export function defaultAlias(domains: string[], subject: string, notAfter: Date): string {
  const name = domains[0] ?? (/CN=([^,\n]+)/.exec(subject)?.[1] || 'certificate')
  return `${name} ${notAfter.toISOString().slice(0, 10)}`
}

function logPruneTotals(result: PruneResult, dryRun: boolean, log: Log): void {
  const verb = dryRun ? 'would delete' : 'deleted'
  log.notice(
    `Pruning ${verb} ${result.deleted.length}, skipped ${result.skipped.length}, ` +
      `kept ${result.plan.keep.length}` +
      (result.failed.length > 0 ? `, failed ${result.failed.length}` : '') +
      '.'
  )
  if (dryRun)
    for (const entry of result.deleted) log.info(`Dry run: would delete ${describe(entry)}.`)
}

/** One message for the step; every failure is also in the log and the summary. */
export function failureMessage(result: PruneResult, shown = 10): string {
  const total = result.deleted.length + result.skipped.length + result.failed.length
  const details = result.failed.slice(0, shown).map(f => f.error.message)
  const more = result.failed.length - details.length
  if (more > 0) details.push(`and ${more} more (listed in the log and the job summary)`)
  return `Pruning failed for ${result.failed.length} of ${total} certificate(s): ${details.join('; ')}`
}

function productionDeps(log: Log): ClientDeps {
  return {
    fetch: fetch as unknown as FetchLike,
    now: () => Date.now(),
    sleep: ms => new Promise(done => setTimeout(done, ms)),
    random: () => Math.random(),
    debug: m => log.debug(m),
    warning: m => log.warning(m)
  }
}

async function writeSummary(report: Report, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return
  try {
    // Loaded only here, on a runner: octokit's start-up cost stays off the path to the first
    // request. context.repo throws without GITHUB_REPOSITORY.
    let where = ''
    if (env.GITHUB_REPOSITORY) {
      const { context } = await import('@actions/github')
      where = ` · ${env.GITHUB_REPOSITORY} ${context.workflow} #${context.runNumber}`
    }
    await core.summary
      .addRaw(renderSummary({ ...report, api: `${report.api || '—'}${where}` }))
      .write()
  } catch (error) {
    log.warning(`Could not write the job summary: ${errorMessage(error)}`)
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
