import { describe, expect, test } from 'vitest'
import { getAmountsForLiquidity } from '../../agent/lp/liquidityAmounts.ts'
import { getSqrtRatioAtTick, getTickAtSqrtRatio } from '../../agent/lp/tickMath.ts'
import { isqrt, liquidityForValue, priceE8FromSqrtPriceX96, sqrtPriceX96FromPriceE8, tickRange } from './uniswapMath.ts'

describe('isqrt', () => {
  test('returns the floor root when the input is not a square', () => {
    expect(isqrt(99n)).toBe(9n)
    expect(isqrt(10n ** 40n)).toBe(10n ** 20n)
    expect(isqrt(10n ** 40n - 1n)).toBe(10n ** 20n - 1n)
  })
})

describe('sqrtPriceX96FromPriceE8', () => {
  test('round-trips an ETH price within one feed unit when WETH is token0', () => {
    const priceE8 = 3000_00000000n
    const sqrt = sqrtPriceX96FromPriceE8({ priceE8, wethIsToken0: true })
    const back = priceE8FromSqrtPriceX96({ sqrtPriceX96: sqrt, wethIsToken0: true })
    expect(priceE8 - back).toBeGreaterThanOrEqual(0n)
    expect(priceE8 - back).toBeLessThanOrEqual(1n)
  })

  test('inverts the ratio when USDC is token0', () => {
    const priceE8 = 2500_12345678n
    const sqrt = sqrtPriceX96FromPriceE8({ priceE8, wethIsToken0: false })
    const back = priceE8FromSqrtPriceX96({ sqrtPriceX96: sqrt, wethIsToken0: false })
    const diff = back > priceE8 ? back - priceE8 : priceE8 - back
    expect(diff).toBeLessThanOrEqual(1n)
  })
})

describe('tickRange', () => {
  test('aligns outward to the spacing when the center is off-grid', () => {
    expect(tickRange({ centerTick: -196257, halfWidthTicks: 488, tickSpacing: 10 })).toEqual([-196750, -195760])
  })

  test('spans the usable ticks when full range is asked', () => {
    expect(tickRange({ centerTick: 5, halfWidthTicks: 'full', tickSpacing: 10 })).toEqual([-887270, 887270])
  })
})

describe('liquidityForValue', () => {
  const value = (p: { amount0: bigint; amount1: bigint; wethIsToken0: boolean }) =>
    p.wethIsToken0 ? p.amount1 + (p.amount0 * 3000n * 10n ** 6n) / 10n ** 18n : p.amount0 + (p.amount1 * 3000n * 10n ** 6n) / 10n ** 18n

  for (const wethIsToken0 of [true, false]) {
    test(`yields amounts worth the asked value when wethIsToken0 is ${wethIsToken0}`, () => {
      const sqrtPriceX96 = sqrtPriceX96FromPriceE8({ priceE8: 3000_00000000n, wethIsToken0 })
      const [lo, hi] = tickRange({ centerTick: getTickAtSqrtRatio(sqrtPriceX96), halfWidthTicks: 953, tickSpacing: 10 })
      const range = { sqrtPriceX96, sqrtLowerX96: getSqrtRatioAtTick(lo), sqrtUpperX96: getSqrtRatioAtTick(hi) }
      const liquidity = liquidityForValue({ ...range, valueUsdc: 1_000_000_000000n, wethIsToken0 })
      const { amount0, amount1 } = getAmountsForLiquidity({
        sqrtPriceX96,
        sqrtPriceAX96: range.sqrtLowerX96,
        sqrtPriceBX96: range.sqrtUpperX96,
        liquidity,
      })
      expect(amount0 > 0n && amount1 > 0n).toBe(true)
      // Rounded down throughout, so never above the asked value and within a few micro-USDC of it.
      const shortfall = 1_000_000_000000n - value({ amount0, amount1, wethIsToken0 })
      expect(shortfall).toBeGreaterThanOrEqual(0n)
      expect(shortfall).toBeLessThanOrEqual(10n)
    })
  }
})
