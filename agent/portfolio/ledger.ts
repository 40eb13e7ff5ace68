import type { ChainKey } from '../../chains/types.ts'
import type { SettlementResult } from '../execution/settlement.ts'
import { type SubmissionSummary, vsQuoteBps } from '../execution/submission.ts'
import type { Mandate } from '../mandate/schema.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import { usdcToWethAtMid, wethIsToken0, wethToUsdcAtMid } from './poolPrice.ts'
import type { ChainObservation, PortfolioExposure, PortfolioSnapshot } from './types.ts'

/**
 * The portfolio's records, as data that crosses Temporal (amounts as decimal strings): what was
 * observed and what each hedge did. Pure functions build and update them; the workflow only stores.
 */

type SettledOutcome = Extract<SettlementResult, { status: 'settled' }>

/** Hedges kept in status and carried across continue-as-new. */
export const MAX_HEDGE_RECORDS = 50

export type HedgeRecord = {
  id: string
  chain: ChainKey
  direction: 'sell-eth' | 'buy-eth'
  status: 'completed' | 'failed' | 'in-doubt'
  amountIn: string
  amountOut: string
  /** True when the hedge was a slice of a larger one that no venue could take whole. */
  slice?: boolean
  /** What cut a slice short: the balance on its chain (capital was missing there) or the budgets. */
  limitedBy?: 'balance' | 'budget' | null
  /** The transfers that brought the capital this hedge spent (a funded hedge). */
  fundedBy?: string[]
  /** Estimated at decision time: gas + pool fee and impact, USDC base units. */
  estimatedCostUsdc: string
  gasCostWei: string
  /** Gas paid, valued at the chain's pre-trade mid price, USDC base units (rounded up). */
  gasCostUsdc: string
  /** What the fill gave up vs the pre-trade mid price (pool fee + impact + drift), USDC base units. */
  slippageCostUsdc: string
  deltaBeforeWei: string
  deltaAfterWei: string | null
  atChainTimeSec: string
  reason: string | null
  txHashes: string[]
  /** The pool's mid before the trade, so a hedge settled later is still valued against it. */
  preTradeMid?: { sqrtPriceX96: string; wethIsToken0: boolean }
  /** How it was sent: route, attempts, blocks waited, fees. */
  submission?: SubmissionSummary
  /** The fill against the quote it was decided on, bps (negative: worse). */
  vsQuoteBps?: number
  /** For a hedge that ended in doubt: how it was settled (`landed`: the swap was mined after all). */
  settled?: { as: 'landed' | 'cancelled'; detail: string }
}

export type ObservationJson = {
  atChainTimeSec: string
  deltaWei: string
  targetWei: string
  bandWei: string
  gamma: number
  insideBand: boolean
  chains: {
    chain: ChainKey
    priceUsdc: number
    spotWethWei: string
    spotUsdc: string
    lpWethWei: string
    lpUsdc: string
    deltaWei: string
    /** Everything held on the chain, in ETH wei at its mid price (USDC converted, rounded down). */
    valueWei?: string
    gamma: number
    /** The option book's share: its delta (with WETH collateral), gamma, vega (USD/vol pt), theta (USD/day). */
    options?: { deltaWei: string; gamma: number; vega: number; theta: number }
  }[]
  /** Of the option book over every chain, when there is one. */
  vega?: number
  theta?: number
  /** The mark smile's at-the-money vol, when there is a book: its change is what vega earns. */
  atmVol?: number
}

/** Latest block time over every chain of a snapshot: market time is chain time. */
export const chainTime = (snapshot: PortfolioSnapshot): bigint =>
  snapshot.chains.reduce((max, c) => (BigInt(c.blockTimestampSec) > max ? BigInt(c.blockTimestampSec) : max), 0n)

/** What `keel status` shows of an observation: exposure per chain against the mandate's band. */
export function observationView(p: { snapshot: PortfolioSnapshot; exposure: PortfolioExposure; mandate: Mandate }): ObservationJson {
  const { snapshot, exposure, mandate } = p
  const gap = exposure.deltaWei - mandate.delta.targetEth
  const mark = snapshot.chains.find((c) => c.options)?.options?.mark
  return {
    atChainTimeSec: chainTime(snapshot).toString(),
    deltaWei: exposure.deltaWei.toString(),
    targetWei: mandate.delta.targetEth.toString(),
    bandWei: mandate.delta.bandEth.toString(),
    gamma: exposure.gamma,
    insideBand: (gap < 0n ? -gap : gap) <= mandate.delta.bandEth,
    chains: exposure.chains.map((c) => {
      const obs = snapshot.chains.find((o) => o.chain === c.chain)
      const usdcWei = obs ? usdcToWethAtMid({ usdc: c.spotUsdc + c.lpUsdc, ...midOf(obs) }) : 0n
      return {
        chain: c.chain,
        priceUsdc: c.priceUsdc,
        spotWethWei: c.spotWethWei.toString(),
        spotUsdc: c.spotUsdc.toString(),
        lpWethWei: c.lpWethWei.toString(),
        lpUsdc: c.lpUsdc.toString(),
        deltaWei: c.deltaWei.toString(),
        valueWei: (c.deltaWei + usdcWei).toString(),
        gamma: c.gamma,
        ...(c.options
          ? { options: { deltaWei: c.options.deltaWei.toString(), gamma: c.options.gamma, vega: c.options.vega, theta: c.options.theta } }
          : {}),
      }
    }),
    ...(exposure.chains.some((c) => c.options) ? { vega: exposure.vega, theta: exposure.theta } : {}),
    ...(mark ? { atmVol: Math.sqrt(sviTotalVariance(mark, 0)) } : {}),
  }
}

