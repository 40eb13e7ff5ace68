import { defineSignal, getExternalWorkflowHandle, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow'
import type { PreparedTx, TransferState } from '../adapters/types.ts'
import type { SubmitRoute } from '../agent/execution/routes.ts'
import { summarizeSubmission } from '../agent/execution/submission.ts'
import type { TransferRecord } from '../agent/plan/types.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
import { costRoute, realizedTransferCostUsdc } from '../agent/transfer/routeChoice.ts'
import { isTerminal, newTransferRecord, nextTransferState } from '../agent/transfer/transferState.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities, ReadActivities, TransferRequestJson } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'
import { sendPrepared } from './sendPrepared.ts'

const NON_RETRYABLE = ['Keel.InvalidInputError']

const read = proxyActivities<ReadActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: NON_RETRYABLE },
})

const chainActivities = (chainId: number, prefix: string, submitAttempts: number) => ({
  prepare: proxyActivities<Pick<ChainActivities, 'prepareTransfer' | 'prepareRemediation' | 'prepareWrap'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '60s',
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
  submit: proxyActivities<Pick<ChainActivities, 'submitTx'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '180s',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: submitAttempts, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
})

/** Progress of a transfer, sent to the portfolio that started it so its ledger shows money in flight. */
export const transferProgressSignal = defineSignal<[Partial<TransferRecord> & { id: string }]>('transferProgress')

export type TransferInput = {
  portfolio: string
  /** The plan step's id: idempotency key of the send and this workflow's id. */
  idempotencyKey: string
  request: TransferRequestJson
  /** Why it is sent: the mandate's capital policy or an operator's `keel transfer`. */
  origin: 'capital-policy' | 'operator'
  fromChainId: number
  toChainId: number
  /** Refused before sending when the fresh quote costs more than this per unit moved. */
  maxCostBps: number
  timeValueBpsPerYear: number
  taskQueuePrefix: string
  /** Seconds between status reads while the transfer is in flight (default 5). */
  pollSec?: number
  /** How long to follow the transfer before handing it back as unresolved (default 2 h). */
  followSec?: number
  /** Gas for re-executing a delivery that ran out of gas (default 500,000). */
  remediationGas?: string
  submitAttempts?: number
  /** Where each chain's transactions go (agent/execution/routes.ts); absent: the public RPC. */
  routes?: Partial<Record<ChainKey, SubmitRoute>>
}

export type TransferResult =
  | {
      /** `delivered` on the destination, or `refunded` on the origin after an expiry: the amount is settled to the wei. */
      status: 'delivered' | 'refunded'
      record: TransferRecord
    }
  | {
      /**
       * `not-sent`: refused or failed before anything left the treasury (no quote, over budget, a
       * definite send failure whose nonces were settled). `in-doubt`: the send's fate is unknown;
       * `unsettled` must be settled before the origin chain is used again. `unresolved`: sent, but no
       * terminal state within `followSec`; the funds are tracked as in flight.
       */
      status: 'not-sent' | 'in-doubt' | 'unresolved'
      record: TransferRecord
      unsettled?: PreparedTx[]
    }

/**
 * One transfer between chains, as a saga with explicit terminal states: quote (refused over
 * budget), sign and send on the origin (each transaction once), then follow the bridge's status on
 * durable timers until the funds are delivered or refunded, re-executing a failed delivery with
 * more gas, and confirm what arrived from the destination's own token events. The signed origin
 * transactions live in history: a worker that dies mid-transfer is replaced, never resent.
 */
