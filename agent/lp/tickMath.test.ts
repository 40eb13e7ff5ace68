import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { UniswapMathError } from './errors.ts'
import { getSqrtRatioAtTick, getTickAtSqrtRatio, MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK, TICK_FACTORS } from './tickMath.ts'

// floor(sqrt(1.0001^tick) · 2^96), computed independently with Python's decimal module at 300
// significant digits:
//   (Decimal('1.0001') ** t).sqrt() * Decimal(2) ** 96, floored.
// The chain's value is this exact value rounded UP through a Q128.128 approximation, so it is
// never below floor + 1 and its relative error stays under 2^-64 (it grows for large positive
// ticks, where the inversion uint256.max / ratio amplifies the approximation).
const EXACT_FLOOR: readonly [number, bigint][] = [
  [-887272, 4295128738n],
  [-887271, 4295343489n],
  [-600000, 7425001144658882n],
  [-276324, 79228267247129223624113n],
  [-200000, 3598751819609688046946418n],
  [-100000, 533968626430936354154228407n],
  [-69082, 2505290050365003892876723466n],
  [-10000, 48055510970269007215549348796n],
  [-1000, 75364347830767020784054125654n],
  [-60, 78990846045029531151608375685n],
  [-1, 79224201403219477170569942573n],
  [1, 79232123823359799118286999567n],
  [60, 79466191966197645195421774832n],
  [1000, 83290069058676223003182343269n],
  [10000, 130621891405341611593710811005n],
  [69082, 2505538923316343871269983126943n],
  [100000, 11755562826496067164730007768449n],
  [195000, 1358435673239453248152483143175382n],
  [200000, 1744244129640337381386292603617837n],
  [276324, 79228057781537899283318961129827771n],
  [600000, 845400776793423922697130593208550781468666n],
  [887271, 1461373636630004318672046398259762639463073250156n],
  [887272, 1461446703485210103244672773810124308346321380902n],
]

function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2))
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

describe('getSqrtRatioAtTick', () => {
  test('returns the pool bounds MIN_SQRT_RATIO and MAX_SQRT_RATIO when given MIN_TICK and MAX_TICK', () => {
    expect(getSqrtRatioAtTick(MIN_TICK)).toBe(MIN_SQRT_RATIO)
    expect(getSqrtRatioAtTick(MAX_TICK)).toBe(MAX_SQRT_RATIO)
  })

  test('returns exactly 2^96 when the tick is 0', () => {
    expect(getSqrtRatioAtTick(0)).toBe(1n << 96n)
  })

  test('rounds the exact sqrt ratio up within 2^-64 relative error when checked against high-precision values', () => {
    for (const [tick, floor] of EXACT_FLOOR) {
      const got = getSqrtRatioAtTick(tick)
      expect(got, `tick ${tick}`).toBeGreaterThanOrEqual(floor + 1n)
      expect(got - floor - 1n, `tick ${tick}`).toBeLessThanOrEqual(floor >> 64n)
    }
  })

  test('uses factors equal to round(2^128 / 1.0001^(2^i / 2)) when re-derived in 400-bit fixed point', () => {
    const scale = 1n << 400n
    let x = isqrt((scale * scale * 10000n) / 10001n) // 1/sqrt(1.0001) at 2^-400 resolution
    TICK_FACTORS.forEach((factor, i) => {
      const derived = (x * (1n << 129n) + scale) / (2n * scale) // round(x · 2^128 / scale)
      expect(factor, `factor ${i}`).toBe(derived)
      x = (x * x) / scale
    })
  })

  test('is strictly increasing when the tick increases', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TICK, max: MAX_TICK - 1 }), (t) => getSqrtRatioAtTick(t) < getSqrtRatioAtTick(t + 1)),
      { numRuns: 500 },
    )
  })

  test('throws a typed error with reason T when the tick is outside [MIN_TICK, MAX_TICK] or not an integer', () => {
    for (const t of [MIN_TICK - 1, MAX_TICK + 1, 0.5, Number.NaN]) {
      expect(() => getSqrtRatioAtTick(t)).toThrowError(UniswapMathError)
      try {
        getSqrtRatioAtTick(t)
      } catch (err) {
        expect((err as UniswapMathError).reason).toBe('T')
      }
    }
  })
})

describe('getTickAtSqrtRatio', () => {
  test('returns MIN_TICK and MAX_TICK − 1 when given the ends of its domain', () => {
    expect(getTickAtSqrtRatio(MIN_SQRT_RATIO)).toBe(MIN_TICK)
    expect(getTickAtSqrtRatio(MAX_SQRT_RATIO - 1n)).toBe(MAX_TICK - 1)
  })

  test('inverts getSqrtRatioAtTick when given any tick below MAX_TICK', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TICK, max: MAX_TICK - 1 }), (t) => getTickAtSqrtRatio(getSqrtRatioAtTick(t)) === t),
      { numRuns: 1000 },
    )
  })

  test('returns t − 1 when given one below the sqrt ratio of tick t', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TICK + 1, max: MAX_TICK - 1 }), (t) => getTickAtSqrtRatio(getSqrtRatioAtTick(t) - 1n) === t - 1),
      { numRuns: 500 },
    )
  })

  test('returns the greatest tick whose sqrt ratio is at most the input when given any sqrt price in the domain', () => {
    fc.assert(
      // A uniform bigint would almost always land in the top ticks; pick a tick, then a point inside it.
      fc.property(fc.integer({ min: MIN_TICK, max: MAX_TICK - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (tick, u) => {
        const lo = getSqrtRatioAtTick(tick)
        const width = getSqrtRatioAtTick(tick + 1) - lo
        const s = lo + (width * BigInt(Math.floor(u * 1e6))) / 1_000_001n
        const t = getTickAtSqrtRatio(s)
        return getSqrtRatioAtTick(t) <= s && s < getSqrtRatioAtTick(t + 1)
      }),
      { numRuns: 1000 },
    )
  })

  test('throws a typed error with reason R when the sqrt price is outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)', () => {
    expect(() => getTickAtSqrtRatio(MIN_SQRT_RATIO - 1n)).toThrowError(UniswapMathError)
    expect(() => getTickAtSqrtRatio(MAX_SQRT_RATIO)).toThrowError(UniswapMathError)
  })
})
