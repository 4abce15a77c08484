// @peculiar/x509 needs the reflect polyfill loaded before it.
import 'reflect-metadata'
import {
  makeCa,
  makeChain,
  pemBody,
  pemFingerprint,
  type TestCa,
  type TestChain
} from '../../fixtures/certs.js'
import * as x509 from '@peculiar/x509'
import { createPrivateKey, webcrypto } from 'node:crypto'
import { resolve } from 'node:path'
import {
  keyStructure,
  parseCertificateBundle,
  parseSubjectAltName,
  parseX509Date,
  type CertificateBundle,
  type CertificateInput
} from '../../src/certificate/certificate.js'
import { InputError } from '../../src/settings/input-error.js'
import { resolvePemInput } from '../../src/certificate/pem.js'

const DAY = 86_400_000
const now = new Date()

/** Let's Encrypt E5, issued by ISRG Root X2 (one of Node's bundled roots); valid 2024-03-13 to 2027-03-12. From letsencrypt.org/certs/2024/e5.pem. */
const LETS_ENCRYPT_E5 = `-----BEGIN CERTIFICATE-----
MIICtDCCAjugAwIBAgIQGG511O6woF39Lagghl0eMTAKBggqhkjOPQQDAzBPMQsw
CQYDVQQGEwJVUzEpMCcGA1UEChMgSW50ZXJuZXQgU2VjdXJpdHkgUmVzZWFyY2gg
R3JvdXAxFTATBgNVBAMTDElTUkcgUm9vdCBYMjAeFw0yNDAzMTMwMDAwMDBaFw0y
NzAzMTIyMzU5NTlaMDIxCzAJBgNVBAYTAlVTMRYwFAYDVQQKEw1MZXQncyBFbmNy
eXB0MQswCQYDVQQDEwJFNTB2MBAGByqGSM49AgEGBSuBBAAiA2IABA0LOoprYY62
79xfWOfGQkVUq2P2ZmFICi5ZdbSBAjdQtz8WedyY7KEol3IgHCzP1XxSIE5UeFuE
FGvAkK6F7MBRQTxah38GTdT+YNH6bC3hfZUQiKIIVA+ZGkzm6gqs2KOB+DCB9TAO
BgNVHQ8BAf8EBAMCAYYwHQYDVR0lBBYwFAYIKwYBBQUHAwIGCCsGAQUFBwMBMBIG
A1UdEwEB/wQIMAYBAf8CAQAwHQYDVR0OBBYEFJ8rX888IU+dBLftKyzExnCL0tcN
MB8GA1UdIwQYMBaAFHxClq7eS0g7+pL4nozPbYupcjeVMDIGCCsGAQUFBwEBBCYw
JDAiBggrBgEFBQcwAoYWaHR0cDovL3gyLmkubGVuY3Iub3JnLzATBgNVHSAEDDAK
MAgGBmeBDAECATAnBgNVHR8EIDAeMBygGqAYhhZodHRwOi8veDIuYy5sZW5jci5v
cmcvMAoGCCqGSM49BAMDA2cAMGQCMBttLkVBHEU+2V80GHRnE3m6qym1thBOgydK
i0VOx3vP9EAwHWGl5hxtpJAJkm5GSwIwRikYhDR6vPve2BvYGacE9ct+522E2dqO
6s42MLmigEws5mASS6l2quhtlUfacgkM
-----END CERTIFICATE-----
`

// ---- independent oracles: plain string handling, SHA-256 and @peculiar/x509, not src/ ----

const bodyOf = (pem: string): string => pemBody(pem).toString('base64')
const sha256 = pemFingerprint

/** Fingerprints of the certificates in a PEM bundle, in order. */
const fingerprints = (bundlePem: string): string[] =>
  (
    bundlePem.match(/-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+?-----END CERTIFICATE-----/g) ??
    []
  ).map(sha256)

const peculiar = (pem: string): x509.X509Certificate => new x509.X509Certificate(pem)

const sanDnsNames = (pem: string): string[] =>
  (peculiar(pem).getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [])
    .filter(name => name.type === 'dns')
    .map(name => name.value)

const keyBody = (keyPem: string): string => bodyOf(keyPem)

