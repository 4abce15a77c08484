import type { ClientOptions, UploadRequest } from '../../src/tencent/client.js'
import type { TencentApiError } from '../../src/tencent/errors.js'
import { createSslClient } from '../../src/tencent/index.js'
import { SslClientV3 } from '../../src/tencent/v3.js'
import {
  type Answer,
  FakeClock,
  fakeFetch,
  jsonOf,
  makeDeps,
  networkError,
  sdkAuthorization,
  type SentRequest,
  v3Error,
  v3Ok
} from './fakes.js'

const credentials = {
  secretId: 'AKIDv3clienttest',
  secretKey: 'v3-client-secret-key-0123456789',
  token: 'v3-sts-token-abcdefghijklmnopqrstuvwxyz'
}
const PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49KEYLINEONExxxxxxxxxxxxxxxxxxxxxxx\n' +
  'KEYLINETWOyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n-----END PRIVATE KEY-----\n'
const CHAIN = '-----BEGIN CERTIFICATE-----\nMIIBLEAFCERTBODY\n-----END CERTIFICATE-----\n'

function uploadRequest(overrides: Partial<UploadRequest> = {}): UploadRequest {
  return {
    certificatePem: CHAIN,
    privateKeyPem: PRIVATE_KEY,
    certType: 'SVR',
    alias: 'example.com 2027-01-15',
    projectId: 0,
    tags: [{ key: 'managed-by', value: 'tencentcloud-ssl-action' }],
    fingerprint: 'ab'.repeat(32),
    ...overrides
  }
}

interface StoredCert {
  CertificateId: string
  CertificatePublicKey?: string
  CertificateType: string
  From: string
  [field: string]: unknown
}

/** Answer to give instead of the real one; with `process`, the server acts first (lost answer). */
type Fault = Answer & { process?: boolean }

/**
 * A small in-memory SSL 3.0 service. It refuses any request whose signature the official SDK
 * does not reproduce, or that lacks the session token.
 */
class FakeSsl3 {
  readonly certs = new Map<string, StoredCert>()
  readonly faults = new Map<string, Fault[]>()
  /** certificate id → bindings per resource type (per region counts) and polls until done. */
  readonly bindings = new Map<
    string,
    { counts?: [string, number[]][]; polls?: number; status?: number }
  >()
  /** certificate id → how DeleteCertificates treats it. */
  readonly deletes = new Map<
    string,
    { fail?: string; task?: number; polls?: number; error?: string }
  >()
  repeatEchoesId = false
  private nextId = 1
  private readonly tasks = new Map<string, { certId: string; polls: number }>()

  constructor(private readonly token = credentials.token) {}

  add(fields: Partial<StoredCert> = {}): StoredCert {
    const id = fields.CertificateId ?? `cert-${String(this.nextId++).padStart(5, '0')}`
    const cert: StoredCert = {
      CertificateId: id,
      CertificateType: 'SVR',
      From: 'upload',
      Domain: 'example.com',
      SubjectAltName: ['example.com'],
      CertEndTime: '2027-01-15 08:00:00',
      InsertTime: '2026-10-17 10:00:00',
      Alias: 'alias',
      ...fields
    }
    this.certs.set(id, cert)
    return cert
  }

