/** The job summary's table of verified endpoints. */
import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../../src/reporting/summary.js'

describe('renderSummary with verify', () => {
  it('shows each endpoint with its status, served fingerprint, expiry and error', () => {
    const summary = renderSummary({
      title: 'Tencent Cloud SSL: sync',
      api: '3.0',
      verified: [
        {
          host: 'www.example.com',
          port: 443,
          address: null,
          status: 'match',
          fingerprint: 'ab'.repeat(32),
          'not-after': '2027-03-01T00:00:00.000Z',
          error: null
        },
        {
          host: 'origin.example.com',
          port: 8443,
          address: '203.0.113.7',
          status: 'unreachable',
          fingerprint: null,
          'not-after': null,
          error: 'connect ECONNREFUSED 203.0.113.7:8443'
        }
      ]
    })
    expect(summary).toContain('### Verified endpoints')
    expect(summary).toContain(
      `| www.example.com | 443 | DNS | match | ${'ab'.repeat(32)} | 2027-03-01T00:00:00.000Z |  |`
    )
    expect(summary).toContain(
      '| origin.example.com | 8443 | 203.0.113.7 | unreachable | — | — | connect ECONNREFUSED 203.0.113.7:8443 |'
    )
  })

  it('has no such section without verify', () => {
    expect(renderSummary({ title: 't', api: '3.0', verified: [] })).not.toContain('Verified')
  })
})