/** True when a 12-character run of the key's body appears in `text`. */
function leaksKey(text: string, keyPem: string): boolean {
  const body = keyBody(keyPem)
  for (let at = 0; at + 12 <= body.length; at += 4) {
    if (text.includes(body.slice(at, at + 12))) return true
  }
  return false
}

function convertKey(keyPem: string, type: 'pkcs8' | 'sec1' | 'pkcs1'): string {
  return createPrivateKey(keyPem).export({ type, format: 'pem' }).toString()
}

function parse(
  cert: string,
  key?: string,
  extra: Partial<CertificateInput> = {}
): CertificateBundle {
  return parseCertificateBundle({ cert, key, certType: 'SVR', now, ...extra })
}

function refusal(run: () => unknown): InputError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('no InputError was thrown')
}

/** A leaf made by hand, for what makeChain does not make: other names, a bad signature. */
async function handMadeLeaf(
  ca: TestCa,
  subject: string,
  names: x509.JsonGeneralNames,
  signingKey = ca.intermediates[0].keys.privateKey
): Promise<{ pem: string; keyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])
  const issuer = ca.intermediates[0]
  const extensions: x509.Extension[] = [
    await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)
  ]
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0a0b0c',
    subject,
    issuer: issuer.cert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 30 * DAY),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey,
    extensions
  })
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const keyPem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()
  return { pem: cert.toString('pem') + '\n', keyPem }
}

let ca: TestCa
let ec: TestChain
let sec1: TestChain
let rsa: TestChain
let deep: TestChain
let other: TestChain
let expired: TestChain
let future: TestChain
let cnOnly: TestChain

beforeAll(async () => {
  ca = await makeCa(1)
  ec = await makeChain({
    ca,
    domains: ['a.example.test', '*.A.example.test', 'www.a.example.test', 'A.EXAMPLE.TEST']
  })
  sec1 = await makeChain({ ca, keyFormat: 'sec1', domains: ['*.wild.example.test'] })
  rsa = await makeChain({ ca, key: 'rsa', keyFormat: 'pkcs1', domains: ['rsa.example.test'] })
  deep = await makeChain({ ca: await makeCa(3, 'Deep'), domains: ['deep.example.test'] })
  other = await makeChain({ ca: await makeCa(1, 'Other'), domains: ['other.example.test'] })
  expired = await makeChain({
    ca,
    notBefore: new Date(now.getTime() - 100 * DAY),
    notAfter: new Date(now.getTime() - DAY)
  })
  future = await makeChain({
    ca,
    notBefore: new Date(now.getTime() + 10 * DAY),
    notAfter: new Date(now.getTime() + 100 * DAY)
  })
  cnOnly = await makeChain({ ca, commonName: 'Host.Example.Test' })
})

