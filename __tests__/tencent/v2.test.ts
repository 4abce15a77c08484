import { X509Certificate } from 'node:crypto'
import { makeCa, makeChain, type TestCa, type TestChain } from '../../fixtures/certs.js'
import type { UploadRequest } from '../../src/tencent/client.js'
import type { TencentApiError } from '../../src/tencent/errors.js'
import { createSslClient } from '../../src/tencent/index.js'
import { SslClientV2 } from '../../src/tencent/v2.js'
import {
  type Answer,
  FakeClock,
  fakeFetch,
  formOf,
  makeDeps,
  networkError,
  sdkV2Signature,
  type SentRequest,
  v2Error,
  v2Ok
} from './fakes.js'

const credentials = {
  secretId: 'AKIDv2clienttest',
  secretKey: 'v2-client-secret-key-0123456789',
  token: 'v2-sts-token-abcdefghijklmnopqrstuvwxyz'
}

let ca: TestCa
let mine: TestChain
let other: TestChain
beforeAll(async () => {
  ca = await makeCa(1)
  mine = await makeChain({ ca, domains: ['example.com', 'www.example.com'] })
  other = await makeChain({ ca, domains: ['other.example.com'] })
})

const fingerprintOf = (pem: string) =>
  new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase()

function uploadRequest(
  chain: TestChain = mine,
  overrides: Partial<UploadRequest> = {}
): UploadRequest {
  return {
    certificatePem: chain.fullchainPem,
    privateKeyPem: chain.keyPem,
    certType: 'SVR',
    alias: 'example.com 2027-01-15',
    projectId: 0,
    tags: [],
    fingerprint: fingerprintOf(chain.leafPem),
    ...overrides
  }
}

interface Item {
  id: string
  cert?: string
  certType: string
  from: string
  [field: string]: unknown
}

type Fault = Answer & { process?: boolean }

/** A small in-memory SSL 2.0 service that checks every signature with the official SDK. */
class FakeSsl2 {
  readonly items = new Map<string, Item>()
  readonly faults = new Map<string, Fault[]>()
  /** id → 2.0 code CertDelete answers with. */
  readonly deleteCodes = new Map<string, number>()
  private nextId = 1

  constructor(private readonly token = credentials.token) {}

  add(fields: Partial<Item> = {}): Item {
    const id = fields.id ?? `v2-${String(this.nextId++).padStart(4, '0')}`
    const item: Item = {
      id,
      certType: 'SVR',
      from: 'upload',
      domain: 'example.com',
      subjectAltName: ['example.com'],
      certEndTime: '2027-01-15 08:00:00',
      insertTime: '2026-10-17 10:00:00',
      alias: 'alias',
      ...fields
    }
    this.items.set(id, item)
    return item
  }

  fault(action: string, ...faults: Fault[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...faults])
  }

  readonly handle = (request: SentRequest): Answer => {
    const params = formOf(request)
    if (params.Signature !== sdkV2Signature(request, credentials.secretKey)) return v2Error(4100)
    if (this.token && params.Token !== this.token) return v2Error(4105)
    const fault = this.faults.get(params.Action)?.shift()
    if (fault && !fault.process) return fault
    const answer = this.act(params)
    return fault ?? answer
  }

  private act(params: Record<string, string>): Answer {
    switch (params.Action) {
      case 'CertGetList': {
        const page = Number(params.page ?? 1)
        const count = Number(params.count ?? 20)
        const matching = [...this.items.values()].filter(
          i => !params.certType || i.certType === params.certType
        )
        const list = matching
          .slice((page - 1) * count, page * count)
          .map(({ cert, ...rest }) => (params.withCert === '1' ? { ...rest, cert } : rest))
        return v2Ok({ totalNum: matching.length, list })
      }
      case 'CertUpload':
        return v2Ok({ id: this.add({ cert: params.cert, certType: params.certType }).id })
      case 'CertDelete': {
        const code = this.deleteCodes.get(params.id) ?? (this.items.delete(params.id) ? 0 : 5000)
        return code === 0 ? v2Ok([]) : v2Error(code, `refusal ${code}`)
      }
      default:
        return v2Error(6100)
    }
  }
}