  fault(action: string, ...faults: Fault[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...faults])
  }

  readonly handle = (request: SentRequest): Answer => {
    if (request.headers.Authorization !== sdkAuthorization(request, credentials))
      return v3Error('AuthFailure.SignatureFailure', 'signature mismatch')
    if (this.token && request.headers['X-TC-Token'] !== this.token)
      return v3Error('AuthFailure.TokenFailure', 'token missing')
    const action = request.headers['X-TC-Action']
    const fault = this.faults.get(action)?.shift()
    if (fault && !fault.process) return fault
    const answer = this.act(action, jsonOf(request))
    return fault ?? answer
  }

  private act(action: string, params: Record<string, unknown>): Answer {
    switch (action) {
      case 'CheckCertificateExist':
        return v3Ok({
          RepeatCertId: this.identical(params.CertificatePublicKey)?.CertificateId ?? ''
        })
      case 'UploadCertificate': {
        const same = this.identical(params.CertificatePublicKey)
        if (same && params.Repeatable === false)
          return v3Ok({
            CertificateId: this.repeatEchoesId ? same.CertificateId : '',
            RepeatCertId: same.CertificateId
          })
        const cert = this.add({
          CertificatePublicKey: params.CertificatePublicKey as string,
          CertificateType: params.CertificateType as string
        })
        return v3Ok({ CertificateId: cert.CertificateId, RepeatCertId: '' })
      }
      case 'DescribeCertificates': {
        const matching = [...this.certs.values()].filter(
          c =>
            (params.FilterSource !== 'upload' || c.From === 'upload') &&
            (!params.CertificateType || c.CertificateType === params.CertificateType) &&
            (!params.CertIds || (params.CertIds as string[]).includes(c.CertificateId))
        )
        const offset = Number(params.Offset ?? 0)
        const limit = Math.min(1000, Number(params.Limit ?? 10))
        return v3Ok({
          TotalCount: matching.length,
          Certificates: matching.slice(offset, offset + limit)
        })
      }
      case 'CreateCertificateBindResourceSyncTask':
        return v3Ok({
          CertTaskIds: (params.CertificateIds as string[]).map(id => ({
            CertId: id,
            TaskId: this.task(id, this.bindings.get(id)?.polls ?? 1)
          }))
        })
      case 'DescribeCertificateBindResourceTaskResult':
        return v3Ok({
          SyncTaskBindResourceResult: (params.TaskIds as string[]).map(t => this.bindResult(t))
        })
      case 'DescribeCertificateBindResourceTaskDetail':
        // The types the counts leave out: none bound here.
        return v3Ok({ Status: 1, TSE: [], MQTT: [], SCF: null, TDMQ: [], GAAP: [] })
      case 'DeleteCertificates':
        return this.deleteBatch(params.CertificateIds as string[])
      case 'DescribeDeleteCertificatesTaskResult':
        return v3Ok({
          DeleteTaskResult: (params.TaskIds as string[]).map(t => this.deleteResult(t))
        })
      default:
        return v3Error('InvalidAction', `no ${action}`)
    }
  }

  private identical(pem: unknown): StoredCert | undefined {
    return [...this.certs.values()].find(c => c.CertificatePublicKey === pem)
  }

  private task(certId: string, polls: number): string {
    const id = `task-${certId}`
    this.tasks.set(id, { certId, polls })
    return id
  }

  /** Status 0 until polled `polls` times. */
  private running(taskId: string): boolean {
    const task = this.tasks.get(taskId)!
    return task.polls-- > 1
  }

  private bindResult(taskId: string) {
    const { certId } = this.tasks.get(taskId)!
    const binding = this.bindings.get(certId) ?? {}
    if (this.running(taskId)) return { TaskId: taskId, Status: 0 }
    if (binding.status === 2)
      return {
        TaskId: taskId,
        Status: 2,
        Error: { Code: 'FailedOperation', Message: 'lookup broke' }
      }
    return {
      TaskId: taskId,
      Status: 1,
      BindResourceResult: (
        binding.counts ?? [
          ['clb', [0]],
          ['cdn', [0]]
        ]
      ).map(([type, counts]) => ({
        ResourceType: type,
        BindResourceRegionResult: counts.map((n, i) => ({ Region: `region-${i}`, TotalCount: n }))
      }))
    }
  }

  private deleteBatch(ids: string[]): Answer {
    const Success: string[] = []
    const Fail: { CertId: string; Msg: string }[] = []
    const CertTaskIds: { CertId: string; TaskId: string }[] = []
    for (const id of ids) {
      const rule = this.deletes.get(id) ?? { task: 1 }
      if (rule.fail !== undefined) Fail.push({ CertId: id, Msg: rule.fail })
      else if (rule.task === undefined) Success.push(id)
      else CertTaskIds.push({ CertId: id, TaskId: this.task(id, rule.polls ?? 1) })
      if (rule.task === 1 || (rule.task === undefined && rule.fail === undefined))
        this.certs.delete(id)
    }
    return v3Ok({ Success, Fail, CertTaskIds })
  }

  private deleteResult(taskId: string) {
    const { certId } = this.tasks.get(taskId)!
    const rule = this.deletes.get(certId) ?? { task: 1 }
    if (this.running(taskId)) return { TaskId: taskId, CertId: certId, Status: 0 }
    return { TaskId: taskId, CertId: certId, Status: rule.task, Error: rule.error ?? '' }
  }
}

function setup(
  options: {
    endpoint?: string
    token?: string
    server?: FakeSsl3
    handler?: (r: SentRequest) => Answer
  } = {}
) {
  const clock = new FakeClock()
  const server = options.server ?? new FakeSsl3(options.token ?? credentials.token)
  const { fetch, requests } = fakeFetch(clock, options.handler ?? server.handle)
  const deps = makeDeps(clock, fetch)
  const clientOptions: ClientOptions = {
    credentials: { ...credentials, token: options.token ?? credentials.token },
    endpoint: new URL(options.endpoint ?? 'https://ssl.tencentcloudapi.com/'),
    timeoutMs: 10_000,
    deps
  }
  const client = createSslClient('3.0', clientOptions)
  const actions = (name: string) => requests.filter(r => r.headers['X-TC-Action'] === name)
  return { clock, server, requests, deps, client, actions, run: clock.run.bind(clock) }
}

