import { executeChild, patched } from '@temporalio/workflow'
import type { PreparedTx, SubmittedTx } from '../adapters/types.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'
import { type SettlementResult, settlementWorkflow } from './settlementWorkflow.ts'

export type SendOutcome =
  | { status: 'sent'; outcomes: SubmittedTx[] }
  | {
      /**
       * `failed`: a send failed for sure; whatever it signed and will not send was settled (cancelled).
       * `in-doubt`: a send exhausted its retries without a definite answer; `unsettled` holds the
       * transaction in doubt and those after it, so the caller blocks the chain until they are settled.
       */
      status: 'failed' | 'in-doubt'
      failureType: string
      reason: string
      outcomes: SubmittedTx[]
      unsettled?: PreparedTx[]
      settlement?: SettlementResult
    }

/**
 * Sends signed transactions in order, each once (a retried submit rebroadcasts the same bytes), and
 * leaves no nonce open behind a failure: the part of every saga between signing and reading what
 * happened. Shared by hedges and transfers so that both fail the same way.
 */
export async function sendPrepared(p: {
  prepared: readonly PreparedTx[]
  submit: Pick<ChainActivities, 'submitTx'>
  chain: ChainKey
  chainId: number
  idempotencyKey: string
  taskQueuePrefix: string
}): Promise<SendOutcome> {
  const outcomes: SubmittedTx[] = []
  for (const [i, tx] of p.prepared.entries()) {
    try {
      outcomes.push(await p.submit.submitTx({ prepared: tx }))
    } catch (err) {
      const { definite, ...failure } = describeFailure(err)
      const rest = p.prepared.slice(i)
      if (!definite) return { status: 'in-doubt', ...failure, outcomes, unsettled: rest }
      if (!patched('settle-unsent')) return { status: 'failed', ...failure, outcomes }
      // Signed nonces that will not be sent would leave a gap that stalls every later transaction.
      const settlement = await executeChild(settlementWorkflow, {
        workflowId: `${p.idempotencyKey}-settle`,
        args: [{ chain: p.chain, chainId: p.chainId, idempotencyKey: p.idempotencyKey, txs: rest, taskQueuePrefix: p.taskQueuePrefix }],
      })
      if (settlement.status !== 'settled') return { status: 'in-doubt', ...failure, outcomes, unsettled: rest, settlement }
      return { status: 'failed', ...failure, outcomes, settlement }
    }
  }
  return { status: 'sent', outcomes }
}
