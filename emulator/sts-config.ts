/**
 * What the emulated CAM knows for STS: OIDC identity providers (as `CreateOIDCConfig` makes
 * them) and the roles they may assume, with the checks that keep a bad option from passing.
 */
import type { Jwks } from './jwt.js'

export interface OidcProviderConfig {
  /** The provider's `Name`: what `ProviderId` names. */
  name: string
  /** `IdentityUrl`: the token's `iss` must equal it. */
  issuer: string
  /** `ClientId`: the token's `aud` must be one of them. */
  clientIds: string[]
  /** `IdentityKey`, decoded: the public keys that sign the tokens. */
  jwks: Jwks
}

export interface StsRoleConfig {
  /** `qcs::cam::uin/<uin>:roleName/<name>` */
  arn: string
  /** The identity provider the role's trust policy names. */
  provider: string
  /** The trust policy's `oidc:sub` condition: `*` matches any run of characters; an empty
   * list admits every subject. */
  subjects: string[]
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every(s => typeof s === 'string' && s !== '')
const isText = (v: unknown): v is string => typeof v === 'string' && v !== ''

export function checkProviders(value: unknown): string | undefined {
  const ok =
    Array.isArray(value) &&
    value.every(p => {
      const c = p as Partial<OidcProviderConfig>
      return (
        isText(c?.name) && isText(c.issuer) && isStrings(c.clientIds) && Array.isArray(c.jwks?.keys)
      )
    })
  return ok ? undefined : 'a list of {name, issuer, clientIds: string[], jwks: {keys: []}}'
}

export function checkRoles(value: unknown): string | undefined {
  const ok =
    Array.isArray(value) &&
    value.every(r => {
      const c = r as Partial<StsRoleConfig>
      return isText(c?.arn) && isText(c.provider) && isStrings(c.subjects)
    })
  return ok ? undefined : 'a list of {arn, provider, subjects: string[]}'
}

/** `string_like` as CAM conditions use it: `*` is any run of characters, the rest literal. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const source = pattern
    .split('*')
    .map(piece => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`).test(subject)
}
