import { createRequire } from 'node:module'
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { privateKeyToAccount } from 'viem/accounts'
import { type CreateExecutorParams, createExecutor, type Executor } from '../adapters/executor/executor.ts'
import { createFlashbotsRelay } from '../adapters/submit-flashbots/index.ts'
import { createPrivateRpcSubmitter } from '../adapters/submit-private/index.ts'
import { createPublicSubmitter } from '../adapters/submit-public/index.ts'
import { createUniswapV3Adapter } from '../adapters/uniswap-v3/index.ts'
import { checkCall } from '../agent/permissions/check.ts'
import { chainTaskQueue, marketWatchTaskQueue, portfolioTaskQueue } from '../agent/taskQueues.ts'
import { getChainMeta } from '../chains/registry.ts'
import { createChainClients } from '../chains/transport.ts'
import type { ChainKey } from '../chains/types.ts'
import { createWatchActivities } from './activities/awaitMarketMove.ts'
import { type ActivityDeps, createChainActivities, createReadActivities } from './activities/createActivities.ts'
import { createBridgeAdapters } from './bridges.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'
import { devnetRoleExtender } from './devnetOwners.ts'
import { gammaDeployments, rfqVenues } from './optionVenues.ts'
import { declareChainPermissions, permissionContextFromEnvironment } from './permissions.ts'
import type { TemporalConnectionOptions } from './server.ts'

const require = createRequire(import.meta.url)

/** Portfolios one worker watches at once (an idle watch is a timer and a heartbeat). */
const MAX_MARKET_WATCHES = 5_000
// Devnet blocks come every few hundred milliseconds (or per transaction); the chains' own block times would miss them.
const devnetWatchPollMs = { ethereum: 50, arbitrum: 20, base: 50 } as const
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

/**
 * keel's own check of a call against what its adapters declare for a Safe treasury, before the
 * Roles module sees it: a declared target with a parameter outside its rules is refused with the
 * parameter named. Targets nobody declares (a new oToken the owners added to the role) are left
 * to the module, whose refusal the executor reads from the simulation.
 */
function permissionCheck(environment: ChainEnvironment, chain: ChainKey): NonNullable<CreateExecutorParams['checkCall']> {
  const safes = Object.fromEntries(Object.entries(environment.treasuries ?? {}).map(([k, t]) => [k, t.safe]))
  const declarations = declareChainPermissions(permissionContextFromEnvironment({ environment, chain, safes, allowances: [] }))
  const declared = new Set(declarations.map((d) => d.target.toLowerCase()))
  // A series' trades (SwapERC20, and approvals to it) are declared per oToken, which the owners add
  // to the role as series come: keel's static list cannot know them, so the module judges those.
  const series = rfqVenues(environment)[chain]?.swapContract.toLowerCase()
  return (call) => {
    if (!declared.has(call.to.toLowerCase()) || call.to.toLowerCase() === series || approvesTo(call.data) === series) return { ok: true }
    const verdict = checkCall(call, declarations)
    return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason }
  }
}

/** The spender of an ERC-20 `approve`, lowercase, or undefined for any other call. */
function approvesTo(data: `0x${string}`): string | undefined {
  if (!data.startsWith('0x095ea7b3') || data.length < 74) return undefined
  return `0x${data.slice(34, 74)}`.toLowerCase()
}

