import { mainnet } from 'viem/chains'
import type { ChainMeta } from './types.ts'

/** Ethereum mainnet: 12 s slots; transactions go out as bundles to keep them out of the public mempool. */
export const ethereum: ChainMeta = {
  key: 'ethereum',
  chain: mainnet,
  blockTimeSec: 12,
  // Two epochs (64 slots) is when a block is finalized by Casper FFG.
  finalityDepth: 64,
  rpcEnvVar: 'KEEL_RPC_ETHEREUM',
  submission: 'bundle',
  l1FeeModel: 'none',
}
