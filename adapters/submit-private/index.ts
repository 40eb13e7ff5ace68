import type { PublicClient } from 'viem'
import { createPublicSubmitter } from '../submit-public/index.ts'
import type { Submitter } from '../types.ts'

/**
 * Sends through a private endpoint (an L2 sequencer's own RPC, or a private-transaction service):
 * the same `eth_sendRawTransaction` as the public route, to a client of that endpoint, so the
 * transaction reaches the block producer without passing a public mempool. On the devnet the L2
 * node itself is that endpoint.
 */
export function createPrivateRpcSubmitter(client: PublicClient): Submitter {
  return {
    ...createPublicSubmitter(client),
    manifest: {
      id: 'private-rpc',
      kind: 'submitter',
      chains: ['ethereum', 'arbitrum', 'base'],
      version: '1.0.0',
      description: 'eth_sendRawTransaction on a private or sequencer-direct endpoint: not visible in a public mempool',
    },
  }
}
