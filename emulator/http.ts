/** Reading requests and writing answers; every answer carries the server clock's Date header. */
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface Body {
  bytes: Buffer
  /** More than the limit arrived; the excess was read and dropped. */
  tooLarge: boolean
}

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Body> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size <= maxBytes) chunks.push(chunk as Buffer)
  }
  return { bytes: Buffer.concat(chunks), tooLarge: size > maxBytes }
}

export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  serverNowMs: number
): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    Date: new Date(serverNowMs).toUTCString()
  })
  response.end(body)
}

export function sendJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  serverNowMs: number
): void {
  send(response, status, 'application/json', JSON.stringify(payload), serverNowMs)
}

const CHUNK = Buffer.alloc(1 << 20, 'x')

/**
 * `prefix` + `x` padding + `suffix`, `totalBytes` long in all, written in 1 MiB chunks with
 * back-pressure so a 40 MiB answer never sits in memory at once.
 */
export async function sendPadded(
  response: ServerResponse,
  totalBytes: number,
  prefix: string,
  suffix: string,
  serverNowMs: number
): Promise<void> {
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': totalBytes,
    Date: new Date(serverNowMs).toUTCString()
  })
  response.write(prefix)
  let left = totalBytes - Buffer.byteLength(prefix) - Buffer.byteLength(suffix)
  while (left > 0 && !response.destroyed) {
    const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)
    left -= piece.length
    if (!response.write(piece))
      await Promise.race([once(response, 'drain'), once(response, 'close')])
  }
  response.end(suffix)
}
