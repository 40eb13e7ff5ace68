import { executeChild, patched, proxyActivities } from '@temporalio/workflow'
import type { PreparedTx, SubmittedTx } from '../adapters/types.ts'
import type { SubmitRoute } from '../agent/execution/routes.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
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
  /** Where the transactions go (from the mandate); absent: each through the chain's public RPC. */
  route?: SubmitRoute | undefined
}): Promise<SendOutcome> {
  const route = p.route
  if (route?.kind === 'flashbots') return sendBundle({ ...p, route })
  const outcomes: SubmittedTx[] = []
  for (const [i, tx] of p.prepared.entries()) {
    try {
      outcomes.push(await p.submit.submitTx(route ? { prepared: tx, route } : { prepared: tx }))
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

/**
 * The whole batch as one bundle (approve + swap, mint + sell land together or not at all). A
 * definite failure means nothing of it was mined, so every nonce it holds is settled; a send in
 * doubt leaves all of them unsettled for the chain's block.
 */
async function sendBundle(p: {
  prepared: readonly PreparedTx[]
  chain: ChainKey
  chainId: number
  idempotencyKey: string
  taskQueuePrefix: string
  route: Extract<SubmitRoute, { kind: 'flashbots' }>
}): Promise<SendOutcome> {
  const { submitBundle } = proxyActivities<Pick<ChainActivities, 'submitBundle'>>({
    taskQueue: chainTaskQueue(p.chainId, p.taskQueuePrefix),
    // One attempt per block until the deadline, then possibly a public send that may be re-priced.
    startToCloseTimeout: '15m',
    heartbeatTimeout: '20s',
    retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
  })
  try {
    return { status: 'sent', outcomes: await submitBundle({ prepared: [...p.prepared], route: p.route }) }
  } catch (err) {
    const { definite, ...failure } = describeFailure(err)
    const rest = [...p.prepared]
    if (!definite) return { status: 'in-doubt', ...failure, outcomes: [], unsettled: rest }
    const settlement = await executeChild(settlementWorkflow, {
      workflowId: `${p.idempotencyKey}-settle`,
      args: [{ chain: p.chain, chainId: p.chainId, idempotencyKey: p.idempotencyKey, txs: rest, taskQueuePrefix: p.taskQueuePrefix }],
    })
    if (settlement.status !== 'settled') return { status: 'in-doubt', ...failure, outcomes: [], unsettled: rest, settlement }
    return { status: 'failed', ...failure, outcomes: [], settlement }
  }
}
