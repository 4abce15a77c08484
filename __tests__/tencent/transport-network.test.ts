/**
 * The transport over real sockets with node-fetch, against a loopback server that misbehaves
 * in ways a fake fetch cannot: an answer cut off in the middle of its body.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fetch from 'node-fetch'
import type { FetchLike } from '../../src/tencent/client.js'
import { Transport } from '../../src/tencent/transport.js'
import { Tc3Protocol } from '../../src/tencent/v3.js'

let server: Server
let url: URL
let requests = 0

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++
    response.writeHead(200, { 'content-type': 'application/json' })
    if (requests === 1) {
      // Half an answer, then the connection goes away.
      response.write('{"Response":{"TotalCount":')
      setTimeout(() => response.socket?.destroy(), 20)
      return
    }
    response.end('{"Response":{"TotalCount":0,"Certificates":[],"RequestId":"rid-2"}}')
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
})

afterAll(() => new Promise<void>(done => server.close(() => done())))

it('retries an answer whose body was cut off, and succeeds', async () => {
  const debug: string[] = []
  const transport = new Transport({
    deps: {
      fetch: fetch as unknown as FetchLike,
      now: () => Date.now(),
      sleep: ms => new Promise(done => setTimeout(done, ms)),
      random: () => 0.1,
      debug: m => debug.push(m),
      warning: () => undefined
    },
    timeoutMs: 5000,
    protocol: new Tc3Protocol(url, { secretId: 'AKIDnetwork', secretKey: 'network-test-key' }),
    secrets: ['network-test-key']
  })
  const answer = await transport.call('DescribeCertificates', {})
  expect(answer.requestId).toBe('rid-2')
  expect(answer.attempts).toBe(2)
  expect(requests).toBe(2)
  expect(debug[0]).toMatch(/DescribeCertificates attempt 1: .*NetworkError\./)
})
