import { InvalidInputError } from '../errors.ts'
import { getAmount0DeltaSigned, getAmount1DeltaSigned } from './sqrtPriceMath.ts'
import { getSqrtRatioAtTick, MAX_TICK, MIN_TICK } from './tickMath.ts'
import { assertPositionInput } from './validate.ts'

export type PositionAmountsInput = { liquidity: bigint; tickLower: number; tickUpper: number; sqrtPriceX96: bigint; tickCurrent: number }

/**
 * Tokens a full burn of the position would release right now (fees not included), exactly as
 * UniswapV3Pool.burn computes them: `_modifyPosition` with liquidityDelta = −liquidity, i.e. the
 * signed SqrtPriceMath.getAmount*Delta which, for a negative delta, rounds DOWN (the pool pays,
 * so it never pays a unit it does not hold). Minting the same liquidity costs the rounded-UP
 * amounts, at most 1 unit more per token. The regime is chosen by the pool's tick (slot0.tick),
 * as the pool does, not by comparing sqrt prices as LiquidityAmounts does; when tick and price
 * are consistent both give the same numbers, so we take tickCurrent from slot0 and check it.
 */
export function positionAmounts(p: PositionAmountsInput): { amount0: bigint; amount1: bigint } {
  assertPositionInput(p, 'Uniswap V3 position')
  assertTickMatchesPrice(p)
  const sqrtLower = getSqrtRatioAtTick(p.tickLower)
  const sqrtUpper = getSqrtRatioAtTick(p.tickUpper)
  const liquidity = -p.liquidity
  if (p.tickCurrent < p.tickLower) {
    return { amount0: -getAmount0DeltaSigned({ sqrtRatioAX96: sqrtLower, sqrtRatioBX96: sqrtUpper, liquidity }), amount1: 0n }
  }
  if (p.tickCurrent < p.tickUpper) {
    return {
      amount0: -getAmount0DeltaSigned({ sqrtRatioAX96: p.sqrtPriceX96, sqrtRatioBX96: sqrtUpper, liquidity }),
      amount1: -getAmount1DeltaSigned({ sqrtRatioAX96: sqrtLower, sqrtRatioBX96: p.sqrtPriceX96, liquidity }),
    }
  }
  return { amount0: 0n, amount1: -getAmount1DeltaSigned({ sqrtRatioAX96: sqrtLower, sqrtRatioBX96: sqrtUpper, liquidity }) }
}

// slot0 always satisfies sqrt(tick) ≤ sqrtPrice ≤ sqrt(tick + 1) (equality on the right after a
// swap down that stopped on a boundary); a pair outside that band was read from two different
// states, and valuing it would mix them, so we refuse it.
function assertTickMatchesPrice(p: PositionAmountsInput): void {
  const t = p.tickCurrent
  const inDomain = Number.isInteger(t) && t >= MIN_TICK && t <= MAX_TICK
  const consistent = inDomain && getSqrtRatioAtTick(t) <= p.sqrtPriceX96 && (t === MAX_TICK || p.sqrtPriceX96 <= getSqrtRatioAtTick(t + 1))
  if (!consistent) {
    throw new InvalidInputError({
      what: 'Uniswap V3 position',
      issues: [{ path: 'tickCurrent', message: `tick ${t} is inconsistent with sqrtPriceX96 ${p.sqrtPriceX96}` }],
    })
  }
}