export async function transferWorkflow(input: TransferInput): Promise<TransferResult> {
  const r = input.request
  const origin = chainActivities(input.fromChainId, input.taskQueuePrefix, input.submitAttempts ?? 20)
  const record = newTransferRecord({
    id: input.idempotencyKey,
    bridge: r.bridge,
    asset: r.asset,
    from: r.from,
    to: r.to,
    amount: r.amount,
    expectedOutput: r.amount,
    origin: input.origin,
  })
  const update = async (patch: Partial<TransferRecord>) => {
    Object.assign(record, patch)
    await tellParent(record)
  }
  const notSent = async (reason: string): Promise<TransferResult> => {
    await update({ state: 'not-sent', reason })
    return { status: 'not-sent', record }
  }

  const [quote] = await read.quoteTransfers({ requests: [r] })
  if (quote?.status !== 'ok') return notSent(`no quote: ${quote?.reason ?? 'nothing returned'}`)
  const cost = costRoute(quote, { timeValueBpsPerYear: input.timeValueBpsPerYear })
  if (cost.costBps > BigInt(input.maxCostBps)) return notSent(`costs ${cost.costBps} bp, over the ${input.maxCostBps} bp budget`)
  await update({
    state: 'sending',
    expectedOutput: quote.outputAmount,
    assetFee: quote.assetFee,
    nativeFeeWei: quote.nativeFeeWei,
    costUsdc: realizedTransferCostUsdc({ quote, gasCostWei: 0n, settledAmount: null }).toString(),
  })

  let prepared: { transferId: string | null; prepared: PreparedTx[] }
  try {
    prepared = await origin.prepare.prepareTransfer({ chain: r.from, idempotencyKey: input.idempotencyKey, quote })
  } catch (err) {
    const f = describeFailure(err)
    return notSent(`${f.failureType}: ${f.reason}`)
  }
  const sent = await sendPrepared({
    prepared: prepared.prepared,
    submit: origin.submit,
    chain: r.from,
    chainId: input.fromChainId,
    idempotencyKey: input.idempotencyKey,
    taskQueuePrefix: input.taskQueuePrefix,
    route: input.routes?.[r.from],
  })
  const gasCostWei = sent.outcomes.reduce((s, o) => s + BigInt(o.gasUsed) * BigInt(o.effectiveGasPrice), 0n).toString()
  if (sent.status === 'failed') return notSent(`${sent.failureType}: ${sent.reason}`)
  if (sent.status === 'in-doubt') {
    await update({ state: 'in-doubt', gasCostWei, reason: `${sent.failureType}: ${sent.reason}`, transferId: prepared.transferId })
    return { status: 'in-doubt', record, ...(sent.unsettled ? { unsettled: sent.unsettled } : {}) }
  }
  const originTx = sent.outcomes.at(-1)!.hash
  const info = await read.readTransferSent({ bridge: r.bridge, from: r.from, txHash: originTx })
  await update({
    state: 'sent',
    costUsdc: realizedTransferCostUsdc({ quote, gasCostWei: BigInt(gasCostWei), settledAmount: null }).toString(),
    transferId: info.transferId,
    expectedOutput: info.outputAmount,
    gasCostWei,
    originTxHash: originTx,
    ...(summarizeSubmission(sent.outcomes) ? { submission: summarizeSubmission(sent.outcomes)! } : {}),
    sentAtChainTimeSec: info.blockTimestampSec,
    deadlineSec: info.deadlineSec,
  })
  return follow({
    input,
    record,
    update,
    price: (settled) => realizedTransferCostUsdc({ quote, gasCostWei: BigInt(gasCostWei), settledAmount: settled }),
  })
}

/** Follows a sent transfer on durable timers until it settles, remediating a failed delivery once. */
async function follow(p: {
  input: TransferInput
  record: TransferRecord
  update: (patch: Partial<TransferRecord>) => Promise<void>
  /** The transfer's cost once what arrived is known. */
  price: (settledAmount: bigint) => bigint
}): Promise<TransferResult> {
  const { input, record, update } = p
  const r = input.request
  const transferId = record.transferId!
  const pollMs = (input.pollSec ?? 5) * 1000
  const giveUpAt = Date.now() + (input.followSec ?? 7200) * 1000
  let state: TransferState = 'sent'
  let remediated = false
  for (;;) {
    const s = await read.transferStatus({ bridge: r.bridge, from: r.from, to: r.to, transferId })
    let next: TransferState
    try {
      next = nextTransferState({ transferId, recorded: state, observed: s.state })
    } catch (err) {
      // An impossible reading is not believed: the transfer stays where it was, tracked, and says why.
      await update({ reason: err instanceof Error ? err.message : String(err) })
      next = state
    }
    if (next !== state) {
      state = next
      // A terminal state is reported by `settle`, together with what arrived.
      if (!isTerminal(state)) await update({ state, reason: s.detail || null })
    }
    if (isTerminal(state)) return settle({ input, record, update, status: s, price: p.price })
    if (state === 'failed' && !remediated) {
      remediated = await remediate({ input, transferId })
      if (!remediated) await update({ reason: `${s.detail}; no remediation available: an operator must look` })
    }
    if (Date.now() >= giveUpAt) {
      await update({ reason: `still ${state} after ${input.followSec ?? 7200} s: tracked as in flight` })
      return { status: 'unresolved', record }
    }
    await sleep(pollMs)
  }
}

