/** The resource inputs' parsers (src/settings/deploy-targets.ts): what they accept, and what they refuse. */
import { describe, expect, it } from '@jest/globals'
import {
  checkResourceInputsForApi,
  parseDeployTo,
  parseReplace,
  parseReplaceTimeout
} from '../../src/settings/deploy-targets.js'
import { InputError } from '../../src/settings/input-error.js'
import {
  DEPLOY_REGIONAL,
  DEPLOY_TYPES,
  INSTANCE_FORMATS
} from '../../src/resources/resource-types.js'

/** The InputError `work` throws (failing the test if it throws none or another error). */
function inputError(work: () => unknown): InputError {
  try {
    work()
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('no InputError was thrown')
}

describe('parseDeployTo', () => {
  it.each([
    ['cdn:www.example.com', 'cdn', 'www.example.com', null],
    ['cdn:www.example.com|off', 'cdn', 'www.example.com|off', null],
    ['teo:*.example.com', 'teo', '*.example.com', null],
    [
      'CLB:lb-12345678|lbl-12345678@ap-guangzhou',
      'clb',
      'lb-12345678|lbl-12345678',
      'ap-guangzhou'
    ],
    [
      'clb:lb-1|lbl-2|www.example.com@ap-shanghai',
      'clb',
      'lb-1|lbl-2|www.example.com',
      'ap-shanghai'
    ],
    ['ddos:bgpip-000001ms|www.example.com|443', 'ddos', 'bgpip-000001ms|www.example.com|443', null],
    [
      'lighthouse:ap-shanghai|lhins-abc123|www.example.com@ap-shanghai',
      'lighthouse',
      'ap-shanghai|lhins-abc123|www.example.com',
      'ap-shanghai'
    ],
    [
      'tke:cls-42sa0ae0|default|www-tls@ap-beijing',
      'tke',
      'cls-42sa0ae0|default|www-tls',
      'ap-beijing'
    ],
    [
      'tcb:AccessService|ap-shanghai|env-1|www.example.com@ap-shanghai',
      'tcb',
      'AccessService|ap-shanghai|env-1|www.example.com',
      'ap-shanghai'
    ],
    ['  live:www.example.com  ', 'live', 'www.example.com', null]
  ])('reads %s', (line, type, instance, region) => {
    expect(parseDeployTo(line)).toEqual([{ type, instance, region }])
  })

  it('takes one target per line, skips blank lines and repeats', () => {
    const raw =
      'cdn:a.example.com\n\n  \ncdn:A.example.com\nclb:lb-1|lbl-1@ap-guangzhou\r\nclb:lb-1|lbl-1@ap-shanghai\n'
    expect(parseDeployTo(raw).map(t => `${t.type} ${t.instance} ${t.region}`)).toEqual([
      'cdn a.example.com null',
      'clb lb-1|lbl-1 ap-guangzhou',
      'clb lb-1|lbl-1 ap-shanghai'
    ])
    expect(parseDeployTo('')).toEqual([])
  })

  it.each([
    ['www.example.com', /line 2 .*TYPE:INSTANCE\[@REGION\]/],
    ['ecdn:www.example.com', /unknown type 'ecdn'; the types are clb, cdn, .*mqtt/],
    ['gaap:ga-1|lsr-1', /unknown type 'gaap'/],
    [
      'clb:lb-1|lbl-1',
      /clb is regional: add @REGION; clb takes LoadBalancerId\|ListenerId\[\|Domain\]@REGION/
    ],
    ['cdn:www.example.com@ap-guangzhou', /cdn is not regional: remove '@ap-guangzhou'/],
    ['clb:www.example.com@ap-guangzhou', /not a clb instance/],
    ['cdn:not a domain', /not a cdn instance; cdn takes Domain\[\|on or off\]/],
    ['ddos:bgpip-1|www.example.com@', /not regional|not a ddos instance/],
    ['clb:lb-1|lbl-1@Guangzhou', /'Guangzhou' is not a region id/],
    [
      'cos:ap-hongkong|bucket-1|cdn.example.com@ap-beijing',
      /region 'ap-hongkong' differs from @ap-beijing/
    ]
  ])('refuses %s, naming the input and what it accepts', (line, message) => {
    const error = inputError(() => parseDeployTo(`cdn:ok.example.com\n${line}`))
    expect(error.input).toBe('deploy-to')
    expect(error.message).toMatch(/^Input 'deploy-to': line 2 /)
    expect(error.message).toMatch(message)
  })

  it('accepts every documented example', () => {
    for (const type of DEPLOY_TYPES) {
      const { example } = INSTANCE_FORMATS[type]
      const region = ['cos', 'lighthouse'].includes(type) ? example.split('|')[0] : 'ap-guangzhou'
      const line = DEPLOY_REGIONAL.has(type) ? `${type}:${example}@${region}` : `${type}:${example}`
      expect(parseDeployTo(line)).toHaveLength(1)
    }
  })
})

describe('parseReplace', () => {
  it.each([
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['true', 'all'],
    ['True', 'all']
  ])('%j is %j', (raw, scope) => {
    expect(parseReplace(raw)).toBe(scope)
  })

  it('reads a list of types, comma, space or newline separated, once each', () => {
    expect(parseReplace('cdn, CLB\nteo cdn')).toEqual(['cdn', 'clb', 'teo'])
  })

  it('refuses a type it does not know, listing the ones it does', () => {
    const error = inputError(() => parseReplace('cdn, lighthouse'))
    expect(error.input).toBe('replace')
    expect(error.message).toMatch(
      /'lighthouse' is not a resource type; give true, false, or a list of: cdn, clb, teo, .*gaap$/
    )
  })
})

describe('parseReplaceTimeout', () => {
  it.each([
    ['', 600],
    ['30', 30],
    ['3600', 3600],
    [' 90 ', 90]
  ])('%j is %d seconds', (raw, seconds) => {
    expect(parseReplaceTimeout(raw)).toBe(seconds)
  })

  it.each(['29', '3601', '60s', '1.5', '-60', 'ten'])('refuses %j', raw => {
    const error = inputError(() => parseReplaceTimeout(raw))
    expect(error.input).toBe('replace-timeout')
    expect(error.message).toContain(`from 30 to 3600; got '${raw}'`)
  })
})

describe('checkResourceInputsForApi', () => {
  const target = parseDeployTo('cdn:www.example.com')
  it('refuses replace and deploy-to on API 2.0, naming the input', () => {
    expect(inputError(() => checkResourceInputsForApi('2.0', 'all', [])).input).toBe('replace')
    expect(inputError(() => checkResourceInputsForApi('2.0', ['cdn'], [])).input).toBe('replace')
    expect(inputError(() => checkResourceInputsForApi('2.0', false, target)).input).toBe(
      'deploy-to'
    )
  })
  it('lets API 3.0, and API 2.0 without them, through', () => {
    expect(() => checkResourceInputsForApi('3.0', 'all', target)).not.toThrow()
    expect(() => checkResourceInputsForApi('2.0', false, [])).not.toThrow()
  })
})