/** A chain's pool mid, as the pricing helpers take it. */
export const midOf = (obs: ChainObservation): { sqrtPriceX96: bigint; wethIsToken0: boolean } => ({
  sqrtPriceX96: BigInt(obs.pool.sqrtPriceX96),
  wethIsToken0: wethIsToken0(obs.pool, obs.weth),
})

/** What a completed hedge cost, valued at the mid price observed before it. */
export function realizedCosts(p: {
  direction: 'sell-eth' | 'buy-eth'
  amountIn: bigint
  amountOut: bigint
  gasCostWei: bigint
  mid: { sqrtPriceX96: bigint; wethIsToken0: boolean }
}): { gasCostUsdc: bigint; slippageCostUsdc: bigint } {
  const { mid } = p
  const valueIn = p.direction === 'sell-eth' ? wethToUsdcAtMid({ wethWei: p.amountIn, ...mid }) : p.amountIn
  const valueOut = p.direction === 'sell-eth' ? p.amountOut : wethToUsdcAtMid({ wethWei: p.amountOut, ...mid })
  return { gasCostUsdc: wethToUsdcAtMid({ wethWei: p.gasCostWei, ...mid, roundUp: true }), slippageCostUsdc: valueIn - valueOut }
}

/**
 * Every hedge since the portfolio started, summed as it is recorded: the record list keeps only the
 * newest `MAX_HEDGE_RECORDS`, so totals over a long run come from here. A hedge counts as it ended
 * when it was recorded (one in doubt that a settlement later finds mined stays counted as in doubt).
 */
export type HedgeTotals = {
  completed: number
  notCompleted: number
  gasCostWei: string
  gasCostUsdc: string
  slippageCostUsdc: string
  byChain: Partial<Record<ChainKey, number>>
  cutShortByBalance: number
  funded: number
  /** Completed hedges per submission route: how many, bundles or fee versions sent, blocks waited in all. */
  byRoute?: Record<string, RouteTotals>
}

export type RouteTotals = { hedges: number; attempts: number; blocksWaited: number; maxBlocksWaited: number }

export const emptyHedgeTotals = (): HedgeTotals => ({
  completed: 0,
  notCompleted: 0,
  gasCostWei: '0',
  gasCostUsdc: '0',
  slippageCostUsdc: '0',
  byChain: {},
  cutShortByBalance: 0,
  funded: 0,
})

export function addHedgeToTotals(t: HedgeTotals, h: HedgeRecord): HedgeTotals {
  if (h.status !== 'completed') return { ...t, notCompleted: t.notCompleted + 1 }
  return {
    completed: t.completed + 1,
    notCompleted: t.notCompleted,
    gasCostWei: (BigInt(t.gasCostWei) + BigInt(h.gasCostWei)).toString(),
    gasCostUsdc: (BigInt(t.gasCostUsdc) + BigInt(h.gasCostUsdc)).toString(),
    slippageCostUsdc: (BigInt(t.slippageCostUsdc) + BigInt(h.slippageCostUsdc)).toString(),
    byChain: { ...t.byChain, [h.chain]: (t.byChain[h.chain] ?? 0) + 1 },
    cutShortByBalance: t.cutShortByBalance + (h.limitedBy === 'balance' ? 1 : 0),
    funded: t.funded + (h.fundedBy?.length ? 1 : 0),
    ...(h.submission || t.byRoute ? { byRoute: addRoute(t.byRoute ?? {}, h.submission) } : {}),
  }
}

function addRoute(byRoute: Record<string, RouteTotals>, s: SubmissionSummary | undefined): Record<string, RouteTotals> {
  if (!s) return byRoute
  const t = byRoute[s.route] ?? { hedges: 0, attempts: 0, blocksWaited: 0, maxBlocksWaited: 0 }
  return {
    ...byRoute,
    [s.route]: {
      hedges: t.hedges + 1,
      attempts: t.attempts + s.attempts,
      blocksWaited: t.blocksWaited + s.blocksWaited,
      maxBlocksWaited: Math.max(t.maxBlocksWaited, s.blocksWaited),
    },
  }
}

