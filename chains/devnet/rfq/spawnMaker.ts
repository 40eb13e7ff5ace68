import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chainKeys, type DevnetManifest } from '../../types.ts'
import { devnetAccounts } from '../devnetClients.ts'
import { devnetDir } from '../manifest.ts'
import { serviceAnswers, spawnService } from '../serviceProcess.ts'
import { makerStartTimeoutMs, type RfqMakerSpec } from './constants.ts'
import type { RfqDeployment, RfqMakerEntry } from './deploy.ts'
import { type MakerProcessConfig, makerProcessConfigSchema } from './schemas.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))

/** Where a maker's process config and output live: next to the manifest. */
export const makerConfigPath = (stateDir: string, id: string): string => join(devnetDir(stateDir), `rfq-${id}.config.json`)
export const makerLogPath = (stateDir: string, id: string): string => join(devnetDir(stateDir), `rfq-${id}.log`)

/** A maker's process config on the devnet as recorded: every chain with SwapERC20, at its current RPC URL. */
export function makerConfigOf(p: { spec: RfqMakerSpec; manifest: DevnetManifest; rfq: RfqDeployment; port: number }): MakerProcessConfig {
  const chains = chainKeys.flatMap((key) => {
    const swap = p.rfq.chains[key]
    const c = p.manifest.chains[key]
    if (!swap) return []
    return [
      { key, chainId: c.chainId, rpcUrl: c.rpcUrl, swapContract: swap.swapErc20, usdc: c.contracts.usdc, feed: c.contracts.ethUsdFeed },
    ]
  })
  const { id, role, svi, spreadBps, skewBpsPerOption, validitySec } = p.spec
  return { id, role, port: p.port, chains, svi, spreadBps, skewBpsPerOption, validitySec }
}

/** The config a maker process was last started with, or null when there is none or it no longer reads. */
export function readMakerConfig(stateDir: string, id: string): MakerProcessConfig | null {
  try {
    return makerProcessConfigSchema.parse(JSON.parse(readFileSync(makerConfigPath(stateDir, id), 'utf8')))
  } catch {
    return null
  }
}

/**
 * Starts a maker as a detached process (its own process group, like the anvil nodes), on `port`
 * when given and free, else on a port the OS picks, and waits until it answers as itself.
 */
export async function spawnMaker(p: { config: MakerProcessConfig; stateDir: string }): Promise<RfqMakerEntry> {
  const id = p.config.id
  const { config, pid } = await spawnService({
    name: `RFQ maker ${id}`,
    mainPath,
    config: p.config,
    configPath: makerConfigPath(p.stateDir, id),
    logPath: makerLogPath(p.stateDir, id),
    startTimeoutMs: makerStartTimeoutMs,
  })
  return { id, url: `http://127.0.0.1:${config.port}/`, address: devnetAccounts()[config.role].address, pid }
}

/** Whether the maker process `pid` answers its health check at `url`. */
export const makerAnswers = serviceAnswers
