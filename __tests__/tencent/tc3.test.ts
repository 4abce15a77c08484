/**
 * TC3 per service: the signature's scope follows the API (checked against the official SDK's
 * signer), `X-TC-Region` only when the API has one, and `Authorization: SKIP` only for the
 * actions that Tencent accepts unsigned.
 */
import { SSL_API, stsApi, Tc3ServiceProtocol } from '../../src/tencent/tc3.js'
import { Tc3Protocol } from '../../src/tencent/v3.js'
import { Sign } from './fakes.js'

const KEYS = { secretId: 'AKIDtc3test', secretKey: 'tc3-secret-key-0123456789' }
const TIMESTAMP = 1_790_000_000

function sdkSigned(service: string, url: string, body: string): string {
  return Sign.sign3({
    method: 'POST',
    url,
    payload: Buffer.from(body),
    timestamp: TIMESTAMP,
    service,
    secretId: KEYS.secretId,
    secretKey: KEYS.secretKey,
    multipart: false,
    boundary: '',
    headers: { 'Content-Type': 'application/json' }
  })
}

describe('Tc3ServiceProtocol', () => {
  it.each([
    ['sts', 'https://sts.tencentcloudapi.com/', stsApi('ap-guangzhou')],
    ['ssl', 'https://ssl.intl.tencentcloudapi.com/', SSL_API],
    ['ssl', 'http://127.0.0.1:9500/', SSL_API]
  ])('signs for service %s at %s as the SDK does', (service, url, api) => {
    const protocol = new Tc3ServiceProtocol(new URL(url), api, KEYS)
    const wire = protocol.build('DescribeThings', { Limit: 1 }, TIMESTAMP)
    expect(wire.headers.Authorization).toBe(sdkSigned(service, url, wire.body))
    expect(wire.headers.Authorization).toContain(`/${service}/tc3_request`)
    expect(wire.headers['X-TC-Version']).toBe(api.version)
  })

  it('sends X-TC-Region only for an API that has one', () => {
    const url = new URL('https://sts.tencentcloudapi.com/')
    const sts = new Tc3ServiceProtocol(url, stsApi('ap-hongkong'), KEYS).build('A', {}, TIMESTAMP)
    const ssl = new Tc3ServiceProtocol(url, SSL_API, KEYS).build('A', {}, TIMESTAMP)
    expect(sts.headers['X-TC-Region']).toBe('ap-hongkong')
    expect(ssl.headers).not.toHaveProperty('X-TC-Region')
  })

  it('sends Authorization: SKIP and no token when anonymous', () => {
    const protocol = new Tc3ServiceProtocol(
      new URL('https://sts.tencentcloudapi.com/'),
      stsApi('ap-guangzhou'),
      'anonymous'
    )
    const wire = protocol.build('AssumeRoleWithWebIdentity', { RoleArn: 'r' }, TIMESTAMP)
    expect(wire.headers.Authorization).toBe('SKIP')
    expect(wire.headers).not.toHaveProperty('X-TC-Token')
    expect(wire.body).toBe('{"RoleArn":"r"}')
  })

  it('refuses to send any other action unsigned', () => {
    const protocol = new Tc3ServiceProtocol(
      new URL('https://sts.tencentcloudapi.com/'),
      stsApi('ap-guangzhou'),
      'anonymous'
    )
    expect(() => protocol.build('GetCallerIdentity', {}, TIMESTAMP)).toThrow('unsigned')
  })
})

describe('Tc3Protocol (SSL)', () => {
  it('keeps service ssl and version 2019-12-05 whatever the host', () => {
    const url = 'https://sts.tencentcloudapi.com/'
    const wire = new Tc3Protocol(new URL(url), { ...KEYS, token: 'session' }).build(
      'DescribeCertificates',
      {},
      TIMESTAMP
    )
    expect(wire.headers.Authorization).toBe(sdkSigned('ssl', url, wire.body))
    expect(wire.headers['X-TC-Version']).toBe('2019-12-05')
    expect(wire.headers['X-TC-Token']).toBe('session')
  })
})