/** Appends a record, keeping the newest `MAX_HEDGE_RECORDS`. */
export const appendHedge = (hedges: readonly HedgeRecord[], record: HedgeRecord): HedgeRecord[] =>
  [...hedges, record].slice(-MAX_HEDGE_RECORDS)

/** What a hedge saga ended with (the rebalance workflow's result, as data). */
export type HedgeOutcome =
  | {
      status: 'completed'
      amountIn: string
      amountOut: string
      gasCostWei: string
      txHashes: string[]
      /** How the swap went out (absent in results from before routes were recorded). */
      submission?: SubmissionSummary | null
      /** What the quote the hedge was decided on promised. */
      quotedAmountOut?: string
    }
  | { status: 'failed' | 'in-doubt'; failureType: string; reason: string; txHashes: string[] }

/** The record of one hedge: what was decided (chain, size, estimate) and what its saga did, valued at the pre-trade mid. */
export function hedgeRecord(p: {
  id: string
  obs: ChainObservation
  direction: 'sell-eth' | 'buy-eth'
  amountIn: string
  slice: boolean
  limitedBy: 'balance' | 'budget' | null
  fundedBy?: string[]
  estimatedCostUsdc: bigint
  deltaBeforeWei: bigint
  deltaAfterWei: bigint | null
  atChainTimeSec: bigint
  outcome: HedgeOutcome
}): HedgeRecord {
  const { outcome } = p
  const mid = midOf(p.obs)
  const done = outcome.status === 'completed' ? outcome : null
  const costs = done
    ? realizedCosts({
        direction: p.direction,
        amountIn: BigInt(done.amountIn),
        amountOut: BigInt(done.amountOut),
        gasCostWei: BigInt(done.gasCostWei),
        mid,
      })
    : { gasCostUsdc: 0n, slippageCostUsdc: 0n }
  return {
    id: p.id,
    chain: p.obs.chain,
    direction: p.direction,
    status: outcome.status,
    amountIn: p.amountIn,
    amountOut: done ? done.amountOut : '0',
    slice: p.slice,
    limitedBy: p.limitedBy,
    ...(p.fundedBy?.length ? { fundedBy: p.fundedBy } : {}),
    estimatedCostUsdc: p.estimatedCostUsdc.toString(),
    gasCostWei: done ? done.gasCostWei : '0',
    gasCostUsdc: costs.gasCostUsdc.toString(),
    slippageCostUsdc: costs.slippageCostUsdc.toString(),
    deltaBeforeWei: p.deltaBeforeWei.toString(),
    deltaAfterWei: p.deltaAfterWei === null ? null : p.deltaAfterWei.toString(),
    atChainTimeSec: p.atChainTimeSec.toString(),
    reason: outcome.status === 'completed' ? null : `${outcome.failureType}: ${outcome.reason}`,
    txHashes: outcome.txHashes,
    preTradeMid: { sqrtPriceX96: mid.sqrtPriceX96.toString(), wethIsToken0: mid.wethIsToken0 },
    ...(done?.submission ? { submission: done.submission } : {}),
    ...(done?.quotedAmountOut ? { vsQuoteBps: vsQuoteBps(BigInt(done.quotedAmountOut), BigInt(done.amountOut)) } : {}),
  }
}

/**
 * A hedge that ended in doubt, once its transactions are settled: `landed` when its swap was
 * mined after all (valued at the mid seen before it), `cancelled` when its nonces were taken by
 * cancels (or other transactions) and nothing was traded.
 */
export function settleHedgeRecord(record: HedgeRecord, p: { settlement: SettledOutcome; swapHash: string | null }): HedgeRecord {
  const { settlement } = p
  const detail = settlement.txs.map((t) => `nonce ${t.nonce} ${t.fate}`).join(', ')
  if (!p.swapHash || settlement.swapAmountOut === undefined) {
    return { ...record, status: 'failed', settled: { as: 'cancelled', detail } }
  }
  const gasCostWei = settlement.landed.reduce((s, r) => s + BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice), 0n)
  const mid = record.preTradeMid
  const costs = mid
    ? realizedCosts({
        direction: record.direction,
        amountIn: BigInt(record.amountIn),
        amountOut: BigInt(settlement.swapAmountOut),
        gasCostWei,
        mid: { sqrtPriceX96: BigInt(mid.sqrtPriceX96), wethIsToken0: mid.wethIsToken0 },
      })
    : { gasCostUsdc: 0n, slippageCostUsdc: 0n }
  const mined = settlement.landed.filter((r) => r.status === 'success').map((r) => r.hash)
  return {
    ...record,
    status: 'completed',
    amountOut: settlement.swapAmountOut,
    gasCostWei: gasCostWei.toString(),
    gasCostUsdc: costs.gasCostUsdc.toString(),
    slippageCostUsdc: costs.slippageCostUsdc.toString(),
    txHashes: [...new Set([...record.txHashes, ...mined])],
    settled: { as: 'landed', detail },
  }
}
