import { arbitrum as arbitrumOne } from 'viem/chains'
import type { ChainMeta } from './types.ts'

/** Arbitrum One: a single sequencer, so submission goes privately to it rather than as a bundle. */
export const arbitrum: ChainMeta = {
  key: 'arbitrum',
  chain: arbitrumOne,
  blockTimeSec: 0.25,
  // Sequencer blocks are soft-final at once; depth guards against short reorgs of the feed.
  finalityDepth: 20,
  rpcEnvVar: 'KEEL_RPC_ARBITRUM',
  submission: 'private',
  l1FeeModel: 'arbitrum-nitro',
}
