import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { InputError } from '../../src/settings/input-error.js'
import {
  encodePem,
  headerValue,
  isStrictBase64,
  PemError,
  resolvePemInput,
  scanPem,
  type ResolveOptions
} from '../../src/certificate/pem.js'

/** A block body as an independent reference: base64 of random bytes, no line breaks. */
const bodyA = randomBytes(200).toString('base64')
const bodyB = randomBytes(61).toString('base64')

/** Wraps base64 at `width` the way other tools do (openssl: 64, some: 76). */
function wrap(body: string, width: number): string {
  const lines: string[] = []
  for (let at = 0; at < body.length; at += width) lines.push(body.slice(at, at + width))
  return lines.join('\n')
}

const block = (label: string, body: string, width = 64): string =>
  `-----BEGIN ${label}-----\n${wrap(body, width)}\n-----END ${label}-----\n`

function scanError(text: string): PemError {
  try {
    scanPem(text)
  } catch (error) {
    expect(error).toBeInstanceOf(PemError)
    return error as PemError
  }
  throw new Error('scanPem accepted the text')
}

/** True when no 12-character run of `secret` appears in `message`. */
function leaks(message: string, secret: string): boolean {
  const compact = secret.replace(/\s+/g, '')
  for (let at = 0; at + 12 <= compact.length; at += 4) {
    if (message.includes(compact.slice(at, at + 12))) return true
  }
  return false
}

