import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { devnetAllowances, planRole } from '../../temporal/permissions.ts'
import { DevnetError } from '../errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../types.ts'
import { killProcessGroup, spawnAnvil } from './anvil.ts'
import { resumeBridgeServices } from './bridgeServices.ts'
import { devnetBridges } from './bridges.ts'
import { chainProfiles, defaultInitialEthPriceUsd, defaultSeed, defaultStateIntervalSec, feedDecimals, poolFee } from './constants.ts'
import { deployChain } from './deploy.ts'
import { createDevnetClients, type DevnetAccounts, type DevnetClients, devnetAccounts, devnetKeys } from './devnetClients.ts'
import { deployGamma } from './gamma/deploy.ts'
import { installL1FeeOracles } from './l1FeeOracles.ts'
import { findFreePort, isProcessAlive } from './localProcess.ts'
import {
  chainLogPath,
  chainStatePath,
  devnetDir,
  manifestPath,
  manifestPids,
  readManifest,
  removeChainState,
  removeManifest,
  writeManifest,
} from './manifest.ts'
import { defaultEthereumBlockMs } from './relay/constants.ts'
import { resumeRelay } from './relay/resumeRelay.ts'
import { startEthereumRelay } from './relay/startEthereumRelay.ts'
import { type RestartedChain, resumeDevnet } from './restartChain.ts'
import { deployRfq, rfqMakerPids } from './rfq/deploy.ts'
import { resumeRfqMakers } from './rfq/resumeRfqMakers.ts'
import { fundRfqMakers, spawnRfqMakers } from './rfq/startRfqMakers.ts'
import { deploySafeTreasuries, devnetRoleName, type PlanRoleCalls } from './treasurySafe.ts'

/** `.keel` in the project root (git-ignored): where `keel devnet up` keeps its manifest. */
export const defaultStateDir = fileURLToPath(new URL('../../.keel', import.meta.url))

export type Log = (line: string) => void

