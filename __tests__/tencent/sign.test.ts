/**
 * The signer against the published vectors (tencent-cloud-ssl-api.md §1.6 and §4.5), and against
 * the official SDK's signer on random inputs.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { signTc3, signV2, utcDate, v2SourceString } from '../../src/tencent/sign.js'
import { Sign } from './fakes.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('API 2.0 signature, official vectors (§1.6)', () => {
  const params = {
    Action: 'DescribeInstances',
    'InstanceIds.0': 'ins-09dx96dg',
    Nonce: '11886',
    Region: 'ap-guangzhou',
    SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA',
    SignatureMethod: 'HmacSHA256',
    Timestamp: '1465185768'
  }
  const key = 'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA'

  it('builds the published source string and HmacSHA256 signature', () => {
    const source = v2SourceString('GET', 'cvm.api.qcloud.com', '/v2/index.php', params)
    expect(source).toBe(
      'GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg' +
        '&Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA' +
        '&SignatureMethod=HmacSHA256&Timestamp=1465185768'
    )
    expect(signV2(key, source, 'HmacSHA256')).toBe('0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=')
    expect(encodeURIComponent(signV2(key, source, 'HmacSHA256'))).toBe(
      '0EEm%2FHtGRr%2FVJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s%3D'
    )
  })

  it('gives the published HmacSHA1 signature when the string says HmacSHA1', () => {
    const sha1Params = { ...params, SignatureMethod: 'HmacSHA1' }
    const source = v2SourceString('GET', 'cvm.api.qcloud.com', '/v2/index.php', sha1Params)
    expect(signV2(key, source, 'HmacSHA1')).toBe('nPVnY6njQmwQ8ciqbPl5Qe+Oru4=')
  })

  it('uses SHA1 unless the method says exactly HmacSHA256', () => {
    const source = v2SourceString('GET', 'cvm.api.qcloud.com', '/v2/index.php', params)
    expect(signV2(key, source, undefined)).toBe(signV2(key, source, 'HmacSHA1'))
  })

  it('replaces _ with . in names, not in values', () => {
    const source = v2SourceString('GET', 'h', '/p', { Placement_Zone: 'CN_GUANGZHOU' })
    expect(source).toBe('GETh/p?Placement.Zone=CN_GUANGZHOU')
  })
})

describe('API 2.0 signature, self-derived SSL vectors (§1.6)', () => {
  const key = 'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA'
  const common = {
    Nonce: '11886',
    SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA',
    Timestamp: '1465185768'
  }
  const host = 'wss.api.qcloud.com'
  const path = '/v2/index.php'

  it('GET CertGetList, HmacSHA256', () => {
    const params = {
      ...common,
      Action: 'CertGetList',
      SignatureMethod: 'HmacSHA256',
      count: '100',
      page: '1',
      withCert: '0'
    }
    const source = v2SourceString('GET', host, path, params)
    expect(source).toBe(
      'GETwss.api.qcloud.com/v2/index.php?Action=CertGetList&Nonce=11886' +
        '&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA256' +
        '&Timestamp=1465185768&count=100&page=1&withCert=0'
    )
    expect(signV2(key, source, 'HmacSHA256')).toBe('zlJSO7xyKX0PQvImaXNlKmzYSt6sIKQ8xoGtYZb/lDA=')
  })

  it('POST CertUpload with raw newlines in the values, HmacSHA256', () => {
    const params = {
      ...common,
      Action: 'CertUpload',
      SignatureMethod: 'HmacSHA256',
      alias: 'gha-example',
      cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      certType: 'SVR',
      key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'
    }
    const source = v2SourceString('POST', host, path, params)
    expect(signV2(key, source, 'HmacSHA256')).toBe('FIGBzJY3I+/WvH93XpbA9prL3ByKVoLBJ+FqZ+CG36s=')
  })

  it('GET CertDelete, HmacSHA1', () => {
    const params = { ...common, Action: 'CertDelete', SignatureMethod: 'HmacSHA1', id: '9hyvgrkE' }
    const source = v2SourceString('GET', host, path, params)
    expect(signV2(key, source, 'HmacSHA1')).toBe('58dHiNKUufpmmgFMK+tyRcpM12w=')
  })

  it('ignores a Signature parameter already present', () => {
    const params = { ...common, Action: 'CertDelete', SignatureMethod: 'HmacSHA1', id: '9hyvgrkE' }
    const withSignature = { ...params, Signature: 'x' }
    expect(v2SourceString('GET', host, path, withSignature)).toBe(
      v2SourceString('GET', host, path, params)
    )
  })
})

describe('TC3-HMAC-SHA256, vectors of §4.5', () => {
  const official = {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    contentType: 'application/json; charset=utf-8',
    payload:
      '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    timestamp: 1551113065
  }

  it('A: reproduces the published content-type;host example', () => {
    const result = signTc3(official)
    expect(sha256(official.payload)).toBe(
      '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064'
    )
    expect(sha256(result.canonicalRequest)).toBe(
      '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031'
    )
    expect(result.credentialScope).toBe('2019-02-25/cvm/tc3_request')
    expect(result.signature).toBe(
      '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168'
    )
    expect(result.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, ' +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168'
    )
  })

  it('B: signs x-tc-action too (the self-computed 644be983… value)', () => {
    const result = signTc3({ ...official, action: 'DescribeInstances' })
    expect(result.signedHeaders).toBe('content-type;host;x-tc-action')
    expect(sha256(result.canonicalRequest)).toBe(
      '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84'
    )
    expect(result.signature).toBe(
      '644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26'
    )
  })

  it('C: the API 3.0 v1 (HmacSHA1, GET) example', () => {
    const params = {
      Action: 'DescribeInstances',
      'InstanceIds.0': 'ins-09dx96dg',
      Limit: '20',
      Nonce: '11886',
      Offset: '0',
      Region: 'ap-guangzhou',
      SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      Timestamp: '1465185768',
      Version: '2017-03-12'
    }
    const source = v2SourceString('GET', 'cvm.tencentcloudapi.com', '/', params)
    expect(source).toBe(
      'GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20' +
        '&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE' +
        '&Timestamp=1465185768&Version=2017-03-12'
    )
    expect(signV2('Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', source, 'HmacSHA1')).toBe(
      'EliP9YW3pW28FpsEdkXt/+WcGeI='
    )
  })

  const ssl = {
    secretId: 'AKIDEXAMPLE',
    secretKey: 'SECRETEXAMPLE',
    service: 'ssl',
    host: 'ssl.tencentcloudapi.com',
    timestamp: 1700000000
  }

  it('D1: DeleteCertificate, content-type;host', () => {
    const payload = '{"CertificateId":"abcd1234"}'
    const result = signTc3({ ...ssl, contentType: 'application/json', payload })
    expect(sha256(payload)).toBe('032e15fc61ab54fc7d2a3a7f1bcf63585fa0e173a1789e3b97b7863b16eac563')
    expect(sha256(result.canonicalRequest)).toBe(
      'dcb6c056c4c4131226d094ed2d9a4266259e8e007d0270b1abbc13a101a0e3eb'
    )
    expect(result.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/ssl/tc3_request, ' +
        'SignedHeaders=content-type;host, ' +
        'Signature=12ed2c0f943e7eff732590b8cffbcd9fd567614b8951629cd83b2c804af8003f'
    )
  })

  it('D2: DescribeCertificates, content-type;host;x-tc-action', () => {
    const payload = '{"Limit":1000,"Offset":0,"FilterSource":"upload"}'
    const result = signTc3({
      ...ssl,
      contentType: 'application/json; charset=utf-8',
      payload,
      action: 'DescribeCertificates'
    })
    expect(sha256(payload)).toBe('3d22ea532fff529220dab970f368265a63240eae1c5b51b74aeddee967dc90bf')
    expect(sha256(result.canonicalRequest)).toBe(
      '62b1aed27f63b15ab4f721582434e9c58490948b94942f2c1514b97ffd9c1e90'
    )
    expect(result.signature).toBe(
      '3afe6207894352041e8b056bbb05e4fe00694801354bf8707b4bcc09a724abf5'
    )
  })

  it('dates the scope in UTC, never local time (00:30 in GMT+8 is the previous UTC day)', () => {
    const halfPastMidnightBeijing = Date.UTC(2026, 0, 1, 16, 30) / 1000
    expect(utcDate(halfPastMidnightBeijing)).toBe('2026-01-01')
  })
})

describe('the official SDK agrees on random inputs', () => {
  it('(the oracle itself reproduces the published vector A)', () => {
    const authorization = Sign.sign3({
      method: 'POST',
      url: 'https://cvm.tencentcloudapi.com/',
      payload: Buffer.from(
        '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
      ),
      timestamp: 1551113065,
      service: 'cvm',
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      multipart: false,
      boundary: '',
      headers: { 'Content-Type': 'application/json; charset=utf-8' }
    })
    expect(authorization).toContain(
      'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168'
    )
  })

  const key = fc.string({ minLength: 1, maxLength: 64 })
  const id = fc.stringMatching(/^[A-Za-z0-9]{1,40}$/)
  const host = fc.constantFrom(
    'ssl.tencentcloudapi.com',
    'ssl.intl.tencentcloudapi.com',
    'ssl.ap-guangzhou.tencentcloudapi.com'
  )
  const timestamp = fc.integer({ min: 0, max: 4_102_444_800 })

  it('TC3 (Sign.sign3, content-type;host) over random bodies, times and keys', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        timestamp,
        id,
        key,
        host,
        (body, ts, secretId, secretKey, hostName) => {
          const ours = signTc3({
            secretId,
            secretKey,
            service: 'ssl',
            host: hostName,
            contentType: 'application/json',
            payload: body,
            timestamp: ts
          })
          const sdk = Sign.sign3({
            method: 'POST',
            url: `https://${hostName}/`,
            payload: Buffer.from(body),
            timestamp: ts,
            service: 'ssl',
            secretId,
            secretKey,
            multipart: false,
            boundary: '',
            headers: { 'Content-Type': 'application/json' }
          })
          expect(ours.authorization).toBe(sdk)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('2.0 (Sign.sign, HmacSHA256 and HmacSHA1) over our source string', () => {
    const params = fc.dictionary(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,12}$/),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      { maxKeys: 8 }
    )
    fc.assert(
      fc.property(
        params,
        key,
        fc.constantFrom('HmacSHA256', 'HmacSHA1'),
        fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
        (extra, secretKey, method, verb) => {
          const all = { ...extra, SignatureMethod: method }
          const source = v2SourceString(verb, 'wss.api.qcloud.com', '/v2/index.php', all)
          expect(signV2(secretKey, source, method)).toBe(Sign.sign(secretKey, source, method))
        }
      ),
      { numRuns: 300 }
    )
  })
})
