/**
 * Stand-in certificates for records seeded without PEM (metadata seeds): API 2.0 gives a
 * certificate's key algorithm only through its PEM (`withCert=1`), so the 2.0 list shows one of
 * these, whose public key has the record's algorithm. Their names and dates are not the record's
 * (the list's own fields carry those); both are self-signed, made once with openssl, and their
 * fingerprints match no upload.
 */

/** `openssl req -x509 -newkey rsa:2048 -subj /CN=stand-in.emulator.invalid -days 36500` */
const RSA_2048 = `
-----BEGIN CERTIFICATE-----
MIIDKzCCAhOgAwIBAgIUX2h3m3z1xW6Ww1gP6ArIqFSqBQswDQYJKoZIhvcNAQEL
BQAwJDEiMCAGA1UEAwwZc3RhbmQtaW4uZW11bGF0b3IuaW52YWxpZDAgFw0yNjEy
MDMwODM0NDFaGA8yMTI2MTEwOTA4MzQ0MVowJDEiMCAGA1UEAwwZc3RhbmQtaW4u
ZW11bGF0b3IuaW52YWxpZDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
AJA53wj1+OXTYUo1OpL0vKRXGyKXT7/7VHXx7TMoei9iAbO7ass5JrFgCTKOMung
bz6hJkO1a6DMErQN8VMZymyV1deNbPJ/MsDE5aCqgW8xT43DnUlKxDtFZLSs0kjx
CBPS+IxiyAZgr199wox8YfXZ97rreRhBqgk8+LedURRqJTqrlP0T+Vct2hrChx2r
mK8O2pk2Y01XJwPlOzV3bcAWDU5hZAWUD8uKTJsxhwYacnGesv7XeLkJubflPvHi
/vSDGlONXtb1iQjNOj+FRXbQ9XEYyXM7LHacCsamp/a8D1m/gKvngsP79ExcY2LZ
lNs/LY1Q17/mvqf8nxJ0dykCAwEAAaNTMFEwHQYDVR0OBBYEFKLkxIl58h25qtkm
atJqW6r3embNMB8GA1UdIwQYMBaAFKLkxIl58h25qtkmatJqW6r3embNMA8GA1Ud
EwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEBAD7NSQaIiUlAoKEjb3LxwEgI
A8HiNRw6C3gm39SigU34hQmmhMugzIzdtfglTD/9+CsARS04z4SiUZ7FhbsjmwX9
o/L5HguoLcP0jQZyXHYbYYdICOhjRWPfNEEpogAHUk4CHJ0KgqHs4MqpUQ8GP49J
vDQS5GZHr3e+c+E0zAZe1BhaBXDzXlIXIb+24FEeArWkly07I08Oj7Ijnn8Q8ONd
hAuADhclKAW8ZTtN5D3V9GYluKgK2TlxgKWZOSRyM6vy7/nSb40nw3yMENfk0uh4
jjZBtpRfQEE6HoMQgJ5ab8SwyNX2PUmxcjFyvj4HcSRDj5Kb5yliJbdqXq6nzyI=
-----END CERTIFICATE-----
`

/** The same with `-newkey ec -pkeyopt ec_paramgen_curve:P-256`. */
const ECC_256 = `
-----BEGIN CERTIFICATE-----
MIIBnjCCAUWgAwIBAgIUEwm7WL7uEAkog7LF3zRgbr4CZwgwCgYIKoZIzj0EAwIw
JDEiMCAGA1UEAwwZc3RhbmQtaW4uZW11bGF0b3IuaW52YWxpZDAgFw0yNjEyMDMw
ODM0NDFaGA8yMTI2MTEwOTA4MzQ0MVowJDEiMCAGA1UEAwwZc3RhbmQtaW4uZW11
bGF0b3IuaW52YWxpZDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFqfh0vFTbL9
bWmRJayQy35p/1+rLqaGW83m033y+K4pCTor+bFZgWdvGX77eponv8YFtG9rSXPN
SWAVadaPS32jUzBRMB0GA1UdDgQWBBTNVhhEic6fMFOHhhxyU/8eLTyFSTAfBgNV
HSMEGDAWgBTNVhhEic6fMFOHhhxyU/8eLTyFSTAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0cAMEQCIEzcCAv0V9xkBPpx3QO0vi6cwhUOmLKsoHThhkaDgxUd
AiBU3VbjMGn9gpAzg6GlkC/WFi1fBGK+U4at+PFA23ohZQ==
-----END CERTIFICATE-----
`

/** A PEM whose key has Tencent's `EncryptAlgorithm` (`RSA ...`, `ECC ...`); '' for any other. */
export function standInPem(encryptAlgorithm: string | null | undefined): string {
  const text = (encryptAlgorithm ?? '').toUpperCase()
  if (text.startsWith('RSA')) return RSA_2048.trimStart()
  if (text.startsWith('ECC')) return ECC_256.trimStart()
  return ''
}