describe('requests', () => {
  it('are signed as the official SDK signs them, service ssl, host without port', async () => {
    const { client, requests, run } = setup({
      endpoint: 'https://ssl.intl.tencentcloudapi.com:8443/'
    })
    await run(client.upload(uploadRequest()))
    expect(requests.length).toBeGreaterThanOrEqual(2)
    for (const request of requests) {
      expect(request.url).toBe('https://ssl.intl.tencentcloudapi.com:8443/')
      expect(request.method).toBe('POST')
      expect(request.headers.Authorization).toBe(sdkAuthorization(request, credentials))
      expect(request.headers.Authorization).toContain('/ssl/tc3_request')
    }
  })

  it('carry exactly the documented headers, the token included', async () => {
    const { client, requests, run } = setup()
    await run(client.listUploaded('SVR'))
    expect(Object.keys(requests[0].headers).sort()).toEqual(
      [
        'Authorization',
        'Content-Type',
        'X-TC-Action',
        'X-TC-Language',
        'X-TC-RequestClient',
        'X-TC-Timestamp',
        'X-TC-Token',
        'X-TC-Version'
      ].sort()
    )
    expect(requests[0].headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-TC-Action': 'DescribeCertificates',
      'X-TC-Version': '2019-12-05',
      'X-TC-Language': 'en-US',
      'X-TC-RequestClient': 'tencentcloud-ssl-action',
      'X-TC-Token': credentials.token
    })
    const timestamp = Number(requests[0].headers['X-TC-Timestamp'])
    expect(Math.abs(timestamp - requests[0].at / 1000)).toBeLessThanOrEqual(1)
  })

  it('leave X-TC-Token out for long-term keys', async () => {
    const { client, requests, run } = setup({ token: '' })
    await run(client.listUploaded('SVR'))
    expect(requests[0].headers).not.toHaveProperty('X-TC-Token')
  })

  it('the factory picks the 3.0 client', () => {
    expect(setup().client).toBeInstanceOf(SslClientV3)
    expect(setup().client.api).toBe('3.0')
  })
})

