import type { ChainKey, DevnetManifest } from '../types.ts'
import { acrossDevnetBridge } from './across/index.ts'
import type { DevnetAccounts, DevnetClients } from './devnetClients.ts'
import { layerZeroDevnetBridge } from './layerzero/index.ts'

/** What a bridge's devnet part gets: the deployed chains, their clients and the role accounts. */
export type DevnetBridgeContext = {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
  stateDir: string
  log: (line: string) => void
}

/** A bridge's section of the devnet manifest: its own JSON, plus the pids of its off-chain stand-ins. */
export type DevnetBridgeSection = { services: number[] } & Record<string, unknown>

/**
 * One bridge on the devnet: its real contracts on every chain, and the local stand-ins of what
 * runs off-chain in production (LayerZero's verifiers and executor, Across's relayers), started as
 * detached processes so that they outlive `keel devnet up` like the anvil nodes do.
 */
export type DevnetBridge = {
  id: 'layerzero' | 'across'
  /** Deploys and wires the bridge on every chain; returns its manifest section without services. */
  deploy(ctx: DevnetBridgeContext): Promise<Record<string, unknown>>
  /** Starts the stand-ins for a deployed section; returns their pids (process-group leaders). */
  startServices(ctx: DevnetBridgeContext & { section: Record<string, unknown> }): Promise<number[]>
}

/** The bridges every devnet gets, in deployment order. */
export const devnetBridges: readonly DevnetBridge[] = [layerZeroDevnetBridge, acrossDevnetBridge]
