import { readFileSync } from 'node:fs'
import { createDevnetClients, devnetKeys } from '../devnetClients.ts'
import { startMaker } from './maker.ts'
import { makerProcessConfigSchema } from './schemas.ts'

// One RFQ market maker as its own process (`node --import tsx main.ts <config.json>`), quoting on
// every devnet chain in its config; started by the devnet and stopped with it through its recorded pid.
// The config names the maker's devnet role, not its key: the key is derived here and never logged.

const path = process.argv[2]
if (!path) {
  process.stderr.write('usage: main.ts <config.json>\n')
  process.exit(2)
}
const config = makerProcessConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${config.id} ${line}\n`)
const maker = await startMaker(
  {
    id: config.id,
    key: devnetKeys()[config.role],
    chains: config.chains.map((c) => ({
      chainId: c.chainId,
      client: createDevnetClients({ key: c.key, rpcUrl: c.rpcUrl }).publicClient,
      swapContract: c.swapContract,
      usdc: c.usdc,
      feed: c.feed,
    })),
    svi: config.svi,
    spreadBps: config.spreadBps,
    skewBpsPerOption: config.skewBpsPerOption,
    validitySec: config.validitySec,
  },
  { port: config.port, log },
)
log(
  `${maker.address} (${config.role}) quoting at ${maker.url} on chains ${config.chains.map((c) => c.chainId).join(', ')}: spread ${config.spreadBps} bps, skew ${config.skewBpsPerOption} bps/option, orders valid ${config.validitySec} s`,
)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    maker.close().then(() => process.exit(0))
  })
}