describe('upload', () => {
  it('reuses an identical certificate found by CheckCertificateExist, without uploading', async () => {
    const { client, server, actions, run } = setup()
    const existing = server.add({ CertificatePublicKey: CHAIN })
    const result = await run(client.upload(uploadRequest()))
    expect(result).toEqual({ certificateId: existing.CertificateId, reused: true })
    expect(actions('CheckCertificateExist')).toHaveLength(1)
    expect(actions('UploadCertificate')).toHaveLength(0)
  })

  it('uploads with Repeatable=false and every documented field', async () => {
    const { client, server, actions, run } = setup()
    const result = await run(client.upload(uploadRequest({ projectId: 7 })))
    expect(result.reused).toBe(false)
    expect(server.certs.has(result.certificateId)).toBe(true)
    expect(jsonOf(actions('UploadCertificate')[0])).toEqual({
      CertificatePublicKey: CHAIN,
      CertificatePrivateKey: PRIVATE_KEY,
      CertificateType: 'SVR',
      Alias: 'example.com 2027-01-15',
      ProjectId: 7,
      Repeatable: false,
      Tags: [{ TagKey: 'managed-by', TagValue: 'tencentcloud-ssl-action' }]
    })
  })

  it('omits the key and the tags when there are none', async () => {
    const { client, actions, run } = setup()
    await run(client.upload(uploadRequest({ privateKeyPem: undefined, tags: [], certType: 'CA' })))
    const params = jsonOf(actions('UploadCertificate')[0])
    expect(params).not.toHaveProperty('CertificatePrivateKey')
    expect(params).not.toHaveProperty('Tags')
    expect(params.CertificateType).toBe('CA')
  })

  it('goes on when the key may not call CheckCertificateExist', async () => {
    const { client, server, actions, deps, run } = setup()
    server.fault('CheckCertificateExist', v3Error('AuthFailure.UnauthorizedOperation', 'denied'))
    const result = await run(client.upload(uploadRequest()))
    expect(result.reused).toBe(false)
    expect(actions('CheckCertificateExist')).toHaveLength(1)
    expect(actions('UploadCertificate')).toHaveLength(1)
    expect(deps.debugLines.some(l => l.includes('AuthFailure.UnauthorizedOperation'))).toBe(true)
  })

  it.each([false, true])(
    'takes RepeatCertId as a reuse when its one attempt was answered (CertificateId echoed: %s)',
    async echoes => {
      const { client, server, run } = setup()
      server.repeatEchoesId = echoes
      const existing = server.add({ CertificatePublicKey: CHAIN })
      server.fault('CheckCertificateExist', v3Error('AuthFailure.UnauthorizedOperation'))
      const result = await run(client.upload(uploadRequest()))
      expect(result).toEqual({ certificateId: existing.CertificateId, reused: true })
      expect(server.certs.size).toBe(1)
    }
  )

  it.each([
    ['a timeout', { hang: true }],
    ['a reset', { error: networkError('ECONNRESET') }],
    ['HTTP 502', { status: 502, body: 'bad gateway' }]
  ])('after %s of a stored upload, keeps one copy and says it is new', async (_name, lost) => {
    const { client, server, actions, run } = setup()
    server.fault('UploadCertificate', { ...lost, process: true })
    const result = await run(client.upload(uploadRequest()))
    expect(server.certs.size).toBe(1)
    expect(actions('UploadCertificate')).toHaveLength(2)
    expect(result).toEqual({ certificateId: [...server.certs.keys()][0], reused: false })
  })

  it.each([
    ['neither id', v3Ok({})],
    ['empty ids', v3Ok({ CertificateId: '', RepeatCertId: '' })],
    ['an id that is not a string', v3Ok({ CertificateId: 42 })]
  ])('refuses an answer with %s', async (_name, answer) => {
    const { client, server, run } = setup()
    server.fault('UploadCertificate', answer)
    await expect(run(client.upload(uploadRequest()))).rejects.toMatchObject({
      code: 'MalformedResponse'
    })
  })

  it('fails with the operation, the certificate, the code and the RequestId; no retry', async () => {
    const { client, server, actions, run } = setup()
    server.fault(
      'UploadCertificate',
      v3Error('FailedOperation.CertificateMismatch', 'key does not match', 'rid-mismatch')
    )
    const error: TencentApiError = await run(client.upload(uploadRequest())).catch(e => e)
    expect(error.code).toBe('FailedOperation.CertificateMismatch')
    expect(error.message).toContain('UploadCertificate for certificate "example.com 2027-01-15"')
    expect(error.message).toContain('rid-mismatch')
    expect(actions('UploadCertificate')).toHaveLength(1)
  })

  it('never writes the key or the certificate into a debug line, warning or error', async () => {
    const { client, server, deps, run } = setup()
    const echo = `invalid: ${PRIVATE_KEY} ${credentials.secretKey}`
    server.fault('CheckCertificateExist', v3Error('InvalidParameter', echo))
    server.fault(
      'UploadCertificate',
      v3Error('InternalError', echo),
      v3Error('InvalidParameter', echo)
    )
    const error: Error = await run(client.upload(uploadRequest())).catch(e => e)
    for (const text of [...deps.debugLines, ...deps.warnings, error.message]) {
      expect(text).not.toContain('KEYLINEONE')
      expect(text).not.toContain('KEYLINETWO')
      expect(text).not.toContain('LEAFCERTBODY')
      expect(text).not.toContain(credentials.secretKey)
      expect(text).not.toContain(credentials.token)
    }
  })
})

