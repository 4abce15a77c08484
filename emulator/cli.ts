/**
 * Runs the emulator until SIGINT/SIGTERM:
 *   npm run emulator -- --port 9500 [--secret-id ID --secret-key KEY] [--state FILE] [--rate N] [--latency MS]
 * Prints the key pair in use, then `listening on http://127.0.0.1:PORT` once it accepts requests.
 */
import { parseArgs } from 'node:util'
import { startEmulator, type EmulatorOptions } from './server.js'

const USAGE =
  'usage: npm run emulator -- [--port N] [--secret-id ID --secret-key KEY] [--state FILE] [--rate N] [--latency MS]'

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be an integer >= 0, not '${value}'`)
  return Number(value)
}

function readOptions(argv: string[]): EmulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'secret-id': { type: 'string' },
      'secret-key': { type: 'string' },
      state: { type: 'string' },
      rate: { type: 'string' },
      latency: { type: 'string' },
      help: { type: 'boolean' }
    }
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if ((values['secret-id'] === undefined) !== (values['secret-key'] === undefined)) {
    throw new Error('--secret-id and --secret-key go together')
  }
  return {
    port: integerOption(values.port, 'port'),
    secretId: values['secret-id'],
    secretKey: values['secret-key'],
    stateFile: values.state,
    rateLimitPerSecond: integerOption(values.rate, 'rate'),
    latencyMs: integerOption(values.latency, 'latency')
  }
}

async function main(): Promise<void> {
  let options: EmulatorOptions
  try {
    options = readOptions(process.argv.slice(2))
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  const emulator = await startEmulator(options)
  const { secretId, secretKey } = emulator.credentials
  console.log('Tencent Cloud SSL emulator (test credentials, valid only here)')
  console.log(`  SecretId:  ${secretId}`)
  console.log(`  SecretKey: ${secretKey}`)
  console.log(`  API 3.0:   ${emulator.url}/  (sign for service "ssl", version 2019-12-05)`)
  console.log(`  API 2.0:   ${emulator.v2Url}`)
  console.log(`  admin:     ${emulator.url}/_emulator/{state,faults,requests,options,edge}`)
  console.log(
    `  TLS edge:  127.0.0.1:${emulator.edge.port}  (serves each host its resource's certificate)`
  )
  if (options.stateFile) console.log(`  state:     ${options.stateFile}`)
  console.log(`listening on ${emulator.url}`)

  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch(error => {
  console.error(`emulator: ${(error as Error).message}`)
  process.exit(1)
})
