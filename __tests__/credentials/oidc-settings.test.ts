/**
 * The keyless inputs: defaults, the session name, and every refusal before any request, each
 * naming its input.
 */
import { InputError } from '../../src/settings/input-error.js'
import { readOidcSettings, sessionName } from '../../src/credentials/oidc-settings.js'

const ROLE = 'qcs::cam::uin/100000000001:roleName/github-certs'
const ENV = { GITHUB_REPOSITORY: 'octo-org/octo-repo', GITHUB_RUN_ID: '4242' }

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''

const read = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV) =>
  readOidcSettings(reader(inputs), env)

const keyless = (more: Record<string, string> = {}) =>
  read({ 'role-arn': ROLE, 'oidc-provider-id': 'github', ...more })

function refusal(attempt: () => unknown): InputError {
  try {
    attempt()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('without role-arn', () => {
  it('is off', () => {
    expect(read({})).toBeUndefined()
    expect(read({ 'secret-id': 'AKID', 'export-credentials': 'false' })).toBeUndefined()
  })

  it('refuses oidc-provider-id alone, naming role-arn', () => {
    expect(refusal(() => read({ 'oidc-provider-id': 'github' })).input).toBe('role-arn')
  })

  it('refuses export-credentials: true, which would export nothing', () => {
    expect(refusal(() => read({ 'export-credentials': 'true' })).input).toBe('export-credentials')
  })
})

describe('with role-arn', () => {
  it('has the documented defaults', () => {
    const settings = keyless()!
    expect(settings).toEqual({
      roleArn: ROLE,
      providerId: 'github',
      audience: 'sts.tencentcloudapi.com',
      roleSessionName: 'github-octo-org-octo-repo-4242',
      durationSeconds: 900,
      region: 'ap-guangzhou',
      stsEndpoint: new URL('https://sts.tencentcloudapi.com/'),
      exportCredentials: false,
      ignoredEnvironment: []
    })
  })

  it('takes every input', () => {
    const settings = keyless({
      audience: 'my-client',
      'role-session-name': 'nightly',
      'role-duration': '43200',
      region: 'ap-shanghai-fsi',
      'sts-endpoint': 'sts.intl.tencentcloudapi.com',
      'export-credentials': 'TRUE'
    })!
    expect(settings).toMatchObject({
      audience: 'my-client',
      roleSessionName: 'nightly',
      durationSeconds: 43200,
      region: 'ap-shanghai-fsi',
      exportCredentials: true
    })
    expect(settings.stsEndpoint.href).toBe('https://sts.intl.tencentcloudapi.com/')
  })

  it.each([
    'qcs::cam::uin/100000000001:roleName/github-certs',
    'qcs::cam::uin/1:roleName/a+b=c,d.e@f_g-h',
    'qcs::cam::uin/100000000001:role/4611686018427397919'
  ])('accepts the role ARN %s', arn => {
    expect(keyless({ 'role-arn': arn })!.roleArn).toBe(arn)
  })

  it.each([
    'github-certs',
    'qcs::cam::uin/100000000001:roleName/',
    'qcs::cam::uin/abc:roleName/github-certs',
    'qcs::cam::uin/100000000001:user/github-certs',
    'qcs::cam::uin/100000000001:roleName/has space',
    'qcs::cam::uin/100000000001:role/not-digits',
    'arn:aws:iam::123456789012:role/github',
    ` ${ROLE}`
  ])('refuses the malformed ARN %j', arn => {
    const error = refusal(() => keyless({ 'role-arn': arn }))
    expect(error.input).toBe('role-arn')
    expect(error.message).toContain('qcs::cam::uin/<account id>:roleName/<role name>')
  })

  it('requires oidc-provider-id', () => {
    const error = refusal(() => read({ 'role-arn': ROLE }))
    expect(error.input).toBe('oidc-provider-id')
  })

  it.each(['secret-id', 'secret-key', 'session-token'])('refuses %s beside it', name => {
    const error = refusal(() => keyless({ [name]: 'something' }))
    expect(error.input).toBe('role-arn')
    expect(error.message).toContain(name)
  })

  it('lets role-arn win over keys in the environment, and names them for a notice', () => {
    const env = { ...ENV, TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'k' }
    expect(read({ 'role-arn': ROLE, 'oidc-provider-id': 'p' }, env)!.ignoredEnvironment).toEqual([
      'TENCENTCLOUD_SECRET_ID',
      'TENCENTCLOUD_SECRET_KEY'
    ])
  })

  it.each(['899', '43201', '0', '-900', '1e3', '900.5', 'abc'])(
    'refuses role-duration %s',
    value => {
      const error = refusal(() => keyless({ 'role-duration': value }))
      expect(error.input).toBe('role-duration')
      expect(error.message).toContain('900 to 43200')
    }
  )

  it.each(['900', '3600', '43200'])('accepts role-duration %s', value => {
    expect(keyless({ 'role-duration': value })!.durationSeconds).toBe(Number(value))
  })

  it.each([
    ['http://sts.tencentcloudapi.com', 'not a loopback host'],
    ['http://10.0.0.1:9000', 'not a loopback host'],
    ['ftp://sts.example', 'not supported'],
    ['sts.example?x=1', 'query string']
  ])('refuses sts-endpoint %s', (value, problem) => {
    const error = refusal(() => keyless({ 'sts-endpoint': value }))
    expect(error.input).toBe('sts-endpoint')
    expect(error.message).toContain(problem)
    expect(error.message).toContain('sts.tencentcloudapi.com')
  })

  it.each(['http://127.0.0.1:9500', 'http://localhost:9500/', 'http://[::1]:9500'])(
    'accepts the loopback sts-endpoint %s',
    value => {
      expect(keyless({ 'sts-endpoint': value })!.stsEndpoint.protocol).toBe('http:')
    }
  )

  it.each(['guangzhou', 'AP-GUANGZHOU', 'ap guangzhou', 'ap-'])('refuses region %j', value => {
    expect(refusal(() => keyless({ region: value })).input).toBe('region')
  })

  it.each([
    ['audience', 'two words'],
    ['oidc-provider-id', 'git hub'],
    ['export-credentials', 'yes']
  ])('refuses %s %j', (name, value) => {
    expect(refusal(() => keyless({ [name]: value })).input).toBe(name)
  })
})

describe('the session name', () => {
  it('replaces what STS refuses with - and cuts to 64', () => {
    expect(sessionName('a b/c:d#e+f=g,h.i@j_k-l', {})).toBe('a-b-c-d-e+f=g,h.i@j_k-l')
    const long = sessionName('', { GITHUB_REPOSITORY: `o/${'r'.repeat(100)}`, GITHUB_RUN_ID: '1' })
    expect(long).toHaveLength(64)
    expect(long.startsWith('github-o-rrr')).toBe(true)
  })

  it('has a default outside a runner too', () => {
    expect(sessionName('', {})).toBe('github')
    expect(sessionName('', { GITHUB_RUN_ID: '7' })).toBe('github-7')
  })

  it('refuses a name too short for STS', () => {
    expect(refusal(() => sessionName('x', {})).input).toBe('role-session-name')
  })
})
