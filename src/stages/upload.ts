/**
 * The upload stage (upload, sync): upload once, or with dry-run only look for an identical
 * certificate. Records the certificate for the outputs, the summary and the later stages.
 */
import type { Outcome } from '../reporting/outcome.js'
import { TencentApiError } from '../tencent/errors.js'
import { clientOf, type RunContext } from './context.js'

export async function upload(ctx: RunContext, outcome: Outcome): Promise<void> {
  const { settings, bundle, io } = ctx
  if (!bundle) throw new Error('internal: no certificate to upload')
  const client = clientOf(ctx)
  const leaf = bundle.leaf
  const alias = settings.alias || defaultAlias(leaf.domains, leaf.subject, leaf.notAfter)
  const shown = { domains: leaf.domains, notAfter: leaf.notAfter, fingerprint: leaf.fingerprint }
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
    io.log.info(
      existing
        ? `Dry run: an identical certificate already exists: ${existing}; nothing would be uploaded.`
        : `Dry run: would upload the certificate as '${alias}'.`
    )
    const state = existing ? 'reused (dry run)' : 'dry run: would upload'
    outcome.certificate = { id: existing, ...shown, state, reused: existing !== '' }
    return
  }
  if (settings.projectId !== 0 && settings.api === '2.0') {
    io.log.warning(
      "project-id is not supported by api '2.0'; the certificate goes to the default project."
    )
  }
  try {
    const result = await client.upload(request)
    io.log.info(
      result.reused
        ? `An identical certificate already exists: ${result.certificateId} (no new copy made).`
        : `Uploaded as ${result.certificateId} ('${alias}').`
    )
    outcome.certificate = {
      id: result.certificateId,
      ...shown,
      state: result.reused ? 'reused' : 'new',
      reused: result.reused
    }
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
