import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { getAmountsForLiquidity, getLiquidityForAmounts } from './liquidityAmounts.ts'
import { getSqrtRatioAtTick, MAX_TICK, MIN_TICK } from './tickMath.ts'

const Q96 = 1n << 96n
// floor(sqrt(100/110) · 2^96) and floor(sqrt(110/100) · 2^96), from Python's decimal module.
const SQRT_100_110 = 75541088972021052632782079082n
const SQRT_110_100 = 83095197869223157896060286990n

const range = fc
  .tuple(fc.integer({ min: -400_000, max: 400_000 }), fc.integer({ min: 1, max: 200_000 }), fc.double({ min: -0.2, max: 1.2, noNaN: true }))
  .map(([lower, width, where]) => {
    const tickLower = Math.max(MIN_TICK, lower)
    const tickUpper = Math.min(MAX_TICK, tickLower + width)
    const tick = Math.round(tickLower + where * (tickUpper - tickLower))
    return {
      sqrtPriceAX96: getSqrtRatioAtTick(tickLower),
      sqrtPriceBX96: getSqrtRatioAtTick(tickUpper),
      sqrtPriceX96: getSqrtRatioAtTick(Math.min(MAX_TICK - 1, Math.max(MIN_TICK, tick))),
    }
  })

describe('getLiquidityForAmounts', () => {
  test('takes the smaller liquidity of the two tokens when the price is inside the range', () => {
    // token0 alone would buy 2148, token1 alone 4297 (exact integer arithmetic in Python).
    expect(
      getLiquidityForAmounts({ sqrtPriceX96: Q96, sqrtPriceAX96: SQRT_100_110, sqrtPriceBX96: SQRT_110_100, amount0: 100n, amount1: 200n }),
    ).toBe(2148n)
  })

  test('uses only token0 below the range and only token1 above it', () => {
    const p = { sqrtPriceAX96: SQRT_100_110, sqrtPriceBX96: SQRT_110_100, amount0: 100n, amount1: 200n }
    const below = getLiquidityForAmounts({ ...p, sqrtPriceX96: SQRT_100_110 - 1n })
    expect(getLiquidityForAmounts({ ...p, amount1: 0n, sqrtPriceX96: SQRT_100_110 - 1n })).toBe(below)
    const above = getLiquidityForAmounts({ ...p, sqrtPriceX96: SQRT_110_100 })
    expect(getLiquidityForAmounts({ ...p, amount0: 0n, sqrtPriceX96: SQRT_110_100 })).toBe(above)
    expect(below).toBeGreaterThan(0n)
    expect(above).toBeGreaterThan(0n)
  })

  test('never returns more liquidity than the amounts of a liquidity pay for when round-tripped', () => {
    fc.assert(
      fc.property(range, fc.bigInt({ min: 1n, max: 1n << 100n }), (r, liquidity) => {
        const amounts = getAmountsForLiquidity({ ...r, liquidity })
        return getLiquidityForAmounts({ ...r, ...amounts }) <= liquidity
      }),
      { numRuns: 300 },
    )
  })
})

describe('getAmountsForLiquidity', () => {
  test('returns 99 and 99 for L = 2148 at price 1 in [100/110, 110/100]', () => {
    expect(
      getAmountsForLiquidity({ sqrtPriceX96: Q96, sqrtPriceAX96: SQRT_100_110, sqrtPriceBX96: SQRT_110_100, liquidity: 2148n }),
    ).toEqual({ amount0: 99n, amount1: 99n })
  })

  test('never asks for more than the amounts that bought the liquidity when round-tripped', () => {
    fc.assert(
      fc.property(range, fc.bigInt({ min: 0n, max: 1n << 64n }), fc.bigInt({ min: 0n, max: 1n << 64n }), (r, amount0, amount1) => {
        const liquidity = getLiquidityForAmounts({ ...r, amount0, amount1 })
        const back = getAmountsForLiquidity({ ...r, liquidity })
        return back.amount0 <= amount0 && back.amount1 <= amount1
      }),
      { numRuns: 300 },
    )
  })

  test('gives the same amounts when the range bounds are passed in either order', () => {
    fc.assert(
      fc.property(range, fc.bigInt({ min: 0n, max: 1n << 100n }), (r, liquidity) => {
        const swapped = { ...r, sqrtPriceAX96: r.sqrtPriceBX96, sqrtPriceBX96: r.sqrtPriceAX96 }
        const a = getAmountsForLiquidity({ ...r, liquidity })
        const b = getAmountsForLiquidity({ ...swapped, liquidity })
        return a.amount0 === b.amount0 && a.amount1 === b.amount1
      }),
      { numRuns: 100 },
    )
  })
})
