/**
 * Promise 1, validate before calling: the `cert` and `key` inputs parsed and checked locally,
 * the chain put leaf first, and the leaf's facts (domains, expiry, fingerprint) read out.
 * Pure: no I/O, no logging; notices and warnings are returned for the caller to log.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { rootCertificates } from 'node:tls'
import { InputError } from '../settings/input-error.js'
import { keyAlgorithmOfKey, type KeyAlgorithm } from './key-algorithm.js'
import {
  derToPem,
  describeLabel,
  encodePem,
  headerValue,
  PemError,
  scanPem,
  type PemBlock
} from './pem.js'

export type CertType = 'SVR' | 'CA'

export interface CertificateInput {
  /** PEM text of the chain (see resolvePemInput for paths and base64). */
  cert: string
  /** PEM text of the private key; empty or absent means none. */
  key?: string
  certType: CertType
  now: Date
}

export interface LeafFacts {
  subject: string
  issuer: string
  /** DNS names from subjectAltName, lower-cased; the common name when there are none. */
  domains: string[]
  notBefore: Date
  notAfter: Date
  /** SHA-256 of the DER, lower-case hex without colons. */
  fingerprint: string
  /** e.g. `EC P-256`, `RSA 2048`. */
  keyType: string
  /** What the Superseded rule compares: RSA, ECDSA, or null for any other key. */
  keyAlgorithm: KeyAlgorithm | null
}

export interface CertificateBundle {
  /** Cleaned PEM: the leaf, then its issuers in order, then any certificate off that path. */
  chainPem: string
  /** The cleaned key block, in the format it was given in. */
  keyPem?: string
  leaf: LeafFacts
  certificateCount: number
  notices: string[]
  warnings: string[]
}

/** Bounds the work on hostile input: a real chain has a handful of certificates. */
export const MAX_BLOCKS = 64
const MAX_TEXT_BYTES = 1024 * 1024

const PRIVATE_KEY_FORMATS: Record<string, 'pkcs8' | 'pkcs1' | 'sec1'> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1'
}
/** OpenSSL reads the old `X509 CERTIFICATE` label as a certificate too. */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE'])
const ENCRYPTED_KEY =
  'is encrypted; give the unencrypted key (e.g. openssl pkey -in key.pem -out key-plain.pem)'

interface ParsedCert {
  x509: X509Certificate
  /** One line, for messages. */
  subject: string
}

/** Parses and checks `cert` and `key` (promise 1). Throws InputError for every refusal. */
export function parseCertificateBundle(input: CertificateInput): CertificateBundle {
  if (input.certType !== 'SVR' && input.certType !== 'CA') {
    throw new InputError('cert-type', 'must be SVR or CA')
  }
  const notices: string[] = []
  const warnings: string[] = []
  const certs = dedupe(parseCertificates(input.cert), notices)
  const key = hasText(input.key) ? parsePrivateKey(input.key) : undefined
  if (!key && input.certType === 'SVR') {
    throw new InputError(
      'key',
      'is required when cert-type is SVR (the private key of the leaf certificate)'
    )
  }
  const leaf = key ? leafForKey(certs, key.keyObject) : leafWithoutKey(certs)
  checkValidity(leaf, certs, input.now, warnings)
  const ordered = orderChain(leaf, certs, notices, warnings)
  return {
    chainPem: ordered.map(cert => derToPem('CERTIFICATE', cert.x509.raw)).join(''),
    keyPem: key?.pem,
    leaf: leafFacts(leaf, warnings),
    certificateCount: ordered.length,
    notices,
    warnings
  }
}

function hasText(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== ''
}

/** PEM blocks of one input, with scanning errors and size limits turned into InputError. */
function scanInput(input: 'cert' | 'key', text: string): PemBlock[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
    throw new InputError(input, 'is larger than 1 MiB')
  }
  let blocks: PemBlock[]
  try {
    blocks = scanPem(text)
  } catch (error) {
    if (error instanceof PemError) throw new InputError(input, `is not valid PEM: ${error.message}`)
    throw error
  }
  if (blocks.length > MAX_BLOCKS) {
    throw new InputError(
      input,
      `holds ${blocks.length} PEM blocks; at most ${MAX_BLOCKS} are accepted`
    )
  }
  return blocks
}

