import { readFileSync } from 'node:fs'
import { searcherProcessConfigSchema } from './schemas.ts'
import { runSearcher } from './searcher.ts'
import { searcherAccount } from './searcherAccount.ts'

// The devnet's sandwich searcher as its own process (`node --import tsx main.ts <config.json>`):
// started by tests and benches that measure what the public mempool costs, never by default.
// Its key is anvil's well-known test key at a fixed index, derived here and never logged.

const path = process.argv[2]
if (!path) {
  process.stderr.write('usage: main.ts <config.json>\n')
  process.exit(2)
}
const config = searcherProcessConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} searcher ${line}\n`)
const account = searcherAccount()
const searcher = await runSearcher({ config, account, log, onNodeGone: () => process.exit(0) })
log(
  `${account.address} watching ${config.rpcUrl} every ${config.pollMs} ms, bundles to ${config.relayUrl}, status at ${searcher.url}status`,
)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    searcher.close().then(() => process.exit(0))
  })
}