/** Builds the I/O dependencies of the activities from a chain environment. */
export function createActivityDeps(p: { environment: ChainEnvironment; signChains: readonly ChainKey[] }): ActivityDeps {
  const chains: ActivityDeps['chains'] = {}
  const executors: Partial<Record<ChainKey, Executor>> = {}
  const routes: NonNullable<ActivityDeps['routes']> = {}
  const devnet = p.environment.network === 'devnet'
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
      ...(p.environment.treasuries?.[key]
        ? { treasury: p.environment.treasuries[key], checkCall: permissionCheck(p.environment, key) }
        : {}),
      // Devnet blocks come every few hundred milliseconds; mainnet's every 12 s.
      ...(devnet ? { blockPollMs: 50 } : {}),
    })
    const envRoutes = p.environment.routes
    const privateUrl = envRoutes?.privateRpcUrls?.[key]
    const fb = key === 'ethereum' ? envRoutes?.flashbots : undefined
    const rpcUrl = p.environment.chains[key]?.rpcUrls[0]
    routes[key] = {
      public: createPublicSubmitter(c.clients.publicClient),
      ...(privateUrl ? { privateRpc: createPrivateRpcSubmitter(createChainClients({ key, rpcUrls: [privateUrl] }).publicClient) } : {}),
      ...(fb && rpcUrl
        ? {
            relay: createFlashbotsRelay({
              relayUrl: fb.relayUrl,
              rpcUrl,
              chainId: c.chainId,
              authKey: fb.authKey.reveal() as `0x${string}`,
            }),
          }
        : {}),
    }
  }
  const uniswap = createUniswapV3Adapter({
    clients: Object.fromEntries(Object.entries(chains).map(([k, c]) => [k, c.clients.publicClient])),
    contracts: Object.fromEntries(Object.entries(chains).map(([k, c]) => [k, c.contracts])),
  })
  const clients = Object.fromEntries(Object.entries(chains).map(([k, c]) => [k, c.clients.publicClient]))
  const bridges = createBridgeAdapters({ environment: p.environment, clients })
  const extendRole = devnetRoleExtender(p.environment)
  return {
    chains,
    uniswap,
    executors,
    ...(p.environment.treasuries ? { treasuries: p.environment.treasuries } : {}),
    ...(extendRole ? { extendRole } : {}),
    bridges,
    gamma: gammaDeployments(p.environment),
    rfq: rfqVenues(p.environment),
    routes,
  }
}

/** A chain queue this process serves, with the account that signs there. */
export type ServedChain = { chain: ChainKey; chainId: number; taskQueue: string; signer: `0x${string}` }
/** A chain asked for that this process cannot serve, and the variable that would fix it. */
export type SkippedChain = { chain: ChainKey; reason: 'no-rpc' | 'no-key'; variable: string }

/**
 * Which of the asked-for chains this environment can sign for (an RPC and a key) and which not,
 * decided before anything connects, so a command can refuse to start on an explicit list.
 */
export function planWorkerChains(p: { environment: ChainEnvironment; signChains: readonly ChainKey[]; taskQueuePrefix?: string }): {
  served: ServedChain[]
  skipped: SkippedChain[]
} {
  const served: ServedChain[] = []
  const skipped: SkippedChain[] = []
  for (const chain of p.signChains) {
    const c = p.environment.chains[chain]
    const secret = p.environment.signerKeys[chain]
    if (!c) {
      const variable = p.environment.network === 'live' ? getChainMeta(chain).rpcEnvVar : `${chain} in the devnet manifest`
      skipped.push({ chain, reason: 'no-rpc', variable })
    } else if (!secret) skipped.push({ chain, reason: 'no-key', variable: `KEEL_SIGNER_KEY_${chain.toUpperCase()}` })
    else {
      const signer = privateKeyToAccount(secret.reveal() as `0x${string}`).address
      served.push({ chain, chainId: c.chainId, taskQueue: chainTaskQueue(c.chainId, p.taskQueuePrefix ?? ''), signer })
    }
  }
  return { served, skipped }
}

export type KeelWorkers = {
  workers: Worker[]
  /** The portfolio queue (workflows and reads), when this process serves it. */
  portfolioQueue: string | undefined
  /** The chain queues this process signs for. */
  served: ServedChain[]
  /** Chains asked for and not served, with why. */
  skipped: SkippedChain[]
  /**
   * Resolves when every worker has stopped; rejects if one fails on its own. After `shutdown()`,
   * activities that ignore their cancellation past the force time are abandoned (Temporal retries
   * them elsewhere once their heartbeat or start-to-close timeout passes): `abandoned` says so.
   */
  run(): Promise<WorkersStopped>
  shutdown(): void
}

