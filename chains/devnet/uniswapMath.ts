import { Q96 } from '../../agent/lp/constants.ts'
import { getAmountsForLiquidity } from '../../agent/lp/liquidityAmounts.ts'
import { MAX_TICK, MIN_TICK } from '../../agent/lp/tickMath.ts'
import { feedDecimals } from './constants.ts'

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt of a negative number')
  if (n < 2n) return n
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2))
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

type Pair = { wethIsToken0: boolean; wethDecimals?: number; usdcDecimals?: number }

/** The pool's sqrtPriceX96 for an ETH price in feed units (USD × 10^8), rounded down. */
export function sqrtPriceX96FromPriceE8(params: Pair & { priceE8: bigint }): bigint {
  const { num, den } = rawRatio(params)
  return isqrt((num * Q96 * Q96) / den)
}

/** The ETH price in feed units (USD × 10^8) that a sqrtPriceX96 stands for, rounded down. */
export function priceE8FromSqrtPriceX96(params: Pair & { sqrtPriceX96: bigint }): bigint {
  const wethScale = 10n ** BigInt(params.wethDecimals ?? 18)
  const usdcScale = 10n ** BigInt(params.usdcDecimals ?? 6)
  const feedScale = 10n ** BigInt(feedDecimals)
  const p2 = params.sqrtPriceX96 * params.sqrtPriceX96
  // token1/token0 in base units is p2 / Q192.
  return params.wethIsToken0
    ? (p2 * wethScale * feedScale) / (Q96 * Q96 * usdcScale)
    : (Q96 * Q96 * wethScale * feedScale) / (p2 * usdcScale)
}

// token1 per token0 in base units, as a fraction.
function rawRatio(params: Pair & { priceE8: bigint }): { num: bigint; den: bigint } {
  const usdcPerWeth = params.priceE8 * 10n ** BigInt(params.usdcDecimals ?? 6)
  const wethUnits = 10n ** BigInt(feedDecimals) * 10n ** BigInt(params.wethDecimals ?? 18)
  return params.wethIsToken0 ? { num: usdcPerWeth, den: wethUnits } : { num: wethUnits, den: usdcPerWeth }
}

/** Tick range [lower, upper] around `centerTick`, aligned outward to the spacing; 'full' spans every usable tick. */
export function tickRange(params: { centerTick: number; halfWidthTicks: number | 'full'; tickSpacing: number }): [number, number] {
  const s = params.tickSpacing
  const fullLower = Math.ceil(MIN_TICK / s) * s
  const fullUpper = Math.floor(MAX_TICK / s) * s
  if (params.halfWidthTicks === 'full') return [fullLower, fullUpper]
  const lower = Math.floor((params.centerTick - params.halfWidthTicks) / s) * s
  const upper = Math.ceil((params.centerTick + params.halfWidthTicks) / s) * s
  return [Math.max(lower, fullLower), Math.min(upper, fullUpper)]
}

/** The liquidity whose tokens are worth `valueUsdc` at the pool price, rounded down. */
export function liquidityForValue(params: {
  valueUsdc: bigint
  sqrtPriceX96: bigint
  sqrtLowerX96: bigint
  sqrtUpperX96: bigint
  wethIsToken0: boolean
}): bigint {
  // Value of a reference amount of liquidity, then scale linearly: amounts are linear in L.
  const unit = Q96
  const { amount0, amount1 } = getAmountsForLiquidity({
    sqrtPriceX96: params.sqrtPriceX96,
    sqrtPriceAX96: params.sqrtLowerX96,
    sqrtPriceBX96: params.sqrtUpperX96,
    liquidity: unit,
  })
  const p2 = params.sqrtPriceX96 * params.sqrtPriceX96
  const unitValue = params.wethIsToken0 ? amount1 + (amount0 * p2) / (Q96 * Q96) : amount0 + (amount1 * Q96 * Q96) / p2
  return (params.valueUsdc * unit) / unitValue
}