function isPrivateKeyLabel(label: string): boolean {
  return label.endsWith('PRIVATE KEY')
}

function refuseCertBlock(block: PemBlock, position: number): never {
  const label = block.label
  if (isPrivateKeyLabel(label)) {
    throw new InputError('cert', 'holds a PRIVATE KEY block; the key goes in the key input')
  }
  const hints: Record<string, string> = {
    'TRUSTED CERTIFICATE': '; give plain CERTIFICATE blocks (openssl x509 -in in.pem -out out.pem)',
    PKCS7: '; convert it with openssl pkcs7 -print_certs -in in.p7b',
    'CERTIFICATE REQUEST': ': that is a signing request, not a certificate',
    'NEW CERTIFICATE REQUEST': ': that is a signing request, not a certificate'
  }
  throw new InputError(
    'cert',
    `block ${position} is ${describeLabel(label)}, not CERTIFICATE${hints[label] ?? ''}; ` +
      'cert takes only certificates'
  )
}

function parseCertificates(text: string): ParsedCert[] {
  const blocks = scanInput('cert', text)
  if (blocks.length === 0) {
    throw new InputError('cert', 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)')
  }
  // A pasted key is the worst mistake: name it before any other stray block.
  const keyBlock = blocks.findIndex(block => isPrivateKeyLabel(block.label))
  if (keyBlock >= 0) refuseCertBlock(blocks[keyBlock], keyBlock + 1)
  blocks.forEach((block, i) => {
    if (!CERTIFICATE_LABELS.has(block.label)) refuseCertBlock(block, i + 1)
  })
  return blocks.map((block, i) => parseCertificateBlock(block, i + 1))
}

function parseCertificateBlock(block: PemBlock, index: number): ParsedCert {
  const der = Buffer.from(block.body, 'base64')
  let x509: X509Certificate | undefined
  try {
    // DER only (a SEQUENCE): Node would also read PEM text hidden inside the body.
    if (der[0] === 0x30) x509 = new X509Certificate(der)
  } catch {
    x509 = undefined
  }
  if (!x509) {
    throw new InputError('cert', `certificate ${index} could not be parsed (not DER X.509)`)
  }
  if (x509.raw.length !== der.length) {
    throw new InputError('cert', `certificate ${index} has data after the end of the certificate`)
  }
  return { x509, subject: oneLine(x509.subject) }
}

/** Node prints names one attribute a line; messages want one line. */
function oneLine(name: string): string {
  return name.split('\n').join(', ')
}

function dedupe(certs: ParsedCert[], notices: string[]): ParsedCert[] {
  const seen = new Set<string>()
  const unique = certs.filter(cert => {
    const fingerprint = cert.x509.fingerprint256
    if (seen.has(fingerprint)) return false
    seen.add(fingerprint)
    return true
  })
  const dropped = certs.length - unique.length
  if (dropped > 0) notices.push(`cert: ${dropped} duplicate certificate(s) dropped`)
  return unique
}

interface ParsedKey {
  keyObject: KeyObject
  pem: string
}

function parsePrivateKey(text: string): ParsedKey {
  const blocks = scanInput('key', text)
  const keyBlocks = blocks.filter(block => checkKeyBlock(block) === 'key')
  if (keyBlocks.length === 0) {
    throw new InputError('key', 'holds no private key (-----BEGIN PRIVATE KEY-----)')
  }
  if (keyBlocks.length > 1) {
    throw new InputError('key', `holds ${keyBlocks.length} private keys; give only the leaf's key`)
  }
  const block = keyBlocks[0]
  const type = PRIVATE_KEY_FORMATS[block.label]
  const der = Buffer.from(block.body, 'base64')
  const refusal = new InputError(
    'key',
    `could not be parsed: the ${block.label} block is not a valid ${FORMAT_NAMES[type]} key`
  )
  // OpenSSL reads any format whatever the label says; a wrong label would reach Tencent.
  if (keyStructure(der) !== type) throw refusal
  try {
    const keyObject = createPrivateKey({ key: der, format: 'der', type })
    return { keyObject, pem: encodePem({ label: block.label, body: block.body }) }
  } catch {
    throw refusal
  }
}

