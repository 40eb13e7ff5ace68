import type { PublicClient } from 'viem'
import type { Submitter } from '../types.ts'

/** Broadcasts through the chain's own RPC (`eth_sendRawTransaction`), i.e. the public mempool. */
export function createPublicSubmitter(client: PublicClient): Submitter {
  return {
    manifest: {
      id: 'public-mempool',
      kind: 'submitter',
      chains: ['ethereum', 'arbitrum', 'base'],
      version: '1.0.0',
      description: 'eth_sendRawTransaction on the chain RPC: visible to searchers, so for chains without a private route',
    },
    async send({ raw }) {
      await client.sendRawTransaction({ serializedTransaction: raw })
    },
  }
}