describe('scanPem', () => {
  it('returns each block with its label and whitespace-free body', () => {
    const blocks = scanPem(block('CERTIFICATE', bodyA) + block('PRIVATE KEY', bodyB, 76))
    expect(blocks.map(b => [b.label, b.body, b.headers])).toEqual([
      ['CERTIFICATE', bodyA, []],
      ['PRIVATE KEY', bodyB, []]
    ])
    expect(blocks[1].line).toBe(block('CERTIFICATE', bodyA).split('\n').length)
  })

  it('reads CRLF, CR, a byte order mark and surrounding whitespace', () => {
    const lf = block('CERTIFICATE', bodyA) + block('CERTIFICATE', bodyB)
    const expected = scanPem(lf).map(b => b.body)
    for (const text of [
      lf.replace(/\n/g, '\r\n'),
      lf.replace(/\n/g, '\r'),
      '\uFEFF' + lf,
      `\n\n   \t${lf.replace(/\n/g, '  \n\t')}   \n\n`
    ]) {
      expect(scanPem(text).map(b => b.body)).toEqual(expected)
    }
  })

  it('drops Bag Attributes, subject/issuer lines and comments between and around blocks', () => {
    const text = [
      'Bag Attributes',
      '    localKeyID: 01 00 00 00',
      '    friendlyName: example',
      'subject=/CN=example.test',
      'issuer=/CN=Test Intermediate CA 1',
      block('CERTIFICATE', bodyA),
      '# the intermediate',
      'Key Attributes: <No Attributes>',
      block('CERTIFICATE', bodyB),
      'trailing remark'
    ].join('\n')
    expect(scanPem(text).map(b => b.body)).toEqual([bodyA, bodyB])
  })

  it('reads a PEM whose line breaks became spaces', () => {
    const oneLine = `-----BEGIN CERTIFICATE----- ${wrap(bodyA, 64).replace(/\n/g, ' ')} -----END CERTIFICATE-----`
    expect(scanPem(oneLine)).toEqual([{ label: 'CERTIFICATE', body: bodyA, headers: [], line: 1 }])
  })

  it('reads files concatenated without a final newline (cat a.pem b.pem)', () => {
    const joined = block('CERTIFICATE', bodyA).trimEnd() + block('CERTIFICATE', bodyB)
    expect(joined).toContain('-----END CERTIFICATE----------BEGIN CERTIFICATE-----')
    expect(scanPem(joined).map(b => b.body)).toEqual([bodyA, bodyB])
  })

  it('returns RFC 1421 headers and finds them case-insensitively', () => {
    const text =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00FF\n\n' +
      `${wrap(bodyA, 64)}\n-----END RSA PRIVATE KEY-----\n`
    const [parsed] = scanPem(text)
    expect(parsed.headers).toEqual([
      { name: 'Proc-Type', value: '4,ENCRYPTED' },
      { name: 'DEK-Info', value: 'AES-256-CBC,00FF' }
    ])
    expect(parsed.body).toBe(bodyA)
    expect(headerValue(parsed, 'proc-type')).toBe('4,ENCRYPTED')
    expect(headerValue(parsed, 'X-Other')).toBeUndefined()
  })

  it('returns no blocks for text without any', () => {
    expect(scanPem('')).toEqual([])
    expect(scanPem('just words\nand more')).toEqual([])
  })

  it.each([
    ['a BEGIN without END', `-----BEGIN CERTIFICATE-----\n${bodyA}\n`, /no END line/],
    ['an END without BEGIN', `${bodyA}\n-----END CERTIFICATE-----\n`, /line 2: END without BEGIN/],
    [
      'mismatched labels',
      `-----BEGIN CERTIFICATE-----\n${bodyA}\n-----END PRIVATE KEY-----\n`,
      /END PRIVATE KEY does not match BEGIN CERTIFICATE on line 1/
    ],
    [
      'a BEGIN inside a block',
      `-----BEGIN CERTIFICATE-----\n${bodyA.slice(0, 40)}\n${block('CERTIFICATE', bodyB)}`,
      /line 3: BEGIN inside the block begun on line 1/
    ],
    [
      'a line that is not base64',
      `-----BEGIN CERTIFICATE-----\n${bodyA.slice(0, 40)}\n${bodyA.slice(40, 60)}!*\n-----END CERTIFICATE-----`,
      /line 3 is not base64/
    ],
    ['bad padding', block('CERTIFICATE', bodyA.slice(0, 41)), /not valid base64/],
    ['padding inside the body', block('CERTIFICATE', 'QQ==' + bodyA), /not valid base64/],
    ['an empty block', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', /is empty/],
    ['a boundary without closing dashes', `-----BEGIN CERTIFICATE\n${bodyA}\n`, /malformed BEGIN/],
    [
      'an END without closing dashes',
      `-----BEGIN CERTIFICATE-----\n${bodyA}\n-----END CERTIFICATE----`,
      /malformed END/
    ],
    ['a BEGIN without label', `-----BEGIN -----\n${bodyA}\n-----END -----`, /without a label/]
  ])('refuses %s', (_name, text, message) => {
    expect(scanError(text).message).toMatch(message)
  })

  it('never quotes body content or odd labels in its messages', () => {
    const secretLabel = bodyB.slice(0, 30)
    const cases = [
      `-----BEGIN ${secretLabel}-----\n${bodyA}\n`,
      `-----BEGIN PRIVATE KEY-----\n${bodyA}\n${bodyA}%%\n-----END PRIVATE KEY-----`,
      `-----BEGIN PRIVATE KEY-----\n${bodyA}\n-----END ${secretLabel}-----`
    ]
    for (const text of cases) {
      const message = scanError(text).message
      expect(leaks(message, bodyA)).toBe(false)
      expect(message).not.toContain(secretLabel)
    }
  })
})

describe('encodePem', () => {
  it('writes 64-character lines, LF and one trailing newline', () => {
    const text = encodePem({ label: 'CERTIFICATE', body: bodyA })
    const lines = text.split('\n')
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----')
    expect(lines.at(-2)).toBe('-----END CERTIFICATE-----')
    expect(lines.at(-1)).toBe('')
    const bodyLines = lines.slice(1, -2)
    expect(bodyLines.join('')).toBe(bodyA)
    expect(bodyLines.slice(0, -1).every(line => line.length === 64)).toBe(true)
    expect(bodyLines.at(-1)!.length).toBeLessThanOrEqual(64)
    expect(text).not.toContain('\r')
  })

  it('writes headers followed by a blank line, and scans back to the same block', () => {
    const original = {
      label: 'EC PRIVATE KEY',
      body: bodyB,
      headers: [{ name: 'Proc-Type', value: '4,ENCRYPTED' }]
    }
    const text = encodePem(original)
    expect(text).toContain('Proc-Type: 4,ENCRYPTED\n\n')
    expect(scanPem(text)).toEqual([{ ...original, line: 1 }])
  })

  it('cleans a messy block into the canonical form', () => {
    const messy = `  \r\n-----BEGIN CERTIFICATE-----\r\n${wrap(bodyA, 76).replace(/\n/g, ' \r\n')}\r\n-----END CERTIFICATE-----  `
    const [parsed] = scanPem(messy)
    expect(encodePem(parsed)).toBe(block('CERTIFICATE', bodyA))
  })
})

describe('isStrictBase64', () => {
  it.each([
    ['QUJD', true],
    ['QUI=', true],
    ['QQ==', true],
    ['', false],
    ['QUJ', false],
    ['Q===', false],
    ['QU=D', false],
    ['QU D', false],
    ['QUJD-_', false]
  ])('%j → %s', (text, expected) => {
    expect(isStrictBase64(text)).toBe(expected)
  })
})

describe('resolvePemInput', () => {
  const workspace = '/work/space'
  const pem = block('CERTIFICATE', bodyA)

  function files(entries: Record<string, Buffer | Error>): ResolveOptions & { reads: string[] } {
    const reads: string[] = []
    return {
      workspace,
      reads,
      exists: path => path in entries,
      readFile: path => {
        reads.push(path)
        const entry = entries[path]
        if (entry instanceof Error) throw entry
        if (!entry) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' })
        return entry
      }
    }
  }

  function inputError(run: () => unknown): InputError {
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      return error as InputError
    }
    throw new Error('no error was thrown')
  }

  it('returns PEM text as it is, without touching the file system', () => {
    const options = files({})
    const text = `Bag Attributes\n${pem}`
    expect(resolvePemInput('cert', text, options)).toBe(text)
    expect(options.reads).toEqual([])
  })

  it('reads a path relative to the workspace', () => {
    const path = resolve(workspace, 'certs/fullchain.pem')
    const options = files({ [path]: Buffer.from(pem) })
    expect(resolvePemInput('cert', 'certs/fullchain.pem', options)).toBe(pem)
    expect(resolvePemInput('cert', '  certs/fullchain.pem\n', options)).toBe(pem)
    expect(options.reads).toEqual([path, path])
  })

  it('reads an absolute path as it is', () => {
    const options = files({ '/etc/ssl/key.pem': Buffer.from(pem) })
    expect(resolvePemInput('key', '/etc/ssl/key.pem', options)).toBe(pem)
  })

  it('reads a UTF-16 file with a byte order mark', () => {
    const path = resolve(workspace, 'win.pem')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pem, 'utf16le')])
    expect(resolvePemInput('cert', 'win.pem', files({ [path]: utf16 }))).toBe(pem)
  })

  it('does not expand ~ and says so', () => {
    const error = inputError(() => resolvePemInput('cert', '~/cert.pem', files({})))
    expect(error.input).toBe('cert')
    expect(error.message).toMatch(/no such file: .*~\/cert\.pem/)
    expect(error.message).toMatch(/~ is not expanded/)
  })

  it('names the resolved path of a file that does not exist, and a directory as one', () => {
    const absolute = inputError(() => resolvePemInput('cert', '/etc/ssl/none.pem', files({})))
    expect(absolute.message).toBe(
      "Input 'cert': is not PEM text nor base64 of it, and no such file: /etc/ssl/none.pem"
    )
    expect(absolute.message).not.toMatch(/relative to the workspace/)
    const relative = inputError(() => resolvePemInput('cert', 'certs/none.pem', files({})))
    expect(relative.message).toContain(`no such file: ${resolve(workspace, 'certs/none.pem')}`)
    const directory = inputError(() =>
      resolvePemInput('cert', 'certs', { ...files({}), isDirectory: () => true })
    )
    expect(directory.message).toBe(
      `Input 'cert': names ${resolve(workspace, 'certs')}, which is a directory`
    )
  })

  it('decodes base64 of PEM text, wrapped or not', () => {
    const encoded = Buffer.from(pem).toString('base64')
    expect(resolvePemInput('cert', encoded, files({}))).toBe(pem)
    expect(resolvePemInput('cert', `${wrap(encoded, 76)}\n`, files({}))).toBe(pem)
  })

  it('prefers an existing file over base64', () => {
    const value = Buffer.from(block('CERTIFICATE', bodyB)).toString('base64')
    const options = files({ [resolve(workspace, value)]: Buffer.from(pem) })
    expect(resolvePemInput('cert', value, options)).toBe(pem)
  })

  it.each([
    ['base64 of something else', Buffer.from('not a certificate at all').toString('base64')],
    ['base64 with a bad character', `${Buffer.from(pem).toString('base64').slice(0, 40)}$`],
    ['plain words', 'hello world'],
    ['a missing file', 'missing/fullchain.pem'],
    ['the empty string', '']
  ])('refuses %s, naming the input', (_name, value) => {
    const error = inputError(() => resolvePemInput('key', value, files({})))
    expect(error.input).toBe('key')
    expect(error.message).toMatch(
      /^Input 'key': is (?:neither PEM text, a readable file, nor base64 of PEM text|not PEM text nor base64 of it, and no such file: )/
    )
  })

  it('never quotes a key value that is not a file', () => {
    const secret = Buffer.from(block('PRIVATE KEY', bodyA)).toString('base64').slice(0, -3)
    const error = inputError(() => resolvePemInput('key', secret, files({})))
    expect(leaks(error.message, secret)).toBe(false)
  })

  it('refuses text over the size limit', () => {
    const big = block('CERTIFICATE', randomBytes(3000).toString('base64'))
    const error = inputError(() => resolvePemInput('cert', big, { ...files({}), maxBytes: 2048 }))
    expect(error.message).toMatch(/is larger than 2048 bytes/)
    const huge = 'A'.repeat(1024 * 1024 + 1)
    expect(inputError(() => resolvePemInput('cert', huge, files({}))).message).toMatch(
      /is larger than 1 MiB/
    )
  })

  it('refuses a file over the size limit without quoting it', () => {
    const path = resolve(workspace, 'big.pem')
    const content = Buffer.from(block('PRIVATE KEY', randomBytes(3000).toString('base64')))
    const options = { ...files({ [path]: content }), maxBytes: 2048 }
    const error = inputError(() => resolvePemInput('key', 'big.pem', options))
    expect(error.message).toMatch(/is larger than 2048 bytes/)
    expect(leaks(error.message, content.toString())).toBe(false)
  })

  it('names the path, not the content, of a file without PEM', () => {
    const path = resolve(workspace, 'cert.der')
    const content = randomBytes(300)
    const error = inputError(() => resolvePemInput('cert', 'cert.der', files({ [path]: content })))
    expect(error.message).toContain(path)
    expect(error.message).toMatch(/holds no PEM block/)
    expect(leaks(error.message, content.toString('base64'))).toBe(false)
  })

  it('turns a read failure into an InputError with the error code', () => {
    const path = resolve(workspace, 'dir')
    const failure = Object.assign(new Error('EISDIR: illegal operation'), { code: 'EISDIR' })
    const error = inputError(() => resolvePemInput('cert', 'dir', files({ [path]: failure })))
    expect(error.message).toMatch(/could not be read \(EISDIR\)/)
  })

  it('treats an exists() that throws as a missing file', () => {
    const options: ResolveOptions = {
      workspace,
      exists: () => {
        throw new Error('boom')
      },
      readFile: () => Buffer.from(pem)
    }
    expect(inputError(() => resolvePemInput('cert', 'x.pem', options)).message).toMatch(
      /no such file: .*x\.pem/
    )
  })
})
