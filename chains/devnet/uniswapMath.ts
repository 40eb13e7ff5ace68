import { feedDecimals } from './constants.ts'

export const Q96 = 2n ** 96n
const Q128 = 2n ** 128n
export const minTick = -887272
export const maxTick = 887272

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

/** sqrt(1.0001^tick) in Q64.96, by squaring in Q128; close to TickMath (not bit-equal), enough for sizing. */
export function sqrtPriceX96AtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < minTick || tick > maxTick) throw new RangeError(`tick ${tick} out of range`)
  let base = isqrt((10001n * Q128 * Q128) / 10000n)
  let result = Q128
  for (let e = Math.abs(tick); e > 0; e >>= 1) {
    if (e & 1) result = (result * base) / Q128
    base = (base * base) / Q128
  }
  if (tick < 0) result = (Q128 * Q128) / result
  return result >> 32n
}

/** The tick whose price is at or below sqrtPriceX96 (an index, so a float log is fine here). */
export function tickAtSqrtPriceX96(sqrtPriceX96: bigint): number {
  const ratio = (Number(sqrtPriceX96) / 2 ** 96) ** 2
  return Math.floor(Math.log(ratio) / Math.log(1.0001))
}

/** Tick range [lower, upper] around `centerTick`, aligned outward to the spacing; 'full' spans every usable tick. */
export function tickRange(params: { centerTick: number; halfWidthTicks: number | 'full'; tickSpacing: number }): [number, number] {
  const s = params.tickSpacing
  const fullLower = Math.ceil(minTick / s) * s
  const fullUpper = Math.floor(maxTick / s) * s
  if (params.halfWidthTicks === 'full') return [fullLower, fullUpper]
  const lower = Math.floor((params.centerTick - params.halfWidthTicks) / s) * s
  const upper = Math.ceil((params.centerTick + params.halfWidthTicks) / s) * s
  return [Math.max(lower, fullLower), Math.min(upper, fullUpper)]
}

/** Token amounts (rounded up) that liquidity L needs between sqrtLower and sqrtUpper at sqrtPrice. */
export function amountsForLiquidity(params: { liquidity: bigint; sqrtPriceX96: bigint; sqrtLowerX96: bigint; sqrtUpperX96: bigint }): {
  amount0: bigint
  amount1: bigint
} {
  const { liquidity: L, sqrtLowerX96: a, sqrtUpperX96: b } = params
  const p = clamp(params.sqrtPriceX96, a, b)
  const amount0 = divUp(L * Q96 * (b - p), p * b)
  const amount1 = divUp(L * (p - a), Q96)
  return { amount0, amount1 }
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
  const { amount0, amount1 } = amountsForLiquidity({ ...params, liquidity: unit })
  const p2 = params.sqrtPriceX96 * params.sqrtPriceX96
  const unitValue = params.wethIsToken0 ? amount1 + (amount0 * p2) / (Q96 * Q96) : amount0 + (amount1 * Q96 * Q96) / p2
  return (params.valueUsdc * unit) / unitValue
}

const divUp = (a: bigint, b: bigint): bigint => (a + b - 1n) / b

function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  if (x < lo) return lo
  if (x > hi) return hi
  return x
}
