import { InputError } from '../../src/settings/input-error.js'
import { parseEndpoint } from '../../src/tencent/endpoint.js'

describe('parseEndpoint', () => {
  it.each([
    ['', '3.0', 'https://ssl.tencentcloudapi.com/'],
    ['', '2.0', 'https://wss.api.qcloud.com/v2/index.php'],
    ['   ', '3.0', 'https://ssl.tencentcloudapi.com/'],
    ['ssl.intl.tencentcloudapi.com', '3.0', 'https://ssl.intl.tencentcloudapi.com/'],
    ['SSL.TencentCloudAPI.com', '3.0', 'https://ssl.tencentcloudapi.com/'],
    ['wss.api.qcloud.com', '2.0', 'https://wss.api.qcloud.com/v2/index.php'],
    ['emulator.test:8443', '3.0', 'https://emulator.test:8443/'],
    ['emulator.test:8443', '2.0', 'https://emulator.test:8443/v2/index.php'],
    ['ssl.tencentcloudapi.com/', '3.0', 'https://ssl.tencentcloudapi.com/'],
    ['https://ssl.tencentcloudapi.com', '3.0', 'https://ssl.tencentcloudapi.com/'],
    ['https://wss.api.qcloud.com/', '2.0', 'https://wss.api.qcloud.com/v2/index.php'],
    ['https://proxy.example.com/tencent/ssl', '3.0', 'https://proxy.example.com/tencent/ssl'],
    ['https://proxy.example.com/legacy.php', '2.0', 'https://proxy.example.com/legacy.php'],
    ['http://127.0.0.1:9000', '3.0', 'http://127.0.0.1:9000/'],
    ['http://127.8.9.10/', '3.0', 'http://127.8.9.10/'],
    ['http://127.1:9000', '2.0', 'http://127.0.0.1:9000/v2/index.php'],
    ['http://[::1]:8080', '3.0', 'http://[::1]:8080/'],
    ['http://[0:0:0:0:0:0:0:1]/', '3.0', 'http://[::1]/'],
    ['http://localhost:8080', '3.0', 'http://localhost:8080/'],
    ['HTTP://LOCALHOST', '3.0', 'http://localhost/']
  ] as const)('%j (%s) → %s', (input, api, href) => {
    expect(parseEndpoint(input, api).href).toBe(href)
  })

  it.each([
    ['http://ssl.tencentcloudapi.com', 'not a loopback host'],
    ['http://128.0.0.1', 'not a loopback host'],
    ['http://[::2]', 'not a loopback host'],
    ['http://localhost.example.com', 'not a loopback host'],
    ['http://10.0.0.1:8080', 'not a loopback host'],
    ['ftp://ssl.tencentcloudapi.com', 'scheme ftp://'],
    ['file:///etc/passwd', 'scheme file://'],
    ['https://ssl.tencentcloudapi.com/?Action=x', 'query string'],
    ['https://ssl.tencentcloudapi.com/?', 'query string'],
    ['https://ssl.tencentcloudapi.com/#top', 'fragment'],
    ['ssl.tencentcloudapi.com?x=1', 'query string'],
    ['not a host', 'neither a host name nor a URL'],
    ['-bad-.example.com', 'neither a host name nor a URL'],
    ['https://', 'not a valid URL'],
    ['https://host:99999/', 'not a valid URL']
  ])('refuses %j: %s', (input, problem) => {
    const attempt = () => parseEndpoint(input, '3.0')
    expect(attempt).toThrow(InputError)
    expect(attempt).toThrow(problem)
    expect(attempt).toThrow(
      "Input 'endpoint': " // the message names the input...
    )
    expect(attempt).toThrow(
      // ...and says what it accepts
      'accepts a host such as ssl.tencentcloudapi.com or an https:// URL; ' +
        'http:// only for a loopback host (127.0.0.0/8, ::1, localhost)'
    )
  })

  it('refuses credentials in the URL without repeating them', () => {
    for (const input of [
      'https://AKIDuser:topsecret@ssl.tencentcloudapi.com/',
      'AKIDuser:topsecret@host'
    ]) {
      let error: unknown
      try {
        parseEndpoint(input, '3.0')
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).input).toBe('endpoint')
      expect((error as Error).message).not.toContain('topsecret')
      expect((error as Error).message).not.toContain('AKIDuser')
    }
  })
})
