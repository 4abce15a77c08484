/**
 * Issue 5, hostile input: whatever `cert` and `key` hold, the parser returns a sound bundle or
 * throws InputError. Never another exception, never a hang, never key material in a message.
 */
// @peculiar/x509 (used by the fixtures) needs the reflect polyfill loaded before it.
import 'reflect-metadata'
import { makeChain, pemBody, pemFingerprint, type TestChain } from '../../fixtures/certs.js'
import fc from 'fast-check'
import { createPrivateKey } from 'node:crypto'
import {
  parseCertificateBundle,
  type CertificateBundle
} from '../../src/certificate/certificate.js'
import { InputError } from '../../src/settings/input-error.js'
import {
  encodePem,
  PemError,
  resolvePemInput,
  scanPem,
  type ResolveOptions
} from '../../src/certificate/pem.js'

const now = new Date()
const TEN_MB = 10 * 1024 * 1024

let ec: TestChain
let rsa: TestChain
/** Leaf, intermediate, root of the EC chain. */
let blocks: string[]
let knownFingerprints: Set<string>

beforeAll(async () => {
  ec = await makeChain({ domains: ['a.example.test', '*.a.example.test'] })
  rsa = await makeChain({ ca: ec.ca, key: 'rsa', domains: ['rsa.example.test'] })
  blocks = [ec.leafPem, ec.intermediatePems[0], ec.rootPem]
  knownFingerprints = new Set(blocks.map(sha256))
})

const bodyOf = (pem: string): string => pemBody(pem).toString('base64')
const sha256 = pemFingerprint

const noFiles: ResolveOptions = {
  workspace: '/nonexistent-workspace',
  exists: () => false,
  readFile: () => {
    throw new Error('no file system in this test')
  }
}

/** The parse, or the InputError it threw; any other exception fails the test. */
function outcome(run: () => CertificateBundle): CertificateBundle | InputError {
  try {
    return run()
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
}

function parse(cert: string, key: string | undefined = ec.keyPem) {
  return outcome(() => parseCertificateBundle({ cert, key, certType: 'SVR', now }))
}

/** A returned bundle is well-formed: clean PEM whose first certificate is the leaf described. */
function expectSound(bundle: CertificateBundle): void {
  const chain = scanPem(bundle.chainPem)
  expect(chain).toHaveLength(bundle.certificateCount)
  expect(chain.every(block => block.label === 'CERTIFICATE')).toBe(true)
  expect(chain.map(block => encodePem(block)).join('')).toBe(bundle.chainPem)
  expect(bundle.leaf.fingerprint).toBe(sha256(encodePem(chain[0])))
  expect(bundle.leaf.notAfter.getTime()).toBeGreaterThan(now.getTime())
}

function leaksKey(text: string, keyPem: string): boolean {
  const body = bodyOf(keyPem)
  for (let at = 0; at + 12 <= body.length; at += 4) {
    if (text.includes(body.slice(at, at + 12))) return true
  }
  return false
}

function expectSoundOrRefused(result: CertificateBundle | InputError, keyPem = ec.keyPem): void {
  if (result instanceof InputError) expect(leaksKey(result.message, keyPem)).toBe(false)
  else expectSound(result)
}

/** Text that tends to reach every state of the scanner. */
const pemish = fc
  .array(
    fc.constantFrom(
      '-----BEGIN CERTIFICATE-----',
      '-----END CERTIFICATE-----',
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      '-----BEGIN ',
      '-----',
      'MIIB',
      'QUJD',
      '====',
      '=',
      'Proc-Type: 4,ENCRYPTED',
      ':',
      '\n',
      '\r\n',
      '\r',
      ' ',
      '\uFEFF',
      'Bag Attributes'
    ),
    { maxLength: 40 }
  )
  .map(parts => parts.join(''))

const junkLine = fc.constantFrom(
  'Bag Attributes',
  '    localKeyID: 01 00 00 00',
  'subject=/CN=a.example.test',
  'issuer=/CN=Test Intermediate CA 1',
  '# comment',
  '',
  '   \t'
)

describe('hostile text', () => {
  it('random bytes: InputError or a sound parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, asKey) => {
        const text = Buffer.from(bytes).toString(asKey ? 'latin1' : 'utf8')
        expectSoundOrRefused(asKey ? parse(ec.fullchainPem, text) : parse(text))
        expectSoundOrRefused(outcome(() => resolvePemInput('key', text, noFiles) as never))
      }),
      { numRuns: 150 }
    )
  })

  it('random unicode and PEM-like strings: InputError or a sound parse', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), pemish)
    fc.assert(
      fc.property(text, text, (cert, key) => {
        expectSoundOrRefused(parse(cert, key))
        expectSoundOrRefused(parse(ec.fullchainPem, key))
      }),
      { numRuns: 200 }
    )
  })

  it('scanPem throws only PemError, and only for broken PEM', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), pemish), text => {
        try {
          scanPem(text)
        } catch (error) {
          expect(error).toBeInstanceOf(PemError)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('base64 that is not PEM is refused without being quoted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), bytes => {
        fc.pre(!Buffer.from(bytes).toString('utf8').includes('-----BEGIN'))
        const value = Buffer.from(bytes).toString('base64')
        const result = outcome(() => resolvePemInput('key', value, noFiles) as never)
        expect(result).toBeInstanceOf(InputError)
        expect((result as InputError).message).not.toContain(value.slice(0, 12))
      }),
      { numRuns: 100 }
    )
  })

  it('random single-character mutations of a real chain and key', () => {
    const mutate = (text: string, at: number, char: string): string =>
      text.slice(0, at % (text.length + 1)) + char + text.slice((at % (text.length + 1)) + 1)
    fc.assert(
      fc.property(
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.boolean(),
        (at, char, inKey) => {
          const cert = ec.fullchainPem + ec.rootPem
          const result = inKey
            ? parse(cert, mutate(ec.keyPem, at, char))
            : parse(mutate(cert, at, char))
          expectSoundOrRefused(result)
        }
      ),
      { numRuns: 150 }
    )
  })
})

