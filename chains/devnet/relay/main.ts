import { readFileSync } from 'node:fs'
import { startRelay } from './relay.ts'
import { relayProcessConfigSchema } from './schemas.ts'

// The devnet's bundle relay and Ethereum block builder as its own process (`node --import tsx
// main.ts <config.json>`); started by the devnet after deployment and stopped with it through its
// recorded pid.

const path = process.argv[2]
if (!path) {
  process.stderr.write('usage: main.ts <config.json>\n')
  process.exit(2)
}
const config = relayProcessConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} relay ${line}\n`)
const relay = await startRelay({ rpcUrl: config.rpcUrl, chainId: config.chainId, port: config.port, blockMs: config.blockMs, log })
log(`serving at ${relay.url}, building a block every ${config.blockMs} ms on ${config.rpcUrl} (chain ${config.chainId})`)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    relay.close().then(() => process.exit(0))
  })
}