describe('parseCertificateBundle: a valid chain', () => {
  it('reads an EC leaf with a PKCS#8 key: facts agree with independent computations', () => {
    const bundle = parse(ec.fullchainPem, ec.keyPem)
    const oracle = peculiar(ec.leafPem)
    expect(bundle.leaf.fingerprint).toBe(sha256(ec.leafPem))
    expect(bundle.leaf.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(bundle.leaf.notAfter.getTime()).toBe(oracle.notAfter.getTime())
    expect(bundle.leaf.notBefore.getTime()).toBe(oracle.notBefore.getTime())
    expect(bundle.leaf.subject).toBe(oracle.subject)
    expect(bundle.leaf.issuer).toBe(oracle.issuer)
    expect(bundle.leaf.keyType).toBe('EC P-256')
    expect(bundle.leaf.keyAlgorithm).toBe('ECDSA')
    expect(fingerprints(bundle.chainPem)).toEqual(fingerprints(ec.fullchainPem))
    expect(bundle.certificateCount).toBe(1 + ec.intermediatePems.length)
    expect(bundle.keyPem).toBe(ec.keyPem)
    expect(bundle.notices).toEqual([])
  })

  it('lower-cases and deduplicates the DNS names, keeping their order', () => {
    const expected = [...new Set(sanDnsNames(ec.leafPem).map(name => name.toLowerCase()))]
    expect(expected).toHaveLength(3)
    expect(parse(ec.fullchainPem, ec.keyPem).leaf.domains).toEqual(expected)
  })

  it('reads a wildcard leaf with a SEC1 key, returned in its own format', () => {
    const bundle = parse(sec1.fullchainPem, sec1.keyPem)
    expect(sec1.keyPem).toContain('-----BEGIN EC PRIVATE KEY-----')
    expect(bundle.keyPem).toBe(sec1.keyPem)
    expect(bundle.leaf.domains).toEqual(sanDnsNames(sec1.leafPem))
    expect(bundle.leaf.domains[0].startsWith('*.')).toBe(true)
  })

  it('reads an RSA leaf with a PKCS#1 key and with the same key as PKCS#8', () => {
    expect(rsa.keyPem).toContain('-----BEGIN RSA PRIVATE KEY-----')
    const pkcs1 = parse(rsa.fullchainPem, rsa.keyPem)
    expect(pkcs1.keyPem).toBe(rsa.keyPem)
    expect(pkcs1.leaf.keyType).toBe('RSA 2048')
    expect(pkcs1.leaf.keyAlgorithm).toBe('RSA')
    expect(pkcs1.leaf.fingerprint).toBe(sha256(rsa.leafPem))
    const pkcs8Key = convertKey(rsa.keyPem, 'pkcs8')
    const pkcs8 = parse(rsa.fullchainPem, pkcs8Key)
    expect(pkcs8.keyPem).toBe(pkcs8Key)
    expect(pkcs8.leaf.fingerprint).toBe(pkcs1.leaf.fingerprint)
  })

  it('accepts an EC key converted between PKCS#8 and SEC1', () => {
    for (const type of ['pkcs8', 'sec1'] as const) {
      const key = convertKey(sec1.keyPem, type)
      expect(parse(sec1.fullchainPem, key).keyPem).toBe(key)
    }
  })

  it('gives no warning for a chain that ends at its root', () => {
    const bundle = parse(ec.fullchainPem + ec.rootPem, ec.keyPem)
    expect(bundle.warnings).toEqual([])
    expect(bundle.notices).toEqual([])
    expect(bundle.certificateCount).toBe(3)
  })

  it('warns that a chain ending below an unknown root may be incomplete', () => {
    const bundle = parse(ec.fullchainPem, ec.keyPem)
    const intermediate = peculiar(ec.intermediatePems[0])
    expect(bundle.warnings).toHaveLength(1)
    expect(bundle.warnings[0]).toMatch(/may be incomplete/)
    expect(bundle.warnings[0]).toContain(intermediate.subject)
    expect(bundle.warnings[0]).toContain(intermediate.issuer)
  })

  it('treats a chain ending below one of the roots Node ships as complete', () => {
    const bundle = parse(LETS_ENCRYPT_E5, undefined, {
      certType: 'CA',
      now: new Date('2026-01-01T00:00:00Z')
    })
    expect(bundle.warnings).toEqual([])
    expect(bundle.leaf.fingerprint).toBe(sha256(LETS_ENCRYPT_E5))
    expect(bundle.leaf.keyType).toBe('EC P-384')
    expect(bundle.leaf.notAfter.toISOString()).toBe(
      peculiar(LETS_ENCRYPT_E5).notAfter.toISOString()
    )
  })

  it('warns about a leaf-only cert', () => {
    const bundle = parse(ec.leafPem, ec.keyPem)
    expect(bundle.certificateCount).toBe(1)
    expect(bundle.warnings).toEqual([
      'cert holds only the leaf; use the full chain (fullchain.pem)'
    ])
  })
})

describe('parseCertificateBundle: chain order', () => {
  it('puts a reversed chain leaf first, with a notice', () => {
    const reversed = ec.rootPem + ec.intermediatePems[0] + ec.leafPem
    const bundle = parse(reversed, ec.keyPem)
    expect(fingerprints(bundle.chainPem)).toEqual(
      [ec.leafPem, ec.intermediatePems[0], ec.rootPem].map(sha256)
    )
    expect(bundle.notices).toEqual(['cert: the chain was reordered leaf first'])
    expect(bundle.warnings).toEqual([])
  })

  it('orders three shuffled intermediates by following the issuers', () => {
    const [i1, i2, i3] = deep.intermediatePems
    const expected = [deep.leafPem, i1, i2, i3, deep.rootPem].map(sha256)
    for (const shuffled of [
      [i3, deep.leafPem, i1, deep.rootPem, i2],
      [deep.rootPem, i2, i1, i3, deep.leafPem],
      [deep.leafPem, i2, i3, i1, deep.rootPem]
    ]) {
      const bundle = parse(shuffled.join(''), deep.keyPem)
      expect(fingerprints(bundle.chainPem)).toEqual(expected)
      expect(bundle.notices).toEqual(['cert: the chain was reordered leaf first'])
      expect(bundle.warnings).toEqual([])
    }
  })

  it('keeps an unrelated certificate after the chain, with a warning naming it', () => {
    const mixed = ec.leafPem + other.leafPem + ec.intermediatePems[0] + ec.rootPem
    const bundle = parse(mixed, ec.keyPem)
    expect(fingerprints(bundle.chainPem)).toEqual(
      [ec.leafPem, ec.intermediatePems[0], ec.rootPem, other.leafPem].map(sha256)
    )
    expect(bundle.notices).toEqual(['cert: the chain was reordered leaf first'])
    expect(bundle.warnings).toHaveLength(1)
    expect(bundle.warnings[0]).toMatch(/not in the leaf's chain/)
    expect(bundle.warnings[0]).toContain(peculiar(other.leafPem).subject)
  })

  it('adds no notice when an unrelated certificate is already last', () => {
    const bundle = parse(ec.fullchainPem + ec.rootPem + other.rootPem, ec.keyPem)
    expect(bundle.notices).toEqual([])
    expect(bundle.warnings).toHaveLength(1)
  })

  it('finds the leaf by its key wherever it is', () => {
    const bundle = parse(ec.intermediatePems[0] + ec.leafPem, ec.keyPem)
    expect(bundle.leaf.fingerprint).toBe(sha256(ec.leafPem))
  })

  it('drops duplicate certificates with a notice', () => {
    const doubled = ec.leafPem + ec.intermediatePems[0] + ec.leafPem + ec.intermediatePems[0]
    const bundle = parse(doubled, ec.keyPem)
    expect(bundle.certificateCount).toBe(2)
    expect(fingerprints(bundle.chainPem)).toEqual(fingerprints(ec.fullchainPem))
    expect(bundle.notices).toEqual(['cert: 2 duplicate certificate(s) dropped'])
  })

  it('warns about a broken link: the leaf signature does not verify', () => {
    const der = Buffer.from(bodyOf(ec.leafPem), 'base64')
    der[der.length - 1] ^= 0x01 // last byte of the signature's s value
    const tampered =
      '-----BEGIN CERTIFICATE-----\n' + der.toString('base64') + '\n-----END CERTIFICATE-----\n'
    const bundle = parse(tampered + ec.intermediatePems[0] + ec.rootPem, ec.keyPem)
    expect(bundle.warnings).toHaveLength(1)
    expect(bundle.warnings[0]).toMatch(/broken chain/)
    expect(fingerprints(bundle.chainPem)[1]).toBe(sha256(ec.intermediatePems[0]))
  })

  it('warns about an expired chain certificate', async () => {
    const staleNow = new Date(now.getTime() + 3651 * DAY) // past the CA's ten years
    const longLeaf = await makeChain({ ca, notAfter: new Date(now.getTime() + 4000 * DAY) })
    const bundle = parse(longLeaf.fullchainPem, longLeaf.keyPem, { now: staleNow })
    const expiry = peculiar(longLeaf.intermediatePems[0]).notAfter.toISOString()
    expect(bundle.warnings.some(w => w.includes('expired') && w.includes(expiry))).toBe(true)
  })
})

describe('parseCertificateBundle: validity', () => {
  it('refuses an expired leaf, naming its expiry', () => {
    const error = refusal(() => parse(expired.fullchainPem, expired.keyPem))
    const notAfter = peculiar(expired.leafPem).notAfter.toISOString()
    expect(error.message).toBe(`Input 'cert': the leaf certificate expired on ${notAfter}`)
  })

  it('treats notAfter == now as expired and uses the given now', () => {
    const notAfter = peculiar(expired.leafPem).notAfter
    refusal(() => parse(expired.fullchainPem, expired.keyPem, { now: notAfter }))
    const before = new Date(notAfter.getTime() - 1000)
    expect(parse(expired.fullchainPem, expired.keyPem, { now: before }).leaf.notAfter).toEqual(
      notAfter
    )
  })

  it('warns about a leaf that is not yet valid', () => {
    const bundle = parse(future.fullchainPem, future.keyPem)
    const notBefore = peculiar(future.leafPem).notBefore.toISOString()
    expect(bundle.warnings).toContainEqual(
      `cert: the leaf certificate is not valid before ${notBefore}`
    )
  })
})

describe('parseCertificateBundle: cleaning', () => {
  it('cleans CRLF, Bag Attributes and comments into the same chain', () => {
    const messy = [
      'Bag Attributes',
      '    localKeyID: 01 00 00 00',
      'subject=/CN=a.example.test',
      'issuer=/CN=Test Intermediate CA 1',
      ec.leafPem,
      '# intermediate follows',
      ec.intermediatePems[0],
      '   '
    ]
      .join('\n')
      .replace(/\n/g, '\r\n')
    const messyKey = `Bag Attributes\r\nKey Attributes: <No Attributes>\r\n${ec.keyPem.replace(/\n/g, '\r\n')}`
    const clean = parse(ec.fullchainPem, ec.keyPem)
    const bundle = parse(messy, messyKey)
    expect(bundle.chainPem).toBe(clean.chainPem)
    expect(bundle.keyPem).toBe(ec.keyPem)
    expect(bundle.chainPem).not.toMatch(/\r|Bag|#/)
    expect(bundle.chainPem.endsWith('-----END CERTIFICATE-----\n')).toBe(true)
    expect(bundle.chainPem.split('\n').every(line => line.length <= 64)).toBe(true)
  })

  it('drops an EC PARAMETERS block before a SEC1 key', () => {
    const params = createPrivateKey(sec1.keyPem).asymmetricKeyDetails?.namedCurve
    expect(params).toBe('prime256v1')
    // `openssl ecparam -name prime256v1` writes this block (the OID of P-256).
    const ecParameters =
      '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n'
    const bundle = parse(sec1.fullchainPem, ecParameters + sec1.keyPem)
    expect(bundle.keyPem).toBe(sec1.keyPem)
  })

  it('reads cert as base64 and key as a path through resolvePemInput', () => {
    const workspace = '/ws'
    const keyPath = resolve(workspace, 'secrets/privkey.pem')
    const files = {
      workspace,
      exists: (path: string) => path === keyPath,
      readFile: (path: string) => {
        if (path !== keyPath) throw new Error('unexpected read')
        return Buffer.from(ec.keyPem)
      }
    }
    const cert = resolvePemInput('cert', Buffer.from(ec.fullchainPem).toString('base64'), files)
    const key = resolvePemInput('key', 'secrets/privkey.pem', files)
    expect(parse(cert, key)).toEqual(parse(ec.fullchainPem, ec.keyPem))
  })
})

describe('parseCertificateBundle: the key', () => {
  it('is required for SVR', () => {
    for (const key of [undefined, '', '  \n']) {
      const error = refusal(() => parse(ec.fullchainPem, key))
      expect(error.input).toBe('key')
      expect(error.message).toMatch(/is required when cert-type is SVR/)
    }
  })

  it('is optional for CA: the leaf is the certificate that issued no other', () => {
    const bundle = parse(ec.rootPem + ec.intermediatePems[0], undefined, { certType: 'CA' })
    const intermediate = peculiar(ec.intermediatePems[0])
    expect(bundle.leaf.fingerprint).toBe(sha256(ec.intermediatePems[0]))
    expect(bundle.keyPem).toBeUndefined()
    expect(bundle.leaf.domains).toEqual([intermediate.subject.replace(/^CN=/, '')])
    expect(fingerprints(bundle.chainPem)).toEqual([ec.intermediatePems[0], ec.rootPem].map(sha256))
  })

  it('for CA without a key takes the first of several candidates', () => {
    const bundle = parse(other.rootPem + ec.rootPem, undefined, { certType: 'CA' })
    expect(bundle.leaf.fingerprint).toBe(sha256(other.rootPem))
    expect(bundle.warnings).toHaveLength(1)
    expect(bundle.warnings[0]).toContain(peculiar(ec.rootPem).subject)
  })

  it('for CA still checks a key that is given', () => {
    const bundle = parse(ec.fullchainPem, ec.keyPem, { certType: 'CA' })
    expect(bundle.leaf.fingerprint).toBe(sha256(ec.leafPem))
    expect(refusal(() => parse(ec.fullchainPem, sec1.keyPem, { certType: 'CA' })).input).toBe('key')
  })

  it.each([
    ['another key of the same CA', () => sec1.keyPem],
    ['the key of a different chain', () => other.keyPem],
    ['an RSA key for an EC leaf', () => rsa.keyPem]
  ])('refuses %s', (_name, key) => {
    const error = refusal(() => parse(ec.fullchainPem, key()))
    expect(error.message).toBe("Input 'key': does not match any certificate in cert")
    expect(leaksKey(error.message, key())).toBe(false)
  })

  it('refuses an encrypted PKCS#8 key and an encrypted traditional key', () => {
    const keyObject = createPrivateKey(sec1.keyPem)
    const options = { format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' } as const
    const pkcs8 = keyObject.export({ ...options, type: 'pkcs8' }).toString()
    const traditional = keyObject.export({ ...options, type: 'sec1' }).toString()
    expect(pkcs8).toContain('ENCRYPTED PRIVATE KEY')
    expect(traditional).toContain('Proc-Type: 4,ENCRYPTED')
    for (const key of [pkcs8, traditional]) {
      const error = refusal(() => parse(sec1.fullchainPem, key))
      expect(error.message).toBe(
        "Input 'key': is encrypted; give the unencrypted key (e.g. openssl pkey -in key.pem -out key-plain.pem)"
      )
    }
  })

  it.each([
    [
      'a public key',
      () => createPrivateKey(ec.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString(),
      () => ec.keyPem.replace(/PRIVATE KEY/g, 'PUBLIC KEY'),
      /holds a PUBLIC KEY, not the private key/
    ],
    ['a certificate', () => '', () => ec.leafPem, /holds a CERTIFICATE block/],
    ['two keys', () => '', () => ec.keyPem + sec1.keyPem, /holds 2 private keys/],
    ['no PEM key', () => '', () => '-----BEGIN X-----\nQUJD\n-----END X-----\n', /holds a X block/],
    [
      'an OpenSSH key',
      () => '',
      () => ec.keyPem.replace(/PRIVATE KEY/g, 'OPENSSH PRIVATE KEY'),
      /is an OpenSSH key/
    ],
    [
      'PKCS#8 content under an EC PRIVATE KEY label',
      () => '',
      () => ec.keyPem.replace(/PRIVATE KEY/g, 'EC PRIVATE KEY'),
      /could not be parsed: the EC PRIVATE KEY block is not a valid SEC1 key/
    ],
    ['invalid PEM', () => '', () => ec.keyPem.slice(0, 100), /is not valid PEM: .*no END line/],
    [
      'a corrupted key body',
      () => '',
      () => ec.keyPem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA'),
      /could not be parsed/
    ]
  ])('refuses %s in key without quoting it', (_name, _unused, key, message) => {
    const error = refusal(() => parse(ec.fullchainPem, key()))
    expect(error.input).toBe('key')
    expect(error.message).toMatch(message)
    expect(leaksKey(error.message, ec.keyPem)).toBe(false)
  })
})

describe('parseCertificateBundle: refused cert input', () => {
  it('refuses a private key in cert without quoting it', () => {
    const error = refusal(() => parse(ec.fullchainPem + ec.keyPem, ec.keyPem))
    expect(error.message).toBe(
      "Input 'cert': holds a PRIVATE KEY block; the key goes in the key input"
    )
    const odd = '-----BEGIN X509 CRL-----\nQUJD\n-----END X509 CRL-----\n'
    const first = refusal(() => parse(ec.leafPem + odd + ec.keyPem, ec.keyPem))
    expect(first.message).toMatch(/holds a PRIVATE KEY block/)
    const sec1Error = refusal(() => parse(sec1.keyPem + sec1.fullchainPem, sec1.keyPem))
    expect(sec1Error.input).toBe('cert')
    expect(leaksKey(sec1Error.message, sec1.keyPem)).toBe(false)
  })

  it.each([
    ['X509 CRL', /block 2 is X509 CRL, not CERTIFICATE/],
    ['CERTIFICATE REQUEST', /block 2 is CERTIFICATE REQUEST.*signing request/],
    ['PKCS7', /block 2 is PKCS7.*openssl pkcs7/],
    ['TRUSTED CERTIFICATE', /block 2 is TRUSTED CERTIFICATE/]
  ])('names a %s block', (label, message) => {
    const odd = `-----BEGIN ${label}-----\nQUJD\n-----END ${label}-----\n`
    const error = refusal(() => parse(ec.leafPem + odd, ec.keyPem))
    expect(error.input).toBe('cert')
    expect(error.message).toMatch(message)
  })

  it.each([
    ['empty text', ''],
    ['text without a block', 'subject=/CN=example.test\n']
  ])('refuses %s', (_name, cert) => {
    expect(refusal(() => parse(cert, ec.keyPem)).message).toMatch(
      /^Input 'cert': holds no PEM certificate/
    )
  })

  it('refuses more than 64 blocks', () => {
    const error = refusal(() => parse(ec.leafPem.repeat(65), ec.keyPem))
    expect(error.message).toMatch(/holds 65 PEM blocks; at most 64/)
    expect(parse(ec.leafPem.repeat(64), ec.keyPem).certificateCount).toBe(1)
  })

  it('names the block that does not parse', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n'
    const error = refusal(() => parse(ec.leafPem + ec.intermediatePems[0] + garbage, ec.keyPem))
    expect(error.message).toBe("Input 'cert': certificate 3 could not be parsed (not DER X.509)")
  })

  it('refuses data after the DER of a certificate', () => {
    const der = Buffer.concat([Buffer.from(bodyOf(ec.leafPem), 'base64'), Buffer.from([0, 0])])
    const padded = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`
    expect(refusal(() => parse(padded, ec.keyPem)).message).toMatch(
      /certificate 1 has data after the end/
    )
  })

  it('refuses PEM text hidden inside a certificate body', () => {
    const hidden = Buffer.from(ec.leafPem).toString('base64')
    const wrapped = `-----BEGIN CERTIFICATE-----\n${hidden}\n-----END CERTIFICATE-----\n`
    expect(refusal(() => parse(wrapped, ec.keyPem)).message).toMatch(
      /certificate 1 could not be parsed/
    )
  })

  it('refuses malformed PEM, naming the input', () => {
    const error = refusal(() => parse(ec.fullchainPem.slice(0, -30), ec.keyPem))
    expect(error.message).toMatch(/^Input 'cert': is not valid PEM: /)
  })

  it('refuses more than 1 MiB', () => {
    const big = ec.fullchainPem + '#'.repeat(1024 * 1024)
    expect(refusal(() => parse(big, ec.keyPem)).message).toMatch(/is larger than 1 MiB/)
  })

  it('accepts the old X509 CERTIFICATE label and writes CERTIFICATE', () => {
    const old = ec.leafPem.replace(/CERTIFICATE/g, 'X509 CERTIFICATE')
    const bundle = parse(old, ec.keyPem)
    expect(fingerprints(bundle.chainPem)).toEqual([sha256(ec.leafPem)])
  })

  it('refuses an unknown cert-type', () => {
    const input = { cert: ec.fullchainPem, key: ec.keyPem, certType: 'XX', now } as never
    expect(refusal(() => parseCertificateBundle(input)).input).toBe('cert-type')
  })
})

describe('parseCertificateBundle: domains', () => {
  it('falls back to the common name, lower-cased, when there is no SAN', () => {
    expect(sanDnsNames(cnOnly.leafPem)).toEqual([])
    const bundle = parse(cnOnly.fullchainPem, cnOnly.keyPem)
    expect(bundle.leaf.domains).toEqual(['host.example.test'])
  })

  it('returns no domains, with a warning, for a leaf without names', async () => {
    const leaf = await handMadeLeaf(ca, 'O=Nameless Org', [])
    const bundle = parse(leaf.pem + ec.intermediatePems[0], leaf.keyPem)
    expect(bundle.leaf.domains).toEqual([])
    expect(bundle.warnings).toContainEqual(
      'cert: the leaf certificate names no DNS name and no common name'
    )
  })

  it('keeps DNS names only, reading quoted names with commas', async () => {
    const dns = ['b.example.test', 'odd,name.example.test', 'Quote"d.example.test']
    const leaf = await handMadeLeaf(ca, 'CN=b.example.test', [
      { type: 'dns', value: dns[0] },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'email', value: 'x@example.test' },
      { type: 'dns', value: dns[1] },
      { type: 'url', value: 'https://example.test/, DNS:evil.test' },
      { type: 'dns', value: dns[2] }
    ])
    const bundle = parse(leaf.pem + ec.intermediatePems[0], leaf.keyPem)
    expect(bundle.leaf.domains).toEqual(dns.map(name => name.toLowerCase()))
  })
})

describe('parseSubjectAltName', () => {
  it('reads plain and quoted entries in Node’s format', () => {
    const text =
      'DNS:a.example.test, IP Address:10.0.0.1, DNS:"b\\u002cc.test", email:x@y.test, ' +
      'DNS:"q\\"z.test", URI:http://u.test/, DNS:"\\u00fcn.test"'
    expect(parseSubjectAltName(text)).toEqual([
      { type: 'DNS', value: 'a.example.test' },
      { type: 'IP Address', value: '10.0.0.1' },
      { type: 'DNS', value: 'b,c.test' },
      { type: 'email', value: 'x@y.test' },
      { type: 'DNS', value: 'q"z.test' },
      { type: 'URI', value: 'http://u.test/' },
      { type: 'DNS', value: 'ün.test' }
    ])
  })

  it('survives an unterminated quote and empty text', () => {
    expect(parseSubjectAltName('')).toEqual([])
    expect(parseSubjectAltName('DNS:"abc, DNS:d.test')).toEqual([
      { type: 'DNS', value: '"abc' },
      { type: 'DNS', value: 'd.test' }
    ])
  })
})

describe('keyStructure', () => {
  it('tells PKCS#8, SEC1 and PKCS#1 apart from the DER alone', () => {
    const der = (pem: string): Buffer => Buffer.from(bodyOf(pem), 'base64')
    expect(keyStructure(der(convertKey(sec1.keyPem, 'pkcs8')))).toBe('pkcs8')
    expect(keyStructure(der(convertKey(sec1.keyPem, 'sec1')))).toBe('sec1')
    expect(keyStructure(der(convertKey(rsa.keyPem, 'pkcs8')))).toBe('pkcs8')
    expect(keyStructure(der(convertKey(rsa.keyPem, 'pkcs1')))).toBe('pkcs1')
    for (const garbage of [[], [0x30], [0x30, 0x82], [0x30, 0x03, 0x02, 0xff], [0x04, 0x00]]) {
      expect(keyStructure(Uint8Array.from(garbage))).toBeUndefined()
    }
  })
})

describe('parseX509Date', () => {
  it.each([
    ['Nov  7 17:00:00 2026 GMT', '2026-11-07T17:00:00.000Z'],
    ['Feb 29 23:59:59 2028 GMT', '2028-02-29T23:59:59.000Z'],
    ['Dec 31 23:59:59.250 9999 GMT', '9999-12-31T23:59:59.250Z'],
    ['Jan  1 00:00:00 0050 GMT', '0050-01-01T00:00:00.000Z']
  ])('reads %j', (text, iso) => {
    expect(parseX509Date(text, 'cert').toISOString()).toBe(new Date(iso).toISOString())
  })

  it('refuses anything else as an InputError', () => {
    for (const text of ['', 'Foo  7 17:00:00 2026 GMT', '2026-11-07T17:00:00Z']) {
      expect(refusal(() => parseX509Date(text, 'cert')).input).toBe('cert')
    }
  })
})
