import { proxyActivities } from '@temporalio/workflow'
import type { PreparedTx, SubmittedTx } from '../adapters/types.ts'
import type { SubmitRoute } from '../agent/execution/routes.ts'
import { chooseAsk, chooseBid } from '../agent/options/chooseBid.ts'
import type { RollProposal, SeriesJson, SettlementStep } from '../agent/options/rolls.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities, OptionAction, OptionQuoteJson, ReadActivities } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'
import { sendPrepared } from './sendPrepared.ts'

/**
 * A roll as a saga, and the settlement of an expired series. The roll: create the series where
 * nobody has, ask every maker for a bid before anything is minted, mint into a new fully
 * collateralised vault, sell to the best bid that clears the mandate's floor. A sale that fails is
 * quoted and tried once more; if that fails too, what was minted is burnt and its collateral
 * withdrawn, so no short is ever left without its sale. Every transaction is signed once and its
 * bytes kept in history, so a worker killed anywhere resends the same nonce: never a second vault,
 * never a second sale.
 */

const NON_RETRYABLE = ['Keel.InvalidInputError']

const acts = (chainId: number, prefix: string, submitAttempts: number) => ({
  read: proxyActivities<Pick<ReadActivities, 'quoteOptions' | 'findOptionSeries' | 'readOptionVault'>>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 4, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
  // Signing takes a second: a worker lost while signing is noticed in 20 s, while a maker's order is still good.
  prepare: proxyActivities<Pick<ChainActivities, 'prepareOptionAction'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '20s',
    retry: { maximumAttempts: 3, initialInterval: '1s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
  submit: proxyActivities<Pick<ChainActivities, 'submitTx' | 'readSwapOutcome'>>({
    taskQueue: chainTaskQueue(chainId, prefix),
    startToCloseTimeout: '180s',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: submitAttempts, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: NON_RETRYABLE },
  }),
})

type Acts = ReturnType<typeof acts>

export type RollInput = {
  portfolio: string
  /** The roll's id: every transaction's idempotency key starts with it. */
  rollId: string
  proposal: RollProposal
  treasury: `0x${string}`
  chainId: number
  usdc: `0x${string}`
  taskQueuePrefix: string
  submitAttempts?: number
  /** Where each chain's transactions go (agent/execution/routes.ts); absent: the public RPC. */
  routes?: Partial<Record<ChainKey, SubmitRoute>>
}

export type RollResult = {
  status: 'sold' | 'unsold' | 'failed' | 'in-doubt'
  otoken: `0x${string}` | null
  vaultId: string | null
  /** Collateral deposited: the full amount, or a margined put's margin plus its buffer. */
  collateral: string
  maker: string | null
  /** USDC the treasury received for the options, read from the sale's own Transfer events. */
  premiumUsdc: string
  gasCostWei: string
  rejected: { maker: string; reason: string }[]
  /** oTokens burnt after a failed sale. */
  burntE8: string
  txHashes: `0x${string}`[]
  reason: string | null
  /** Every valid bid of the first round (maker, USDC for the whole size): what the mark is fitted to. */
  bids?: { maker: string; usdc: string }[]
  /** In doubt: what was signed and may or may not have been mined; the chain stays blocked until settled. */
  unsettled?: PreparedTx[]
}

class Saga {
  outcomes: SubmittedTx[] = []
  constructor(
    readonly on: { chain: ChainKey; chainId: number; taskQueuePrefix: string; route?: SubmitRoute | undefined },
    readonly a: Acts,
  ) {}
  /** Signs and sends one action; `failed` or `in-doubt` carry why. */
  async run(
    key: string,
    action: OptionAction,
  ): Promise<
    | { status: 'sent'; outcomes: SubmittedTx[]; vaultId?: string; collateral?: string }
    | { status: 'failed' | 'in-doubt'; reason: string; unsettled?: PreparedTx[] }
  > {
    const { on } = this
    let prepared: { prepared: PreparedTx[]; vaultId?: string; collateral?: string }
    try {
      prepared = await this.a.prepare.prepareOptionAction({ chain: on.chain, idempotencyKey: key, action })
    } catch (err) {
      const f = describeFailure(err)
      return { status: 'failed', reason: `${action.kind} not signed: ${f.failureType}: ${f.reason}` }
    }
    const sent = await sendPrepared({
      prepared: prepared.prepared,
      submit: this.a.submit,
      chain: on.chain,
      chainId: on.chainId,
      idempotencyKey: key,
      taskQueuePrefix: on.taskQueuePrefix,
      route: on.route,
    })
    this.outcomes.push(...sent.outcomes)
    if (sent.status === 'sent')
      return {
        status: 'sent',
        outcomes: sent.outcomes,
        ...(prepared.vaultId ? { vaultId: prepared.vaultId } : {}),
        ...(prepared.collateral ? { collateral: prepared.collateral } : {}),
      }
    return {
      status: sent.status,
      reason: `${action.kind}: ${sent.failureType}: ${sent.reason}`,
      ...(sent.unsettled ? { unsettled: sent.unsettled } : {}),
    }
  }
  gasWei(): bigint {
    return this.outcomes.reduce((s, o) => s + BigInt(o.gasUsed) * BigInt(o.effectiveGasPrice), 0n)
  }
}

