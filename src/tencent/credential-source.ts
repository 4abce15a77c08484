/**
 * Where signing gets its credentials: asked before every attempt, so that temporary credentials
 * can be renewed between two requests of a long run (credentials/renewal.ts) and a request is
 * never signed with credentials that have expired.
 */
import type { Credentials } from './client.js'

export interface CredentialSource {
  /** Credentials valid now; renewed first when they are about to expire. Throws rather than
   * hand out expired ones. */
  current(): Promise<Credentials>
}

export function isCredentialSource(
  value: Credentials | CredentialSource
): value is CredentialSource {
  return typeof (value as Partial<CredentialSource>).current === 'function'
}

/** A source as is; fixed keys as a source that always gives them. */
export function credentialSource(value: Credentials | CredentialSource): CredentialSource {
  if (isCredentialSource(value)) return value
  const fixed = Promise.resolve(value)
  return { current: () => fixed }
}
