/** Key algorithms as the Superseded rule compares them, from keys, PEM and Tencent's wording. */
import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { makeCa, makeChain } from '../../fixtures/certs.js'
import {
  keyAlgorithmOfKey,
  keyAlgorithmOfPem,
  keyAlgorithmOfTencent
} from '../../src/certificate/key-algorithm.js'

describe('keyAlgorithmOfKey', () => {
  it.each<[string, () => ReturnType<typeof generateKeyPairSync>, string | null]>([
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 1024 }), 'RSA'],
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), 'ECDSA'],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), 'ECDSA'],
    ['SM2', () => generateKeyPairSync('ec', { namedCurve: 'SM2' }), null],
    ['RSA-PSS', () => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }), null],
    ['Ed25519', () => generateKeyPairSync('ed25519'), null]
  ])('%s is %p', (_name, make, expected) => {
    expect(keyAlgorithmOfKey(make().publicKey)).toBe(expected)
  })
})

describe('keyAlgorithmOfPem', () => {
  it("reads the leaf's key, not its issuers'", async () => {
    const ca = await makeCa(1) // EC issuers
    const rsa = await makeChain({ ca, key: 'rsa', domains: ['rsa.example.test'] })
    const ec = await makeChain({ ca, domains: ['ec.example.test'] })
    expect(keyAlgorithmOfPem(rsa.fullchainPem)).toBe('RSA')
    expect(keyAlgorithmOfPem(`Bag Attributes\n${ec.fullchainPem}`)).toBe('ECDSA')
  })

  it.each([
    undefined,
    null,
    42,
    '',
    'not a certificate',
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'
  ])('%p is unknown', pem => {
    expect(keyAlgorithmOfPem(pem)).toBeNull()
  })
})

describe('keyAlgorithmOfTencent', () => {
  it.each<[unknown, string | null]>([
    ['RSA 2048', 'RSA'],
    ['rsa 4096', 'RSA'],
    ['RSA2048', 'RSA'],
    ['ECC 256', 'ECDSA'],
    ['ECC_384', 'ECDSA'],
    ['ECDSA', 'ECDSA'],
    ['EC P-256', 'ECDSA'],
    ['SM2', null],
    ['ECC SM2', null],
    ['RSA-PSS', null],
    ['RSAX', null],
    ['svr', null],
    ['', null],
    [null, null],
    [256, null]
  ])('%p is %p', (value, expected) => {
    expect(keyAlgorithmOfTencent(value)).toBe(expected)
  })
})
