import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { BridgeAsset, PendingTransfer } from '../types.ts'
import { type AcrossV3Deps, chainByChainId, findChainContext } from './chainContext.ts'
import { readDeposits } from './deposits.ts'
import { InconsistentStateError } from './errors.ts'
import { observe } from './observe.ts'
import { bridgeId } from './quote.ts'
import { findRefund, isRefundable } from './refunds.ts'
import { fromBytes32, toBytes32 } from './relayData.ts'
import { formatTransferId, mapStatus } from './status.ts'

/**
 * Every deposit of `sender` made since `fromBlocks[chain]` that is neither delivered nor refunded,
 * repeated deposits of one id included (each is money in flight). A deposit keel cannot place
 * (a token or destination it does not know) is an error: it fails closed rather than omit it.
 */
export async function getPending(
  deps: AcrossV3Deps,
  p: { sender: Address; fromBlocks: Partial<Record<ChainKey, bigint>> },
): Promise<PendingTransfer[]> {
  const out: PendingTransfer[] = []
  const chunk = deps.logChunkBlocks ? { chunkBlocks: deps.logChunkBlocks } : {}
  for (const [chain, fromBlock] of Object.entries(p.fromBlocks) as [ChainKey, bigint][]) {
    const origin = findChainContext(deps, chain)
    if (!origin) continue
    // From the spoke pool's first block: refunds are matched against all of the sender's deposits.
    const all = await readDeposits({ origin, filter: { depositor: toBytes32(p.sender) }, fromBlock: origin.config.fromBlock, ...chunk })
    for (const [i, deposit] of all.entries()) {
      if (deposit.blockNumber < fromBlock) continue
      const earlier = all
        .slice(0, i)
        .filter((e) => e.relayData.depositId === deposit.relayData.depositId && e.destinationChainId === deposit.destinationChainId)
      const observed = await observe({ deps, deposit, earlier })
      const refund = isRefundable(observed) ? await findRefund({ deps, origin, target: deposit, depositorDeposits: all }) : undefined
      const { state } = mapStatus({ ...observed, ...(refund ? { refund } : {}) })
      if (state === 'delivered' || state === 'refunded') continue
      const to = chainByChainId(deps, deposit.destinationChainId)
      const asset = assetOf(origin.config.tokens, fromBytes32(deposit.relayData.inputToken))
      if (!to || !asset)
        throw new InconsistentStateError({
          reason: `deposit ${deposit.txHash} of ${p.sender} on ${chain} is to a chain or of a token keel does not know`,
        })
      out.push({
        bridge: bridgeId,
        transferId: formatTransferId({ depositId: deposit.relayData.depositId, repeat: earlier.length }),
        asset,
        from: chain,
        to: to.chain,
        amount: deposit.relayData.inputAmount,
        originTxHash: deposit.txHash,
        state,
        deadlineSec: BigInt(deposit.relayData.fillDeadline),
      })
    }
  }
  return out
}

function assetOf(tokens: Record<BridgeAsset, Address>, token: Address): BridgeAsset | undefined {
  return (Object.keys(tokens) as BridgeAsset[]).find((a) => tokens[a].toLowerCase() === token.toLowerCase())
}
