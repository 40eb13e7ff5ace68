import { proxyActivities } from '@temporalio/workflow'
import type { PreparedTx, SubmittedTx } from '../adapters/types.ts'

export type { SettlementResult } from '../agent/execution/settlement.ts'

import { planSettlement, type SettledTx, type SettlementResult, settledFates, type UnsettledTx } from '../agent/execution/settlement.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'

// A settlement runs when a chain may be unhealthy: a few quick attempts, then report, never a long stall.
const chainActivities = (chainId: number, prefix: string) =>
  proxyActivities<Pick<ChainActivities, 'readNonceState' | 'prepareCancels' | 'resyncNonces' | 'submitTx' | 'readSwapOutcome'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '90s',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '5s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
  })

export type SettlementInput = {
  chain: ChainKey
  chainId: number
  /** Made by the caller; the cancels' keys derive from it, so a retried settlement signs no new work. */
  idempotencyKey: string
  /** Signed transactions whose fate is unknown or which will not be sent; may be empty (then only gaps are settled). */
  txs: PreparedTx[]
  taskQueuePrefix: string
  /** A swap among `txs`: when it turns out mined, what it paid `recipient` in `tokenOut` is read too. */
  swap?: { hash: `0x${string}`; tokenOut: `0x${string}`; recipient: `0x${string}` }
}

/**
 * Brings a signer's nonces on one chain to a known state: reads which of `txs` landed, cancels
 * every nonce still open up to the highest of them (gaps included), waits for the cancels, reads
 * again, and lets the executor start from the chain's count. Nothing here moves value: cancels are
 * zero-value transfers to self. Ends `unsettled` when the chain does not answer; the caller keeps
 * the chain blocked and may run it again.
 */
export async function settlementWorkflow(input: SettlementInput): Promise<SettlementResult> {
  const acts = chainActivities(input.chainId, input.taskQueuePrefix)
  const txs: UnsettledTx[] = input.txs.map((t) => ({
    nonce: t.nonce,
    hash: t.hash,
    maxFeePerGas: t.maxFeePerGas,
    maxPriorityFeePerGas: t.maxPriorityFeePerGas,
    description: t.description,
  }))
  const hashes = txs.map((t) => t.hash)
  try {
    const before = await acts.readNonceState({ chain: input.chain, hashes })
    const plan = planSettlement({ txs, latestNonce: before.latestNonce, receipts: outcomes(before.receipts) })
    const prepared = plan.cancels.length
      ? await acts.prepareCancels({ chain: input.chain, idempotencyKey: `${input.idempotencyKey}-cancel`, cancels: plan.cancels })
      : []
    const cancels: SubmittedTx[] = []
    for (const tx of prepared) {
      try {
        cancels.push(await acts.submitTx({ prepared: tx }))
      } catch (err) {
        // The original (or another transaction) took the nonce first: settled either way.
        if (describeFailure(err).failureType !== 'Executor.NonceConsumedError') throw err
      }
    }
    const after = await acts.readNonceState({ chain: input.chain, hashes })
    const final = settledFates({ txs, latestNonce: after.latestNonce, receipts: outcomes(after.receipts) })
    if (!final.settled) {
      const open = final.fates.filter((f) => f.fate === 'open').map((f) => f.nonce)
      return { status: 'unsettled', failureType: 'Keel.UnsettledNonceError', reason: `nonces ${open.join(', ')} are still open` }
    }
    await acts.resyncNonces({ chain: input.chain })
    const swap = input.swap
    const swapMined = swap && after.receipts[swap.hash]?.status === 'success'
    const swapAmountOut = swapMined
      ? (await acts.readSwapOutcome({ chain: input.chain, hash: swap.hash, tokenOut: swap.tokenOut, recipient: swap.recipient })).amountOut
      : undefined
    return {
      status: 'settled',
      txs: final.fates as SettledTx[],
      landed: Object.values(after.receipts).filter((r): r is SubmittedTx => r !== null),
      cancels,
      ...(swapAmountOut === undefined ? {} : { swapAmountOut }),
    }
  } catch (err) {
    const { failureType, reason } = describeFailure(err)
    return { status: 'unsettled', failureType, reason }
  }
}

function outcomes(receipts: Record<string, SubmittedTx | null>): Record<string, 'success' | 'reverted' | null> {
  return Object.fromEntries(Object.entries(receipts).map(([h, r]) => [h, r ? r.status : null]))
}