export async function rollWorkflow(input: RollInput): Promise<RollResult> {
  const p = input.proposal
  const a = acts(input.chainId, input.taskQueuePrefix, input.submitAttempts ?? 20)
  const saga = new Saga(
    { chain: p.chain, chainId: input.chainId, taskQueuePrefix: input.taskQueuePrefix, route: input.routes?.[p.chain] },
    a,
  )
  const rejected: RollResult['rejected'] = []
  const bids: NonNullable<RollResult['bids']> = []
  let otoken: `0x${string}` | null = null
  let vaultId: string | null = null
  let collateral = p.collateral
  const result = (status: RollResult['status'], reason: string | null, more: Partial<RollResult> = {}): RollResult => ({
    status,
    otoken,
    vaultId,
    collateral,
    maker: null,
    premiumUsdc: '0',
    gasCostWei: saga.gasWei().toString(),
    rejected,
    burntE8: '0',
    txHashes: saga.outcomes.map((o) => o.hash),
    reason,
    ...(bids.length > 0 ? { bids } : {}),
    ...more,
  })

  // 1. The series, so that makers can read what they are asked to price.
  const created = await saga.run(`${input.rollId}-series`, { kind: 'create-series', series: p.series })
  if (created.status !== 'sent') return result(created.status, created.reason, inDoubt(created))
  otoken = (await a.read.findOptionSeries({ chain: p.chain, series: p.series })).otoken

  // 2. A bid that clears the floor, before anything is minted.
  const bid = async () => {
    const q = await a.read.quoteOptions({ chain: p.chain, otoken: otoken!, side: 'sell', amountE8: p.amountE8, treasury: input.treasury })
    if (bids.length === 0) for (const x of q.quotes) if (x.status === 'ok') bids.push({ maker: x.maker, usdc: x.signerAmount })
    const choice = chooseBid({
      bids: q.quotes.map((x) => (x.status === 'ok' ? { maker: x.maker, status: 'ok' as const, signerAmount: BigInt(x.signerAmount) } : x)),
      modelPremium: BigInt(p.modelPremiumUsdc),
      maxDiscountBps: p.maxDiscountBps,
      gasCostUsdc: BigInt(p.gasCostUsdc),
    })
    rejected.push(...choice.rejected)
    if (choice.status !== 'take') return null
    if (choice.netPremium < BigInt(p.minPremiumUsdc)) {
      rejected.push({ maker: choice.maker, reason: `premium net of gas ${choice.netPremium} is below the minimum ${p.minPremiumUsdc}` })
      return null
    }
    const order = q.quotes.find((x): x is Extract<OptionQuoteJson, { status: 'ok' }> => x.status === 'ok' && x.maker === choice.maker)!
    return order
  }
  const first = await bid()
  if (!first) return result('unsold', 'no maker bid clears the floor: nothing minted')

  // 3. The mint: a new vault, full collateral, oTokens to the treasury.
  const minted = await saga.run(`${input.rollId}-mint`, {
    kind: 'open',
    series: p.series,
    amountE8: p.amountE8,
    collateral: p.collateral,
    ...(p.margin ? { margin: p.margin } : {}),
  })
  if (minted.status !== 'sent') return result(minted.status, minted.reason, inDoubt(minted))
  vaultId = minted.vaultId ?? null
  collateral = minted.collateral ?? p.collateral

  // 4. The sale, once more with a fresh quote if the first fails; then the burn.
  let order: Extract<OptionQuoteJson, { status: 'ok' }> | null = first
  const failures: string[] = []
  for (let attempt = 1; attempt <= 2 && order; attempt++) {
    const sold = await saga.run(`${input.rollId}-sale-${attempt}`, { kind: 'take-order', order: order.order })
    if (sold.status === 'in-doubt') return result('in-doubt', sold.reason, inDoubt(sold))
    if (sold.status === 'sent') {
      const swap = sold.outcomes.at(-1)!
      const { amountOut } = await a.submit.readSwapOutcome({
        chain: p.chain,
        hash: swap.hash,
        tokenOut: input.usdc,
        recipient: input.treasury,
      })
      return result('sold', null, { maker: order.maker, premiumUsdc: amountOut })
    }
    failures.push(`${order.maker}: ${sold.reason}`)
    rejected.push({ maker: order.maker, reason: `sale failed: ${sold.reason}` })
    order = attempt < 2 ? await bid() : null
  }
  const burnt = await saga.run(`${input.rollId}-burn`, {
    kind: 'burn',
    series: p.series,
    vaultId: vaultId!,
    amountE8: p.amountE8,
    withdraw: collateral,
  })
  if (burnt.status !== 'sent')
    return result(burnt.status === 'in-doubt' ? 'in-doubt' : 'failed', `sale failed, then ${burnt.reason}`, inDoubt(burnt))
  return result('unsold', `sale failed (${failures.join('; ') || 'no second bid'}): burnt what was minted`, { burntE8: p.amountE8 })
}

