import { ApplicationFailure, proxyActivities } from '@temporalio/workflow'
import type { PreparedTx } from '../adapters/types.ts'
import type { SubmitRoute } from '../agent/execution/routes.ts'
import { type SubmissionSummary, summarizeSubmission } from '../agent/execution/submission.ts'
import type { HedgeDirection } from '../agent/policy/bandPolicy.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities, QuoteJson } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'
import { sendPrepared } from './sendPrepared.ts'
import type { SettlementResult } from './settlementWorkflow.ts'

// The activity boundary marks failures no retry can fix as non-retryable (from the error's own
// `retryable`); this list only adds input errors raised before any I/O.
const NON_RETRYABLE = ['Keel.InvalidInputError']

/** Attempts of one send before it ends in doubt; the default waits about three minutes in all. */
const DEFAULT_SUBMIT_ATTEMPTS = 20

const chainActivities = (chainId: number, prefix: string, submitAttempts: number) => ({
  prepare: proxyActivities<Pick<ChainActivities, 'prepareSwap'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '60s',
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
  // Waiting for a receipt heartbeats, so a dead worker is noticed in seconds, not minutes.
  submit: proxyActivities<Pick<ChainActivities, 'submitTx' | 'readSwapOutcome'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '180s',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: submitAttempts, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
})

export type RebalanceInput = {
  portfolio: string
  /** Made by the portfolio workflow; the same key on every retry, so a swap is sent once. */
  idempotencyKey: string
  chain: ChainKey
  chainId: number
  direction: HedgeDirection
  treasury: `0x${string}`
  quote: Extract<QuoteJson, { status: 'ok' }>
  slippageBps: number
  deadlineSec: string
  taskQueuePrefix: string
  /** Attempts of each send before it ends in doubt (default 20). */
  submitAttempts?: number
  /** Where each chain's transactions go (agent/execution/routes.ts); absent: the public RPC. */
  routes?: Partial<Record<ChainKey, SubmitRoute>>
}

export type RebalanceResult =
  | {
      status: 'completed'
      chain: ChainKey
      amountIn: string
      amountOut: string
      /** Gas paid by every transaction of the hedge, in wei. */
      gasCostWei: string
      txHashes: `0x${string}`[]
      /** Route, attempts, blocks waited and fees of the send. */
      submission: SubmissionSummary | null
      /** The quote's amountOut, to compare the fill with. */
      quotedAmountOut: string
    }
  | {
      /**
       * `failed`: nothing was broadcast, or what was broadcast did not swap, so the treasury holds
       * what it held. `in-doubt`: a send exhausted its retries without a definite answer; the
       * transaction may still land, so the chain must be treated as unknown (fail closed).
       */
      status: 'failed' | 'in-doubt'
      chain: ChainKey
      stage: 'prepare' | 'submit'
      failureType: string
      reason: string
      txHashes: `0x${string}`[]
      /**
       * In doubt: the signed transactions whose fate is unknown (the one that failed and those
       * after it, never sent); the chain stays blocked until they are settled.
       */
      unsettled?: PreparedTx[]
      /** Failed after signing: how the nonces of what was not sent were settled (cancelled). */
      settlement?: SettlementResult
    }

/**
 * One hedge on one chain, as a saga with explicit terminal states: sign (simulated first), send
 * each transaction, read what the swap paid out. The signed transactions live in this
 * workflow's history, so a retried or resumed send rebroadcasts the same nonce and can never
 * trade twice. An approval that succeeded before a failed swap is left in place: it is exactly
 * the swap amount, to the venue's router, and the next hedge reuses or resets it.
 */
export async function rebalanceWorkflow(input: RebalanceInput): Promise<RebalanceResult> {
  const acts = chainActivities(input.chainId, input.taskQueuePrefix, input.submitAttempts ?? DEFAULT_SUBMIT_ATTEMPTS)
  let prepared: PreparedTx[]
  try {
    prepared = await acts.prepare.prepareSwap({
      chain: input.chain,
      idempotencyKey: input.idempotencyKey,
      treasury: input.treasury,
      quote: input.quote,
      slippageBps: input.slippageBps,
      deadlineSec: input.deadlineSec,
    })
  } catch (err) {
    const { definite: _nothingSent, ...failure } = describeFailure(err)
    return { status: 'failed', chain: input.chain, stage: 'prepare', ...failure, txHashes: [] }
  }
  const sent = await sendPrepared({
    prepared,
    submit: acts.submit,
    chain: input.chain,
    chainId: input.chainId,
    idempotencyKey: input.idempotencyKey,
    taskQueuePrefix: input.taskQueuePrefix,
    route: input.routes?.[input.chain],
  })
  const outcomes = sent.outcomes
  if (sent.status !== 'sent') {
    const { status, outcomes: _done, ...failure } = sent
    return { status, chain: input.chain, stage: 'submit', ...failure, txHashes: outcomes.map((o) => o.hash) }
  }
  const swap = outcomes[outcomes.length - 1]
  if (!swap) throw ApplicationFailure.nonRetryable('prepareSwap returned no transaction', 'Keel.InvariantError')
  const { amountOut } = await acts.submit.readSwapOutcome({
    chain: input.chain,
    hash: swap.hash,
    tokenOut: input.quote.tokenOut,
    recipient: input.treasury,
  })
  const gasCostWei = outcomes.reduce((sum, o) => sum + BigInt(o.gasUsed) * BigInt(o.effectiveGasPrice), 0n)
  return {
    status: 'completed',
    chain: input.chain,
    amountIn: input.quote.amountIn,
    amountOut,
    gasCostWei: gasCostWei.toString(),
    txHashes: outcomes.map((o) => o.hash),
    submission: summarizeSubmission(outcomes),
    quotedAmountOut: input.quote.amountOut,
  }
}
