import type { PublicClient } from 'viem'
import type { Submitter } from '../types.ts'

/**
 * Sends through a private endpoint (an L2 sequencer's own RPC, or a private-transaction service):
 * the transaction reaches the block producer without passing a public mempool. On the devnet the
 * L2 node itself is that endpoint.
 */
export function createPrivateRpcSubmitter(client: PublicClient): Submitter {
  return {
    manifest: {
      id: 'private-rpc',
      kind: 'submitter',
      chains: ['ethereum', 'arbitrum', 'base'],
      version: '1.0.0',
      description: 'eth_sendRawTransaction on a private or sequencer-direct endpoint: not visible in a public mempool',
    },
    async send({ raw }) {
      await client.sendRawTransaction({ serializedTransaction: raw })
    },
  }
}
