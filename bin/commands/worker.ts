import { parseArgs } from 'node:util'
import { InvalidInputError } from '../../agent/errors.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { type ChainEnvironment, loadChainEnvironment } from '../../temporal/chainEnvironment.ts'
import { loadConfig } from '../../temporal/config.ts'
import { WorkerChainUnavailableError } from '../../temporal/errors.ts'
import { redactLogsFor } from '../../temporal/logging.ts'
import { ensureTemporal, localServerStatus } from '../../temporal/server.ts'
import { bundleWorkflows, createKeelWorkers, type KeelWorkers, planWorkerChains } from '../../temporal/worker.ts'
import { type Located, superviseWorkers, type WorkerTarget } from '../../temporal/workerSupervisor.ts'
import { progress, stopSignals } from '../runtime.ts'

/**
 * `keel worker [--chains a,b] [--no-portfolio] [--task-queue-prefix p]`: runs until SIGINT/SIGTERM.
 * On keel's local dev server it follows the server (server.json) and the devnet's endpoints (the
 * manifest) when they move, and gives up when the server stays gone.
 */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { chains: { type: 'string' }, 'no-portfolio': { type: 'boolean' }, 'task-queue-prefix': { type: 'string' } },
  })
  const signChains = parseChains(values.chains)
  const prefix = values['task-queue-prefix'] ?? ''
  const servePortfolio = !values['no-portfolio']
  const config = loadConfig()
  const initial = loadChainEnvironment({ stateDir: config.stateDir })
  // An explicit list is a promise about what this process signs for: refuse rather than serve less.
  const plan = planWorkerChains({ environment: initial, signChains, taskQueuePrefix: prefix })
  if (values.chains !== undefined && plan.skipped.length > 0) throw new WorkerChainUnavailableError({ skipped: plan.skipped })

  const stop = stopSignals({ again: () => progress('worker: already stopping (activities get their grace time)') })
  const temporal = await ensureTemporal({ config, log: progress })
  const remote = temporal.origin === 'remote'
  const workflowBundle = servePortfolio ? await bundleWorkflows() : undefined
  let environment = initial
  const currentEnvironment = (): ChainEnvironment => {
    // Live endpoints come from the environment variables of this process: they cannot change under it.
    if (initial.network === 'live') return initial
    try {
      environment = loadChainEnvironment({ stateDir: config.stateDir })
    } catch {
      // A devnet reset removes the manifest for a moment; keep serving what we had.
    }
    return environment
  }
  const locate = async (): Promise<Located> => {
    if (remote)
      return {
        status: 'up',
        target: { address: temporal.address, connectionOptions: temporal.connectionOptions, environment: currentEnvironment() },
      }
    const s = await localServerStatus(config)
    if (s.status === 'not-running') return { status: 'gone', reason: s.reason, lastAddress: s.lastAddress }
    return { status: 'up', target: { address: s.address, connectionOptions: { address: s.address }, environment: currentEnvironment() } }
  }
  const start = async (target: WorkerTarget): Promise<KeelWorkers> => {
    redactLogsFor(Object.values(target.environment.chains).flatMap((c) => c?.rpcUrls ?? []))
    const workers = await createKeelWorkers({
      connectionOptions: target.connectionOptions,
      namespace: temporal.namespace,
      taskQueuePrefix: prefix,
      environment: target.environment,
      signChains,
      servePortfolio,
      shutdownGraceSec: config.worker.shutdownGraceSec,
      ...(workflowBundle ? { workflowBundle } : {}),
    })
    reportWorkers({ workers, network: target.environment.network, address: target.address })
    return workers
  }
  try {
    await superviseWorkers({ locate, start, signal: stop.signal, giveUpMs: config.worker.temporalGiveUpSec * 1_000, log: progress })
  } finally {
    stop.dispose()
  }
  progress('worker: stopped')
  return 0
}

/** One line per queue served and per chain skipped: what this process really signs for. */
function reportWorkers(p: { workers: KeelWorkers; network: string; address: string }): void {
  const { workers } = p
  progress(`worker: ${p.network} chains, Temporal ${p.address}`)
  if (workers.portfolioQueue) progress(`worker: serving ${workers.portfolioQueue} (workflows and reads)`)
  for (const s of workers.served) progress(`worker: signing on ${s.chain} (chain id ${s.chainId}) queue ${s.taskQueue} as ${s.signer}`)
  for (const s of workers.skipped)
    progress(`worker: not serving ${s.chain}: ${s.reason === 'no-rpc' ? 'no RPC' : 'no signing key'} (${s.variable} is not set)`)
  if (workers.served.length === 0 && !workers.portfolioQueue) progress('worker: serving no queue at all')
}

function parseChains(raw: string | undefined): ChainKey[] {
  if (raw === undefined) return [...chainKeys]
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = list.filter((c) => !(chainKeys as readonly string[]).includes(c))
  if (bad.length > 0) {
    throw new InvalidInputError({
      what: 'arguments of keel worker',
      issues: [{ path: '--chains', message: `unknown chain(s) ${bad.join(', ')}; expected ${chainKeys.join(', ')}` }],
    })
  }
  return list as ChainKey[]
}