describe('truncation', () => {
  it('a chain cut at every point: the complete certificates, or InputError', () => {
    const text = ec.fullchainPem + ec.rootPem
    for (let cut = 0; cut <= text.length; cut++) {
      const prefix = text.slice(0, cut)
      const result = parse(prefix)
      const pieces = prefix.split('-----END CERTIFICATE-----')
      const complete = pieces.length - 1
      // Refused exactly when the leaf is incomplete or the text after the last END opens a block.
      const refused = complete === 0 || pieces[complete].includes('-----BEGIN')
      expect(result instanceof InputError).toBe(refused)
      if (result instanceof InputError) continue
      expectSound(result)
      expect(result.certificateCount).toBe(complete)
      expect(result.leaf.fingerprint).toBe(sha256(ec.leafPem))
      const chain = scanPem(result.chainPem).map(block => sha256(encodePem(block)))
      expect(chain.every(fingerprint => knownFingerprints.has(fingerprint))).toBe(true)
    }
  })

  it('a key cut at every point: accepted only when whole', () => {
    const key = ec.keyPem
    for (let cut = 0; cut <= key.length; cut++) {
      const result = parse(ec.fullchainPem, key.slice(0, cut))
      const whole = key.slice(0, cut).includes('-----END PRIVATE KEY-----')
      expect(result instanceof InputError).toBe(!whole)
      if (result instanceof InputError) expect(leaksKey(result.message, key)).toBe(false)
    }
  })
})

describe('structure', () => {
  it('a BEGIN line inserted anywhere is refused as invalid PEM', () => {
    const lines = (ec.fullchainPem + ec.rootPem).split('\n')
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: lines.length - 1 }),
        fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'X'),
        (at, label) => {
          const nested = [...lines.slice(0, at), `-----BEGIN ${label}-----`, ...lines.slice(at)]
          const result = parse(nested.join('\n'))
          expect(result).toBeInstanceOf(InputError)
          expect((result as InputError).message).toMatch(/^Input 'cert': is not valid PEM: /)
        }
      ),
      { numRuns: 60 }
    )
  })

  it('duplicated and shuffled blocks with junk between: ordered leaf first, or refused', () => {
    const picks = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 10 })
    fc.assert(
      fc.property(
        picks,
        fc.array(junkLine, { maxLength: 10 }),
        fc.boolean(),
        (order, junk, crlf) => {
          const parts = order.flatMap((index, i) => [junk[i] ?? '', blocks[index]])
          const text = crlf ? parts.join('\n').replace(/\n/g, '\r\n') : parts.join('\n')
          const result = parse(text)
          if (!order.includes(0)) {
            expect(result).toBeInstanceOf(InputError)
            return
          }
          expect(result).not.toBeInstanceOf(InputError)
          const bundle = result as CertificateBundle
          expectSound(bundle)
          const unique = [...new Set(order)]
          const expected = [0, 1, 2].filter(index => unique.includes(index))
          const chain = scanPem(bundle.chainPem).map(block => sha256(encodePem(block)))
          expect(chain).toEqual(expected.map(index => sha256(blocks[index])))
          const reordered = unique.some((index, i) => index !== expected[i])
          expect(bundle.notices.includes('cert: the chain was reordered leaf first')).toBe(
            reordered
          )
          expect(bundle.notices.some(n => n.includes('duplicate'))).toBe(
            order.length > unique.length
          )
        }
      ),
      { numRuns: 80 }
    )
  })

  it('hundreds of blocks are refused; up to 64 copies are deduplicated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), copies => {
        const result = parse(ec.leafPem + ec.intermediatePems[0].repeat(copies))
        if (copies + 1 > 64) {
          expect(result).toBeInstanceOf(InputError)
          expect((result as InputError).message).toMatch(/at most 64/)
        } else {
          expect((result as CertificateBundle).certificateCount).toBe(2)
        }
      }),
      { numRuns: 25 }
    )
  })

  it('PEM blocks with junk between scan back to the same blocks', () => {
    const label = fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'EC PARAMETERS', 'X509 CRL')
    const body = fc
      .uint8Array({ minLength: 1, maxLength: 300 })
      .map(b => Buffer.from(b).toString('base64'))
    const header = fc.record({
      name: fc.constantFrom('Proc-Type', 'DEK-Info', 'Comment'),
      value: fc.constantFrom('4,ENCRYPTED', 'AES-256-CBC,00FF', 'x y z')
    })
    const block = fc.record({ label, body, headers: fc.array(header, { maxLength: 2 }) })
    const junk = fc.string({ maxLength: 40 }).filter(s => !s.includes('-----'))
    fc.assert(
      fc.property(
        fc.array(fc.tuple(junk, block), { maxLength: 6 }),
        fc.boolean(),
        (items, crlf) => {
          const text = items.map(([before, b]) => `${before}\n${encodePem(b)}`).join('')
          const scanned = scanPem(crlf ? text.replace(/\n/g, '\r\n') : text)
          expect(scanned.map(({ label, body, headers }) => ({ label, body, headers }))).toEqual(
            items.map(([, b]) => b)
          )
        }
      ),
      { numRuns: 100 }
    )
  })
})

