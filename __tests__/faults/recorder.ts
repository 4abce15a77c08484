/**
 * A recording proxy on 127.0.0.1 in front of the emulator: it forwards every request unchanged
 * (Host header included, so both signatures still verify) and keeps each call's action and
 * parameters, which the emulator's own request log does not hold (page sizes, batch sizes).
 */
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedCall {
  api: '3.0' | '2.0'
  action: string
  params: Record<string, unknown>
}

export interface Recorder {
  /** The proxy's origin: `url` for 3.0, `url + '/v2/index.php'` for 2.0. */
  readonly url: string
  readonly calls: RecordedCall[]
  /** Parameters of every call of `action`. */
  paramsOf(action: string): Record<string, unknown>[]
  stop(): Promise<void>
}

function record(path: string, headers: Record<string, unknown>, body: string): RecordedCall {
  if (path.startsWith('/v2/')) {
    const params: Record<string, unknown> = Object.fromEntries(new URLSearchParams(body))
    return { api: '2.0', action: String(params.Action ?? ''), params }
  }
  let params: Record<string, unknown> = {}
  try {
    params = JSON.parse(body) as Record<string, unknown>
  } catch {
    // recorded as no parameters; the emulator answers for itself
  }
  return { api: '3.0', action: String(headers['x-tc-action'] ?? ''), params }
}

export async function startRecorder(target: string): Promise<Recorder> {
  const calls: RecordedCall[] = []
  const upstream = new URL(target)
  const server = createServer((incoming, answer) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = incoming.url ?? '/'
      calls.push(record(path, incoming.headers, body.toString('utf8')))
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path,
          method: incoming.method,
          headers: incoming.headers
        },
        reply => {
          answer.writeHead(reply.statusCode ?? 502, reply.headers)
          reply.pipe(answer)
        }
      )
      forward.on('error', () => answer.destroy())
      forward.end(body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    paramsOf: action => calls.filter(c => c.action === action).map(c => c.params),
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