describe('listUploaded', () => {
  it('reads every page (2500 certificates, Limit 1000) and only uploaded ones of the type', async () => {
    const { client, server, actions, run } = setup()
    for (let i = 0; i < 2500; i++) server.add()
    for (let i = 0; i < 20; i++) server.add({ CertificateType: 'CA' })
    for (let i = 0; i < 20; i++) server.add({ From: 'trustasia' })
    const listed = await run(client.listUploaded('SVR'))
    const expected = [...server.certs.values()]
      .filter(c => c.CertificateType === 'SVR' && c.From === 'upload')
      .map(c => c.CertificateId)
    expect(listed.map(c => c.id).sort()).toEqual(expected.sort())
    expect(listed).toHaveLength(2500)
    const pages = actions('DescribeCertificates').map(jsonOf)
    expect(pages.map(p => p.Offset)).toEqual([0, 1000, 2000])
    for (const page of pages)
      expect(page).toMatchObject({ Limit: 1000, FilterSource: 'upload', CertificateType: 'SVR' })
  })

  it('normalises a certificate', async () => {
    const { client, server, run } = setup()
    server.add({
      CertificateId: 'abc',
      Domain: 'Example.com',
      SubjectAltName: ['*.Example.com', 'example.com', 'www.example.com'],
      CertBeginTime: '2026-10-17 08:00:00',
      CertEndTime: '2027-01-15 08:00:00',
      InsertTime: '2026-10-17 10:30:00',
      Alias: 'mine',
      EncryptAlgorithm: 'ECC 256',
      ProjectId: '7'
    })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed).toEqual({
      id: 'abc',
      domains: ['*.example.com', 'example.com', 'www.example.com'],
      notAfter: new Date('2027-01-15T00:00:00Z'),
      notBefore: new Date('2026-10-17T00:00:00Z'),
      insertedAt: new Date('2026-10-17T02:30:00Z'),
      certType: 'SVR',
      source: 'upload',
      keyAlgorithm: 'ECDSA',
      projectId: 7,
      alias: 'mine'
    })
  })

  it.each<[unknown, string | null]>([
    ['RSA 2048', 'RSA'],
    ['RSA 4096', 'RSA'],
    ['ECC 256', 'ECDSA'],
    ['ECC 384', 'ECDSA'],
    ['SM2', null],
    ['svr', null],
    ['', null],
    [null, null],
    [undefined, null]
  ])('reads EncryptAlgorithm %p as %p', async (encryptAlgorithm, keyAlgorithm) => {
    const { client, server, run } = setup()
    server.add({ CertificateId: 'k', EncryptAlgorithm: encryptAlgorithm })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed.keyAlgorithm).toBe(keyAlgorithm)
  })

  it.each<[string, Record<string, unknown>, number | undefined]>([
    ['a digit string', { ProjectId: '12' }, 12],
    ['a number', { ProjectId: 3 }, 3],
    [
      'ProjectInfo when ProjectId is masked',
      { ProjectId: 'zr***', ProjectInfo: { ProjectId: '5' } },
      5
    ],
    ['neither', { ProjectId: null }, undefined],
    ['a negative one', { ProjectId: '-1' }, undefined]
  ])('reads the project from %s', async (_name, fields, projectId) => {
    const { client, server, run } = setup()
    server.add({ CertificateId: 'p', ...fields })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed.projectId).toBe(projectId)
  })

  it('adds the main domain when the alternative names lack it; reads ISO times', async () => {
    const { client, server, run } = setup()
    server.add({
      CertificateId: 'iso',
      Domain: 'main.example.com',
      SubjectAltName: ['alt.example.com'],
      CertEndTime: '2027-01-15T00:00:00+00:00'
    })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed.domains).toEqual(['alt.example.com', 'main.example.com'])
    expect(listed.notAfter.toISOString()).toBe('2027-01-15T00:00:00.000Z')
  })

  it('takes CertSANs when SubjectAltName is null, and leaves out a certificate with neither', async () => {
    const { client, server, deps, run } = setup()
    server.add({
      CertificateId: 'sans',
      Domain: 'a.example.com',
      SubjectAltName: null,
      CertSANs: ['a.example.com', 'b.example.com']
    })
    // Only its main domain is known: in scope for a.example.com it could take b.example.com down.
    server.add({ CertificateId: 'unknown-names', Domain: 'a.example.com', SubjectAltName: null })
    server.add({ CertificateId: 'empty-names', Domain: 'a.example.com', SubjectAltName: [] })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => [c.id, c.domains])).toEqual([
      ['sans', ['a.example.com', 'b.example.com']]
    ])
    for (const id of ['unknown-names', 'empty-names'])
      expect(deps.warnings.some(w => w.includes(id) && w.includes('domains'))).toBe(true)
  })

  it('names a CA certificate without alternative names by its Domain', async () => {
    const { client, server, run } = setup()
    server.add({
      CertificateId: 'client-ca',
      CertificateType: 'CA',
      Domain: 'Example Client CA',
      SubjectAltName: null
    })
    const listed = await run(client.listUploaded('CA'))
    expect(listed.map(c => [c.id, c.domains])).toEqual([['client-ca', ['example client ca']]])
  })

  it('leaves out a certificate whose expiry cannot be read, with a warning naming it', async () => {
    const { client, server, deps, run } = setup()
    server.add({ CertificateId: 'good' })
    server.add({ CertificateId: 'bad-time', CertEndTime: '15/01/2027' })
    server.add({ CertificateId: 'no-time', CertEndTime: null })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => c.id)).toEqual(['good'])
    expect(deps.warnings.some(w => w.includes('bad-time'))).toBe(true)
    expect(deps.warnings.some(w => w.includes('no-time'))).toBe(true)
  })

  it('marks a certificate from another source as bought, an unnamed one as what was asked', async () => {
    const handler = () =>
      v3Ok({
        TotalCount: 3,
        Certificates: [
          {
            CertificateId: 'a',
            From: 'upload',
            CertEndTime: '2027-01-01 00:00:00',
            SubjectAltName: ['a.example.com']
          },
          {
            CertificateId: 'b',
            CertEndTime: '2027-01-01 00:00:00',
            SubjectAltName: ['b.example.com']
          },
          {
            CertificateId: 'c',
            From: 'trustasia',
            CertEndTime: '2027-01-01 00:00:00',
            SubjectAltName: ['c.example.com']
          }
        ]
      })
    const { client, run } = setup({ handler })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => [c.id, c.source])).toEqual([
      ['a', 'upload'],
      ['b', 'upload'],
      ['c', 'buy']
    ])
    // Asked for every source, a certificate that does not name its own is not known to be uploaded.
    const all = await run(client.listCertificates({}))
    expect(all.map(c => [c.id, c.source])).toEqual([
      ['a', 'upload'],
      ['b', 'buy'],
      ['c', 'buy']
    ])
  })

  it('drops repeats across pages and stops on an empty page even if TotalCount says more', async () => {
    const item = (id: string) => ({
      CertificateId: id,
      CertEndTime: '2027-01-01 00:00:00',
      SubjectAltName: [`${id}.example.com`]
    })
    const pages = [[item('a'), item('b')], [item('b'), item('c')], []]
    let n = 0
    const { client, requests, run } = setup({
      handler: () => v3Ok({ TotalCount: 99, Certificates: pages[Math.min(n++, 2)] })
    })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => c.id)).toEqual(['a', 'b', 'c'])
    expect(requests).toHaveLength(3)
  })

  it.each([
    ['TotalCount not a number', { TotalCount: '1', Certificates: [] }],
    ['Certificates not a list', { TotalCount: 1, Certificates: {} }],
    ['CertificateId not a string', { TotalCount: 1, Certificates: [{ CertificateId: 5 }] }],
    ['an item that is not an object', { TotalCount: 1, Certificates: ['x'] }]
  ])('refuses %s', async (_name, fields) => {
    const { client, run } = setup({ handler: () => v3Ok(fields) })
    await expect(run(client.listUploaded('SVR'))).rejects.toMatchObject({
      code: 'MalformedResponse'
    })
  })
})