const FORMAT_NAMES = { pkcs8: 'PKCS#8', pkcs1: 'PKCS#1', sec1: 'SEC1' } as const

/**
 * The format a DER private key is in, from its first fields: all three start with a SEQUENCE
 * and an INTEGER version, followed by a SEQUENCE (PKCS#8 algorithm), an OCTET STRING (SEC1
 * private key) or an INTEGER (PKCS#1 modulus).
 */
export function keyStructure(der: Uint8Array): 'pkcs8' | 'pkcs1' | 'sec1' | undefined {
  if (der[0] !== 0x30) return undefined
  let pos = afterLength(der, 1)
  if (der[pos] !== 0x02 || der[pos + 1] > 0x7f) return undefined
  pos += 2 + der[pos + 1]
  const next = der[pos]
  return next === 0x30 ? 'pkcs8' : next === 0x04 ? 'sec1' : next === 0x02 ? 'pkcs1' : undefined
}

/** Position after a DER length field that starts at `pos`. */
function afterLength(der: Uint8Array, pos: number): number {
  const first = der[pos] ?? 0
  return first < 0x80 ? pos + 1 : pos + 1 + (first & 0x7f)
}

/** Classifies a block of the key input; refuses anything but a key and EC PARAMETERS. */
function checkKeyBlock(block: PemBlock): 'key' | 'ignored' {
  const label = block.label
  const procType = headerValue(block, 'Proc-Type') ?? ''
  if (label === 'ENCRYPTED PRIVATE KEY' || procType.toUpperCase().includes('ENCRYPTED')) {
    throw new InputError('key', ENCRYPTED_KEY)
  }
  if (label in PRIVATE_KEY_FORMATS) return 'key'
  // `openssl ecparam -genkey` writes the curve before the key; the key names its curve itself.
  if (label === 'EC PARAMETERS') return 'ignored'
  if (CERTIFICATE_LABELS.has(label)) {
    throw new InputError('key', 'holds a CERTIFICATE block; certificates go in the cert input')
  }
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') {
    throw new InputError('key', `holds a ${label}, not the private key`)
  }
  if (label === 'OPENSSH PRIVATE KEY') {
    throw new InputError('key', 'is an OpenSSH key; give a PEM key (PKCS#8, PKCS#1 or SEC1)')
  }
  throw new InputError(
    'key',
    `holds a ${describeLabel(label)} block; accepted are PRIVATE KEY, RSA PRIVATE KEY and EC PRIVATE KEY`
  )
}

function matchesKey(cert: ParsedCert, key: KeyObject): boolean {
  try {
    return cert.x509.checkPrivateKey(key)
  } catch {
    return false
  }
}

function leafForKey(certs: ParsedCert[], key: KeyObject): ParsedCert {
  const leaf = certs.find(cert => matchesKey(cert, key))
  if (!leaf) throw new InputError('key', 'does not match any certificate in cert')
  return leaf
}

/**
 * `issuer` signed `subject`: names and key identifiers agree and the signature verifies.
 * Results are cached: with hostile input (64 certificates of one name) this is the costly part.
 */
const linkCache = new WeakMap<X509Certificate, Map<X509Certificate, boolean>>()

function signs(issuer: ParsedCert, subject: ParsedCert): boolean {
  let row = linkCache.get(subject.x509)
  if (!row) linkCache.set(subject.x509, (row = new Map()))
  let result = row.get(issuer.x509)
  if (result === undefined) {
    result = namesIssuer(issuer, subject) && verifies(issuer, subject)
    row.set(issuer.x509, result)
  }
  return result
}

function namesIssuer(issuer: ParsedCert, subject: ParsedCert): boolean {
  return subject.x509.checkIssued(issuer.x509)
}

function verifies(issuer: ParsedCert, subject: ParsedCert): boolean {
  try {
    return subject.x509.verify(issuer.x509.publicKey)
  } catch {
    return false
  }
}

function isSelfSigned(cert: ParsedCert): boolean {
  return signs(cert, cert)
}

