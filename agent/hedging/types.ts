import type { ChainKey } from '../../chains/types.ts'
import type { OptionKind } from '../risk/types.ts'

/**
 * Quantities in hedging decisions are `number`: they are risk statistics (deltas in units of the
 * underlying, spot in quote per base). The solver turns a chosen target into a bigint trade at
 * the edge; a number from here never becomes a transaction amount as is.
 */

/** One option leg of the book, as the hedger sees it. `quantity` is signed: short < 0. */
export type BookLeg = {
  kind: OptionKind
  strike: number
  /** Absolute expiry on the same clock as `HedgeState.timeYears`. */
  expiryYears: number
  quantity: number
}

/** What a policy may look at when asked whether to hedge now. */
export type HedgeState = {
  timeYears: number
  spot: number
  /** Current hedge in units of the underlying (the spot we hold to offset the book). */
  hedge: number
  /** Delta of the book without the hedge (option legs plus any spot the book itself holds). */
  bookDelta: number
  /** Gamma of the book, per unit of spot squared (d²V/dS²). */
  bookGamma: number
  /** Net delta the mandate wants (0 = neutral); the ideal hedge is `targetDelta - bookDelta`. */
  targetDelta: number
  /** Time to the nearest expiry of the book; Whalley–Wilmott discounts its band by it. */
  timeToExpiryYears: number
  /** null until the first hedge. */
  lastHedgeTimeYears: number | null
  lastHedgeSpot: number | null
  /** Pricing inputs for policies that reprice the book (Leland). */
  market: { vol: number; rate: number; yield: number }
  /** Spot the book holds outside the hedge (the covered leg of covered calls). */
  bookSpotHolding: number
  legs: readonly BookLeg[]
}

/** Either leave the hedge alone or move it to `targetHedge` (units of the underlying). */
export type HedgeDecision = { action: 'hold' } | { action: 'trade'; targetHedge: number }

/** A hedging rule: `decide` is pure, same state in, same decision out. */
export type HedgePolicy = {
  /** Stable id of the rule (`fixed`, `threshold`, `timeOrPrice`, `whalleyWilmott`, `leland`). */
  id: string
  /** Parameters as a short human label, e.g. `interval=24h`. */
  label: string
  decide(state: HedgeState): HedgeDecision
}

/**
 * What one hedge swap costs on one chain. Data, not code: the live solver reads the same record
 * (refreshed from gas oracles and pool state); the backtester uses fixed values.
 */
export type ChainCostParams = {
  chain: ChainKey
  /** Fee per gas paid by the swap transaction (base fee + priority fee). */
  gasPriceWei: bigint
  /** Gas used by one swap through the venue's router. */
  swapGasUsed: bigint
  /** L1 data fee an L2 charges per swap transaction (0 on Ethereum). */
  l1DataFeeWei: bigint
  /** The base/quote Uniswap V3 pool we hedge in, with token0 = base, token1 = quote. */
  pool: {
    /** In-range liquidity L (the pool's `liquidity()`), raw units. */
    liquidity: bigint
    baseDecimals: number
    quoteDecimals: number
  }
  /** Venue fee (pool fee tier plus any router fee) in bps of notional. */
  venueFeeBps: number
}

/** Cost of one hedge trade on one chain, in quote units (e.g. USDC). */
export type TradeCost = {
  chain: ChainKey
  gasQuote: number
  impactQuote: number
  feeQuote: number
  totalQuote: number
}