describe('listCertificates', () => {
  it('sends each filter as its DescribeCertificates parameter, and none when there is none', async () => {
    const { client, actions, run } = setup()
    await run(client.listCertificates({}))
    await run(
      client.listCertificates({
        searchKey: 'shop',
        certType: 'CA',
        source: 'buy',
        ids: ['a', 'b', 'a'],
        projectId: 0
      })
    )
    const [whole, filtered] = actions('DescribeCertificates').map(jsonOf)
    expect(whole).toEqual({ Offset: 0, Limit: 1000 })
    expect(filtered).toEqual({
      Offset: 0,
      Limit: 1000,
      SearchKey: 'shop',
      CertificateType: 'CA',
      FilterSource: 'buy',
      CertIds: ['a', 'b'],
      ProjectId: 0
    })
  })

  it('asks for at most 50 CertIds at a time (Tencent refuses more), reading every page of each batch', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `id${i}`)
    const { client, actions, run } = setup({
      handler: request => {
        const params = jsonOf(request)
        const asked = params.CertIds as string[]
        return v3Ok({
          TotalCount: asked.length,
          Certificates: asked.slice(Number(params.Offset), Number(params.Offset) + 30).map(id => ({
            CertificateId: id,
            From: 'upload',
            CertEndTime: '2027-01-01 00:00:00',
            SubjectAltName: [`${id}.example.com`]
          }))
        })
      }
    })
    const listed = await run(client.listCertificates({ ids }))
    expect(listed.map(c => c.id)).toEqual(ids)
    const sent = actions('DescribeCertificates').map(jsonOf)
    expect(sent.map(p => (p.CertIds as string[]).length)).toEqual(Array(10).fill(50))
    expect(sent.map(p => p.Offset)).toEqual(Array(5).fill([0, 30]).flat())
  })
})