/** Without a key: the first certificate that issued no other in the bundle. */
function leafWithoutKey(certs: ParsedCert[]): ParsedCert {
  const issuesAnother = (cert: ParsedCert): boolean =>
    certs.some(other => other !== cert && signs(cert, other))
  return certs.find(cert => !issuesAnother(cert)) ?? certs[0]
}

function checkValidity(leaf: ParsedCert, certs: ParsedCert[], now: Date, warnings: string[]): void {
  const notAfter = parseX509Date(leaf.x509.validTo, 'cert')
  if (notAfter.getTime() <= now.getTime()) {
    throw new InputError('cert', `the leaf certificate expired on ${notAfter.toISOString()}`)
  }
  const notBefore = parseX509Date(leaf.x509.validFrom, 'cert')
  if (notBefore.getTime() > now.getTime()) {
    warnings.push(`cert: the leaf certificate is not valid before ${notBefore.toISOString()}`)
  }
  for (const cert of certs) {
    if (cert === leaf) continue
    const expiry = parseX509Date(cert.x509.validTo, 'cert')
    if (expiry.getTime() <= now.getTime()) {
      warnings.push(
        `cert: the chain certificate ${cert.subject} expired on ${expiry.toISOString()}`
      )
    }
  }
}

/**
 * Leaf first, then each issuer found in the bundle; certificates off that path go last. Adds
 * the notice when this changes the order, and warnings for stray, broken or missing links.
 */
function orderChain(
  leaf: ParsedCert,
  certs: ParsedCert[],
  notices: string[],
  warnings: string[]
): ParsedCert[] {
  const path = [leaf]
  for (let current = leaf; !isSelfSigned(current);) {
    const rest = certs.filter(cert => !path.includes(cert))
    const issuer = rest.find(cert => signs(cert, current))
    if (issuer) {
      path.push((current = issuer))
      continue
    }
    const named = rest.find(cert => namesIssuer(cert, current))
    if (!named) break
    warnings.push(
      `cert: broken chain: the signature of ${current.subject} does not verify with the key of ${named.subject}`
    )
    path.push((current = named))
  }
  const stray = certs.filter(cert => !path.includes(cert))
  if (stray.length > 0) {
    warnings.push(
      `cert: ${stray.length} certificate(s) not in the leaf's chain, kept after it: ` +
        stray.map(cert => cert.subject).join('; ')
    )
  }
  const ordered = [...path, ...stray]
  if (ordered.some((cert, i) => cert !== certs[i])) {
    notices.push('cert: the chain was reordered leaf first')
  }
  warnIfIncomplete(path, warnings)
  return ordered
}

/**
 * The chain is complete when it ends at a self-signed certificate or at one issued by a root
 * that Node ships (clients have those; ACME clients leave the root out of fullchain.pem).
 */
function warnIfIncomplete(path: ParsedCert[], warnings: string[]): void {
  const last = path[path.length - 1]
  if (isSelfSigned(last) || issuedByWellKnownRoot(last.x509)) return
  if (path.length === 1) {
    warnings.push('cert holds only the leaf; use the full chain (fullchain.pem)')
    return
  }
  warnings.push(
    `cert: the chain may be incomplete: ${last.subject} is issued by ${oneLine(last.x509.issuer)}, ` +
      'which is neither in cert nor a well-known root'
  )
}

const parsedRoots = new Map<string, X509Certificate>()

/**
 * Whether a root that Node trusts issued `cert`. Parsing all ~140 roots costs ~25 ms of every
 * run, so only roots whose DER holds the issuer's common name are parsed; the real test is
 * checkIssued + verify. A name the filter misses only costs a needless warning.
 */
function issuedByWellKnownRoot(cert: X509Certificate): boolean {
  const commonName = /(?:^|\n)CN=([^\n]+)/.exec(cert.issuer)?.[1]
  const needle = commonName === undefined ? undefined : Buffer.from(commonName, 'utf8')
  return rootCertificates.some(pem => {
    if (needle && !pemBody(pem).includes(needle)) return false
    try {
      let root = parsedRoots.get(pem)
      if (!root) parsedRoots.set(pem, (root = new X509Certificate(pem)))
      return cert.checkIssued(root) && cert.verify(root.publicKey)
    } catch {
      return false
    }
  })
}

