import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/settings/input-error.js'
import { readSettings, splitList } from '../../src/settings/inputs.js'

const base: Record<string, string> = {
  mode: 'upload',
  cert: 'fullchain.pem',
  key: 'privkey.pem',
  'secret-id': 'AKIDtest',
  'secret-key': 'secret'
}

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    (inputs[name] ?? '').trim()

function refusal(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): InputError {
  try {
    readSettings(reader(inputs), env)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

describe('readSettings', () => {
  it('applies the contract defaults', () => {
    const s = readSettings(reader(base), {})
    expect(s).toMatchObject({
      mode: 'upload',
      certType: 'SVR',
      api: '3.0',
      endpoint: '',
      projectId: 0,
      tags: [],
      pruneDomains: [],
      keep: 1,
      expiredOnly: false,
      maxDeletions: 20,
      dryRun: false,
      requestTimeoutMs: 30_000
    })
    expect(s.credentials).toEqual({ secretId: 'AKIDtest', secretKey: 'secret' })
  })

  it('parses every value it accepts', () => {
    const s = readSettings(
      reader({
        ...base,
        mode: 'SYNC',
        'cert-type': 'ca',
        api: '2.0',
        'project-id': '42',
        'prune-domains': 'Example.com, *.example.com\nwww.example.com',
        keep: '0',
        'expired-only': 'TRUE',
        'max-deletions': '100',
        'dry-run': 'True',
        'request-timeout': '2.5'
      }),
      {}
    )
    expect(s).toMatchObject({
      mode: 'sync',
      certType: 'CA',
      api: '2.0',
      projectId: 42,
      pruneDomains: ['example.com', '*.example.com', 'www.example.com'],
      keep: 0,
      expiredOnly: true,
      maxDeletions: 100,
      dryRun: true,
      requestTimeoutMs: 2500
    })
  })

  it.each([
    ['2', '2.0'],
    ['3', '3.0'],
    ['2.0', '2.0']
  ])('reads api %j (YAML turns an unquoted 2.0 into 2) as %s', (raw, api) => {
    expect(readSettings(reader({ ...base, api: raw }), {}).api).toBe(api)
  })

  it('reads tags as key=value lines or commas', () => {
    const s = readSettings(reader({ ...base, tags: 'team=web\nenv = prod, empty=' }), {})
    expect(s.tags).toEqual([
      { key: 'team', value: 'web' },
      { key: 'env', value: 'prod' },
      { key: 'empty', value: '' }
    ])
  })

  it('falls back to the environment for credentials, in the documented token order', () => {
    const inputs = { ...base, 'secret-id': '', 'secret-key': '' }
    const env = {
      TENCENTCLOUD_SECRET_ID: 'AKIDenv',
      TENCENTCLOUD_SECRET_KEY: 'keyenv',
      TENCENTCLOUD_TOKEN: 'second',
      TENCENTCLOUD_SECURITY_TOKEN: 'third'
    }
    expect(readSettings(reader(inputs), env).credentials).toEqual({
      secretId: 'AKIDenv',
      secretKey: 'keyenv',
      token: 'second'
    })
    const withSession = { ...env, TENCENTCLOUD_SESSION_TOKEN: 'first' }
    expect(readSettings(reader(inputs), withSession).credentials?.token).toBe('first')
    const explicit = { ...inputs, 'session-token': 'input' }
    expect(readSettings(reader(explicit), withSession).credentials?.token).toBe('input')
  })

  it.each([
    [{ mode: 'remove' }, 'mode', /'upload', 'prune', 'sync', 'list', 'delete'/],
    [{ api: '4' }, 'api', /'3\.0', '2\.0'/],
    [{ api: '3.1' }, 'api', /'3\.0', '2\.0'/],
    [{ 'cert-type': 'client' }, 'cert-type', /'SVR', 'CA'/],
    [{ 'dry-run': 'yes' }, 'dry-run', /'true' or 'false'/],
    [{ 'expired-only': '1' }, 'expired-only', /'true' or 'false'/],
    [{ keep: '-1' }, 'keep', /whole number/],
    [{ keep: '1.5' }, 'keep', /whole number/],
    [{ 'max-deletions': 'ten' }, 'max-deletions', /whole number/],
    [{ 'project-id': '0x10' }, 'project-id', /whole number/],
    [{ 'request-timeout': '0' }, 'request-timeout', /1 to 300/],
    [{ 'request-timeout': '301' }, 'request-timeout', /1 to 300/],
    [{ cert: '' }, 'cert', /required in upload mode/],
    [{ key: '' }, 'key', /required in upload mode when cert-type is SVR/],
    [{ mode: 'prune' }, 'prune-domains', /required in prune mode/],
    [{ mode: 'prune', 'prune-domains': 'bad domain' }, 'prune-domains', /not a domain name/],
    [{ 'secret-id': '' }, 'secret-id', /TENCENTCLOUD_SECRET_ID/],
    [{ 'secret-key': '' }, 'secret-key', /TENCENTCLOUD_SECRET_KEY/],
    [{ 'secret-key': 'two words' }, 'secret-key', /white space/],
    [{ tags: 'novalue' }, 'tags', /key=value/],
    [{ api: '2.0', tags: 'a=b' }, 'tags', /api '3\.0' only/]
  ])('refuses %j naming %s', (override, input, accepts) => {
    const error = refusal({ ...base, ...override })
    expect(error.input).toBe(input)
    expect(error.message).toContain(`Input '${input}'`)
    expect(error.message).toMatch(accepts)
  })

  it('never quotes a secret in a refusal', () => {
    const error = refusal({ ...base, 'secret-key': 'hunter2 hunter3' })
    expect(error.message).not.toContain('hunter')
  })

  it('needs no key for a CA certificate and no cert in prune mode', () => {
    expect(readSettings(reader({ ...base, key: '', 'cert-type': 'CA' }), {}).key).toBe('')
    const prune = { ...base, mode: 'prune', cert: '', key: '', 'prune-domains': 'a.example.com' }
    expect(readSettings(reader(prune), {}).pruneDomains).toEqual(['a.example.com'])
  })
})

describe('splitList', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a,b\nc', ['a', 'b', 'c']],
    [' a ,, a \n\n b ', ['a', 'b']]
  ])('splits %j', (raw, expected) => {
    expect(splitList(raw)).toEqual(expected)
  })
})