describe('key formats', () => {
  const formats = {
    ec: ['pkcs8', 'sec1'],
    rsa: ['pkcs8', 'pkcs1']
  } as const
  const labels = { pkcs8: 'PRIVATE KEY', sec1: 'EC PRIVATE KEY', pkcs1: 'RSA PRIVATE KEY' }

  const keyCase = fc.record({
    alg: fc.constantFrom('ec', 'rsa') as fc.Arbitrary<'ec' | 'rsa'>,
    formatIndex: fc.nat(1),
    label: fc.constantFrom('PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'),
    width: fc.constantFrom(64, 76, 17, 4000),
    crlf: fc.boolean(),
    junk: fc.array(junkLine, { maxLength: 3 }),
    ecParameters: fc.boolean()
  })

  it('any format, wrapping and decoration: accepted exactly when the label fits the content', () => {
    fc.assert(
      fc.property(keyCase, c => {
        const chain = c.alg === 'ec' ? ec : rsa
        const format = formats[c.alg][c.formatIndex]
        const canonical = createPrivateKey(chain.keyPem)
          .export({ type: format, format: 'pem' })
          .toString()
        const body = bodyOf(canonical)
        const wrapped = body.match(new RegExp(`.{1,${c.width}}`, 'g'))!.join('\n')
        const params = c.ecParameters
          ? '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n'
          : ''
        let text = `${c.junk.join('\n')}\n${params}-----BEGIN ${c.label}-----\n${wrapped}\n-----END ${c.label}-----\n`
        if (c.crlf) text = text.replace(/\n/g, '\r\n')
        const result = parse(chain.fullchainPem, text)
        if (c.label !== labels[format]) {
          expect(result).toBeInstanceOf(InputError)
          expect(leaksKey((result as InputError).message, canonical)).toBe(false)
          return
        }
        expect(result).not.toBeInstanceOf(InputError)
        expect((result as CertificateBundle).keyPem).toBe(canonical)
        expect((result as CertificateBundle).leaf.fingerprint).toBe(sha256(chain.leafPem))
      }),
      { numRuns: 60 }
    )
  })
})

describe('large input', () => {
  it('scans 10 MB of body, of dashes and of boundaries in linear time', () => {
    const body = 'A'.repeat(TEN_MB)
    expect(scanPem(`-----BEGIN X-----\n${body}\n-----END X-----\n`)[0].body).toHaveLength(TEN_MB)
    expect(scanPem('-'.repeat(TEN_MB))).toEqual([])
    expect(() => scanPem('-----BEGIN X----- '.repeat(TEN_MB / 18))).toThrow(PemError)
    expect(() => scanPem(`-----BEGIN X-----\n${'!'.repeat(TEN_MB)}`)).toThrow(PemError)
  })

  it('refuses 10 MB of input, as text, as a file and in the parser', () => {
    const big = (ec.fullchainPem + '\n').repeat(Math.ceil(TEN_MB / ec.fullchainPem.length))
    const files: ResolveOptions = {
      workspace: '/ws',
      exists: () => true,
      readFile: () => Buffer.from(big)
    }
    for (const run of [
      () => resolvePemInput('cert', big, noFiles),
      () => resolvePemInput('cert', 'big.pem', files),
      () => parseCertificateBundle({ cert: big, key: ec.keyPem, certType: 'SVR', now })
    ]) {
      expect(run).toThrow(/is larger than 1 MiB/)
    }
  })
})