const pemBody = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Node prints validity as OpenSSL does: `Nov  7 17:00:00 2026 GMT` (seconds may have a fraction). */
export function parseX509Date(text: string, input: string): Date {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? (\d{1,4}) GMT$/.exec(
    text
  )
  const month = match ? MONTHS.indexOf(match[1]) : -1
  if (!match || month < 0) {
    throw new InputError(input, 'has a certificate with an unreadable validity date')
  }
  const date = new Date(0)
  date.setUTCFullYear(Number(match[7]), month, Number(match[2]))
  date.setUTCHours(Number(match[3]), Number(match[4]), Number(match[5]), fractionMs(match[6]))
  return date
}

function fractionMs(fraction: string | undefined): number {
  return fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0
}

function leafFacts(leaf: ParsedCert, warnings: string[]): LeafFacts {
  const x509 = leaf.x509
  const domains = leafDomains(x509)
  if (domains.length === 0) {
    warnings.push('cert: the leaf certificate names no DNS name and no common name')
  }
  return {
    subject: leaf.subject,
    issuer: oneLine(x509.issuer),
    domains,
    notBefore: parseX509Date(x509.validFrom, 'cert'),
    notAfter: parseX509Date(x509.validTo, 'cert'),
    fingerprint: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    keyType: describeKey(x509.publicKey),
    keyAlgorithm: keyAlgorithmOfKey(x509.publicKey)
  }
}

function leafDomains(x509: X509Certificate): string[] {
  const dnsNames = parseSubjectAltName(x509.subjectAltName ?? '')
    .filter(entry => entry.type === 'DNS')
    .map(entry => entry.value.toLowerCase())
  if (dnsNames.length > 0) return [...new Set(dnsNames)]
  const commonName = lastCommonName(x509.subject)
  if (commonName === undefined) return []
  // A host name is compared case-insensitively; any other common name is kept as written.
  return [/^[A-Za-z0-9.*_-]+$/.test(commonName) ? commonName.toLowerCase() : commonName]
}

/** The most specific (last) CN of a name as Node prints it, one attribute a line. */
function lastCommonName(name: string): string | undefined {
  const values = name
    .split('\n')
    .filter(line => line.startsWith('CN='))
    .map(line => line.slice(3).trim())
    .filter(value => value !== '')
  return values[values.length - 1]
}

export interface AltName {
  type: string
  value: string
}

/**
 * Entries of Node's subjectAltName text: `DNS:a.example, IP Address:10.0.0.1`. Since Node 17
 * a value with unusual characters is a JSON string: `DNS:"a\u002cb.example"`.
 */
export function parseSubjectAltName(text: string): AltName[] {
  const entries: AltName[] = []
  let pos = 0
  while (pos < text.length) {
    const colon = text.indexOf(':', pos)
    if (colon < 0) break
    const type = text.slice(pos, colon)
    const { value, end } = readAltValue(text, colon + 1)
    entries.push({ type, value })
    pos = text.startsWith(', ', end) ? end + 2 : text.length
  }
  return entries
}

function readAltValue(text: string, start: number): { value: string; end: number } {
  if (text[start] === '"') {
    const close = closingQuote(text, start + 1)
    if (close >= 0) {
      try {
        return { value: JSON.parse(text.slice(start, close + 1)) as string, end: close + 1 }
      } catch {
        // fall through: read it as plain text
      }
    }
  }
  const comma = text.indexOf(', ', start)
  const end = comma < 0 ? text.length : comma
  return { value: text.slice(start, end), end }
}

/** Index of the quote that ends a JSON string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return -1
}

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521'
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {}
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return `RSA ${details.modulusLength ?? ''}`.trim()
    case 'rsa-pss':
      return `RSA-PSS ${details.modulusLength ?? ''}`.trim()
    case 'ec':
      return `EC ${CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? ''}`.trim()
    case 'ed25519':
      return 'Ed25519'
    case 'ed448':
      return 'Ed448'
    default:
      return (key.asymmetricKeyType ?? 'unknown').toUpperCase()
  }
}