export type WorkersStopped = { abandoned: boolean }

/** How long a shutting-down worker lets activities finish, then how much longer before it gives up on them. */
export const shutdownTimes = (graceSec: number) => ({ shutdownGraceTime: graceSec * 1_000, shutdownForceTime: (graceSec + 5) * 1_000 })

/**
 * The workers of one process: the portfolio queue (workflows + reads) and one queue per chain
 * this process signs for. A chain's key is loaded only where its queue is served. After
 * `shutdown()`, activities get `shutdownGraceSec` (default 10) to finish before they are
 * cancelled, and 5 s later `run()` resolves with `abandoned` if one still ignores its cancellation.
 */
export async function createKeelWorkers(p: {
  connectionOptions: TemporalConnectionOptions
  namespace: string
  taskQueuePrefix?: string
  environment: ChainEnvironment
  signChains: readonly ChainKey[]
  servePortfolio?: boolean
  workflowBundle?: WorkflowBundleWithSourceMap
  shutdownGraceSec?: number
}): Promise<KeelWorkers> {
  const prefix = p.taskQueuePrefix ?? ''
  const { served, skipped } = planWorkerChains({ environment: p.environment, signChains: p.signChains, taskQueuePrefix: prefix })
  const deps = createActivityDeps({ environment: p.environment, signChains: served.map((s) => s.chain) })
  const times = shutdownTimes(p.shutdownGraceSec ?? 10)
  const connection = await NativeConnection.connect(p.connectionOptions)
  const workers: Worker[] = []
  const portfolioQueue = (p.servePortfolio ?? true) ? portfolioTaskQueue(prefix) : undefined
  try {
    if (portfolioQueue !== undefined) {
      workers.push(
        await Worker.create({
          connection,
          namespace: p.namespace,
          taskQueue: portfolioQueue,
          workflowBundle: p.workflowBundle ?? (await bundleWorkflows()),
          activities: createReadActivities(deps),
          ...times,
        }),
      )
      // Each waiting portfolio holds one watch activity for its whole interval: they get their own
      // queue and slots, so thousands of idle watches never starve the reads.
      workers.push(
        await Worker.create({
          connection,
          namespace: p.namespace,
          taskQueue: marketWatchTaskQueue(prefix),
          activities: createWatchActivities(deps, p.environment.network === 'devnet' ? { pollMs: devnetWatchPollMs } : {}),
          maxConcurrentActivityTaskExecutions: MAX_MARKET_WATCHES,
          // A watch never finishes on its own: cancel it at once on shutdown (Temporal retries it elsewhere).
          ...times,
          shutdownGraceTime: 0,
        }),
      )
    }
    for (const s of served) {
      workers.push(
        await Worker.create({
          connection,
          namespace: p.namespace,
          taskQueue: s.taskQueue,
          activities: createChainActivities(deps, s.chain),
          ...times,
        }),
      )
    }
  } catch (err) {
    await connection.close().catch(() => undefined)
    throw err
  }
  const stopAll = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown()
  }
  let requested = false
  const shutdown = () => {
    requested = true
    stopAll()
  }
  return {
    workers,
    portfolioQueue,
    served,
    skipped,
    async run() {
      if (requested) {
        // Asked to stop before it ever ran: nothing to start.
        await connection.close().catch(() => undefined)
        return { abandoned: false }
      }
      // One failing worker stops the others; all settle before the shared connection closes under them.
      const runs = workers.map((w) =>
        w.run().catch((err: unknown) => {
          stopAll()
          throw err
        }),
      )
      const results = await Promise.allSettled(runs)
      await connection.close().catch(() => undefined)
      const failed = results.find((r) => r.status === 'rejected')
      if (!failed) return { abandoned: false }
      // Past the force time the SDK gives up on the worker (GracefulShutdownPeriodExpiredError, or an
      // IllegalStateError while an activity still holds it): after our own shutdown that is the abandon case.
      if (requested) return { abandoned: true }
      throw failed.reason
    },
    shutdown,
  }
}