function setup(options: { endpoint?: string; token?: string; server?: FakeSsl2 } = {}) {
  const clock = new FakeClock()
  const token = options.token ?? credentials.token
  const server = options.server ?? new FakeSsl2(token)
  const { fetch, requests } = fakeFetch(clock, server.handle)
  const deps = makeDeps(clock, fetch, Math.random)
  const client = createSslClient('2.0', {
    credentials: { ...credentials, token },
    endpoint: new URL(options.endpoint ?? 'https://wss.api.qcloud.com/v2/index.php'),
    timeoutMs: 10_000,
    deps
  })
  const actions = (name: string) => requests.filter(r => formOf(r).Action === name)
  return { clock, server, requests, deps, client, actions, run: clock.run.bind(clock) }
}

describe('requests', () => {
  it('are form posts signed with HmacSHA256 as the official SDK signs them', async () => {
    const { client, requests, run } = setup({
      endpoint: 'https://wss.example.test:8443/v2/index.php'
    })
    await run(client.upload(uploadRequest()))
    expect(requests.length).toBeGreaterThanOrEqual(2)
    for (const request of requests) {
      expect(request.url).toBe('https://wss.example.test:8443/v2/index.php')
      expect(request.method).toBe('POST')
      expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded')
      const form = formOf(request)
      expect(form.SignatureMethod).toBe('HmacSHA256')
      expect(form.Signature).toBe(sdkV2Signature(request, credentials.secretKey))
    }
  })

  it('carry the common parameters and the token', async () => {
    const { client, requests, run } = setup()
    await run(client.listUploaded('SVR'))
    const form = formOf(requests[0])
    expect(form).toMatchObject({
      Action: 'CertGetList',
      SecretId: credentials.secretId,
      Token: credentials.token,
      page: '1',
      count: '100',
      certType: 'SVR'
    })
    expect(Number(form.Nonce)).toBeGreaterThan(0)
    expect(Number.isInteger(Number(form.Nonce))).toBe(true)
    expect(Math.abs(Number(form.Timestamp) - requests[0].at / 1000)).toBeLessThanOrEqual(1)
  })

  it('leave Token out for long-term keys', async () => {
    const { client, requests, run } = setup({ token: '' })
    await run(client.listUploaded('SVR'))
    expect(formOf(requests[0])).not.toHaveProperty('Token')
  })

  it('the factory picks the 2.0 client, which has no binding check', async () => {
    const { client, run } = setup()
    expect(client).toBeInstanceOf(SslClientV2)
    expect(await run(client.checkBindings(['x']))).toBeNull()
  })
})

