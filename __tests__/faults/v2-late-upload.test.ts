/**
 * API 2.0 has no Repeatable flag, so an upload that timed out but lands later must not be
 * uploaded a second time. Found by the fault matrix (latency just over request-timeout, 2.0
 * sync: two copies); here in virtual time, where the late landing is certain rather than racy.
 */
import 'reflect-metadata'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { X509Certificate } from 'node:crypto'
import { makeChain, type TestChain } from '../../fixtures/certs.js'
import { SslClientV2 } from '../../src/tencent/v2.js'
import type { TencentApiError } from '../../src/tencent/errors.js'
import {
  FakeClock,
  fakeFetch,
  formOf,
  makeDeps,
  v2Error,
  v2Ok,
  type Answer
} from '../tencent/fakes.js'

let chain: TestChain
beforeAll(async () => {
  chain = await makeChain({ domains: ['late.example.test'] })
})

interface Stored {
  id: string
  cert: string
}

/**
 * A 2.0 service whose first CertUpload answers nothing and is stored `landsAfterMs` later
 * (never, when undefined); later uploads are stored and answered at once.
 */
function setup(timeoutMs: number, landsAfterMs: number | undefined) {
  const clock = new FakeClock()
  const stored: Stored[] = []
  const store = (cert: string): string => {
    const id = `late-${stored.length + 1}`
    stored.push({ id, cert })
    return id
  }
  let uploads = 0
  const { fetch, requests } = fakeFetch(clock, (request): Answer => {
    const params = formOf(request)
    if (params.Action === 'CertGetList')
      return v2Ok({
        totalNum: stored.length,
        list: stored.map(s => ({ ...s, from: 'upload', certType: 'SVR' }))
      })
    if (uploads++ > 0) return v2Ok({ id: store(params.cert) })
    if (landsAfterMs !== undefined) clock.setTimer(landsAfterMs, () => store(params.cert))
    return { hang: true }
  })
  const client = new SslClientV2({
    credentials: { secretId: 'AKIDlate', secretKey: 'late-upload-secret-key-000000' },
    endpoint: new URL('https://wss.api.qcloud.com/v2/index.php'),
    timeoutMs,
    deps: makeDeps(clock, fetch)
  })
  const request = {
    certificatePem: chain.fullchainPem,
    privateKeyPem: chain.keyPem,
    certType: 'SVR' as const,
    alias: 'late.example.test',
    projectId: 0,
    tags: [],
    fingerprint: new X509Certificate(chain.leafPem).fingerprint256.replace(/:/g, '').toLowerCase()
  }
  const uploadsSent = () => requests.filter(r => formOf(r).Action === 'CertUpload').length
  return { clock, stored, client, request, uploadsSent }
}

describe('API 2.0 upload whose first attempt times out but is stored later', () => {
  it('waits for it to land and reuses it instead of uploading a second copy', async () => {
    const { clock, stored, client, request, uploadsSent } = setup(10_000, 12_000)
    const result = await clock.run(client.upload(request))
    expect(stored).toHaveLength(1)
    expect(result).toEqual({ certificateId: stored[0].id, reused: false })
    expect(uploadsSent()).toBe(1)
  })

  it('still looks once when the timeout leaves no time for a retry, and finds it', async () => {
    const { clock, stored, client, request, uploadsSent } = setup(40_000, 45_000)
    const result = await clock.run(client.upload(request))
    expect(stored).toHaveLength(1)
    expect(result.certificateId).toBe(stored[0].id)
    expect(uploadsSent()).toBe(1)
  })

  it('fails with Timeout, without a second upload, when it never lands and the budget is spent', async () => {
    const { clock, stored, client, request, uploadsSent } = setup(40_000, undefined)
    const error = (await clock.run(client.upload(request)).catch(e => e)) as TencentApiError
    expect(error.code).toBe('Timeout')
    expect(error.message).toMatch(
      /^CertUpload for certificate "late\.example\.test" failed: Timeout/
    )
    expect(stored).toHaveLength(0)
    expect(uploadsSent()).toBe(1)
  })

  it('retries when it never lands and the budget allows', async () => {
    const { clock, stored, client, request, uploadsSent } = setup(10_000, undefined)
    const result = await clock.run(client.upload(request))
    expect(stored).toHaveLength(1)
    expect(result.certificateId).toBe(stored[0].id)
    expect(uploadsSent()).toBe(2)
  })
})

describe('API 2.0 upload whose every attempt fails ambiguously', () => {
  it('looks once more after the last allowed attempt and finds the copy that was stored', async () => {
    const clock = new FakeClock()
    const stored: Stored[] = []
    let uploads = 0
    const { fetch, requests } = fakeFetch(clock, (request): Answer => {
      const params = formOf(request)
      if (params.Action === 'CertGetList')
        return v2Ok({
          totalNum: stored.length,
          list: stored.map(s => ({ ...s, from: 'upload', certType: 'SVR' }))
        })
      // The fifth and last allowed upload is stored, but its answer is an internal error.
      if (++uploads === 5) stored.push({ id: 'stored-last', cert: params.cert })
      return v2Error(6000, 'internal error')
    })
    const client = new SslClientV2({
      credentials: { secretId: 'AKIDlast', secretKey: 'last-attempt-secret-key-0000' },
      endpoint: new URL('https://wss.api.qcloud.com/v2/index.php'),
      timeoutMs: 10_000,
      deps: makeDeps(clock, fetch)
    })
    const result = await clock.run(
      client.upload({
        certificatePem: chain.fullchainPem,
        privateKeyPem: chain.keyPem,
        certType: 'SVR',
        alias: 'late.example.test',
        projectId: 0,
        tags: [],
        fingerprint: new X509Certificate(chain.leafPem).fingerprint256
          .replace(/:/g, '')
          .toLowerCase()
      })
    )
    expect(result).toEqual({ certificateId: 'stored-last', reused: false })
    expect(requests.filter(r => formOf(r).Action === 'CertUpload')).toHaveLength(5)
    expect(stored).toHaveLength(1)
  })
})
