import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { clampBigInt } from './bigint.ts'
import { getAmountsForLiquidity } from './liquidityAmounts.ts'
import { positionAmounts } from './positionAmounts.ts'
import { getAmount0DeltaSigned, getAmount1DeltaSigned } from './sqrtPriceMath.ts'
import { getSqrtRatioAtTick, getTickAtSqrtRatio } from './tickMath.ts'

const Q96 = 1n << 96n

const position = fc
  .tuple(
    fc.integer({ min: -300_000, max: 300_000 }),
    fc.integer({ min: 1, max: 50_000 }),
    fc.double({ min: -0.5, max: 1.5, noNaN: true }),
    fc.bigInt({ min: 0n, max: (1n << 127n) - 1n }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([tickLower, width, where, liquidity, frac]) => {
    const tickUpper = tickLower + width
    // A price anywhere around the range, not only on tick boundaries.
    const tick = tickLower + Math.floor(where * width)
    const lo = getSqrtRatioAtTick(tick)
    const sqrtPriceX96 = lo + ((getSqrtRatioAtTick(tick + 1) - lo) * BigInt(Math.floor(frac * 1e9))) / 1_000_000_001n
    return { liquidity, tickLower, tickUpper, sqrtPriceX96, tickCurrent: getTickAtSqrtRatio(sqrtPriceX96) }
  })

describe('positionAmounts', () => {
  test('equals the floor of the exact token amounts L·(1/√P − 1/√B) and L·(√P − √A) when the price is inside the range', () => {
    // WETH/USDC-like: tick −200000 ≈ 2061 USDC per ETH for (WETH token0, USDC token1) decimals.
    const tickLower = -201_000
    const tickUpper = -199_000
    const sqrtPriceX96 = getSqrtRatioAtTick(-200_000) + 123_456_789n
    const liquidity = 10n ** 18n
    const got = positionAmounts({ liquidity, tickLower, tickUpper, sqrtPriceX96, tickCurrent: -200_000 })
    const a = getSqrtRatioAtTick(tickLower)
    const b = getSqrtRatioAtTick(tickUpper)
    expect(got.amount0).toBe((liquidity * Q96 * (b - sqrtPriceX96)) / (sqrtPriceX96 * b))
    expect(got.amount1).toBe((liquidity * (sqrtPriceX96 - a)) / Q96)
    expect(got.amount0).toBeGreaterThan(0n)
    expect(got.amount1).toBeGreaterThan(0n)
  })

  test('holds only token0 below the range and only token1 above it', () => {
    const base = { liquidity: 10n ** 20n, tickLower: -1000, tickUpper: 1000 }
    const below = positionAmounts({ ...base, sqrtPriceX96: getSqrtRatioAtTick(-1001), tickCurrent: -1001 })
    const above = positionAmounts({ ...base, sqrtPriceX96: getSqrtRatioAtTick(1000), tickCurrent: 1000 })
    expect(below.amount1).toBe(0n)
    expect(below.amount0).toBeGreaterThan(0n)
    expect(above.amount0).toBe(0n)
    expect(above.amount1).toBeGreaterThan(0n)
  })

  test('gives the full token1 amount when a swap down stopped on the upper boundary (tick = tickUpper − 1)', () => {
    const base = { liquidity: 10n ** 20n, tickLower: -1000, tickUpper: 1000, sqrtPriceX96: getSqrtRatioAtTick(1000) }
    expect(positionAmounts({ ...base, tickCurrent: 999 })).toEqual(positionAmounts({ ...base, tickCurrent: 1000 }))
  })

  test('matches LiquidityAmounts.getAmountsForLiquidity when tick and price are consistent', () => {
    fc.assert(
      fc.property(position, (p) => {
        const got = positionAmounts(p)
        const ref = getAmountsForLiquidity({
          sqrtPriceX96: p.sqrtPriceX96,
          sqrtPriceAX96: getSqrtRatioAtTick(p.tickLower),
          sqrtPriceBX96: getSqrtRatioAtTick(p.tickUpper),
          liquidity: p.liquidity,
        })
        return got.amount0 === ref.amount0 && got.amount1 === ref.amount1
      }),
      { numRuns: 300 },
    )
  })

  test('pays out at most what minting the same liquidity costs, and at most 1 unit less per token', () => {
    fc.assert(
      fc.property(position, (p) => {
        const burn = positionAmounts(p)
        const a = getSqrtRatioAtTick(p.tickLower)
        const b = getSqrtRatioAtTick(p.tickUpper)
        const clamped = clampBigInt({ x: p.sqrtPriceX96, lo: a, hi: b })
        const mint0 = getAmount0DeltaSigned({ sqrtRatioAX96: clamped, sqrtRatioBX96: b, liquidity: p.liquidity })
        const mint1 = getAmount1DeltaSigned({ sqrtRatioAX96: a, sqrtRatioBX96: clamped, liquidity: p.liquidity })
        const d0 = mint0 - burn.amount0
        const d1 = mint1 - burn.amount1
        return d0 >= 0n && d0 <= 1n && d1 >= 0n && d1 <= 1n
      }),
      { numRuns: 300 },
    )
  })

  test('throws InvalidInputError naming tickCurrent when it does not match the sqrt price', () => {
    const call = () =>
      positionAmounts({ liquidity: 1n, tickLower: -10, tickUpper: 10, sqrtPriceX96: getSqrtRatioAtTick(5), tickCurrent: 7 })
    expect(call).toThrowError(InvalidInputError)
    try {
      call()
    } catch (err) {
      expect((err as InvalidInputError).issues.map((i) => i.path)).toEqual(['tickCurrent'])
    }
  })

  test('throws InvalidInputError when the range is empty or the liquidity negative', () => {
    const s = getSqrtRatioAtTick(0)
    expect(() => positionAmounts({ liquidity: 1n, tickLower: 10, tickUpper: 10, sqrtPriceX96: s, tickCurrent: 0 })).toThrowError(
      InvalidInputError,
    )
    expect(() => positionAmounts({ liquidity: -1n, tickLower: -10, tickUpper: 10, sqrtPriceX96: s, tickCurrent: 0 })).toThrowError(
      InvalidInputError,
    )
  })
})
