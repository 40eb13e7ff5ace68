import type { PublicClient } from 'viem'
import type { BridgeAdapter } from '../adapters/types.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'

/**
 * The bridges a worker can use, built from its chain environment: on the devnet, from the
 * manifest's bridge sections; on live chains, from the bridge addresses of the contracts file.
 * Each bridge adapter builds itself from its own section.
 */
export function createBridgeAdapters(_p: {
  environment: ChainEnvironment
  clients: Partial<Record<ChainKey, PublicClient>>
}): BridgeAdapter[] {
  return []
}
