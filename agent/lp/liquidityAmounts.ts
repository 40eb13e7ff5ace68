import { minBigInt } from './bigint.ts'
import { MAX_UINT128, Q96 } from './constants.ts'
import { UniswapMathError } from './errors.ts'
import { mulDiv } from './fullMath.ts'

function sorted(a: bigint, b: bigint): [bigint, bigint] {
  return a > b ? [b, a] : [a, b]
}

function toUint128(x: bigint): bigint {
  if (x > MAX_UINT128) throw new UniswapMathError({ reason: 'LiquidityAmounts: liquidity overflows uint128' })
  return x
}

type Range = { sqrtPriceAX96: bigint; sqrtPriceBX96: bigint }

/** Liquidity bought by `amount0` over a range (all token0), rounded down as LiquidityAmounts. */
export function getLiquidityForAmount0(p: Range & { amount0: bigint }): bigint {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  const intermediate = mulDiv(a, b, Q96)
  return toUint128(mulDiv(p.amount0, intermediate, b - a))
}

/** Liquidity bought by `amount1` over a range (all token1), rounded down. */
export function getLiquidityForAmount1(p: Range & { amount1: bigint }): bigint {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  return toUint128(mulDiv(p.amount1, Q96, b - a))
}

/**
 * The most liquidity that `amount0` and `amount1` can both pay for at the current price, as
 * NonfungiblePositionManager computes it before minting (the smaller of the two in range).
 */
export function getLiquidityForAmounts(p: Range & { sqrtPriceX96: bigint; amount0: bigint; amount1: bigint }): bigint {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  if (p.sqrtPriceX96 <= a) return getLiquidityForAmount0({ sqrtPriceAX96: a, sqrtPriceBX96: b, amount0: p.amount0 })
  if (p.sqrtPriceX96 < b) {
    const liquidity0 = getLiquidityForAmount0({ sqrtPriceAX96: p.sqrtPriceX96, sqrtPriceBX96: b, amount0: p.amount0 })
    const liquidity1 = getLiquidityForAmount1({ sqrtPriceAX96: a, sqrtPriceBX96: p.sqrtPriceX96, amount1: p.amount1 })
    return minBigInt(liquidity0, liquidity1)
  }
  return getLiquidityForAmount1({ sqrtPriceAX96: a, sqrtPriceBX96: b, amount1: p.amount1 })
}

/** Token0 worth of `liquidity` over a range, rounded down. */
export function getAmount0ForLiquidity(p: Range & { liquidity: bigint }): bigint {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  if (a === 0n) throw new UniswapMathError({ reason: 'getAmount0ForLiquidity: sqrtPriceAX96 is zero' })
  return mulDiv(p.liquidity << 96n, b - a, b) / a
}

/** Token1 worth of `liquidity` over a range, rounded down. */
export function getAmount1ForLiquidity(p: Range & { liquidity: bigint }): bigint {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  return mulDiv(p.liquidity, b - a, Q96)
}

/**
 * Token amounts of `liquidity` at the current price, rounded down (LiquidityAmounts). The
 * regime is chosen by comparing sqrt prices; the pool itself chooses by tick (see positionAmounts).
 */
export function getAmountsForLiquidity(p: Range & { sqrtPriceX96: bigint; liquidity: bigint }): { amount0: bigint; amount1: bigint } {
  const [a, b] = sorted(p.sqrtPriceAX96, p.sqrtPriceBX96)
  const { liquidity } = p
  if (p.sqrtPriceX96 <= a) return { amount0: getAmount0ForLiquidity({ sqrtPriceAX96: a, sqrtPriceBX96: b, liquidity }), amount1: 0n }
  if (p.sqrtPriceX96 < b) {
    return {
      amount0: getAmount0ForLiquidity({ sqrtPriceAX96: p.sqrtPriceX96, sqrtPriceBX96: b, liquidity }),
      amount1: getAmount1ForLiquidity({ sqrtPriceAX96: a, sqrtPriceBX96: p.sqrtPriceX96, liquidity }),
    }
  }
  return { amount0: 0n, amount1: getAmount1ForLiquidity({ sqrtPriceAX96: a, sqrtPriceBX96: b, liquidity }) }
}
