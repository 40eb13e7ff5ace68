import { InvalidInputError } from '../errors.ts'
import { toApproxNumber } from '../money.ts'
import type { ChainCostParams, TradeCost } from './types.ts'

/** Gas is paid in ETH on every chain keel trades on; base tokens of the pools are WETH. */
const GAS_TOKEN_DECIMALS = 18

/**
 * Price impact, in quote units, of trading `sizeBase` of the base token against an in-range
 * Uniswap V3 pool at spot `spot`, with liquidity L. Within one tick range the pool is a constant
 * product on virtual reserves x = L/√P, y = L·√P, so the fill is exact in closed form: with
 * u = q·√P/L, buying q base costs q·P/(1−u) and selling q base yields q·P/(1+u). The impact is the
 * difference to q·P. Positive `sizeBase` buys base. Infinity when a buy would drain the range.
 */
export function v3PriceImpact(params: { pool: ChainCostParams['pool']; sizeBase: number; spot: number }): number {
  const { pool, sizeBase, spot } = params
  const q = Math.abs(sizeBase)
  if (q === 0) return 0
  const liquidity = Number(pool.liquidity)
  // q_raw·√P_raw = q·√S·10^((baseDecimals + quoteDecimals)/2)
  const u = (q * Math.sqrt(spot) * 10 ** ((pool.baseDecimals + pool.quoteDecimals) / 2)) / liquidity
  const notional = q * spot
  if (sizeBase > 0) return u >= 1 ? Number.POSITIVE_INFINITY : (notional * u) / (1 - u)
  return (notional * u) / (1 + u)
}

/** Gas of one swap on this chain, priced in quote units through the spot (gas token = base). */
export function gasCostQuote(params: { chain: ChainCostParams; spot: number }): number {
  const { chain, spot } = params
  const wei = chain.gasPriceWei * chain.swapGasUsed + chain.l1DataFeeWei
  return toApproxNumber(wei, GAS_TOKEN_DECIMALS) * spot
}

/** Total cost of one hedge trade of `sizeBase` (signed, units of base) on one chain. */
export function hedgeTradeCost(params: { chain: ChainCostParams; sizeBase: number; spot: number }): TradeCost {
  const { chain, sizeBase, spot } = params
  if (!(spot > 0) || !Number.isFinite(sizeBase)) {
    throw new InvalidInputError({
      what: 'hedge trade',
      issues: [{ path: 'spot', message: `expected spot > 0 and a finite size, got spot=${spot} size=${sizeBase}` }],
    })
  }
  if (sizeBase === 0) return { chain: chain.chain, gasQuote: 0, impactQuote: 0, feeQuote: 0, totalQuote: 0 }
  const gasQuote = gasCostQuote({ chain, spot })
  const impactQuote = v3PriceImpact({ pool: chain.pool, sizeBase, spot })
  const feeQuote = (Math.abs(sizeBase) * spot * chain.venueFeeBps) / 10_000
  return { chain: chain.chain, gasQuote, impactQuote, feeQuote, totalQuote: gasQuote + impactQuote + feeQuote }
}

/** The cheapest chain for one trade: min over chains of total cost (ties go to the earlier chain). */
export function cheapestChain(params: { chains: readonly ChainCostParams[]; sizeBase: number; spot: number }): TradeCost {
  const { chains, sizeBase, spot } = params
  let best: TradeCost | undefined
  for (const chain of chains) {
    const cost = hedgeTradeCost({ chain, sizeBase, spot })
    if (best === undefined || cost.totalQuote < best.totalQuote) best = cost
  }
  if (best === undefined)
    throw new InvalidInputError({ what: 'venue choice', issues: [{ path: 'chains', message: 'expected at least one chain' }] })
  return best
}

/**
 * Proportional cost rate λ (cost / notional) of a trade of `sizeBase` on the cheapest chain: the
 * single number Whalley–Wilmott and Leland need, read off the full cost model at a typical size.
 */
export function proportionalCostRate(params: { chains: readonly ChainCostParams[]; sizeBase: number; spot: number }): number {
  const { sizeBase, spot } = params
  return cheapestChain(params).totalQuote / (Math.abs(sizeBase) * spot)
}
