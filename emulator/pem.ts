/**
 * Certificate checks the way Tencent applies them to an upload, done with node:crypto only:
 * parse every block, match the key to the leaf, check the chain's issuing order, and CA-ness.
 * Problems carry a kind so each API can map it to its own error code.
 */
import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto'

export type CertType = 'SVR' | 'CA'

export type ProblemKind = 'parse' | 'mismatch' | 'chain' | 'ca' | 'missing-key'

export class CertificateProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string
  ) {
    super(message)
  }
}

/** What the store keeps about a certificate chain. */
export interface ChainFacts {
  /** Main domain (common name, else the first DNS name) first, then the other DNS names. */
  domains: string[]
  notBefore: number
  notAfter: number
  /** SHA-256 of the leaf's DER, lower-case hex: how duplicates are recognised. */
  fingerprint: string
  /** SHA-1 of the leaf's DER, as DescribeCertificateDetail's CertFingerprint shows it. */
  sha1Fingerprint: string
  /** `RSA 2048`, `ECC 256`, ... */
  encryptAlgorithm: string
  isCa: boolean
  /** The blocks, trimmed, one per line group, each ending in a newline. */
  chainPem: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/** Every certificate of a PEM chain, in the order given. Stray text is a parse error, as on Tencent. */
export function parseChain(pem: string): X509Certificate[] {
  const blocks = [...pem.matchAll(BLOCK)]
  if (blocks.length === 0) throw new CertificateProblem('parse', 'no PEM certificate found')
  if (pem.replace(BLOCK, '').trim() !== '') {
    throw new CertificateProblem('parse', 'text outside the PEM blocks')
  }
  return blocks.map(([block, label], index) => {
    if (label !== 'CERTIFICATE') {
      throw new CertificateProblem('parse', `block ${index + 1} is a ${label}, not a CERTIFICATE`)
    }
    try {
      return new X509Certificate(block)
    } catch (error) {
      throw new CertificateProblem('parse', `certificate ${index + 1}: ${messageOf(error)}`)
    }
  })
}

export function parsePrivateKey(pem: string, password?: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: password })
  } catch (error) {
    throw new CertificateProblem('parse', `private key: ${messageOf(error)}`)
  }
}

/** Each certificate must be issued (and signed) by the one after it. */
export function checkIssuingOrder(chain: X509Certificate[]): void {
  for (let i = 0; i + 1 < chain.length; i++) {
    const [child, parent] = [chain[i], chain[i + 1]]
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new CertificateProblem(
        'chain',
        `certificate ${i + 1} (${child.subject.replace(/\n/g, ', ')}) is not issued by certificate ${i + 2}`
      )
    }
  }
}

export interface UploadInput {
  chainPem: string
  keyPem?: string
  keyPassword?: string
  certType: CertType
}

/** The checks of an upload, in Tencent's order; returns the facts to store. */
export function validateUpload(input: UploadInput): ChainFacts {
  const chain = parseChain(input.chainPem)
  const hasKey = input.keyPem !== undefined && input.keyPem.trim() !== ''
  if (input.certType === 'SVR' && !hasKey) {
    throw new CertificateProblem('missing-key', 'a server (SVR) certificate needs its private key')
  }
  if (input.certType === 'CA' && !chain[0].ca) {
    throw new CertificateProblem('ca', 'the certificate is not a CA certificate')
  }
  if (hasKey) {
    const key = parsePrivateKey(input.keyPem as string, input.keyPassword)
    if (!chain[0].checkPrivateKey(key)) {
      throw new CertificateProblem('mismatch', 'the private key does not match the certificate')
    }
  }
  checkIssuingOrder(chain)
  return chainFacts(chain)
}

export function chainFacts(chain: X509Certificate[]): ChainFacts {
  const leaf = chain[0]
  const commonName = /^CN=(.*)$/m.exec(leaf.subject)?.[1]
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .filter(entry => entry.startsWith('DNS:'))
    .map(entry => entry.slice(4))
  const main = commonName ?? dnsNames[0]
  return {
    domains: [...new Set(main === undefined ? dnsNames : [main, ...dnsNames])],
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
    fingerprint: createHash('sha256').update(leaf.raw).digest('hex'),
    sha1Fingerprint: createHash('sha1').update(leaf.raw).digest('hex'),
    encryptAlgorithm: describeKey(leaf.publicKey),
    isCa: leaf.ca,
    chainPem: chain.map(cert => cert.toString().trim() + '\n').join('')
  }
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details.modulusLength ?? ''}`.trim()
  if (key.asymmetricKeyType === 'ec') {
    const bits = /(\d{3})/.exec(details.namedCurve ?? '')?.[1]
    return `ECC ${bits ?? ''}`.trim()
  }
  return (key.asymmetricKeyType ?? 'unknown').toUpperCase()
}

export const sha256Hex = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex')

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
