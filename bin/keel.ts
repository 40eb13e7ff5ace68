#!/usr/bin/env -S npx tsx
import { redactUrlsIn } from '../chains/redactRpcUrl.ts'
import { runBacktestCommand } from './commands/backtest.ts'
import { demoCommand } from './commands/demo.ts'
import { devnetCommand } from './commands/devnet.ts'
import { permissionsCommand } from './commands/permissions.ts'
import {
  approveRollCommand,
  pauseResumeCommand,
  runCommand,
  statusCommand,
  stopCommand,
  unblockCommand,
  updateCommand,
} from './commands/portfolio.ts'
import { setupCommand } from './commands/setup.ts'
import { temporalCommand } from './commands/temporal.ts'
import { transferCommand } from './commands/transfer.ts'
import { workerCommand } from './commands/worker.ts'
import { describeCliError } from './errors.ts'
import { installWorkerLogging } from './runtime.ts'

const usage = `keel: keeps a multi-chain derivatives portfolio on its mandate

  keel setup                                   find or install anvil and the Temporal CLI (done on first use anyway)
  keel demo [--days N] [--seed N] [--keep]   devnet + Temporal + worker + example mandate, prints each hedge
  keel devnet up [--fresh] [--block-time s] [--seed n] [--price usd]
                                              start a devnet, or resume the recorded one from its state
  keel devnet restart <chain> | down | reset  one chain from its state | stop, state kept | stop and forget it
  keel temporal start | stop | status [--json]
                                              keel's local Temporal dev server (status exits 3 when none runs)
  keel worker [--chains ethereum,arbitrum,base] [--no-portfolio]
  keel run <mandate.yaml>                     check a mandate against the chains and start its portfolio workflow
  keel status <portfolio> [--json]
  keel pause <portfolio> [--reason text] | resume <portfolio>
  keel approve-roll <portfolio> <roll id> [--decline] [--by name]   answer a roll that waits for approval
  keel update <portfolio> <mandate.yaml> [--yes]   show what a new mandate changes, then apply it (asks when exposure moves)
  keel unblock <portfolio> <chain>            settle the transactions a send left in doubt, then use the chain again
  keel stop <portfolio> [--reason text] [--force]  end the loop after the step in flight (--force: terminate now)
  keel transfer <amount> <USDC|WETH> <from> <to> [--portfolio p] [--bridge id] [--max-cost-bps n]
                                              move capital between chains over the cheapest bridge within budget
  keel permissions diff|apply [--chains c,..] [--mandate m.yaml --eth-price-ceiling-usd N] [--otoken addr]..
                                              keel's Zodiac Roles role on each treasury Safe: what the adapters need vs
                                              what is on chain; apply: the devnet's owners sign it, real chains get a Safe tx file
  keel backtest [--seed N] [--paths N] [--out DIR] [--model gbm|jump|regime|all]

Temporal: TEMPORAL_ADDRESS (+ TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY) to use a cluster;
without it keel starts a local dev server (state in .keel/, Web UI on).
Chains: the devnet manifest in .keel/devnet, or KEEL_NETWORK=live with KEEL_RPC_<CHAIN>,
KEEL_CONTRACTS_FILE and KEEL_SIGNER_KEY_<CHAIN>.`

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  demo: demoCommand,
  devnet: devnetCommand,
  worker: workerCommand,
  temporal: temporalCommand,
  run: runCommand,
  status: statusCommand,
  pause: (argv) => pauseResumeCommand('pause', argv),
  resume: (argv) => pauseResumeCommand('resume', argv),
  update: updateCommand,
  'approve-roll': approveRollCommand,
  unblock: unblockCommand,
  stop: stopCommand,
  transfer: transferCommand,
  backtest: runBacktestCommand,
  permissions: permissionsCommand,
  setup: setupCommand,
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`keel: unknown command "${name}"\n\n${usage}`)
    return 2
  }
  return command(rest)
}

const portfolioCommands = new Set(['status', 'pause', 'resume', 'update', 'unblock', 'stop', 'approve-roll'])

installWorkerLogging()
const argv = process.argv.slice(2)
main(argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // One clear line (plus itemised issues) that says what to do; the stack only on request.
    const [first = '', ...rest] = describeCliError(err, {
      temporalAddress: process.env.TEMPORAL_ADDRESS || undefined,
      portfolio: portfolioCommands.has(argv[0] ?? '') ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined,
    })
    console.error([`keel: ${first}`, ...rest].join('\n'))
    if (process.env.KEEL_DEBUG && err instanceof Error) console.error(redactUrlsIn(err.stack ?? ''))
    process.exit(1)
  },
)
