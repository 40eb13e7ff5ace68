import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { MAX_UINT128 } from './constants.ts'
import { UniswapMathError } from './errors.ts'
import {
  getAmount0Delta,
  getAmount0DeltaSigned,
  getAmount1Delta,
  getAmount1DeltaSigned,
  getNextSqrtPriceFromInput,
  getNextSqrtPriceFromOutput,
} from './sqrtPriceMath.ts'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from './tickMath.ts'

const Q96 = 1n << 96n
const ONE = 10n ** 18n
// Reference values computed independently with Python's decimal module (200 digits):
// SQRT_1_21 = floor(sqrt(1.21) · 2^96); amounts are floor/ceil of the exact rationals
// L·2^96·(B−A)/(A·B) and L·(B−A)/2^96; next prices are floor/ceil of the exact formulas.
const SQRT_1_21 = 87150978765690771352898345369n

const sqrtPrice = fc.bigInt({ min: MIN_SQRT_RATIO, max: MAX_SQRT_RATIO - 1n })
const liquidity = fc.bigInt({ min: 0n, max: MAX_UINT128 })

describe('getAmount0Delta', () => {
  test('returns 0.0909… token0 rounded down and up when the price moves from 1 to 1.21 with L = 1e18', () => {
    const p = { sqrtRatioAX96: Q96, sqrtRatioBX96: SQRT_1_21, liquidity: ONE }
    expect(getAmount0Delta({ ...p, roundUp: false })).toBe(90909090909090909n)
    expect(getAmount0Delta({ ...p, roundUp: true })).toBe(90909090909090910n)
  })

  test('is the floor (ceil) of the exact rational L·2^96·(B−A)/(A·B) when given random prices', () => {
    fc.assert(
      fc.property(sqrtPrice, sqrtPrice, liquidity, (a, b, l) => {
        const [lo, hi] = a < b ? [a, b] : [b, a]
        const num = l * Q96 * (hi - lo)
        const den = lo * hi
        const down = getAmount0Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: false })
        const up = getAmount0Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: true })
        return down === num / den && up === (num + den - 1n) / den
      }),
      { numRuns: 300 },
    )
  })

  test('returns 0 when the two prices are equal', () => {
    expect(getAmount0Delta({ sqrtRatioAX96: SQRT_1_21, sqrtRatioBX96: SQRT_1_21, liquidity: ONE, roundUp: true })).toBe(0n)
  })

  test('throws when a sqrt price is zero', () => {
    expect(() => getAmount0Delta({ sqrtRatioAX96: 0n, sqrtRatioBX96: Q96, liquidity: 1n, roundUp: true })).toThrowError(UniswapMathError)
  })
})

describe('getAmount1Delta', () => {
  test('returns 0.1 token1 rounded down and up when the price moves from 1 to 1.21 with L = 1e18', () => {
    const p = { sqrtRatioAX96: SQRT_1_21, sqrtRatioBX96: Q96, liquidity: ONE }
    expect(getAmount1Delta({ ...p, roundUp: false })).toBe(99999999999999999n)
    expect(getAmount1Delta({ ...p, roundUp: true })).toBe(100000000000000000n)
  })

  test('rounds up by at most 1 over rounding down when given random prices', () => {
    fc.assert(
      fc.property(sqrtPrice, sqrtPrice, liquidity, (a, b, l) => {
        const diff0 =
          getAmount0Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: true }) -
          getAmount0Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: false })
        const diff1 =
          getAmount1Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: true }) -
          getAmount1Delta({ sqrtRatioAX96: a, sqrtRatioBX96: b, liquidity: l, roundUp: false })
        return (diff0 === 0n || diff0 === 1n) && (diff1 === 0n || diff1 === 1n)
      }),
      { numRuns: 300 },
    )
  })
})

describe('getAmount0DeltaSigned', () => {
  test('rounds up for added liquidity and down (negated) for removed liquidity', () => {
    const p = { sqrtRatioAX96: Q96, sqrtRatioBX96: SQRT_1_21 }
    expect(getAmount0DeltaSigned({ ...p, liquidity: ONE })).toBe(90909090909090910n)
    expect(getAmount0DeltaSigned({ ...p, liquidity: -ONE })).toBe(-90909090909090909n)
    expect(getAmount1DeltaSigned({ ...p, liquidity: ONE })).toBe(100000000000000000n)
    expect(getAmount1DeltaSigned({ ...p, liquidity: -ONE })).toBe(-99999999999999999n)
  })

  test('throws when the liquidity delta is outside int128', () => {
    expect(() => getAmount0DeltaSigned({ sqrtRatioAX96: Q96, sqrtRatioBX96: SQRT_1_21, liquidity: 1n << 127n })).toThrowError(
      UniswapMathError,
    )
  })
})