const inDoubt = (r: { status: string; unsettled?: PreparedTx[] }): { unsettled?: PreparedTx[] } =>
  r.status === 'in-doubt' && r.unsettled ? { unsettled: r.unsettled } : {}

export type OptionSettlementInput = {
  portfolio: string
  id: string
  step: SettlementStep
  chainId: number
  treasury: `0x${string}`
  /** The token the step pays the treasury (collateral back from a vault, or a redeemed payout); none for posting a price. */
  paidIn: `0x${string}` | null
  taskQueuePrefix: string
  submitAttempts?: number
  /** Where each chain's transactions go (agent/execution/routes.ts); absent: the public RPC. */
  routes?: Partial<Record<ChainKey, SubmitRoute>>
}

export type OptionSettlementResult = {
  status: 'done' | 'failed' | 'in-doubt'
  /** What the treasury received, base units of `paidIn`. */
  received: string
  gasCostWei: string
  txHashes: `0x${string}`[]
  reason: string | null
  unsettled?: PreparedTx[]
}

/** One settlement step: post the expiry price, settle a vault, or redeem oTokens. */
export async function optionSettlementWorkflow(input: OptionSettlementInput): Promise<OptionSettlementResult> {
  const a = acts(input.chainId, input.taskQueuePrefix, input.submitAttempts ?? 20)
  const saga = new Saga(
    { chain: input.step.chain, chainId: input.chainId, taskQueuePrefix: input.taskQueuePrefix, route: input.routes?.[input.step.chain] },
    a,
  )
  const s = input.step
  const action: OptionAction =
    s.kind === 'post-expiry-price'
      ? { kind: 'post-expiry-price', expirySec: s.expirySec, roundId: s.roundId }
      : s.kind === 'settle-vault'
        ? { kind: 'settle-vault', vaultId: s.vaultId }
        : s.kind === 'top-up'
          ? { kind: 'deposit', series: s.series, vaultId: s.vaultId, amount: s.amount }
          : { kind: 'redeem', otoken: s.otoken, amountE8: s.amountE8 }
  const sent = await saga.run(input.id, action)
  const base = { gasCostWei: saga.gasWei().toString(), txHashes: saga.outcomes.map((o) => o.hash) }
  if (sent.status !== 'sent') return { status: sent.status, received: '0', reason: sent.reason, ...base, ...inDoubt(sent) }
  let received = 0n
  if (input.paidIn)
    for (const o of sent.outcomes)
      received += BigInt(
        (await a.submit.readSwapOutcome({ chain: s.chain, hash: o.hash, tokenOut: input.paidIn, recipient: input.treasury })).amountOut,
      )
  return { status: 'done', received: received.toString(), reason: null, ...base }
}