/** Re-executes a delivery that failed (LayerZero: lzReceive out of gas) with more gas, on the destination. */
async function remediate(p: { input: TransferInput; transferId: string }): Promise<boolean> {
  const r = p.input.request
  const dest = chainActivities(p.input.toChainId, p.input.taskQueuePrefix, p.input.submitAttempts ?? 20)
  const key = `${p.input.idempotencyKey}-remediate`
  const prepared = await dest.prepare.prepareRemediation({
    chain: r.to,
    idempotencyKey: key,
    bridge: r.bridge,
    from: r.from,
    transferId: p.transferId,
    gasLimit: p.input.remediationGas ?? '500000',
  })
  if (!prepared) return false
  const sent = await sendPrepared({
    prepared,
    submit: dest.submit,
    chain: r.to,
    chainId: p.input.toChainId,
    idempotencyKey: key,
    taskQueuePrefix: p.input.taskQueuePrefix,
    route: p.input.routes?.[r.to],
  })
  return sent.status === 'sent'
}

/** Confirms a settled transfer from the token's own events on the chain it settled on. */
async function settle(p: {
  input: TransferInput
  record: TransferRecord
  update: (patch: Partial<TransferRecord>) => Promise<void>
  status: { state: TransferState; deliveryTxHash: `0x${string}` | null; refundTxHash: `0x${string}` | null; settledAmount: string | null }
  price: (settledAmount: bigint) => bigint
}): Promise<TransferResult> {
  const r = p.input.request
  const delivered = p.status.state === 'delivered'
  const txHash = delivered ? p.status.deliveryTxHash : p.status.refundTxHash
  if (!txHash) {
    await p.update({ reason: `${p.status.state} without a transaction to confirm it: tracked as in flight` })
    return { status: 'unresolved', record: p.record }
  }
  const chain = delivered ? r.to : r.from
  const recipient = delivered ? r.recipient : r.sender
  let arrived = await read.confirmArrival({ chain, asset: r.asset, txHash, recipient })
  if (r.asset === 'WETH' && arrived.amount === '0' && p.status.settledAmount !== null && BigInt(p.status.settledAmount) > 0n) {
    // The bridge paid native ETH (Across unwraps WETH for an account): wrap it back, or the book would lose it.
    const wrapTx = await wrap({ input: p.input, chain, amountWei: p.status.settledAmount })
    if (!wrapTx) {
      await p.update({ reason: `delivered ${p.status.settledAmount} wei as native ETH and wrapping it failed: an operator must wrap it` })
      return { status: 'unresolved', record: p.record }
    }
    arrived = await read.confirmArrival({ chain, asset: r.asset, txHash: wrapTx, recipient })
  }
  if (p.status.settledAmount !== null && arrived.amount !== p.status.settledAmount) {
    await p.update({
      reason: `the bridge says ${p.status.settledAmount} settled, the token's events show ${arrived.amount}: tracked as in flight`,
    })
    return { status: 'unresolved', record: p.record }
  }
  await p.update({
    state: delivered ? 'delivered' : 'refunded',
    settledAmount: arrived.amount,
    // A refund returns the whole amount: what it cost is the native fee and gas.
    costUsdc: p.price(delivered ? BigInt(arrived.amount) : BigInt(r.amount)).toString(),
    settledAtChainTimeSec: arrived.blockTimestampSec,
    deliveryTxHash: txHash,
  })
  return { status: delivered ? 'delivered' : 'refunded', record: p.record }
}

/** Wraps native ETH the treasury received into WETH on `chain`; the wrap transaction's hash, or null when it failed. */
async function wrap(p: { input: TransferInput; chain: TransferInput['request']['to']; amountWei: string }): Promise<`0x${string}` | null> {
  const chainId = p.chain === p.input.request.to ? p.input.toChainId : p.input.fromChainId
  const acts = chainActivities(chainId, p.input.taskQueuePrefix, p.input.submitAttempts ?? 20)
  const key = `${p.input.idempotencyKey}-wrap`
  const prepared = await acts.prepare.prepareWrap({ chain: p.chain, idempotencyKey: key, amountWei: p.amountWei })
  const sent = await sendPrepared({
    prepared,
    submit: acts.submit,
    chain: p.chain,
    chainId,
    idempotencyKey: key,
    taskQueuePrefix: p.input.taskQueuePrefix,
    route: p.input.routes?.[p.chain],
  })
  return sent.status === 'sent' ? (sent.outcomes.at(-1)?.hash ?? null) : null
}

/** Tells the portfolio that started this transfer where it is (a no-op when started on its own). */
async function tellParent(record: TransferRecord): Promise<void> {
  const parent = workflowInfo().parent
  if (!parent) return
  // By workflow id only: the portfolio may have continued as new since it started this transfer.
  await getExternalWorkflowHandle(parent.workflowId)
    .signal(transferProgressSignal, { ...record })
    .catch(() => undefined)
}
