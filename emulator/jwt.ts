/**
 * RS256 JSON Web Token verification against a JWKS, with node:crypto only: what Tencent does
 * with the keys uploaded to a CAM identity provider. Pure. Claims are checked by the caller.
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto'

export interface Jwks {
  keys: JsonWebKey[]
}

export type JwtCheck =
  { ok: true; claims: Record<string, unknown> } | { ok: false; problem: string }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function decodePart(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/** The claims when the signature is one of `jwks`'s RSA keys over RS256; a problem otherwise. */
export function verifyJwt(token: string, jwks: Jwks): JwtCheck {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, problem: 'the token is not a signed JWT' }
  const [headerPart, payloadPart, signaturePart] = parts
  const header = decodePart(headerPart)
  const claims = decodePart(payloadPart)
  if (!isObject(header) || !isObject(claims))
    return { ok: false, problem: 'the token is not a readable JWT' }
  // Only RS256: `none` and HMAC (with a public key as the secret) are the classic forgeries.
  if (header.alg !== 'RS256') return { ok: false, problem: `alg ${String(header.alg)} refused` }
  const candidates = jwks.keys.filter(
    key => key.kty === 'RSA' && (header.kid === undefined || key.kid === header.kid)
  )
  if (candidates.length === 0)
    return { ok: false, problem: `no public key of the provider has kid ${String(header.kid)}` }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`)
  const signature = Buffer.from(signaturePart, 'base64url')
  const valid = candidates.some(jwk => {
    try {
      return verify('sha256', signed, createPublicKey({ key: jwk, format: 'jwk' }), signature)
    } catch {
      return false
    }
  })
  return valid ? { ok: true, claims } : { ok: false, problem: 'the signature does not verify' }
}