export type BuyBackInput = {
  portfolio: string
  id: string
  chain: ChainKey
  chainId: number
  treasury: `0x${string}`
  usdc: `0x${string}`
  otoken: `0x${string}`
  series: SeriesJson
  vaultId: string
  amountE8: string
  /** Collateral the burn frees and withdraws (full collateral of `amountE8`). */
  withdraw: string
  /** keel's model value of `amountE8` options, USDC base units, and the most over it an ask may be. */
  modelPriceUsdc: string
  maxDiscountBps: number
  gasCostUsdc: string
  taskQueuePrefix: string
  submitAttempts?: number
  /** Where each chain's transactions go (agent/execution/routes.ts); absent: the public RPC. */
  routes?: Partial<Record<ChainKey, SubmitRoute>>
}

export type BuyBackResult = {
  status: 'bought' | 'not-bought' | 'failed' | 'in-doubt'
  maker: string | null
  /** USDC paid to the maker. */
  paidUsdc: string
  /** Burnt from the vault (0 when the burn failed: the oTokens held then offset the short). */
  burntE8: string
  gasCostWei: string
  rejected: { maker: string; reason: string }[]
  txHashes: `0x${string}`[]
  reason: string | null
  unsettled?: PreparedTx[]
}

/**
 * Buys part of a short back from the makers (their ask side) and burns it out of its vault,
 * withdrawing the collateral it freed. An ask above keel's model price plus the mandate's maximum
 * discount is refused. Bought but not burnt, the oTokens held offset the short exactly: never naked.
 */
export async function buyBackWorkflow(input: BuyBackInput): Promise<BuyBackResult> {
  const a = acts(input.chainId, input.taskQueuePrefix, input.submitAttempts ?? 20)
  const saga = new Saga(
    { chain: input.chain, chainId: input.chainId, taskQueuePrefix: input.taskQueuePrefix, route: input.routes?.[input.chain] },
    a,
  )
  const rejected: BuyBackResult['rejected'] = []
  const result = (status: BuyBackResult['status'], reason: string | null, more: Partial<BuyBackResult> = {}): BuyBackResult => ({
    status,
    maker: null,
    paidUsdc: '0',
    burntE8: '0',
    gasCostWei: saga.gasWei().toString(),
    rejected,
    txHashes: saga.outcomes.map((o) => o.hash),
    reason,
    ...more,
  })
  const q = await a.read.quoteOptions({
    chain: input.chain,
    otoken: input.otoken,
    side: 'buy',
    amountE8: input.amountE8,
    treasury: input.treasury,
  })
  const choice = chooseAsk({
    asks: q.quotes.map((x) => (x.status === 'ok' ? { maker: x.maker, status: 'ok' as const, senderAmount: BigInt(x.senderAmount) } : x)),
    modelPrice: BigInt(input.modelPriceUsdc),
    maxDiscountBps: input.maxDiscountBps,
    gasCostUsdc: BigInt(input.gasCostUsdc),
  })
  rejected.push(...choice.rejected)
  if (choice.status !== 'take') return result('not-bought', 'no ask within the model price plus the maximum discount')
  const order = q.quotes.find((x): x is Extract<OptionQuoteJson, { status: 'ok' }> => x.status === 'ok' && x.maker === choice.maker)!
  const bought = await saga.run(`${input.id}-buy`, { kind: 'take-order', order: order.order })
  if (bought.status !== 'sent') return result(bought.status, bought.reason, inDoubt(bought))
  const paid = await a.submit.readSwapOutcome({
    chain: input.chain,
    hash: bought.outcomes.at(-1)!.hash,
    tokenOut: input.usdc,
    recipient: order.order.signerWallet as `0x${string}`,
  })
  const more = { maker: choice.maker, paidUsdc: paid.amountOut }
  const burnt = await saga.run(`${input.id}-burn`, {
    kind: 'burn',
    series: input.series,
    vaultId: input.vaultId,
    amountE8: input.amountE8,
    withdraw: input.withdraw,
  })
  if (burnt.status !== 'sent')
    return result(burnt.status === 'in-doubt' ? 'in-doubt' : 'bought', `bought but not burnt: ${burnt.reason}`, {
      ...more,
      ...inDoubt(burnt),
    })
  return result('bought', null, { ...more, burntE8: input.amountE8 })
}
