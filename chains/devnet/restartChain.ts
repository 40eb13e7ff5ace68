import { existsSync } from 'node:fs'
import { DevnetError } from '../errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../types.ts'
import { anvilRpc, killProcessGroup, spawnAnvil } from './anvil.ts'
import { chainProfiles, defaultStateIntervalSec } from './constants.ts'
import { findFreePort, isPortFree, isProcessAlive } from './localProcess.ts'
import { chainLogPath, chainStatePath, manifestPath, readManifest, writeManifest } from './manifest.ts'
import { resumeRelay } from './relay/resumeRelay.ts'

type Log = (line: string) => void

/** One chain brought back from its state file. */
export type RestartedChain = {
  chain: ChainKey
  pid: number
  rpcUrl: string
  /** The URL it had before when the old port was taken and it moved; undefined when it kept its URL. */
  movedFrom: string | undefined
  /** Latest block right after the restart: what the state file held. */
  blockNumber: bigint
}

/**
 * Restarts one devnet chain from its state file: stops the node if it still runs (SIGTERM, so it
 * dumps first), starts anvil on the same port when that is free (every client's URL stays valid),
 * else on a new port, and records the new pid and URL in the manifest.
 */
export async function restartChain(p: {
  stateDir: string
  chain: ChainKey
  stateIntervalSec?: number
  log?: Log
}): Promise<RestartedChain> {
  const log = p.log ?? (() => {})
  const manifest = readManifest(p.stateDir)
  if (!manifest) throw new DevnetError(`no devnet recorded in ${manifestPath(p.stateDir)}`, { metaMessages: ['start one: keel devnet up'] })
  const entry = manifest.chains[p.chain]
  if (isProcessAlive(entry.pid)) {
    log(`${p.chain}: stopping anvil pid ${entry.pid} (it writes its state on the way out)`)
    await killProcessGroup(entry.pid, 10_000)
  }
  const statePath = chainStatePath(p.stateDir, p.chain)
  if (!existsSync(statePath)) {
    throw new DevnetError(`no state file for ${p.chain} at ${statePath}`, {
      metaMessages: ['this devnet was started without state files; keel devnet up --fresh starts a new one'],
    })
  }
  const oldPort = Number(new URL(entry.rpcUrl).port)
  const node = await spawnOnFreePort({ ...p, entry, manifest, statePath, preferredPort: oldPort })
  try {
    const chainId = Number(BigInt(await anvilRpc<string>({ rpcUrl: node.rpcUrl, method: 'eth_chainId' })))
    if (chainId !== entry.chainId) throw new DevnetError(`${p.chain} came back with chain id ${chainId}, expected ${entry.chainId}`)
    const blockNumber = await alignClock(node.rpcUrl)
    // A restarted node automines; on a builder-mined chain the relay keeps mining it.
    const builderMined = p.chain === 'ethereum' && manifest.relay !== undefined
    if (builderMined) await anvilRpc({ rpcUrl: node.rpcUrl, method: 'evm_setAutomine', params: [false] })
    // Re-read: another chain may have been restarted meanwhile; only this chain's entry changes.
    const latest = readManifest(p.stateDir) ?? manifest
    writeManifest(p.stateDir, {
      ...latest,
      chains: { ...latest.chains, [p.chain]: { ...latest.chains[p.chain], pid: node.pid, rpcUrl: node.rpcUrl } },
    })
    if (builderMined) await resumeRelay({ stateDir: p.stateDir, log })
    const movedFrom = node.rpcUrl === entry.rpcUrl ? undefined : entry.rpcUrl
    log(
      `${p.chain}: anvil pid ${node.pid} at ${node.rpcUrl}${movedFrom ? ` (port ${oldPort} was taken; manifest updated)` : ''}, block ${blockNumber} from its state`,
    )
    return { chain: p.chain, pid: node.pid, rpcUrl: node.rpcUrl, movedFrom, blockNumber }
  } catch (err) {
    await killProcessGroup(node.pid)
    throw err
  }
}

/** Restarts every chain of the recorded devnet whose node is not running; leaves running ones alone. */
export async function resumeDevnet(p: { stateDir: string; log?: Log }): Promise<{ restarted: RestartedChain[]; manifest: DevnetManifest }> {
  const manifest = readManifest(p.stateDir)
  if (!manifest) throw new DevnetError(`no devnet recorded in ${manifestPath(p.stateDir)}`, { metaMessages: ['start one: keel devnet up'] })
  const dead = chainKeys.filter((c) => !isProcessAlive(manifest.chains[c].pid))
  const restarted: RestartedChain[] = []
  // One at a time: each rewrites the manifest.
  for (const chain of dead) restarted.push(await restartChain({ stateDir: p.stateDir, chain, ...(p.log ? { log: p.log } : {}) }))
  return { restarted, manifest: readManifest(p.stateDir) ?? manifest }
}

async function spawnOnFreePort(p: {
  stateDir: string
  chain: ChainKey
  entry: DevnetManifest['chains'][ChainKey]
  manifest: DevnetManifest
  statePath: string
  preferredPort: number
  stateIntervalSec?: number
}) {
  const builderMined = p.chain === 'ethereum' && p.manifest.relay !== undefined
  const options = {
    chainId: p.entry.chainId,
    blockTimeSec: builderMined ? null : p.manifest.params.blockTimeSec,
    ...(builderMined ? { order: 'fifo' as const } : {}),
    baseFeeWei: chainProfiles[p.chain].baseFeeWei,
    state: { path: p.statePath, intervalSec: p.stateIntervalSec ?? defaultStateIntervalSec },
    logPath: chainLogPath(p.stateDir, p.chain),
  }
  if (await isPortFree(p.preferredPort)) {
    try {
      return await spawnAnvil({ ...options, port: p.preferredPort })
    } catch {
      // Taken between the check and the bind: fall through to a new port.
    }
  }
  return spawnAnvil({ ...options, port: await findFreePort() })
}

/**
 * anvil restores blocks but not its clock offset: a chain whose time was moved ahead (the market
 * simulator does) would otherwise mine its next block earlier than its last one.
 */
async function alignClock(rpcUrl: string): Promise<bigint> {
  const block = await anvilRpc<{ number: string; timestamp: string }>({ rpcUrl, method: 'eth_getBlockByNumber', params: ['latest', false] })
  const latestSec = BigInt(block.timestamp)
  const nowSec = BigInt(Math.floor(Date.now() / 1000))
  if (latestSec >= nowSec) await anvilRpc({ rpcUrl, method: 'evm_setTime', params: [Number(latestSec + 1n)] })
  return BigInt(block.number)
}