describe('checkBindings', () => {
  it('checks in batches of 100 and reports bound, unbound and failed lookups', async () => {
    const { client, server, actions, clock, run } = setup()
    const ids = Array.from({ length: 150 }, (_, i) => `c${i}`)
    server.bindings.set('c0', {
      counts: [
        ['cdn', [2]],
        ['clb', [1, 0]]
      ],
      polls: 3
    })
    server.bindings.set('c120', { counts: [['teo', [0, 4]]] })
    server.bindings.set('c7', { status: 2 })
    const states = await run(client.checkBindings(ids))

    expect(states!.map(s => s.id)).toEqual(ids)
    expect(states![0]).toMatchObject({
      id: 'c0',
      bound: true,
      reason: 'bound to cdn (2), clb (1)',
      resources: 3
    })
    expect(states![120]).toMatchObject({
      id: 'c120',
      bound: true,
      reason: 'bound to teo (4)',
      resources: 4
    })
    expect(states![7]).toMatchObject({ id: 'c7', bound: 'unknown' })
    expect(states![7].bound === 'unknown' && states![7].reason).toContain('lookup broke')
    expect(states![1]).toEqual({ id: 'c1', bound: false })

    const creates = actions('CreateCertificateBindResourceSyncTask').map(jsonOf)
    expect(creates.map(c => (c.CertificateIds as string[]).length)).toEqual([100, 50])
    for (const create of creates) expect(create.IsCache).toBe(0)
    for (const poll of actions('DescribeCertificateBindResourceTaskResult').map(jsonOf))
      expect((poll.TaskIds as string[]).length).toBeLessThanOrEqual(100)
    expect(clock.sleeps[0]).toBe(500)
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(5000)
  })

  it('reports unknown when the lookup never finishes, after a bounded wait', async () => {
    const { client, server, clock, run } = setup()
    server.bindings.set('slow', { polls: 1e9 })
    const start = clock.now
    const [state] = (await run(client.checkBindings(['slow'])))!
    expect(state).toMatchObject({ id: 'slow', bound: 'unknown' })
    expect(clock.now - start).toBeLessThanOrEqual(125_000)
    expect(clock.now - start).toBeGreaterThanOrEqual(110_000)
  })

  it('reports unknown, not a crash, when the check cannot start', async () => {
    const { client, server, run } = setup()
    server.fault(
      'CreateCertificateBindResourceSyncTask',
      v3Error('FailedOperation.RoleNotFoundAuthorization')
    )
    const states = await run(client.checkBindings(['a', 'b']))
    expect(states!.map(s => s.bound)).toEqual(['unknown', 'unknown'])
    // Refused, not passing: carried as an error naming the operation, code and certificate.
    for (const [i, state] of states!.entries()) {
      expect(state.bound === 'unknown' && state.error).toMatchObject({
        operation: 'CreateCertificateBindResourceSyncTask',
        code: 'FailedOperation.RoleNotFoundAuthorization',
        subject: ['a', 'b'][i]
      })
    }
  })

  it('carries the error of a refused poll, but not of a lookup that failed on the server', async () => {
    const { client, server, run } = setup()
    server.bindings.set('x', { status: 2 })
    const [failedLookup] = (await run(client.checkBindings(['x'])))!
    expect(failedLookup).toMatchObject({ id: 'x', bound: 'unknown' })
    expect(failedLookup.bound === 'unknown' && failedLookup.error).toBeFalsy()

    server.fault(
      'DescribeCertificateBindResourceTaskResult',
      v3Error('AuthFailure.UnauthorizedOperation', 'CAM denied', 'rid-poll')
    )
    const [refused] = (await run(client.checkBindings(['y'])))!
    expect(refused.bound === 'unknown' && refused.error).toMatchObject({
      operation: 'DescribeCertificateBindResourceTaskResult',
      code: 'AuthFailure.UnauthorizedOperation',
      requestId: 'rid-poll',
      subject: 'y'
    })
  })
})

