import { fileURLToPath } from 'node:url'
import { DevnetError } from '../errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../types.ts'
import { killProcessGroup, spawnAnvil } from './anvil.ts'
import { chainProfiles, defaultInitialEthPriceUsd, defaultSeed, feedDecimals, poolFee } from './constants.ts'
import { deployChain } from './deploy.ts'
import { createDevnetClients, devnetAccounts, devnetKeys } from './devnetClients.ts'
import { findFreePort, isProcessAlive } from './localProcess.ts'
import { manifestPath, manifestPids, readManifest, removeManifest, writeManifest } from './manifest.ts'

/** `.keel` in the project root (git-ignored): where `keel devnet up` keeps its manifest. */
export const defaultStateDir = fileURLToPath(new URL('../../.keel', import.meta.url))

export type Log = (line: string) => void

export type StartDevnetOptions = {
  stateDir: string
  /** Interval mining in seconds; omitted or null means automine (a block per transaction). */
  blockTimeSec?: number | null
  seed?: number
  initialEthPriceUsd?: number
  log?: Log
}

/** The ETH price in feed units; the configured price is a human number, the chain gets an integer. */
export function toPriceE8(priceUsd: number): bigint {
  if (!Number.isFinite(priceUsd) || priceUsd <= 0) throw new DevnetError(`invalid ETH price ${priceUsd}`)
  return BigInt(Math.round(priceUsd * 10 ** feedDecimals))
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < n) ports.add(await findFreePort())
  return [...ports]
}

/** Starts anvil for ethereum, arbitrum and base, deploys everything and writes `<stateDir>/devnet/manifest.json`. */
export async function startDevnet(opts: StartDevnetOptions): Promise<DevnetManifest> {
  const log = opts.log ?? (() => {})
  const existing = readManifest(opts.stateDir)
  if (existing && manifestPids(existing).some(isProcessAlive)) {
    throw new DevnetError(`a devnet is already running for ${manifestPath(opts.stateDir)}`, {
      metaMessages: ['stop it first (keel devnet down)'],
    })
  }
  const blockTimeSec = opts.blockTimeSec ?? null
  const seed = opts.seed ?? defaultSeed
  const initialEthPriceUsd = opts.initialEthPriceUsd ?? defaultInitialEthPriceUsd
  const initialPriceE8 = toPriceE8(initialEthPriceUsd)
  const accounts = devnetAccounts()
  const keys = devnetKeys()
  const ports = await distinctFreePorts(chainKeys.length)
  const nodes: Partial<Record<ChainKey, { pid: number; rpcUrl: string }>> = {}
  try {
    await Promise.all(
      chainKeys.map(async (key, i) => {
        const profile = chainProfiles[key]
        const port = ports[i] ?? (await findFreePort())
        nodes[key] = await spawnAnvil({ chainId: profile.chainId, port, blockTimeSec, baseFeeWei: profile.baseFeeWei })
        log(`${key}: anvil pid ${nodes[key].pid} at ${nodes[key].rpcUrl} (chain id ${profile.chainId})`)
      }),
    )
    const entries = await Promise.all(
      chainKeys.map(async (key) => {
        const node = nodes[key]
        if (!node) throw new DevnetError(`${key} node missing`)
        const clients = createDevnetClients({ key, rpcUrl: node.rpcUrl })
        // Deploy with a block per transaction, then hand mining back to the interval if one is configured.
        if (blockTimeSec !== null) await clients.testClient.setAutomine(true)
        const deployed = await deployChain({ key, clients, accounts, initialPriceE8 })
        // A block per deploy transaction lets EIP-1559 decay the base fee; start the market at the chain's level.
        await clients.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: chainProfiles[key].baseFeeWei })
        if (blockTimeSec !== null) await clients.testClient.setIntervalMining({ interval: blockTimeSec })
        log(`${key}: contracts deployed, pool ${deployed.contracts.wethUsdcPool} seeded`)
        const entry: DevnetManifest['chains'][ChainKey] = {
          chainId: chainProfiles[key].chainId,
          rpcUrl: node.rpcUrl,
          pid: node.pid,
          contracts: deployed.contracts,
          poolFee,
          accounts: { deployer: accounts.deployer.address, treasury: accounts.treasury.address, arbitrageur: accounts.arbitrageur.address },
          treasuryLpTokenIds: deployed.treasuryLpTokenIds,
        }
        return [key, entry] as const
      }),
    )
    const chains = Object.fromEntries(entries) as DevnetManifest['chains']
    const manifest: DevnetManifest = {
      version: 1,
      params: { seed, blockTimeSec, initialEthPriceUsd },
      chains,
      devKeys: { deployer: keys.deployer, treasury: keys.treasury, arbitrageur: keys.arbitrageur },
    }
    writeManifest(opts.stateDir, manifest)
    return manifest
  } catch (err) {
    await Promise.all(Object.values(nodes).map((n) => killProcessGroup(n.pid)))
    throw err
  }
}

/** Stops the devnet recorded in `stateDir` (kills each anvil's process group) and removes its manifest. */
export async function stopDevnet(stateDir: string): Promise<{ stoppedPids: number[] }> {
  const manifest = readManifest(stateDir)
  if (!manifest) return { stoppedPids: [] }
  const pids = manifestPids(manifest)
  await Promise.all(pids.map((pid) => killProcessGroup(pid)))
  removeManifest(stateDir)
  return { stoppedPids: pids }
}

/** Test helper: starts a devnet and returns its manifest with a `stop` that is safe to call twice. */
export async function withDevnet(opts: StartDevnetOptions): Promise<{ manifest: DevnetManifest; stop: () => Promise<void> }> {
  const manifest = await startDevnet(opts)
  let stopped = false
  return {
    manifest,
    async stop() {
      if (stopped) return
      stopped = true
      await stopDevnet(opts.stateDir)
    },
  }
}

/** `keel devnet up`: starts and deploys, reporting progress through `log`; returns the manifest and how long it took. */
export async function devnetUp(opts: Partial<StartDevnetOptions> & { log: Log }): Promise<{
  manifest: DevnetManifest
  manifestPath: string
  elapsedMs: number
}> {
  const stateDir = opts.stateDir ?? defaultStateDir
  const started = performance.now()
  opts.log(`starting devnet (ethereum, arbitrum, base) in ${stateDir}`)
  const manifest = await startDevnet({ ...opts, stateDir })
  const elapsedMs = Math.round(performance.now() - started)
  opts.log(`devnet up in ${(elapsedMs / 1000).toFixed(1)} s; manifest at ${manifestPath(stateDir)}`)
  return { manifest, manifestPath: manifestPath(stateDir), elapsedMs }
}

/** `keel devnet down`: kills the anvil nodes recorded in the manifest and removes it. */
export async function devnetDown(opts: { stateDir?: string; log: Log }): Promise<{ stoppedPids: number[] }> {
  const stateDir = opts.stateDir ?? defaultStateDir
  const result = await stopDevnet(stateDir)
  opts.log(result.stoppedPids.length ? `stopped anvil pids ${result.stoppedPids.join(', ')}` : `no devnet recorded in ${stateDir}`)
  return result
}