describe('readSettings: the list, delete, replace and keyless inputs', () => {
  const untrimmed =
    (inputs: Record<string, string>) =>
    (name: string): string =>
      inputs[name] ?? ''

  it('trims every input itself, whatever the runner passes', () => {
    const s = readSettings(
      untrimmed({ ...base, mode: 'sync ', 'dry-run': ' true', keep: '2 ', api: ' 2.0' }),
      {}
    )
    expect(s).toMatchObject({ mode: 'sync', dryRun: true, keep: 2, api: '2.0' })
  })

  it('reads the list and delete inputs with their defaults', () => {
    expect(readSettings(reader({ ...base, mode: 'list' }), {})).toMatchObject({
      certificateIds: [],
      searchKey: '',
      source: 'upload',
      expiringWithinDays: 30,
      failOnExpiring: false
    })
    const s = readSettings(
      reader({
        ...base,
        mode: 'delete',
        'certificate-ids': 'Ab12Cd34,\nEf56Gh78',
        source: 'ALL',
        'expiring-within': '45'
      }),
      {}
    )
    expect(s).toMatchObject({
      certificateIds: ['Ab12Cd34', 'Ef56Gh78'],
      source: 'all',
      expiringWithinDays: 45
    })
  })

  it('needs neither cert nor key in list and delete modes', () => {
    const keys = { 'secret-id': 'AKIDtest', 'secret-key': 'secret' }
    expect(readSettings(reader({ ...keys, mode: 'list' }), {}).mode).toBe('list')
    expect(
      readSettings(reader({ ...keys, mode: 'delete', 'certificate-ids': 'Ab12Cd34' }), {}).mode
    ).toBe('delete')
  })

  it('reads replace as false, every type, or a list of types', () => {
    const replace = (value: string) => readSettings(reader({ ...base, replace: value }), {}).replace
    expect(replace('')).toBe(false)
    expect(replace('FALSE')).toBe(false)
    expect(replace('true')).toBe('all')
    expect(replace('cdn, CLB\nteo')).toEqual(['cdn', 'clb', 'teo'])
  })

  it('refuses a role-duration outside 900 to 43200', () => {
    const keyless = {
      mode: 'list',
      'role-arn': 'qcs::cam::uin/100000000001:roleName/ci',
      'oidc-provider-id': 'github',
      'role-duration': '60'
    }
    expect(refusal(keyless).input).toBe('role-duration')
  })

  it('takes role-arn instead of a key pair', () => {
    const s = readSettings(
      reader({
        mode: 'list',
        'role-arn': 'qcs::cam::uin/100000000001:roleName/ci',
        'oidc-provider-id': 'github'
      }),
      { TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'env-key' }
    )
    expect(s.credentials).toBeUndefined()
    expect(s.oidc).toMatchObject({
      roleArn: 'qcs::cam::uin/100000000001:roleName/ci',
      providerId: 'github',
      audience: 'sts.tencentcloudapi.com',
      durationSeconds: 900,
      region: 'ap-guangzhou',
      exportCredentials: false,
      ignoredEnvironment: ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY']
    })
  })

  it.each([
    [{ mode: 'delete' }, 'certificate-ids', /required in delete mode/],
    [{ mode: 'delete', 'certificate-ids': 'Ab12Cd34, ../etc' }, 'certificate-ids', /'\.\.\/etc'/],
    [{ source: 'mine' }, 'source', /'upload', 'buy', 'all'/],
    [{ 'expiring-within': '-3' }, 'expiring-within', /whole number/],
    [{ 'fail-on-expiring': 'maybe' }, 'fail-on-expiring', /'true' or 'false'/],
    [{ replace: 'cdn, ftp' }, 'replace', /'ftp'/],
    [{ replace: 'true', api: '2.0' }, 'replace', /api '3\.0'/],
    [{ 'deploy-to': 'cdn:www.example.com', api: '2.0' }, 'deploy-to', /api '3\.0'/],
    [{ 'replace-timeout': '10' }, 'replace-timeout', /30 to 3600/],
    [{ 'rollback-on-failure': 'yes' }, 'rollback-on-failure', /'true' or 'false'/],
    [{ 'role-arn': 'qcs::cam::uin/1:roleName/x' }, 'role-arn', /secret-id/],
    [{ 'oidc-provider-id': 'github' }, 'role-arn', /required with oidc-provider-id/],
    [{ 'role-duration': 'abc' }, 'role-duration', /900/],
    [{ 'sts-endpoint': 'http://sts.example.com' }, 'sts-endpoint', /loopback/]
  ])('refuses %j, naming %s', (inputs, name, message) => {
    const error = refusal({ ...base, ...inputs })
    expect(error.input).toBe(name)
    expect(error.message).toMatch(message)
  })
})