describe('deleteCertificates', () => {
  it('maps every answer to an outcome', async () => {
    const { client, server, run } = setup()
    server.deletes.set('ok', {})
    server.deletes.set('missing', { fail: 'The certificate does not exist' })
    server.deletes.set('refused', { fail: 'certificate not yet expired, cannot be deleted' })
    server.deletes.set('task-ok', { task: 1, polls: 3 })
    server.deletes.set('task-gone', { task: 2, error: 'FailedOperation.CertificateNotFound' })
    server.deletes.set('task-failed', { task: 2, error: 'FailedOperation.CannotBeDeletedIssued' })
    server.deletes.set('task-role', { task: 3 })
    server.deletes.set('task-bound', { task: 4 })
    server.deletes.set('task-lookup', { task: 5 })
    server.deletes.set('task-in-use', { task: 2, error: 'FailedOperation.DeleteResourceFailed' })
    // Still in the account after their refusals ('missing' is not: its Fail entry is confirmed).
    for (const id of ['refused', 'task-failed']) server.add({ CertificateId: id })
    const ids = [...server.deletes.keys()]
    const outcomes = await run(client.deleteCertificates(ids))
    const by = Object.fromEntries(outcomes.map(o => [o.id, o]))
    expect(by.ok).toEqual({ id: 'ok', result: 'deleted' })
    expect(by.missing).toEqual({ id: 'missing', result: 'gone' })
    expect(by.refused).toMatchObject({ result: 'skipped' })
    expect(by.refused.result === 'skipped' && by.refused.reason).toContain('not yet expired')
    expect(by['task-ok']).toEqual({ id: 'task-ok', result: 'deleted' })
    expect(by['task-gone']).toEqual({ id: 'task-gone', result: 'gone' })
    expect(by['task-failed']).toEqual({
      id: 'task-failed',
      result: 'skipped',
      reason: 'the delete task failed: FailedOperation.CannotBeDeletedIssued'
    })
    // Refused for want of the service role: kept back, and carried as an error for the step.
    expect(by['task-role']).toMatchObject({
      result: 'skipped',
      error: { code: 'FailedOperation.RoleNotFoundAuthorization', subject: 'task-role' }
    })
    expect(by['task-role'].result === 'skipped' && by['task-role'].error?.message).toContain(
      'SSL_QCSLinkedRoleInReplaceLoadCertificate'
    )
    expect(by['task-bound']).toEqual({
      id: 'task-bound',
      result: 'skipped',
      reason: 'still bound to cloud resources'
    })
    expect(by['task-in-use']).toMatchObject({ result: 'skipped' })
    expect(by['task-lookup']).toEqual({
      id: 'task-lookup',
      result: 'skipped',
      reason: 'the binding lookup timed out'
    })
  })

  it('never reports a bound certificate deleted, even if the answer also lists it as a success', async () => {
    const { client, run } = setup({
      handler: request => {
        const action = request.headers['X-TC-Action']
        if (action === 'DeleteCertificates')
          return v3Ok({ Success: ['x'], Fail: [], CertTaskIds: [{ CertId: 'x', TaskId: 't' }] })
        return v3Ok({ DeleteTaskResult: [{ TaskId: 't', CertId: 'x', Status: 4 }] })
      }
    })
    const [outcome] = await run(client.deleteCertificates(['x']))
    expect(outcome.result).toBe('skipped')
  })

  it('sends at most 100 ids per request, with the binding check on', async () => {
    const { client, server, actions, run } = setup()
    const ids = Array.from({ length: 250 }, (_, i) => `d${i}`)
    for (const id of ids) server.deletes.set(id, {})
    const outcomes = await run(client.deleteCertificates(ids))
    expect(outcomes.map(o => o.result)).toEqual(ids.map(() => 'deleted'))
    const batches = actions('DeleteCertificates').map(jsonOf)
    expect(batches.map(b => (b.CertificateIds as string[]).length)).toEqual([100, 100, 50])
    for (const batch of batches) expect(batch.IsSync).toBe(true)
  })

  it('keeps back every id of a batch the API refused, each with an error naming it', async () => {
    const { client, server, run } = setup()
    server.fault('DeleteCertificates', v3Error('InvalidParameter', 'bad ids', 'rid-d'))
    const outcomes = await run(client.deleteCertificates(['a', 'b']))
    for (const outcome of outcomes) {
      expect(outcome.result).toBe('skipped')
      if (outcome.result !== 'skipped' || !outcome.error) throw new Error('no error')
      expect(outcome.error.code).toBe('InvalidParameter')
      expect(outcome.error.subject).toBe(outcome.id)
      expect(outcome.error.message).toContain(`for ${outcome.id}`)
      expect(outcome.error.requestId).toBe('rid-d')
    }
  })

  it('fails an id the answer does not mention', async () => {
    const { client, run } = setup({ handler: () => v3Ok({ Success: ['a'] }) })
    const outcomes = await run(client.deleteCertificates(['a', 'b']))
    expect(outcomes[0]).toEqual({ id: 'a', result: 'deleted' })
    expect(outcomes[1]).toMatchObject({
      id: 'b',
      result: 'failed',
      error: { code: 'MalformedResponse' }
    })
  })

  it('fails a task that never finishes, after a bounded wait', async () => {
    const { client, server, clock, run } = setup()
    server.deletes.set('slow', { task: 4, polls: 1e9 })
    server.add({ CertificateId: 'slow' })
    const start = clock.now
    const [outcome] = await run(client.deleteCertificates(['slow']))
    expect(outcome).toMatchObject({ result: 'failed', error: { code: 'TaskTimeout' } })
    expect(clock.now - start).toBeLessThanOrEqual(125_000)
  })

  it('fails the tasks whose result cannot be fetched', async () => {
    const { client, server, run } = setup()
    server.deletes.set('a', { task: 4 })
    server.add({ CertificateId: 'a' })
    server.fault(
      'DescribeDeleteCertificatesTaskResult',
      v3Error('AuthFailure.UnauthorizedOperation')
    )
    const [outcome] = await run(client.deleteCertificates(['a']))
    expect(outcome).toMatchObject({
      result: 'failed',
      error: { code: 'AuthFailure.UnauthorizedOperation', subject: 'a' }
    })
  })

  it('answers nothing for nothing', async () => {
    const { client, requests, run } = setup()
    expect(await run(client.deleteCertificates([]))).toEqual([])
    expect(await run(client.checkBindings([]))).toEqual([])
    expect(requests).toHaveLength(0)
  })
})