describe('getNextSqrtPriceFromInput', () => {
  test('moves the price as the exact formulas say when 0.1 of either token goes in at price 1 with L = 1e18', () => {
    const p = { sqrtPX96: Q96, liquidity: ONE, amount: ONE / 10n }
    expect(getNextSqrtPriceFromInput({ ...p, zeroForOne: false })).toBe(87150978765690771352898345369n)
    expect(getNextSqrtPriceFromInput({ ...p, zeroForOne: true })).toBe(72025602285694852357767227579n)
  })

  test('returns the same price when the amount in is zero', () => {
    expect(getNextSqrtPriceFromInput({ sqrtPX96: SQRT_1_21, liquidity: ONE, amount: 0n, zeroForOne: true })).toBe(SQRT_1_21)
  })

  test('takes the overflow-safe branch and still returns the rounded-up quotient when amount·√P overflows uint256', () => {
    // amount·√P > 2^256 forces the fallback ceil(L·2^96 / (L·2^96/√P + amount)).
    const amount = 1n << 200n
    const got = getNextSqrtPriceFromInput({ sqrtPX96: Q96, liquidity: ONE, amount, zeroForOne: true })
    const numerator = ONE << 96n
    const den = numerator / Q96 + amount
    expect(got).toBe((numerator + den - 1n) / den)
  })

  test('throws when token1 in pushes the price beyond uint160', () => {
    expect(() =>
      getNextSqrtPriceFromInput({ sqrtPX96: MAX_SQRT_RATIO, liquidity: 1n, amount: 1n << 100n, zeroForOne: false }),
    ).toThrowError(UniswapMathError)
  })

  test('throws when the liquidity is zero', () => {
    expect(() => getNextSqrtPriceFromInput({ sqrtPX96: Q96, liquidity: 0n, amount: 1n, zeroForOne: true })).toThrowError(UniswapMathError)
  })

  test('never moves past the price the input pays for when given random swaps', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: Q96 / 1000n, max: Q96 * 1000n }),
        // L ≥ 2^60 keeps the price inside uint160 for inputs up to 2^100 (larger moves revert, tested elsewhere).
        fc.bigInt({ min: 1n << 60n, max: MAX_UINT128 }),
        fc.bigInt({ min: 1n, max: 1n << 100n }),
        fc.boolean(),
        (s, l, amount, zeroForOne) => {
          const next = getNextSqrtPriceFromInput({ sqrtPX96: s, liquidity: l, amount, zeroForOne })
          // What the move costs (rounded up, the trader pays) must not exceed what was paid in.
          const cost = zeroForOne
            ? getAmount0Delta({ sqrtRatioAX96: next, sqrtRatioBX96: s, liquidity: l, roundUp: true })
            : getAmount1Delta({ sqrtRatioAX96: s, sqrtRatioBX96: next, liquidity: l, roundUp: true })
          return (zeroForOne ? next <= s : next >= s) && cost <= amount
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('getNextSqrtPriceFromOutput', () => {
  test('moves the price as the exact formulas say when 0.1 of either token comes out at price 1 with L = 1e18', () => {
    const p = { sqrtPX96: Q96, liquidity: ONE, amount: ONE / 10n }
    expect(getNextSqrtPriceFromOutput({ ...p, zeroForOne: true })).toBe(71305346262837903834189555302n)
    expect(getNextSqrtPriceFromOutput({ ...p, zeroForOne: false })).toBe(88031291682515930659493278152n)
  })

  test('throws when the output exceeds the virtual reserves', () => {
    // Token0 reserves at price 1 with L = 1e18 are 1e18; taking all of them is impossible.
    expect(() => getNextSqrtPriceFromOutput({ sqrtPX96: Q96, liquidity: ONE, amount: ONE, zeroForOne: false })).toThrowError(
      UniswapMathError,
    )
    expect(() => getNextSqrtPriceFromOutput({ sqrtPX96: Q96, liquidity: ONE, amount: ONE, zeroForOne: true })).toThrowError(
      UniswapMathError,
    )
  })
})
