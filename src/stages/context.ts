/** What every stage of a run shares: the runner's I/O, the settings, and the API client. */
import type { ActionIO } from '../runner/action-io.js'
import type { CertificateBundle } from '../certificate/certificate.js'
import type { Settings } from '../settings/inputs.js'
import type { Outcome } from '../reporting/outcome.js'
import type { ClientDeps, SslClient } from '../tencent/client.js'
import type { ResourceApi } from '../tencent/resources.js'
import type { Endpoint } from '../verify/endpoints.js'
import type { TlsProbe } from '../verify/probe.js'

export interface RunContext {
  io: ActionIO
  settings: Settings
  /** `endpoint`, parsed and checked. */
  endpoint: URL
  /** upload/sync: the validated certificate and key, cleaned. */
  bundle?: CertificateBundle
  /** prune/sync: the scope of pruning, already checked to be non-empty. */
  scope: string[]
  /** Side effects and time, shared by every client the run creates. */
  deps: ClientDeps
  /** Set by the credentials stage. */
  client?: SslClient
  /** API 3.0 only: moving and deploying resources (`replace`, `deploy-to`). */
  resources?: ResourceApi
  /** `verify`'s endpoints (`true` already expanded); empty without it. */
  verify: Endpoint[]
  /** The TLS handshake `verify` makes; tests inject one (default: verify/probe.ts). */
  tlsProbe?: TlsProbe
  now: () => Date
}

/** One step of a mode; reads earlier results from `outcome` and writes its own section. */
export type Stage = (ctx: RunContext, outcome: Outcome) => Promise<void>

/** The resource API, which the settings allow only on 3.0. */
export function resourcesOf(ctx: RunContext): ResourceApi {
  if (!ctx.resources) throw new Error('internal: no resource API (replace and deploy-to need 3.0)')
  return ctx.resources
}

/** The client, which every stage after the credentials stage has. */
export function clientOf(ctx: RunContext): SslClient {
  if (!ctx.client) throw new Error('internal: the credentials stage has not run')
  return ctx.client
}
