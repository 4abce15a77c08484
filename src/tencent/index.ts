/** The API layer's front door: one client per run, for the API version the workflow chose. */
import type { ApiVersion, ClientOptions, SslClient } from './client.js'
import type { ClientTuning } from './transport.js'
import { SslClientV2 } from './v2.js'
import { SslClientV3 } from './v3.js'

export function createSslClient(
  api: ApiVersion,
  options: ClientOptions,
  tuning: ClientTuning = {}
): SslClient {
  return api === '2.0' ? new SslClientV2(options, tuning) : new SslClientV3(options, tuning)
}

export type * from './client.js'
export { parseEndpoint, DEFAULT_HOST, DEFAULT_PATH } from './endpoint.js'
export { TencentApiError, errorMessage } from './errors.js'
export { DEFAULT_PACING, type PacingPolicy } from './pacer.js'
export { DEFAULT_POLL, type PollPolicy } from './poll.js'
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js'
export { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, type ClientTuning } from './transport.js'
export { SslClientV2 } from './v2.js'
export { SslClientV3 } from './v3.js'
