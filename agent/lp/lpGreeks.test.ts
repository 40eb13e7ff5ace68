import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { toApproxNumber } from '../money.ts'
import { lpGreeks } from './lpGreeks.ts'
import { positionAmounts } from './positionAmounts.ts'
import { getSqrtRatioAtTick, getTickAtSqrtRatio } from './tickMath.ts'

const WETH = 18
const USDC = 6
// ≈ 2000 USDC per ETH: tick −200311 when WETH is token0, +200311 when USDC is token0.
const TICK_2000 = 200_311

type Orientation = { riskyIsToken0: boolean; decimals0: number; decimals1: number }
const WETH_TOKEN0: Orientation = { riskyIsToken0: true, decimals0: WETH, decimals1: USDC }
const WETH_TOKEN1: Orientation = { riskyIsToken0: false, decimals0: USDC, decimals1: WETH }

/** The exact value function: integer amounts of a full burn at sqrt price s, valued at P(s). */
function exactValue(p: { liquidity: bigint; tickLower: number; tickUpper: number; sqrtPriceX96: bigint } & Orientation) {
  const { amount0, amount1 } = positionAmounts({ ...p, tickCurrent: getTickAtSqrtRatio(p.sqrtPriceX96) })
  const { price } = lpGreeks(p)
  const risky = p.riskyIsToken0 ? toApproxNumber(amount0, p.decimals0) : toApproxNumber(amount1, p.decimals1)
  const numeraire = p.riskyIsToken0 ? toApproxNumber(amount1, p.decimals1) : toApproxNumber(amount0, p.decimals0)
  return { price, risky, value: risky * price + numeraire }
}