describe('listUploaded', () => {
  it('reads every page and keeps only uploaded certificates', async () => {
    const { client, server, actions, run } = setup()
    for (let i = 0; i < 230; i++) server.add()
    for (let i = 0; i < 15; i++) server.add({ from: 'trustasia' })
    for (let i = 0; i < 5; i++) server.add({ certType: 'CA' })
    const listed = await run(client.listUploaded('SVR'))
    const expected = [...server.items.values()].filter(
      i => i.from === 'upload' && i.certType === 'SVR'
    )
    expect(listed.map(c => c.id).sort()).toEqual(expected.map(i => i.id).sort())
    expect(actions('CertGetList').map(r => formOf(r).page)).toEqual(['1', '2', '3'])
  })

  it('normalises a certificate (GMT+8 times, names lower-cased)', async () => {
    const { client, server, run } = setup()
    server.add({
      id: 'x1',
      domain: 'Example.com',
      subjectAltName: ['WWW.example.com', 'example.com'],
      certBeginTime: '2026-10-17 08:00:00',
      certEndTime: '2027-01-15 08:00:00',
      insertTime: '2026-10-17 10:30:00',
      alias: 'mine',
      cert: mine.fullchainPem,
      projectId: '7'
    })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed).toEqual({
      id: 'x1',
      domains: ['www.example.com', 'example.com'],
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

  it("reads the not-before from the leaf's PEM without certBeginTime: unknown without either", async () => {
    const { client, server, run } = setup()
    server.add({ id: 'pem', cert: mine.fullchainPem })
    server.add({ id: 'none' })
    const listed = await run(client.listUploaded('SVR'))
    const notBefore = new Map(listed.map(c => [c.id, c.notBefore?.getTime()]))
    expect(notBefore.get('pem')).toBe(Date.parse(new X509Certificate(mine.leafPem).validFrom))
    expect(notBefore.get('none')).toBeNaN()
  })

  it("reads the key algorithm from the leaf's PEM (withCert=1): unknown without one", async () => {
    const rsa = await makeChain({ ca, key: 'rsa', domains: ['rsa.example.com'] })
    const { client, server, actions, run } = setup()
    server.add({ id: 'ec', cert: mine.fullchainPem })
    server.add({ id: 'rsa', cert: rsa.fullchainPem })
    server.add({ id: 'none' })
    server.add({ id: 'garbage', cert: 'not a certificate' })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => [c.id, c.keyAlgorithm])).toEqual([
      ['ec', 'ECDSA'],
      ['rsa', 'RSA'],
      ['none', null],
      ['garbage', null]
    ])
    expect(formOf(actions('CertGetList')[0]).withCert).toBe('1')
  })

  it.each<[string, Record<string, unknown>, number | undefined]>([
    ['projectId', { projectId: '3' }, 3],
    ['projectInfo.projectId', { projectInfo: { projectId: 4 } }, 4],
    ['neither', {}, undefined]
  ])('reads the project from %s', async (_name, fields, projectId) => {
    const { client, server, run } = setup()
    server.add({ id: 'p', ...fields })
    const [listed] = await run(client.listUploaded('SVR'))
    expect(listed.projectId).toBe(projectId)
  })

  it('leaves out a certificate whose expiry cannot be read, with a warning naming it', async () => {
    const { client, server, deps, run } = setup()
    server.add({ id: 'fine' })
    server.add({ id: 'broken', certEndTime: '2027-02-30 00:00:00' })
    const listed = await run(client.listUploaded('SVR'))
    expect(listed.map(c => c.id)).toEqual(['fine'])
    expect(deps.warnings.some(w => w.includes('broken'))).toBe(true)
  })
})

describe('listCertificates', () => {
  it('sends searchKey, certType and a single id to CertGetList; filters the rest itself', async () => {
    const { client, server, actions, run } = setup()
    server.add({ id: 'up0', projectId: '0' })
    server.add({ id: 'up7', projectId: '7' })
    server.add({ id: 'bought', from: 'trustasia', projectId: '0' })
    server.add({ id: 'unsaid', from: undefined, projectId: '0' })
    const ids = async (filter: Parameters<typeof client.listCertificates>[0]) =>
      (await run(client.listCertificates(filter))).map(c => c.id)
    expect(await ids({})).toEqual(['up0', 'up7', 'bought', 'unsaid'])
    expect(await ids({ source: 'upload' })).toEqual(['up0', 'up7'])
    expect(await ids({ source: 'buy' })).toEqual(['bought', 'unsaid'])
    expect(await ids({ projectId: 0 })).toEqual(['up0', 'bought', 'unsaid'])
    expect(await ids({ ids: ['up7', 'bought', 'gone'] })).toEqual(['up7', 'bought'])
    await run(client.listCertificates({ searchKey: 'shop', certType: 'CA', ids: ['one'] }))
    const forms = actions('CertGetList').map(formOf)
    for (const form of forms.slice(0, 5)) {
      expect(form).toMatchObject({ page: '1', count: '100', withCert: '1' })
      for (const name of ['searchKey', 'certType', 'id']) expect(form).not.toHaveProperty(name)
    }
    expect(forms[5]).toMatchObject({ searchKey: 'shop', certType: 'CA', id: 'one' })
  })
})

describe('upload', () => {
  it('reuses a listed certificate with the same leaf fingerprint, found on a later page', async () => {
    const { client, server, actions, run } = setup()
    for (let i = 0; i < 150; i++) server.add({ cert: other.fullchainPem })
    server.add({ cert: 'not a certificate' })
    const existing = server.add({ cert: mine.fullchainPem })
    const result = await run(client.upload(uploadRequest()))
    expect(result).toEqual({ certificateId: existing.id, reused: true })
    expect(actions('CertUpload')).toHaveLength(0)
    for (const request of actions('CertGetList')) expect(formOf(request).withCert).toBe('1')
  })

  it('uploads cert, certType, key and alias when nothing matches', async () => {
    const { client, server, actions, run } = setup()
    server.add({ cert: other.fullchainPem })
    const result = await run(client.upload(uploadRequest()))
    expect(result.reused).toBe(false)
    expect(server.items.get(result.certificateId)?.cert).toBe(mine.fullchainPem)
    expect(formOf(actions('CertUpload')[0])).toMatchObject({
      cert: mine.fullchainPem,
      certType: 'SVR',
      key: mine.keyPem,
      alias: 'example.com 2027-01-15'
    })
  })

  it('sends no key for a CA certificate without one', async () => {
    const { client, actions, run } = setup()
    await run(client.upload(uploadRequest(mine, { privateKeyPem: undefined, certType: 'CA' })))
    expect(formOf(actions('CertUpload')[0])).not.toHaveProperty('key')
  })

  it.each([
    ['a timeout', { hang: true }],
    ['a reset', { error: networkError('ECONNRESET') }],
    ['HTTP 502', { status: 502, body: '' }],
    ['code 6000', v2Error(6000)],
    ['code 6200', v2Error(6200)],
    ['an answer without id', v2Ok({})]
  ])('after %s of a stored upload, finds it instead of uploading twice', async (_name, lost) => {
    const { client, server, actions, run } = setup()
    server.fault('CertUpload', { ...lost, process: true })
    const result = await run(client.upload(uploadRequest()))
    expect(actions('CertUpload')).toHaveLength(1)
    const copies = [...server.items.values()].filter(i => i.cert === mine.fullchainPem)
    expect(copies).toHaveLength(1)
    expect(result).toEqual({ certificateId: copies[0].id, reused: false })
  })

  it('uploads again when the failed upload was not stored', async () => {
    const { client, server, actions, run } = setup()
    server.fault('CertUpload', v2Error(6000))
    const result = await run(client.upload(uploadRequest()))
    expect(actions('CertUpload')).toHaveLength(2)
    expect([...server.items.values()].filter(i => i.cert === mine.fullchainPem)).toHaveLength(1)
    expect(result.reused).toBe(false)
  })

  it('gives up after the policy’s attempts', async () => {
    const { client, server, actions, run } = setup()
    server.fault('CertUpload', ...Array.from({ length: 10 }, () => v2Error(6000)))
    await expect(run(client.upload(uploadRequest()))).rejects.toMatchObject({ code: '6000' })
    expect(actions('CertUpload')).toHaveLength(5)
  })

  it.each([4000, 4100, 4400, 5100])('does not retry code %i', async code => {
    const { client, server, actions, run } = setup()
    server.fault('CertUpload', v2Error(code, 'no'))
    const error: TencentApiError = await run(client.upload(uploadRequest())).catch(e => e)
    expect(error.code).toBe(String(code))
    expect(error.message).toContain('CertUpload for certificate "example.com 2027-01-15"')
    expect(actions('CertUpload')).toHaveLength(1)
  })

  it('retries throttling-free transient refusals inside the transport (connection refused)', async () => {
    const { client, server, actions, run } = setup()
    server.fault('CertUpload', { error: networkError('ECONNREFUSED') })
    const result = await run(client.upload(uploadRequest()))
    expect(actions('CertUpload')).toHaveLength(2)
    expect(result.reused).toBe(false)
  })

  it('never writes the key into a debug line, warning or error', async () => {
    const { client, server, deps, run } = setup()
    const keyBody = mine.keyPem.split('\n')[1]
    server.fault(
      'CertUpload',
      v2Error(6000, `bad ${mine.keyPem}`),
      v2Error(4000, `bad ${mine.keyPem}`)
    )
    const error: Error = await run(client.upload(uploadRequest())).catch(e => e)
    for (const text of [...deps.debugLines, ...deps.warnings, error.message]) {
      expect(text).not.toContain(keyBody)
      expect(text).not.toContain(credentials.secretKey)
      expect(text).not.toContain(credentials.token)
    }
  })
})

describe('deleteCertificates', () => {
  it('maps each 2.0 code to an outcome, one request per certificate', async () => {
    const { client, server, actions, run } = setup()
    server.add({ id: 'present' })
    server.deleteCodes.set('bound', 5100)
    server.deleteCodes.set('refused', 5101)
    server.deleteCodes.set('denied', 4102)
    const outcomes = await run(
      client.deleteCertificates(['present', 'absent', 'bound', 'refused', 'denied'])
    )
    expect(outcomes.slice(0, 2)).toEqual([
      { id: 'present', result: 'deleted' },
      { id: 'absent', result: 'gone' }
    ])
    expect(outcomes[2]).toEqual({ id: 'bound', result: 'skipped', reason: 'refusal 5100' })
    expect(outcomes[3]).toEqual({ id: 'refused', result: 'skipped', reason: 'refusal 5101' })
    // Denied by CAM: kept back, with an error that fails the step.
    expect(outcomes[4]).toMatchObject({
      id: 'denied',
      result: 'skipped',
      error: { code: '4102', subject: 'denied' }
    })
    expect(actions('CertDelete').map(r => formOf(r).id)).toEqual([
      'present',
      'absent',
      'bound',
      'refused',
      'denied'
    ])
  })
})
