/** What every request handler shares: the options in force, the state, and the server clock. */
import type { NonceBook } from './auth.js'
import type { RuntimeOptions } from './options.js'
import type { RateLimiter } from './rate-limit.js'
import type { IssuedCredentialsBook } from './sts.js'
import type { ScriptBook } from './scripts.js'
import type { CertificateStore } from './store.js'
import type { TaskBook } from './tasks.js'
import type { ResourceWorld } from './v3-resources.js'

export interface EmulatorContext {
  /** Live: setOption changes take effect on the next request. */
  options: RuntimeOptions
  store: CertificateStore
  tasks: TaskBook
  rateLimiter: RateLimiter
  nonces: NonceBook
  /** Temporary credentials STS issued; SSL calls signed with them need their token. */
  issued: IssuedCredentialsBook
  /** Cloud resources bound to certificates, and the records that move them. */
  resources: ResourceWorld
  /** Scripted situations (scripts.ts): other clients' deletions, odd answers. */
  scripts: ScriptBook
  /** The server's clock in ms: the machine's clock plus clockSkewMs. */
  now(): number
}
