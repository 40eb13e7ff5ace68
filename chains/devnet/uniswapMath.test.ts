import { describe, expect, test } from 'vitest'
import {
  amountsForLiquidity,
  isqrt,
  liquidityForValue,
  priceE8FromSqrtPriceX96,
  Q96,
  sqrtPriceX96AtTick,
  sqrtPriceX96FromPriceE8,
  tickAtSqrtPriceX96,
  tickRange,
} from './uniswapMath.ts'

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

describe('sqrtPriceX96AtTick', () => {
  // Values of TickMath.getSqrtRatioAtTick, the on-chain reference.
  test('matches TickMath within one Q96 unit or 1e-18 relative at the tick bounds', () => {
    expect(sqrtPriceX96AtTick(0)).toBe(Q96)
    const onChainMin = 4295128739n
    const onChainMax = 1461446703485210103287273052203988822378723970342n
    const rel = (a: bigint, b: bigint) => Number(((a > b ? a - b : b - a) * 10n ** 18n) / b)
    // TickMath rounds up; at the minimum the price is ~4e9 Q96 units, so one unit is the tolerance.
    expect(onChainMin - sqrtPriceX96AtTick(-887272)).toBeLessThanOrEqual(1n)
    expect(rel(sqrtPriceX96AtTick(887272), onChainMax)).toBeLessThanOrEqual(1)
  })

  test('is inverted by tickAtSqrtPriceX96 when the price lies between two ticks', () => {
    const mid = (sqrtPriceX96AtTick(-196250) + sqrtPriceX96AtTick(-196249)) / 2n
    expect(tickAtSqrtPriceX96(mid)).toBe(-196250)
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
  test('yields amounts worth the asked value when WETH is token0', () => {
    const sqrtPriceX96 = sqrtPriceX96FromPriceE8({ priceE8: 3000_00000000n, wethIsToken0: true })
    const center = tickAtSqrtPriceX96(sqrtPriceX96)
    const [lo, hi] = tickRange({ centerTick: center, halfWidthTicks: 953, tickSpacing: 10 })
    const range = { sqrtPriceX96, sqrtLowerX96: sqrtPriceX96AtTick(lo), sqrtUpperX96: sqrtPriceX96AtTick(hi) }
    const liquidity = liquidityForValue({ ...range, valueUsdc: 1_000_000_000000n, wethIsToken0: true })
    const { amount0, amount1 } = amountsForLiquidity({ ...range, liquidity })
    const value = amount1 + (amount0 * 3000n * 10n ** 6n) / 10n ** 18n
    expect(Number(value) / 1e12).toBeCloseTo(1, 5)
    expect(amount0 > 0n && amount1 > 0n).toBe(true)
  })
})
