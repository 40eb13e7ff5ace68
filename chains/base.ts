import { base as baseMainnet } from 'viem/chains'
import type { ChainMeta } from './types.ts'

/** Base (OP Stack): 2 s blocks from one sequencer, reached through a private endpoint. */
export const base: ChainMeta = {
  key: 'base',
  chain: baseMainnet,
  blockTimeSec: 2,
  finalityDepth: 10,
  rpcEnvVar: 'KEEL_RPC_BASE',
  submission: 'private',
  l1FeeModel: 'op-stack',
}
