/**
 * STS GetCallerIdentity as allowed-account-ids asks it: signed (TC3, scope `sts`) with the run's
 * credentials and token, the region header, no parameters (the SDK's model is `null`), and an
 * AccountId that must be an account id.
 */
import { describe, expect, it } from '@jest/globals'
import { getCallerAccount } from '../../src/tencent/sts.js'
import { apiFailure, FakeClock, fakeFetch, jsonOf, makeDeps, v3Error, v3Ok } from './fakes.js'

function call(answer: ReturnType<typeof v3Ok>) {
  const clock = new FakeClock()
  const { fetch, requests } = fakeFetch(clock, () => answer)
  const promise = clock.run(
    getCallerAccount({
      endpoint: new URL('https://sts.tencentcloudapi.com/'),
      region: 'ap-shanghai',
      timeoutMs: 1000,
      deps: makeDeps(clock, fetch),
      credentials: { secretId: 'AKIDkeys', secretKey: 'secret-key-of-keys', token: 'tok' }
    })
  )
  return { promise, requests }
}

describe('getCallerAccount', () => {
  it('asks STS with the credentials and reads AccountId', async () => {
    const { promise, requests } = call(
      v3Ok({ AccountId: '100000000001', Arn: 'qcs::cam::uin/100000000001:uin/2', Type: 'CAMUser' })
    )
    expect(await promise).toBe('100000000001')
    const [request] = requests
    expect(request.headers['X-TC-Action']).toBe('GetCallerIdentity')
    expect(request.headers['X-TC-Version']).toBe('2018-08-13')
    expect(request.headers['X-TC-Region']).toBe('ap-shanghai')
    expect(request.headers['X-TC-Token']).toBe('tok')
    expect(request.headers.Authorization).toMatch(/Credential=AKIDkeys\/\d{4}-\d{2}-\d{2}\/sts\//)
    expect(jsonOf(request)).toEqual({})
  })

  it.each([[{}], [{ AccountId: '' }], [{ AccountId: 'uin/1' }], [{ AccountId: 100000000001 }]])(
    'refuses an answer whose AccountId is not an account id (%j)',
    async fields => {
      const error = await apiFailure(call(v3Ok(fields)).promise)
      expect(error.code).toBe('MalformedResponse')
    }
  )

  it('does not retry a key STS does not know', async () => {
    const { promise, requests } = call(v3Error('AuthFailure.SecretIdNotFound'))
    expect((await apiFailure(promise)).code).toBe('AuthFailure.SecretIdNotFound')
    expect(requests).toHaveLength(1)
  })
})
