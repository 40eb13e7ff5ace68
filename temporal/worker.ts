import { createRequire } from 'node:module'
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { privateKeyToAccount } from 'viem/accounts'
import { createExecutor, type Executor } from '../adapters/executor/executor.ts'
import { createUniswapV3Adapter } from '../adapters/uniswap-v3/index.ts'
import { chainTaskQueue, portfolioTaskQueue } from '../agent/taskQueues.ts'
import { createChainClients } from '../chains/transport.ts'
import type { ChainKey } from '../chains/types.ts'
import { type ActivityDeps, createChainActivities, createReadActivities } from './activities/createActivities.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'
import type { TemporalConnectionOptions } from './server.ts'

const require = createRequire(import.meta.url)
const workflowsPath = require.resolve('../workflows/index.ts')

/** Bundles the workflow code once; pass the result to several workers (bundling takes seconds). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger })
}

// webpack's progress lines are noise in the CLI; warnings and errors still surface.
const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (msg: string) => console.warn(msg),
  error: (msg: string) => console.error(msg),
  log: () => {},
}

/** Builds the I/O dependencies of the activities from a chain environment. */
export function createActivityDeps(p: { environment: ChainEnvironment; signChains: readonly ChainKey[] }): ActivityDeps {
  const chains: ActivityDeps['chains'] = {}
  const executors: Partial<Record<ChainKey, Executor>> = {}
  for (const [key, c] of Object.entries(p.environment.chains) as [ChainKey, NonNullable<ChainEnvironment['chains'][ChainKey]>][]) {
    const clients = createChainClients({ key, rpcUrls: c.rpcUrls })
    chains[key] = { chainId: c.chainId, clients, contracts: c.contracts }
  }
  for (const key of p.signChains) {
    const c = chains[key]
    const secret = p.environment.signerKeys[key]
    if (!c || !secret) continue
    executors[key] = createExecutor({
      chain: key,
      chainId: c.chainId,
      publicClient: c.clients.publicClient,
      account: privateKeyToAccount(secret.reveal() as `0x${string}`),
    })
  }
  const uniswap = createUniswapV3Adapter({
    clients: Object.fromEntries(Object.entries(chains).map(([k, c]) => [k, c.clients.publicClient])),
    contracts: Object.fromEntries(Object.entries(chains).map(([k, c]) => [k, c.contracts])),
  })
  return { chains, uniswap, executors }
}

export type KeelWorkers = {
  workers: Worker[]
  /** Resolves when every worker has stopped; rejects if one fails. */
  run(): Promise<void>
  shutdown(): void
}

/**
 * The workers of one process: the portfolio queue (workflows + reads) and one queue per chain
 * this process signs for. A chain's key is loaded only where its queue is served.
 */
export async function createKeelWorkers(p: {
  connectionOptions: TemporalConnectionOptions
  namespace: string
  taskQueuePrefix?: string
  environment: ChainEnvironment
  signChains: readonly ChainKey[]
  servePortfolio?: boolean
  workflowBundle?: WorkflowBundleWithSourceMap
}): Promise<KeelWorkers> {
  const connection = await NativeConnection.connect(p.connectionOptions)
  const deps = createActivityDeps({ environment: p.environment, signChains: p.signChains })
  const prefix = p.taskQueuePrefix ?? ''
  const workers: Worker[] = []
  if (p.servePortfolio ?? true) {
    workers.push(
      await Worker.create({
        connection,
        namespace: p.namespace,
        taskQueue: portfolioTaskQueue(prefix),
        workflowBundle: p.workflowBundle ?? (await bundleWorkflows()),
        activities: createReadActivities(deps),
      }),
    )
  }
  for (const chain of p.signChains) {
    const c = deps.chains[chain]
    if (!c || !deps.executors[chain]) continue
    workers.push(
      await Worker.create({
        connection,
        namespace: p.namespace,
        taskQueue: chainTaskQueue(c.chainId, prefix),
        activities: createChainActivities(deps, chain),
      }),
    )
  }
  return {
    workers,
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()))
      } finally {
        await connection.close()
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown()
    },
  }
}
