/**
 * Benchmark baseline (never shipped): what peer actions do with the official Tencent Cloud SDK,
 * using its SSL client only (`tencentcloud/services/ssl`, as the best peer does). Same inputs as
 * our action where they overlap, same capability: upload (Repeatable false, reuse via
 * RepeatCertId), list (DescribeCertificates) and delete (DeleteCertificate) behind inputs.
 *
 * BENCH_BASELINE_LOOPBACK=1 (set only by bench/run.ts) sends the requests over plain http to
 * 127.0.0.1 while the endpoint keeps its `ssl.` host, so the TC3 scope stays `ssl`.
 */
import * as core from '@actions/core'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { resolve } from 'node:path'
import sslModule from 'tencentcloud-sdk-nodejs/tencentcloud/services/ssl/index.js'

const { ssl } = sslModule

/** PEM text, or a path to a PEM file (relative to the workspace). */
function readPem(name, required) {
  const value = core.getInput(name, { required })
  if (value === '' || value.includes('-----BEGIN')) return value
  const path = resolve(process.env.GITHUB_WORKSPACE || process.cwd(), value)
  if (!existsSync(path)) throw new Error(`${name}: no such file ${value}`)
  return readFileSync(path, 'utf8')
}

function makeClient() {
  const secretId = core.getInput('secret-id') || process.env.TENCENTCLOUD_SECRET_ID || ''
  const secretKey = core.getInput('secret-key') || process.env.TENCENTCLOUD_SECRET_KEY || ''
  if (!secretId || !secretKey) throw new Error('secret-id and secret-key are required')
  core.setSecret(secretKey)
  const endpoint = core.getInput('endpoint') || 'ssl.tencentcloudapi.com'
  const httpProfile = { endpoint }
  if (process.env.BENCH_BASELINE_LOOPBACK === '1') {
    httpProfile.protocol = 'http://'
    httpProfile.agent = new http.Agent({
      lookup: (_host, options, callback) =>
        options && options.all
          ? callback(null, [{ address: '127.0.0.1', family: 4 }])
          : callback(null, '127.0.0.1', 4)
    })
  }
  return new ssl.v20191205.Client({
    credential: { secretId, secretKey },
    region: '',
    profile: { httpProfile }
  })
}

async function upload(client, certType) {
  const cert = readPem('cert', true)
  const key = readPem('key', certType === 'SVR')
  if (key) core.setSecret(key)
  const alias = core.getInput('alias') || `uploaded ${new Date().toISOString().slice(0, 10)}`
  const response = await client.UploadCertificate({
    CertificatePublicKey: cert,
    CertificatePrivateKey: key || undefined,
    CertificateType: certType,
    Alias: alias,
    Repeatable: false
  })
  const id = response.CertificateId || response.RepeatCertId
  const reused = !response.CertificateId && Boolean(response.RepeatCertId)
  core.info(reused ? `Reused ${id}` : `Uploaded ${id}`)
  core.setOutput('certificate-id', id)
  core.setOutput('reused', String(reused))
  return id
}

async function listUploaded(client, certType) {
  const all = []
  for (let offset = 0; ;) {
    const page = await client.DescribeCertificates({
      Offset: offset,
      Limit: 1000,
      FilterSource: 'upload',
      CertificateType: certType
    })
    const items = page.Certificates || []
    all.push(...items)
    offset += items.length
    if (items.length === 0 || offset >= (page.TotalCount || 0)) return all
  }
}

/** Deletes the in-scope certificates that a newer in-scope one supersedes, one call each. */
async function prune(client, certType, keepId) {
  const scope = core
    .getInput('prune-domains')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(d => d.toLowerCase())
  if (scope.length === 0) throw new Error('prune-domains is required')
  const maxDeletions = Number(core.getInput('max-deletions') || '20')
  const listed = await listUploaded(client, certType)
  const inScope = listed.filter(c => {
    const names = new Set([c.Domain, ...(c.SubjectAltName || [])].filter(Boolean))
    return [...names].every(n => scope.includes(n.toLowerCase()))
  })
  inScope.sort((a, b) => String(b.CertEndTime).localeCompare(String(a.CertEndTime)))
  const newest = keepId || (inScope[0] && inScope[0].CertificateId)
  const doomed = inScope.filter(c => c.CertificateId !== newest)
  if (doomed.length > maxDeletions) {
    throw new Error(
      `would delete ${doomed.length} certificates, over max-deletions ${maxDeletions}`
    )
  }
  const deleted = []
  for (const c of doomed) {
    const result = await client.DeleteCertificate({ CertificateId: c.CertificateId })
    if (result.DeleteResult) deleted.push(c.CertificateId)
    else core.warning(`${c.CertificateId} was not deleted`)
  }
  core.info(`Listed ${listed.length}, deleted ${deleted.length}`)
  core.setOutput('deleted-ids', JSON.stringify(deleted))
}

async function run() {
  try {
    const mode = core.getInput('mode') || 'upload'
    if (!['upload', 'prune', 'sync'].includes(mode)) throw new Error(`unknown mode ${mode}`)
    const certType = core.getInput('cert-type') || 'SVR'
    const client = makeClient()
    let id
    if (mode === 'upload' || mode === 'sync') id = await upload(client, certType)
    if (mode === 'prune' || mode === 'sync') await prune(client, certType, id)
  } catch (error) {
    const code = error && error.code ? ` (${error.code}, request ${error.requestId})` : ''
    core.setFailed(`${error && error.message ? error.message : String(error)}${code}`)
  }
}

await run()
