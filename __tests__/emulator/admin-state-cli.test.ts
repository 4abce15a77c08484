/** The admin path, the state file (never a private key in it), stop(), and the CLI. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeChain } from '../../fixtures/certs.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { admin, failureOf, rawRequest, sdkClient, v2Call } from './helpers.js'

const DAY = 86_400_000

describe('admin path', () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(() => emulator.stop())

  it('seeds (POST state) and shows the snapshot (GET state), without secret keys', async () => {
    const seeded = await admin(emulator, 'POST', 'state', [
      { domains: ['admin.example.test'], notAfter: '2030-01-01T00:00:00Z', alias: 'from admin' },
      { id: 'FIXEDid1', domains: ['b.example.test'], notAfter: Date.now() + DAY, boundTo: ['CDN'] }
    ])
    expect(seeded.status).toBe(201)
    const state = await admin(emulator, 'GET', 'state')
    const certificates = state.json.certificates as Record<string, unknown>[]
    expect(certificates.map(c => c.alias)).toEqual(['from admin', ''])
    expect(certificates[1]).toMatchObject({ id: 'FIXEDid1', boundTo: ['cdn'], deleted: false })
    expect(certificates[0].notAfter).toBe('2030-01-01T00:00:00.000Z')
    expect(JSON.stringify(state.json)).not.toContain(emulator.credentials.secretKey)

    const listed = await sdkClient(emulator).request('DescribeCertificates', { SearchKey: 'admin' })
    expect(listed.TotalCount).toBe(1)

    expect(
      (await admin(emulator, 'POST', 'state', [{ id: 'FIXEDid1', domains: ['x'], notAfter: 0 }]))
        .status
    ).toBe(400)
    expect((await admin(emulator, 'POST', 'state', [{ domains: [] }])).status).toBe(400)
  })

  it('adds, lists and clears faults', async () => {
    const added = await admin(emulator, 'POST', 'faults', {
      kind: 'internal-error',
      action: 'CertGetList'
    })
    expect(added.status).toBe(201)
    expect(added.json.faults).toEqual([
      expect.objectContaining({ kind: 'internal-error', action: 'CertGetList', times: 1 })
    ])
    expect((await v2Call(emulator, 'CertGetList', {})).code).toBe(6000)
    expect((await v2Call(emulator, 'CertGetList', {})).code).toBe(0)

    await admin(emulator, 'POST', 'faults', [{ kind: 'throttle' }, { kind: 'reset' }])
    expect(((await admin(emulator, 'GET', 'faults')).json.faults as unknown[]).length).toBe(2)
    expect((await admin(emulator, 'DELETE', 'faults')).json.faults).toEqual([])
    expect((await admin(emulator, 'POST', 'faults', { kind: 'latency' })).status).toBe(400)
  })

  it('reports the request log and changes options', async () => {
    await admin(emulator, 'DELETE', 'requests')
    await v2Call(emulator, 'CertGetList', {}, { secretKey: 'wrong' })
    const log = (await admin(emulator, 'GET', 'requests')).json.requests as Record<
      string,
      unknown
    >[]
    expect(log).toEqual([
      expect.objectContaining({ api: '2.0', action: 'CertGetList', status: 200, code: '4100' })
    ])

    const changed = await admin(emulator, 'POST', 'options', { rateLimitPerSecond: 1 })
    expect(changed.json.rateLimitPerSecond).toBe(1)
    // An action this emulator has not seen yet, so its rate window is empty.
    const client = sdkClient(emulator)
    const check = () => client.request('DescribeDeleteCertificatesTaskResult', { TaskIds: [] })
    await check()
    expect((await failureOf(check())).code).toBe('RequestLimitExceeded')
    expect((await admin(emulator, 'POST', 'options', { rateLimitPerSecond: -1 })).status).toBe(400)
    expect((await admin(emulator, 'POST', 'options', { rateLimit: 1 })).status).toBe(400)
  })

  it('binds and unbinds', async () => {
    const [seeded] = emulator.seed({ domains: ['bind.example.test'], notAfter: Date.now() + DAY })
    await admin(emulator, 'POST', 'bindings', { id: seeded.id, resourceType: 'clb' })
    expect(emulator.certificates().find(c => c.id === seeded.id)?.boundTo).toEqual(['clb'])
    await admin(emulator, 'DELETE', 'bindings', { id: seeded.id })
    expect(emulator.certificates().find(c => c.id === seeded.id)?.boundTo).toEqual([])
    expect(
      (await admin(emulator, 'POST', 'bindings', { id: 'nope', resourceType: 'clb' })).status
    ).toBe(400)
  })

  it('answers 404 for anything but the API and admin paths', async () => {
    const logged = emulator.requests.length
    for (const [method, path] of [
      ['GET', '/v3'],
      ['POST', '/index.php'],
      ['PUT', '/'],
      ['DELETE', '/v2/index.php'],
      ['GET', '/_emulator/nothing']
    ]) {
      expect((await rawRequest(emulator.port, { method, path })).status).toBe(404)
    }
    // Not API requests: the log is left alone.
    expect(emulator.requests).toHaveLength(logged)
  })
})

describe('state file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'emulator-state-'))
  const file = join(directory, 'state.json')
  let first: Emulator | undefined
  let second: Emulator | undefined

  afterAll(async () => {
    await first?.stop()
    await second?.stop()
    rmSync(directory, { recursive: true, force: true })
  })

  it('is rewritten after every change, survives a restart, and never holds a private key', async () => {
    const chain = await makeChain({
      domains: ['state.example.test'],
      key: 'rsa',
      keyFormat: 'pkcs1'
    })
    first = await startEmulator({ stateFile: file })
    const uploaded = await sdkClient(first).request('UploadCertificate', {
      CertificatePublicKey: chain.fullchainPem,
      CertificatePrivateKey: chain.keyPem
    })
    const id = uploaded.CertificateId as string
    const text = readFileSync(file, 'utf8')
    expect(text).toContain(id)
    expect(text).not.toMatch(/PRIVATE KEY/)
    const keyBody = chain.keyPem.split('\n').filter(line => line && !line.startsWith('-----'))
    for (const line of keyBody) expect(text).not.toContain(line)
    const keyHash = createHash('sha256').update(chain.keyPem).digest('hex')
    expect(text).toContain(keyHash)

    await first.stop()
    second = await startEmulator({ stateFile: file })
    const client = sdkClient(second)
    const detail = await client.request('DescribeCertificateDetail', { CertificateId: id })
    expect(detail.CertificatePublicKey).toContain(chain.leafPem.trim())
    expect(detail.CertificatePrivateKey ?? null).toBeNull()
    expect(second.certificates().find(c => c.id === id)?.hasPrivateKey).toBe(true)

    await client.request('DeleteCertificate', { CertificateId: id })
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      certificates: { id: string; deleted: boolean }[]
    }
    expect(saved.certificates.find(c => c.id === id)?.deleted).toBe(true)
  })

  it('records every deletion of a batch request', async () => {
    const batchFile = join(directory, 'batch.json')
    const emulator = await startEmulator({ stateFile: batchFile })
    try {
      const ids = emulator
        .seed(
          Array.from({ length: 5 }, (_, i) => ({
            domains: [`b${i}.test`],
            notAfter: Date.now() + DAY
          }))
        )
        .map(c => c.id)
      await sdkClient(emulator).request('DeleteCertificates', { CertificateIds: ids.slice(0, 3) })
      const saved = JSON.parse(readFileSync(batchFile, 'utf8')) as {
        certificates: { id: string; deleted: boolean }[]
      }
      expect(saved.certificates.map(c => c.deleted)).toEqual([true, true, true, false, false])
    } finally {
      await emulator.stop()
    }
  })

  it('refuses to start on a damaged state file', async () => {
    const damaged = join(directory, 'damaged.json')
    writeFileSync(damaged, '{not json')
    await expect(startEmulator({ stateFile: damaged })).rejects.toThrow(/not valid JSON/)
  })
})

describe('stop', () => {
  it('closes idle keep-alive sockets at once', async () => {
    const emulator = await startEmulator()
    const agent = new Agent({ keepAlive: true })
    const client = sdkClient(emulator)
    await client.request('DescribeCertificates', {})
    await new Promise<void>((resolve, reject) => {
      const path = '/_emulator/state'
      const request = get({ host: '127.0.0.1', port: emulator.port, path, agent }, response => {
        response.resume()
        response.on('end', resolve)
      })
      request.on('error', reject)
    })
    const started = Date.now()
    await emulator.stop()
    expect(Date.now() - started).toBeLessThan(1000)
    await expect(
      rawRequest(emulator.port, { method: 'GET', path: '/_emulator/state' })
    ).rejects.toThrow()
    agent.destroy()
  })
})

describe('CLI', () => {
  let child: ChildProcess | undefined

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  it('prints the key pair, then the listening line, and stops on SIGTERM', async () => {
    child = spawn(
      join('node_modules', '.bin', 'tsx'),
      [
        'emulator/cli.ts',
        '--port',
        '0',
        '--secret-id',
        'AKIDCLI',
        '--secret-key',
        'cli-key',
        '--rate',
        '3'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let output = ''
    const port = await new Promise<number>((resolve, reject) => {
      child?.stdout?.on('data', chunk => {
        output += chunk
        const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(output)
        if (match) resolve(Number(match[1]))
      })
      child?.once('exit', code => reject(new Error(`CLI exited with ${code}: ${output}`)))
    })
    const listeningAt = output.indexOf('listening on')
    expect(output.indexOf('AKIDCLI')).toBeGreaterThan(-1)
    expect(output.indexOf('AKIDCLI')).toBeLessThan(listeningAt)
    expect(output.indexOf('cli-key')).toBeLessThan(listeningAt)
    expect(output.indexOf('cli-key')).toBeGreaterThan(-1)

    const options = JSON.parse(
      (await rawRequest(port, { method: 'GET', path: '/_emulator/options' })).text
    )
    expect(options).toMatchObject({ secretId: 'AKIDCLI', rateLimitPerSecond: 3 })

    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
  })
})
