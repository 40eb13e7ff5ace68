import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { devnetAccounts } from '../devnetClients.ts'
import { startControlServer } from './controlServer.ts'
import { createDeliveryService } from './deliveryService.ts'
import { deliveryServiceConfigSchema } from './schemas.ts'

// The delivery service's process: `node --import tsx deliveryMain.ts <config.json>`, started
// detached by the LayerZero devnet bridge and stopped by `keel devnet down` (SIGTERM to its group).

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)

async function main(configPath: string): Promise<void> {
  const config = deliveryServiceConfigSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')))
  // anvil's public test key of the delivery role: derived here, never written to a file.
  const service = createDeliveryService({ config, account: devnetAccounts().lzDelivery, log })
  const server = await startControlServer({ port: config.controlPort, service })
  log(`delivery service on http://127.0.0.1:${config.controlPort}, polling every ${config.pollMs} ms`)
  let stopping = false
  const stop = () => {
    stopping = true
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  while (!stopping) {
    await service.tick().catch((err: unknown) => log(`tick failed: ${err instanceof Error ? err.message : String(err)}`))
    await sleep(config.pollMs)
  }
  service.persist()
  server.close()
  log('stopped')
}

const configPath = process.argv[2]
if (!configPath) {
  process.stderr.write('usage: deliveryMain.ts <config.json>\n')
  process.exit(2)
}
main(configPath).then(
  () => process.exit(0),
  (err: unknown) => {
    log(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
