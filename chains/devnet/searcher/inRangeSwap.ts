import { mulDiv } from '../../../agent/lp/fullMath.ts'
import { getAmount0Delta, getAmount1Delta, getNextSqrtPriceFromInput } from '../../../agent/lp/sqrtPriceMath.ts'

/** Pool state a swap starts from: the price and the liquidity in range there. */
export type PoolState = { sqrtPriceX96: bigint; liquidity: bigint }

/**
 * An exact-input swap as Uniswap V3 computes it while the price stays inside the current
 * liquidity range (no initialized tick crossed): the estimate a front-run is sized from, checked
 * afterwards by simulation on the real pool.
 */
export function inRangeSwap(p: { pool: PoolState; zeroForOne: boolean; amountIn: bigint; feePips: number }): {
  amountOut: bigint
  after: PoolState
} {
  if (p.amountIn === 0n) return { amountOut: 0n, after: p.pool }
  const lessFee = mulDiv(p.amountIn, BigInt(1_000_000 - p.feePips), 1_000_000n)
  const { sqrtPriceX96, liquidity } = p.pool
  const next = getNextSqrtPriceFromInput({ sqrtPX96: sqrtPriceX96, liquidity, amount: lessFee, zeroForOne: p.zeroForOne })
  const delta = { sqrtRatioAX96: sqrtPriceX96, sqrtRatioBX96: next, liquidity, roundUp: false }
  const amountOut = p.zeroForOne ? getAmount1Delta(delta) : getAmount0Delta(delta)
  return { amountOut, after: { sqrtPriceX96: next, liquidity } }
}

/**
 * The largest front-run in [0, cap] (same direction as the victim) after which the victim's
 * `amountIn` still yields at least `amountOutMinimum`, by in-range math; 0 when none does.
 */
export function frontRunEstimate(p: {
  pool: PoolState
  zeroForOne: boolean
  feePips: number
  victimAmountIn: bigint
  amountOutMinimum: bigint
  cap: bigint
}): bigint {
  const victimOutAfter = (front: bigint): bigint => {
    const { after } = inRangeSwap({ pool: p.pool, zeroForOne: p.zeroForOne, amountIn: front, feePips: p.feePips })
    return inRangeSwap({ pool: after, zeroForOne: p.zeroForOne, amountIn: p.victimAmountIn, feePips: p.feePips }).amountOut
  }
  let lo = 0n
  let hi = p.cap
  if (victimOutAfter(hi) >= p.amountOutMinimum) return hi
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n
    if (victimOutAfter(mid) >= p.amountOutMinimum) lo = mid
    else hi = mid
  }
  return lo
}
