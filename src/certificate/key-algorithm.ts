/**
 * A certificate's public-key algorithm as the Superseded rule compares it: RSA or ECDSA, or null
 * when it is unknown or neither (SM2, Ed25519, RSA-PSS). Read from a key, from PEM, or from
 * Tencent's `EncryptAlgorithm` text. Pure (node:crypto parsing only).
 */
import { X509Certificate, type KeyObject } from 'node:crypto'

export type KeyAlgorithm = 'RSA' | 'ECDSA'

/** SM2 keys are elliptic-curve keys too, but no ECDSA server key can stand in for them. */
const SM2_CURVE = /sm2/i

export function keyAlgorithmOfKey(key: KeyObject): KeyAlgorithm | null {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RSA'
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve
      return curve === undefined || SM2_CURVE.test(curve) ? null : 'ECDSA'
    }
    default:
      return null
  }
}

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

/** The first certificate of a PEM text; undefined when there is none or it cannot be read. */
export function firstCertificate(pem: unknown): X509Certificate | undefined {
  if (typeof pem !== 'string') return undefined
  const block = FIRST_CERTIFICATE.exec(pem)
  if (!block) return undefined
  try {
    return new X509Certificate(block[0])
  } catch {
    return undefined
  }
}

/** The key algorithm of the first certificate of a PEM chain (the leaf); null when unreadable. */
export function keyAlgorithmOfPem(pem: unknown): KeyAlgorithm | null {
  const leaf = firstCertificate(pem)
  return leaf ? keyAlgorithmOfKey(leaf.publicKey) : null
}

/**
 * Tencent's `EncryptAlgorithm` of DescribeCertificates: `RSA 2048` in its examples, `ECC 256`
 * for elliptic-curve keys (the console's wording), `SM2` for 国密 certificates. Anything else
 * (null, empty, a value it documents nowhere) is unknown.
 */
export function keyAlgorithmOfTencent(value: unknown): KeyAlgorithm | null {
  if (typeof value !== 'string') return null
  const text = value.trim().toUpperCase()
  if (SM2_CURVE.test(text)) return null
  if (/^RSA(?![A-Z-])/.test(text)) return 'RSA'
  if (/^(?:ECC|ECDSA|EC)(?![A-Z-])/.test(text)) return 'ECDSA'
  return null
}
