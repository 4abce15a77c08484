/**
 * The emulator's side of the guards, driven by the official SDK's CommonClient: STS
 * `GetCallerIdentity` (signed with the `sts` scope, no parameters, as the SDK's model is `null`;
 * cloud.tencent.com/document/api/1312/66098) answering the account of the key, and
 * `ModifyCertificatesExpiringNotificationSwitch` (`CertificateIds` at most 50, `SwitchStatus` 0 or
 * 1) keeping the switch per certificate; short-lived STS credentials aged by a clock jump.
 */
import { createRequire } from 'node:module'
import { DEFAULT_ACCOUNT_ID } from '../../emulator/options.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { startOidcIssuer, type OidcIssuer } from '../../fixtures/oidc-issuer.js'
import { failureOf, loopbackAgent, sdkClient } from './helpers.js'

const require = createRequire(import.meta.url)
const sdk = require('tencentcloud-sdk-nodejs-common') as {
  CommonClient: new (
    endpoint: string,
    version: string,
    config: object
  ) => {
    request(action: string, params: object, options?: object): Promise<Record<string, unknown>>
  }
}

const STS_HOST = 'sts.tencentcloudapi.com'
const ROLE = 'qcs::cam::uin/200000000002:roleName/github-certs'

let emulator: Emulator
let issuer: OidcIssuer

beforeAll(async () => {
  issuer = await startOidcIssuer()
  emulator = await startEmulator({ rateLimitPerSecond: 0 })
})
afterAll(async () => {
  await Promise.all([emulator?.stop(), issuer?.stop()])
})
beforeEach(() => {
  emulator.reset()
  emulator.setOption({
    clockSkewMs: 0,
    callerAccounts: {},
    stsCredentialSeconds: 0,
    oidcProviders: [issuer.provider('github', ['sts.tencentcloudapi.com'])],
    stsRoles: [{ arn: ROLE, provider: 'github', subjects: [] }]
  })
})

function sts(credential: object, region = 'ap-guangzhou') {
  return new sdk.CommonClient(STS_HOST, '2018-08-13', {
    credential,
    region,
    profile: {
      httpProfile: {
        endpoint: `${STS_HOST}:${emulator.port}`,
        protocol: 'http://',
        agent: loopbackAgent
      }
    }
  })
}
const keys = () => ({
  secretId: emulator.credentials.secretId,
  secretKey: emulator.credentials.secretKey
})

async function assumed(): Promise<{
  secretId: string
  secretKey: string
  token: string
  expired: number
}> {
  const answer = await sts({}).request(
    'AssumeRoleWithWebIdentity',
    {
      ProviderId: 'github',
      WebIdentityToken: issuer.mint('sts.tencentcloudapi.com'),
      RoleArn: ROLE,
      RoleSessionName: 'guards-test',
      DurationSeconds: 900
    },
    { skipSign: true }
  )
  const c = answer.Credentials as Record<string, string>
  return {
    secretId: c.TmpSecretId,
    secretKey: c.TmpSecretKey,
    token: c.Token,
    expired: answer.ExpiredTime as number
  }
}