// A WETH/USDC position around 2000 USDC/ETH in either token order, with the price anywhere
// from below to above the range.
const book = fc
  .tuple(
    fc.boolean(),
    fc.integer({ min: 200, max: 20_000 }),
    fc.integer({ min: -15_000, max: 15_000 }),
    fc.bigInt({ min: 10n ** 12n, max: 10n ** 24n }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([riskyIsToken0, halfWidth, offset, liquidity, frac]) => {
    const centre = riskyIsToken0 ? -TICK_2000 : TICK_2000
    const tick = centre + offset
    const lo = getSqrtRatioAtTick(tick)
    const sqrtPriceX96 = lo + ((getSqrtRatioAtTick(tick + 1) - lo) * BigInt(Math.floor(frac * 1e6))) / 1_000_001n
    return {
      ...(riskyIsToken0 ? WETH_TOKEN0 : WETH_TOKEN1),
      liquidity,
      tickLower: centre - halfWidth,
      tickUpper: centre + halfWidth,
      sqrtPriceX96,
    }
  })

// In range, big enough that flooring each amount to a base unit (1e-6 USDC) stays far below a
// second difference (L ≥ 1e18 is a position of ~1e5 USDC over ±2 %).
const inRangeBook = fc
  .tuple(
    fc.boolean(),
    fc.integer({ min: 200, max: 20_000 }),
    fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    fc.bigInt({ min: 10n ** 18n, max: 10n ** 24n }),
  )
  .map(([riskyIsToken0, halfWidth, where, liquidity]) => {
    const centre = riskyIsToken0 ? -TICK_2000 : TICK_2000
    const tickLower = centre - halfWidth
    const tickUpper = centre + halfWidth
    const a = getSqrtRatioAtTick(tickLower)
    const sqrtPriceX96 = a + ((getSqrtRatioAtTick(tickUpper) - a) * BigInt(Math.round(where * 1e6))) / 1_000_000n
    return { ...(riskyIsToken0 ? WETH_TOKEN0 : WETH_TOKEN1), liquidity, tickLower, tickUpper, sqrtPriceX96 }
  })

/** dV/dP and d²V/dP² of the exact value function from three prices ±0.01 % apart in √p. */
function finiteDifferences(p: Parameters<typeof exactValue>[0]) {
  const h = p.sqrtPriceX96 / 10_000n
  const points = [
    exactValue({ ...p, sqrtPriceX96: p.sqrtPriceX96 - h }),
    exactValue(p),
    exactValue({ ...p, sqrtPriceX96: p.sqrtPriceX96 + h }),
  ]
  const [lo, mid, hi] = points.sort((x, y) => x.price - y.price) as [
    ReturnType<typeof exactValue>,
    ReturnType<typeof exactValue>,
    ReturnType<typeof exactValue>,
  ]
  // Steps in P are unequal (P ∝ s² or 1/s²): weighting each one-sided slope by the other step
  // keeps the first derivative second-order.
  const stepLo = mid.price - lo.price
  const stepHi = hi.price - mid.price
  const slopeLo = (mid.value - lo.value) / stepLo
  const slopeHi = (hi.value - mid.value) / stepHi
  return { delta: (slopeLo * stepHi + slopeHi * stepLo) / (stepLo + stepHi), gamma: (2 * (slopeHi - slopeLo)) / (stepLo + stepHi) }
}

const relClose = (a: number, b: number, rel: number, abs = 0) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs

describe('lpGreeks', () => {
  test('prices WETH near 2000 USDC in both token orders', () => {
    const g0 = lpGreeks({
      ...WETH_TOKEN0,
      liquidity: 10n ** 18n,
      tickLower: -TICK_2000 - 100,
      tickUpper: -TICK_2000 + 100,
      sqrtPriceX96: getSqrtRatioAtTick(-TICK_2000),
    })
    const g1 = lpGreeks({
      ...WETH_TOKEN1,
      liquidity: 10n ** 18n,
      tickLower: TICK_2000 - 100,
      tickUpper: TICK_2000 + 100,
      sqrtPriceX96: getSqrtRatioAtTick(TICK_2000),
    })
    expect(g0.price).toBeGreaterThan(1999)
    expect(g0.price).toBeLessThan(2001)
    expect(g1.price).toBeCloseTo(g0.price, 6)
  })

  test('has delta equal to the exact risky amount and value equal to the exact amounts valued at P when given random positions', () => {
    fc.assert(
      fc.property(book, (p) => {
        const g = lpGreeks(p)
        const exact = exactValue(p)
        // The closed form has no rounding; the pool floors to a base unit (1e-18 ETH, 1e-6 USDC).
        return relClose(g.delta, exact.risky, 1e-9, 2e-18) && relClose(g.value, exact.value, 1e-9, 2e-6)
      }),
      { numRuns: 300 },
    )
  })

  test('matches first and second finite differences of the exact value function when the price is inside the range', () => {
    fc.assert(
      fc.property(inRangeBook, (p) => {
        const fd = finiteDifferences(p)
        const g = lpGreeks(p)
        // Truncation of the three-point formula is ~h²·V'''/6 ≈ 1e-6·|γ|·P; flooring adds ~1e-5 ETH.
        return (
          relClose(g.delta, fd.delta, 1e-6, 1e-5 + 2e-6 * Math.abs(g.gamma) * g.price) && relClose(g.gamma, fd.gamma, 1e-4) && g.gamma < 0
        )
      }),
      { numRuns: 200 },
    )
  })

  test('gives gamma = −L/(2·P^1.5) when both tokens have 0 decimals and the risky one is token0', () => {
    const liquidity = 10n ** 12n
    const g = lpGreeks({
      riskyIsToken0: true,
      decimals0: 0,
      decimals1: 0,
      liquidity,
      tickLower: -1000,
      tickUpper: 1000,
      sqrtPriceX96: getSqrtRatioAtTick(100),
    })
    expect(g.price).toBeCloseTo(1.0001 ** 100, 12)
    expect(relClose(g.gamma, -Number(liquidity) / (2 * g.price ** 1.5), 1e-12)).toBe(true)
    // x = L(1/√P − 1/√Pb)
    expect(relClose(g.delta, Number(liquidity) * (1 / Math.sqrt(g.price) - 1 / 1.0001 ** 500), 1e-9)).toBe(true)
  })

  test('is all risky with zero gamma below the range and has zero delta and gamma above it, in both token orders', () => {
    const L = 10n ** 18n
    // WETH token0: P rises with the tick. WETH token1: P falls as the tick rises.
    const low0 = lpGreeks({
      ...WETH_TOKEN0,
      liquidity: L,
      tickLower: -TICK_2000,
      tickUpper: -TICK_2000 + 1000,
      sqrtPriceX96: getSqrtRatioAtTick(-TICK_2000 - 10),
    })
    const high0 = lpGreeks({
      ...WETH_TOKEN0,
      liquidity: L,
      tickLower: -TICK_2000 - 1000,
      tickUpper: -TICK_2000,
      sqrtPriceX96: getSqrtRatioAtTick(-TICK_2000 + 10),
    })
    const low1 = lpGreeks({
      ...WETH_TOKEN1,
      liquidity: L,
      tickLower: TICK_2000 - 1000,
      tickUpper: TICK_2000,
      sqrtPriceX96: getSqrtRatioAtTick(TICK_2000 + 10),
    })
    const high1 = lpGreeks({
      ...WETH_TOKEN1,
      liquidity: L,
      tickLower: TICK_2000,
      tickUpper: TICK_2000 + 1000,
      sqrtPriceX96: getSqrtRatioAtTick(TICK_2000 - 10),
    })
    for (const g of [low0, low1]) {
      expect(g.gamma).toBe(0)
      expect(g.delta).toBeGreaterThan(0)
      expect(g.value).toBeCloseTo(g.delta * g.price, 9)
    }
    for (const g of [high0, high1]) {
      expect(g.gamma).toBe(0)
      expect(g.delta).toBe(0)
      expect(g.value).toBeGreaterThan(0)
    }
  })

  test('gives the same Greeks for the same economic position whichever token is token0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 20_000 }),
        fc.integer({ min: -25_000, max: 25_000 }),
        fc.bigInt({ min: 10n ** 12n, max: 10n ** 24n }),
        (halfWidth, offset, liquidity) => {
          // Mirroring the token order maps tick t to −t and the raw price to its inverse.
          const t = -TICK_2000 + offset
          const g0 = lpGreeks({
            ...WETH_TOKEN0,
            liquidity,
            tickLower: -TICK_2000 - halfWidth,
            tickUpper: -TICK_2000 + halfWidth,
            sqrtPriceX96: getSqrtRatioAtTick(t),
          })
          const g1 = lpGreeks({
            ...WETH_TOKEN1,
            liquidity,
            tickLower: TICK_2000 - halfWidth,
            tickUpper: TICK_2000 + halfWidth,
            sqrtPriceX96: getSqrtRatioAtTick(-t),
          })
          return (
            relClose(g0.price, g1.price, 1e-12) &&
            relClose(g0.delta, g1.delta, 1e-9, 1e-15) &&
            relClose(g0.gamma, g1.gamma, 1e-9) &&
            relClose(g0.value, g1.value, 1e-9, 1e-9)
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  test('throws InvalidInputError naming decimals0 when decimals are not an integer', () => {
    const call = () =>
      lpGreeks({ ...WETH_TOKEN0, decimals0: 1.5, liquidity: 1n, tickLower: -10, tickUpper: 10, sqrtPriceX96: getSqrtRatioAtTick(0) })
    expect(call).toThrowError(InvalidInputError)
  })
})
