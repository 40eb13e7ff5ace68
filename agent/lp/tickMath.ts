import { MAX_UINT256 } from './constants.ts'
import { UniswapMathError } from './errors.ts'

/** Lowest tick a pool can reach: floor(log_{1.0001}(2^-128)). */
export const MIN_TICK = -887272
/** Highest tick a pool can reach. */
export const MAX_TICK = 887272
/** getSqrtRatioAtTick(MIN_TICK): the smallest sqrtPriceX96 a pool accepts. */
export const MIN_SQRT_RATIO = 4295128739n
/** getSqrtRatioAtTick(MAX_TICK): sqrtPriceX96 must stay strictly below it. */
export const MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342n

/**
 * FACTORS[i] = round(2^128 / 1.0001^(2^i / 2)) in Q128.128. These are the exact constants the
 * on-chain TickMath multiplies by; they are data, not an algorithm choice, and must match bit
 * for bit for our results to match the chain (tickMath.test.ts re-derives each one).
 */
export const TICK_FACTORS: readonly bigint[] = [
  0xfffcb933bd6fad37aa2d162d1a594001n,
  0xfff97272373d413259a46990580e213an,
  0xfff2e50f5f656932ef12357cf3c7fdccn,
  0xffe5caca7e10e4e61c3624eaa0941cd0n,
  0xffcb9843d60f6159c9db58835c926644n,
  0xff973b41fa98c081472e6896dfb254c0n,
  0xff2ea16466c96a3843ec78b326b52861n,
  0xfe5dee046a99a2a811c461f1969c3053n,
  0xfcbe86c7900a88aedcffc83b479aa3a4n,
  0xf987a7253ac413176f2b074cf7815e54n,
  0xf3392b0822b70005940c7a398e4b70f3n,
  0xe7159475a2c29b7443b29c7fa6e889d9n,
  0xd097f3bdfd2022b8845ad8f792aa5825n,
  0xa9f746462d870fdf8a65dc1f90e061e5n,
  0x70d869a156d2a1b890bb3df62baf32f7n,
  0x31be135f97d08fd981231505542fcfa6n,
  0x9aa508b5b7a84e1c677de54f3e99bc9n,
  0x5d6af8dedb81196699c329225ee604n,
  0x2216e584f5fa1ea926041bedfe98n,
  0x48a170391f7dc42444e8fa2n,
]

const Q128 = 1n << 128n
const LOW_32_MASK = (1n << 32n) - 1n

/**
 * sqrt(1.0001^tick) · 2^96 exactly as TickMath.getSqrtRatioAtTick computes it: a product of
 * Q128.128 factors for the bits of |tick|, inverted for positive ticks, then shifted to Q64.96
 * rounding up (so that getTickAtSqrtRatio of the result gives back `tick`).
 */
export function getSqrtRatioAtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK) {
    throw new UniswapMathError({ reason: 'T', details: `tick ${tick} outside [${MIN_TICK}, ${MAX_TICK}]` })
  }
  const absTick = Math.abs(tick)
  let ratio = Q128
  for (let bit = 0; bit < TICK_FACTORS.length; bit++) {
    // The chain starts from the first factor (not 2^128 · factor >> 128); both are identical.
    if ((absTick >> bit) & 1) ratio = (ratio * TICK_FACTORS[bit]!) >> 128n
  }
  if (tick > 0) ratio = MAX_UINT256 / ratio
  return (ratio >> 32n) + ((ratio & LOW_32_MASK) === 0n ? 0n : 1n)
}

const LN_SQRT_1_0001 = Math.log(1.0001) / 2
const LN_Q96 = 96 * Math.LN2

/**
 * The greatest tick t with getSqrtRatioAtTick(t) ≤ sqrtPriceX96 — the contract of
 * TickMath.getTickAtSqrtRatio, including its domain [MIN_SQRT_RATIO, MAX_SQRT_RATIO). The
 * chain finds it with a fixed-point log2 and one exact check; we take a float log estimate
 * (off by at most a tick or two) and settle it with the same exact getSqrtRatioAtTick, which
 * yields the same integer because the answer is defined by that function alone.
 */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new UniswapMathError({ reason: 'R', details: `sqrtPriceX96 ${sqrtPriceX96} outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)` })
  }
  const estimate = Math.floor((Math.log(Number(sqrtPriceX96)) - LN_Q96) / LN_SQRT_1_0001)
  let tick = Math.min(MAX_TICK - 1, Math.max(MIN_TICK, estimate))
  while (tick > MIN_TICK && getSqrtRatioAtTick(tick) > sqrtPriceX96) tick--
  while (tick < MAX_TICK - 1 && getSqrtRatioAtTick(tick + 1) <= sqrtPriceX96) tick++
  return tick
}
