import fc from 'fast-check'
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  provesNotProcessed,
  retryPolicy
} from '../../src/tencent/retry.js'

describe('classifyFailure', () => {
  it.each([
    'RequestLimitExceeded',
    'RequestLimitExceeded.UinLimitExceeded',
    'RequestLimitExceeded.IPLimitExceeded',
    'RequestLimitExceeded.GlobalRegionUinLimitExceeded',
    'LimitExceeded.RateLimitExceeded',
    'InternalError',
    'InternalError.BackendResponseEmpty',
    'HttpError.500',
    'HttpError.502',
    'HttpError.503',
    'HttpError.504',
    'HttpError.429',
    'Timeout',
    'NetworkError.ECONNRESET',
    'NetworkError.ECONNREFUSED',
    'NetworkError.EAI_AGAIN',
    'NetworkError.ETIMEDOUT',
    'NetworkError.EPIPE',
    'NetworkError.ERR_STREAM_PREMATURE_CLOSE',
    'NetworkError.EHOSTUNREACH',
    'NetworkError.ENETUNREACH',
    '6000',
    '6200'
  ])('retries %s', code => {
    expect(classifyFailure(code)).toBe('retry')
  })

  it.each([
    'AuthFailure.SignatureFailure',
    'AuthFailure.SecretIdNotFound',
    'AuthFailure.TokenFailure',
    'AuthFailure.UnauthorizedOperation',
    'InvalidParameter',
    'InvalidParameter.WithDetailReason',
    'InvalidParameterValue',
    'MissingParameter',
    'FailedOperation',
    'FailedOperation.CertificateExists',
    'UnauthorizedOperation',
    'LimitExceeded',
    'ResourceNotFound',
    'MalformedResponse',
    'HttpError.400',
    'HttpError.403',
    'HttpError.404',
    'HttpError.301',
    'NetworkError.ENOTFOUND',
    'NetworkError.Unknown',
    'InternalErrorish',
    'RequestLimitExceededX',
    '4000',
    '4100',
    '4104',
    '4300',
    '4400',
    '5000',
    '5100',
    '5500',
    '6100',
    'SomethingNew'
  ])('does not retry %s', code => {
    expect(classifyFailure(code)).toBe('fatal')
  })

  it.each(['AuthFailure.SignatureExpire', '4500'])('retries %s once, with the skew', code => {
    expect(classifyFailure(code)).toBe('skew')
  })
})

describe('provesNotProcessed', () => {
  it.each([
    'RequestLimitExceeded',
    'RequestLimitExceeded.UinLimitExceeded',
    'LimitExceeded.RateLimitExceeded',
    'HttpError.429',
    'NetworkError.ECONNREFUSED',
    'NetworkError.EAI_AGAIN',
    'AuthFailure.SignatureExpire',
    '4500'
  ])('%s proves the request was not processed', code => {
    expect(provesNotProcessed(code)).toBe(true)
  })

  it.each([
    'Timeout',
    'NetworkError.ECONNRESET',
    'NetworkError.ERR_STREAM_PREMATURE_CLOSE',
    'NetworkError.EPIPE',
    'HttpError.502',
    'InternalError',
    'InternalError.X',
    '6000',
    '6200',
    'MalformedResponse'
  ])('%s leaves it open', code => {
    expect(provesNotProcessed(code)).toBe(false)
  })
})

describe('backoff', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 5,
      baseMs: 500,
      capMs: 8000,
      budgetMs: 60_000
    })
    expect(retryPolicy({ maxAttempts: 2 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 2 })
  })

  it('is full jitter: random() times the capped exponential', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryIndex, r) => {
          const ceiling = Math.min(8000, 500 * 2 ** retryIndex)
          const delay = backoffDelay(DEFAULT_RETRY_POLICY, retryIndex, () => r)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThan(ceiling + 1e-9)
          expect(delay).toBeCloseTo(r * ceiling, 6)
        }
      )
    )
  })

  it('reaches the cap and stays there', () => {
    const nearlyOne = () => 0.999999
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 0, nearlyOne)).toBeCloseTo(500, 0)
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, nearlyOne)).toBeCloseTo(4000, 0)
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 4, nearlyOne)).toBeCloseTo(8000, 0)
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 10, nearlyOne)).toBeCloseTo(8000, 0)
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 10, () => 0)).toBe(0)
  })
})