describe('GetCallerIdentity', () => {
  it('answers the account of a long-term key, the default one unless callerAccounts names it', async () => {
    const first = await sts(keys()).request('GetCallerIdentity', {})
    expect(first).toMatchObject({ AccountId: DEFAULT_ACCOUNT_ID, Type: 'CAMUser' })
    emulator.setOption('callerAccounts', { [emulator.credentials.secretId]: '300000000003' })
    expect((await sts(keys()).request('GetCallerIdentity', {})).AccountId).toBe('300000000003')
  })

  it("answers the role's account for credentials STS issued, which need their token", async () => {
    const { secretId, secretKey, token } = await assumed()
    const answer = await sts({ secretId, secretKey, token }).request('GetCallerIdentity', {})
    expect(answer).toMatchObject({ AccountId: '200000000002', Type: 'CAMRole' })
    const without = await failureOf(sts({ secretId, secretKey }).request('GetCallerIdentity', {}))
    expect(without.code).toBe('AuthFailure.TokenFailure')
  })

  it.each([
    [
      'a parameter it does not take',
      () => sts(keys()).request('GetCallerIdentity', { Uin: 1 }),
      'UnknownParameter'
    ],
    ['no Region', () => sts(keys(), '').request('GetCallerIdentity', {}), 'MissingParameter'],
    [
      'an unknown key',
      () => sts({ secretId: 'AKIDnobody', secretKey: 'x' }).request('GetCallerIdentity', {}),
      'AuthFailure.SecretIdNotFound'
    ]
  ])('refuses %s', async (_case, call, code) => {
    expect((await failureOf(call())).code).toBe(code)
  })
})

describe('short-lived STS credentials', () => {
  it('live stsCredentialSeconds whatever was asked, and fail once a clock jump ages them', async () => {
    emulator.setOption('stsCredentialSeconds', 120)
    const before = Math.floor(Date.now() / 1000)
    const credential = await assumed()
    expect(credential.expired - before).toBeGreaterThanOrEqual(120)
    expect(credential.expired - before).toBeLessThanOrEqual(122)
    const list = () => sdkClient(emulator, { credential }).request('DescribeCertificates', {})
    emulator.faults.add({ kind: 'clock-jump', action: 'DescribeCertificates', ms: 125_000 })
    await expect(list()).resolves.toMatchObject({ TotalCount: 0 })
    expect((await failureOf(list())).code).toBe('AuthFailure.TokenFailure')
    const log = emulator.requests.filter(r => r.action === 'DescribeCertificates')
    expect(log.map(r => [r.secretId, r.code])).toEqual([
      [credential.secretId, ''],
      [credential.secretId, 'AuthFailure.TokenFailure']
    ])
  })
})

describe('ModifyCertificatesExpiringNotificationSwitch', () => {
  const seed = (n: number) =>
    emulator.seed(
      Array.from({ length: n }, (_, i) => ({
        domains: [`r${i}.example.test`],
        notAfter: new Date(Date.now() + 86_400_000)
      }))
    )
  const call = (params: object) =>
    sdkClient(emulator).request('ModifyCertificatesExpiringNotificationSwitch', params)
  const muted = () =>
    emulator
      .certificates()
      .filter(c => c.remindersOff)
      .map(c => c.id)

  it('turns the reminders off and on again, answering the ids', async () => {
    const [a, b] = seed(2).map(c => c.id)
    expect(await call({ CertificateIds: [a], SwitchStatus: 1 })).toMatchObject({
      CertificateIds: [a]
    })
    expect(muted()).toEqual([a])
    await call({ CertificateIds: [a, b], SwitchStatus: 0 })
    expect(muted()).toEqual([])
  })

  it.each([
    ['51 ids', 51, { SwitchStatus: 1 }, 'InvalidParameterValue'],
    ['a SwitchStatus of 2', 1, { SwitchStatus: 2 }, 'InvalidParameterValue'],
    ['no SwitchStatus', 1, {}, 'MissingParameter'],
    ['an undocumented parameter', 1, { SwitchStatus: 1, Type: 1 }, 'UnknownParameter']
  ])('refuses %s', async (_case, n, extra, code) => {
    const ids = seed(n).map(c => c.id)
    expect((await failureOf(call({ CertificateIds: ids, ...extra }))).code).toBe(code)
    expect(muted()).toEqual([])
  })

  it('refuses an unknown id and changes nothing', async () => {
    const [a] = seed(1).map(c => c.id)
    const failure = await failureOf(call({ CertificateIds: [a, 'nosuchid'], SwitchStatus: 1 }))
    expect(failure.code).toBe('FailedOperation.CertificateNotFound')
    expect(muted()).toEqual([])
  })
})
