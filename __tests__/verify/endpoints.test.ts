import { describe, expect, it } from '@jest/globals'
import {
  ipVersion,
  parseVerify,
  parseVerifyTimeout,
  resolveEndpoints
} from '../../src/verify/endpoints.js'

const endpoints = (raw: string) => {
  const setting = parseVerify(raw, 'sync')
  if (setting.kind !== 'endpoints') throw new Error(`not endpoints: ${setting.kind}`)
  return setting.endpoints
}

describe('parseVerify', () => {
  it('reads HOST[:PORT][=ADDRESS[:PORT]] lines, 443 by default, duplicates once', () => {
    expect(
      endpoints(
        [
          'www.example.com',
          ' API.example.com:8443 ',
          'origin.example.com=203.0.113.7',
          'cdn.example.com:443=127.0.0.1:9443',
          'v6.example.com=[2001:db8::1]:8443',
          '[::1]:4443',
          '',
          'www.example.com'
        ].join('\n')
      )
    ).toEqual([
      { host: 'www.example.com', port: 443, address: null },
      { host: 'api.example.com', port: 8443, address: null },
      { host: 'origin.example.com', port: 443, address: '203.0.113.7' },
      { host: 'cdn.example.com', port: 9443, address: '127.0.0.1' },
      { host: 'v6.example.com', port: 8443, address: '2001:db8::1' },
      { host: '::1', port: 4443, address: null }
    ])
  })

  it('takes the host port when the address has none, and a name as the address', () => {
    expect(endpoints('www.example.com:8443=origin.example.net')).toEqual([
      { host: 'www.example.com', port: 8443, address: 'origin.example.net' }
    ])
  })

  it('reads nothing, false and true', () => {
    expect(parseVerify('', 'sync')).toEqual({ kind: 'none' })
    expect(parseVerify('false', 'list')).toEqual({ kind: 'none' })
    expect(parseVerify('TRUE', 'upload')).toEqual({ kind: 'certificate-names' })
  })

  it.each([
    ['=127.0.0.1', /line 1 '=127.0.0.1': the host is empty/],
    [':443', /the host is empty/],
    ['www.example.com:0', /port '0' is not a port number \(1 to 65535\)/],
    ['www.example.com:70000', /port '70000'/],
    ['www.example.com:https', /port 'https'/],
    ['*.example.com', /a wildcard is not a host a client connects to/],
    ['www.example.com=', /the address after '=' is empty/],
    ['www.example.com=1.2.3.4:x', /port 'x'/],
    ['ok.example.com\nbad host', /line 2 'bad host': host 'bad host' is not a DNS name/],
    ['2001:db8::1', /IPv6 address in brackets/],
    ['[2001:db8::1', /closing '\]'/],
    ['[example.com]:443', /not an IPv6 address/],
    ['true\nwww.example.com', /'true' stands alone/]
  ])('refuses %j naming the input and what it accepts', (raw, message) => {
    expect(() => parseVerify(raw, 'sync')).toThrow(message)
    expect(() => parseVerify(raw, 'sync')).toThrow(/^Input 'verify': /)
  })

  it("refuses 'true' in list mode: there is no certificate to take names from", () => {
    expect(() => parseVerify('true', 'list')).toThrow(
      /Input 'verify': 'true' .* is for upload and sync; in list mode give the endpoints as HOST\[:PORT\]/
    )
  })
})

describe('parseVerifyTimeout', () => {
  it('takes 0 to 3600 seconds, 300 by default', () => {
    expect(parseVerifyTimeout('')).toBe(300)
    expect(parseVerifyTimeout('0')).toBe(0)
    expect(parseVerifyTimeout('3600')).toBe(3600)
  })

  it.each(['3601', '-1', '1.5', 'ten', '99999'])('refuses %j', raw => {
    expect(() => parseVerifyTimeout(raw)).toThrow(
      /^Input 'verify-timeout': must be a whole number of seconds from 0 to 3600/
    )
  })
})

describe('resolveEndpoints', () => {
  it("expands 'true' to every non-wildcard name of the certificate on 443", () => {
    expect(
      resolveEndpoints({ kind: 'certificate-names' }, [
        '*.example.com',
        'example.com',
        'WWW.example.com',
        'www.example.com'
      ])
    ).toEqual([
      { host: 'example.com', port: 443, address: null },
      { host: 'www.example.com', port: 443, address: null }
    ])
  })

  it("refuses 'true' for a certificate with wildcard names only", () => {
    expect(() => resolveEndpoints({ kind: 'certificate-names' }, ['*.example.com'])).toThrow(
      /Input 'verify': is 'true' but the certificate has no DNS name without a wildcard/
    )
  })

  it('passes listed endpoints through and nothing for none', () => {
    const listed = [{ host: 'a.example.com', port: 443, address: null }]
    expect(resolveEndpoints({ kind: 'endpoints', endpoints: listed }, [])).toBe(listed)
    expect(resolveEndpoints({ kind: 'none' }, ['a.example.com'])).toEqual([])
  })
})

describe('ipVersion', () => {
  it('tells IPv4 and IPv6 literals from names', () => {
    expect(
      ['127.0.0.1', '203.0.113.7', '::1', '2001:db8::1', '::ffff:192.0.2.1'].map(ipVersion)
    ).toEqual([4, 4, 6, 6, 6])
    expect(['256.1.1.1', '1.2.3', 'example.com', 'a:b:g::', ':::', ''].map(ipVersion)).toEqual([
      0, 0, 0, 0, 0, 0
    ])
  })
})