export type StartDevnetOptions = {
  stateDir: string
  /** Seconds between state dumps of each node (default 2). */
  stateIntervalSec?: number
  /** Interval mining in seconds on Arbitrum and Base; omitted or null means automine (a block per transaction). */
  blockTimeSec?: number | null
  /**
   * Milliseconds between the Ethereum blocks the devnet relay builds (Ethereum is mined only by
   * it once deployed); default `blockTimeSec` when set, else 500 ms (a 24× compressed 12 s slot).
   */
  ethereumBlockMs?: number
  seed?: number
  initialEthPriceUsd?: number
  log?: Log
  /**
   * Who holds the treasury: `safe` (default) a 2-of-3 Safe on every chain with keel's key a member
   * of a Zodiac Roles role (`manifest.safes`); `signer` keel's key itself, for venue tests that
   * trade from the signer's account.
   */
  treasury?: 'safe' | 'signer'
  /** With `treasury: 'safe'`: the Roles calls that give keel's role its permissions on a chain. */
  planRoleCalls?: PlanRoleCalls
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

/**
 * Starts fresh anvil nodes for ethereum, arbitrum and base (each with its own state file, so a
 * node can be restarted where it stopped), deploys everything and writes the manifest.
 */
export async function startDevnet(opts: StartDevnetOptions): Promise<DevnetManifest> {
  const log = opts.log ?? (() => {})
  const existing = readManifest(opts.stateDir)
  if (existing && manifestPids(existing).some(isProcessAlive)) {
    throw new DevnetError(`a devnet is already running for ${manifestPath(opts.stateDir)}`, {
      metaMessages: ['stop it first (keel devnet down)'],
    })
  }
  const blockTimeSec = opts.blockTimeSec ?? null
  const ethereumBlockMs = opts.ethereumBlockMs ?? (blockTimeSec !== null ? blockTimeSec * 1000 : defaultEthereumBlockMs)
  const seed = opts.seed ?? defaultSeed
  const initialEthPriceUsd = opts.initialEthPriceUsd ?? defaultInitialEthPriceUsd
  const initialPriceE8 = toPriceE8(initialEthPriceUsd)
  const accounts = devnetAccounts()
  const keys = devnetKeys()
  const ports = await distinctFreePorts(chainKeys.length)
  // A fresh chain: a state file left by an earlier devnet would be loaded by anvil.
  removeChainState(opts.stateDir)
  mkdirSync(devnetDir(opts.stateDir), { recursive: true })
  const stateIntervalSec = opts.stateIntervalSec ?? defaultStateIntervalSec
  const nodes: Partial<Record<ChainKey, { pid: number; rpcUrl: string }>> = {}
  const services: number[] = []
  try {
    await Promise.all(
      chainKeys.map(async (key, i) => {
        const profile = chainProfiles[key]
        const port = ports[i] ?? (await findFreePort())
        // Ethereum automines while deploying, then its relay builds every block (arrival order, bundles first).
        const builderMined = key === 'ethereum'
        nodes[key] = await spawnAnvil({
          chainId: profile.chainId,
          port,
          blockTimeSec: builderMined ? null : blockTimeSec,
          ...(builderMined ? { order: 'fifo' as const } : {}),
          baseFeeWei: profile.baseFeeWei,
          state: { path: chainStatePath(opts.stateDir, key), intervalSec: stateIntervalSec },
          logPath: chainLogPath(opts.stateDir, key),
        })
        log(`${key}: anvil pid ${nodes[key].pid} at ${nodes[key].rpcUrl} (chain id ${profile.chainId})`)
      }),
    )
    const entries = await Promise.all(
      chainKeys.map(async (key) => {
        const node = nodes[key]
        if (!node) throw new DevnetError(`${key} node missing`)
        const clients = createDevnetClients({ key, rpcUrl: node.rpcUrl })
        // Deploy with a block per transaction, then hand mining back to the interval if one is configured.
        if (blockTimeSec !== null && key !== 'ethereum') await clients.testClient.setAutomine(true)
        const deployed = await deployChain({ key, clients, accounts, initialPriceE8 })
        // A block per deploy transaction lets EIP-1559 decay the base fee; start the market at the chain's level.
        await clients.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: chainProfiles[key].baseFeeWei })
        if (blockTimeSec !== null && key !== 'ethereum') await clients.testClient.setIntervalMining({ interval: blockTimeSec })
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
    const l1 = await installL1FeeOracles({
      rpcUrls: { ethereum: chains.ethereum.rpcUrl, arbitrum: chains.arbitrum.rpcUrl, base: chains.base.rpcUrl },
    })
    log(
      `L1 fees: base GasPriceOracle at L1 base fee ${l1.base.l1BaseFeeWei} wei, arbitrum NodeInterface at ${l1.arbitrum.pricePerUnitWei} wei per unit`,
    )
    const manifest: DevnetManifest = {
      version: 1,
      params: { seed, blockTimeSec, initialEthPriceUsd },
      chains,
      devKeys: { deployer: keys.deployer, treasury: keys.treasury, arbitrageur: keys.arbitrageur },
    }
    const startBridgeServices = await deployBridges({ manifest, accounts, stateDir: opts.stateDir, log, started: services })
    const clients = Object.fromEntries(chainKeys.map((k) => [k, createDevnetClients({ key: k, rpcUrl: manifest.chains[k].rpcUrl })]))
    const venueCtx = { manifest, clients: clients as Record<ChainKey, DevnetClients>, accounts }
    const gamma = await deployGamma(venueCtx)
    const rfq = await deployRfq(venueCtx)
    log('options: Opyn Gamma and AirSwap SwapERC20 deployed on every chain')
    await fundRfqMakers({ ...venueCtx, rfq })
    // The venues are in the manifest before the Safes' roles are planned from it; the makers join once they run.
    manifest.options = { gamma, rfq: { ...rfq, makers: [] } }
    // The off-chain stand-ins take seconds each to load: they start side by side, and with the Safes' deployment.
    // Ethereum's relay takes over its blocks once the last deployment there (the Safes') is mined.
    const [makers] = await Promise.all([
      spawnRfqMakers({ manifest, rfq, stateDir: opts.stateDir, log, started: services }),
      deployTreasuries().then(async (safes) => {
        if (safes) {
          manifest.safes = safes
          log(`treasuries: Safe ${safes.chains.ethereum.safe} (2 of 3) on every chain, keel's key a member of its Roles role`)
        }
        manifest.relay = await startEthereumRelay({ manifest, stateDir: opts.stateDir, blockMs: ethereumBlockMs })
        services.push(manifest.relay.pid)
        log(`ethereum: automine off, relay pid ${manifest.relay.pid} at ${manifest.relay.url} builds a block every ${ethereumBlockMs} ms`)
      }),
      startBridgeServices(),
    ])
    manifest.options = { gamma, rfq: { ...rfq, makers } }
    writeManifest(opts.stateDir, manifest)
    return manifest

    async function deployTreasuries() {
      if ((opts.treasury ?? 'safe') !== 'safe') return undefined
      const ownerKeys = [keys.safeOwnerA, keys.safeOwnerB, keys.safeOwnerC]
      return deploySafeTreasuries({
        ...venueCtx,
        ownerKeys,
        threshold: 2,
        planRoleCalls:
          opts.planRoleCalls ??
          (({ chain, safe, roles, safes }) =>
            planRole({
              environment: fromManifest(manifest, { treasury: 'signer' }),
              chain,
              safes,
              rolesMod: roles,
              roleName: devnetRoleName,
              allowances: devnetAllowances({ chain, initialEthPriceUsd, safe }),
              current: { targets: [], allowances: [] },
            }).diff.calls),
      })
    }
  } catch (err) {
    await Promise.all([...Object.values(nodes).map((n) => n.pid), ...services].map((pid) => killProcessGroup(pid)))
    throw err
  }
}

/**
 * Stops the devnet recorded in `stateDir`: SIGTERM to each anvil's process group, so each dumps
 * its state on the way out. With `keepState` the manifest and state files stay (a later `up`
 * resumes the chains); without, they are removed and the next start is fresh.
 */
export async function stopDevnet(stateDir: string, opts: { keepState?: boolean } = {}): Promise<{ stoppedPids: number[] }> {
  const manifest = readManifest(stateDir)
  if (!manifest) {
    if (!opts.keepState) removeChainState(stateDir)
    return { stoppedPids: [] }
  }
  // The builder first: it must not mine while the nodes write their state.
  const relayPid = manifest.relay && isProcessAlive(manifest.relay.pid) ? [manifest.relay.pid] : []
  await Promise.all(relayPid.map((pid) => killProcessGroup(pid)))
  const pids = [...manifestPids(manifest), ...bridgeServicePids(manifest), ...rfqMakerPids(manifest)].filter(isProcessAlive)
  await Promise.all(pids.map((pid) => killProcessGroup(pid, anvilDumpTimeoutMs)))
  if (!opts.keepState) {
    removeManifest(stateDir)
    removeChainState(stateDir)
  }
  return { stoppedPids: [...relayPid, ...pids] }
}

/** Deploys every devnet bridge and starts its stand-ins; their pids go into `started` as they start. */
async function deployBridges(p: {
  manifest: DevnetManifest
  accounts: DevnetAccounts
  stateDir: string
  log: Log
  started: number[]
}): Promise<() => Promise<void>> {
  if (devnetBridges.length === 0) return async () => {}
  const clients = Object.fromEntries(
    chainKeys.map((k) => [k, createDevnetClients({ key: k, rpcUrl: p.manifest.chains[k].rpcUrl })]),
  ) as Record<ChainKey, DevnetClients>
  const ctx = { manifest: p.manifest, clients, accounts: p.accounts, stateDir: p.stateDir, log: p.log }
  p.manifest.bridges = {}
  // Deployed one after the other (the deployer's nonces fix the addresses), their stand-ins started side by side.
  const sections: Record<string, unknown>[] = []
  for (const bridge of devnetBridges) {
    const section = await bridge.deploy(ctx)
    sections.push(section)
    p.manifest.bridges[bridge.id] = { ...section, services: [] }
  }
  return async () => {
    await Promise.all(
      devnetBridges.map(async (bridge, i) => {
        const section = sections[i]!
        const pids = await bridge.startServices({ ...ctx, section } as Parameters<typeof bridge.startServices>[0])
        p.started.push(...pids)
        p.manifest.bridges![bridge.id] = { ...section, services: pids }
        p.log(`${bridge.id}: deployed on every chain, ${pids.length} stand-in process(es) started`)
      }),
    )
  }
}

/** Pids of the bridges' off-chain stand-ins recorded in a manifest. */
const bridgeServicePids = (manifest: DevnetManifest): number[] => Object.values(manifest.bridges ?? {}).flatMap((b) => b?.services ?? [])

/** Time a SIGTERMed anvil gets to write its state before it is killed. */
const anvilDumpTimeoutMs = 10_000

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

export type DevnetUpResult = {
  /** started: a fresh devnet; resumed: dead chains restarted from their state; already-running: nothing to do. */
  status: 'started' | 'resumed' | 'already-running'
  manifest: DevnetManifest
  manifestPath: string
  restarted: RestartedChain[]
  elapsedMs: number
}

/**
 * `keel devnet up`: with a devnet recorded, restarts its dead chains from their state (or reports
 * it already running); with none, or with `fresh`, stops what is recorded, forgets its state and
 * starts anew.
 */
export async function devnetUp(opts: Partial<StartDevnetOptions> & { log: Log; fresh?: boolean }): Promise<DevnetUpResult> {
  const stateDir = opts.stateDir ?? defaultStateDir
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const recorded = readManifest(stateDir)
  if (recorded && !opts.fresh) {
    const { restarted } = await resumeDevnet({ stateDir, log: opts.log })
    const services = [
      ...(await resumeBridgeServices({ stateDir, log: opts.log })),
      ...(await resumeRfqMakers({ stateDir, log: opts.log })),
      ...((await resumeRelay({ stateDir, log: opts.log })) ? ['relay'] : []),
    ]
    const manifest = readManifest(stateDir) ?? recorded
    if (restarted.length === 0 && services.length === 0) {
      opts.log(`devnet already running (${manifestPath(stateDir)}); keel devnet up --fresh starts anew`)
      return { status: 'already-running', manifest, manifestPath: manifestPath(stateDir), restarted, elapsedMs: elapsed() }
    }
    const what = [
      ...(restarted.length ? [`${restarted.map((r) => r.chain).join(', ')} restarted from state`] : []),
      ...(services.length ? [`${services.join(', ')} stand-ins started again`] : []),
    ]
    opts.log(`devnet resumed in ${(elapsed() / 1000).toFixed(1)} s: ${what.join('; ')}`)
    return { status: 'resumed', manifest, manifestPath: manifestPath(stateDir), restarted, elapsedMs: elapsed() }
  }
  if (recorded) {
    const { stoppedPids } = await stopDevnet(stateDir)
    opts.log(`fresh devnet: stopped ${stoppedPids.length} node(s) and removed the old state`)
  }
  opts.log(`starting devnet (ethereum, arbitrum, base) in ${stateDir}`)
  const manifest = await startDevnet({ ...opts, stateDir })
  opts.log(`devnet up in ${(elapsed() / 1000).toFixed(1)} s; manifest at ${manifestPath(stateDir)}`)
  return { status: 'started', manifest, manifestPath: manifestPath(stateDir), restarted: [], elapsedMs: elapsed() }
}

/** `keel devnet down`: stops the nodes gracefully (each dumps its state) and keeps the state, so `up` resumes. */
export async function devnetDown(opts: { stateDir?: string; log: Log }): Promise<{ stoppedPids: number[] }> {
  const stateDir = opts.stateDir ?? defaultStateDir
  const result = await stopDevnet(stateDir, { keepState: true })
  opts.log(
    result.stoppedPids.length
      ? `stopped anvil pids ${result.stoppedPids.join(', ')}; state kept (keel devnet up resumes, keel devnet reset forgets it)`
      : readManifest(stateDir)
        ? 'no devnet node was running'
        : `no devnet recorded in ${stateDir}`,
  )
  return result
}

/** `keel devnet reset`: stops the nodes and removes the manifest and every chain's state. */
export async function devnetReset(opts: { stateDir?: string; log: Log }): Promise<{ stoppedPids: number[] }> {
  const stateDir = opts.stateDir ?? defaultStateDir
  const result = await stopDevnet(stateDir)
  opts.log(
    `${result.stoppedPids.length ? `stopped anvil pids ${result.stoppedPids.join(', ')}; ` : ''}removed the devnet manifest and state in ${devnetDir(stateDir)}`,
  )
  return result
}
