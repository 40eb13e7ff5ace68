import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { MAX_UINT256 } from './constants.ts'
import { UniswapMathError } from './errors.ts'
import { mulDiv, mulDivRoundingUp } from './fullMath.ts'

const uint256 = fc.bigInt({ min: 0n, max: MAX_UINT256 })

describe('mulDiv', () => {
  test('returns the floor of a·b/d when the 512-bit product exceeds 2^256 but the result fits', () => {
    const q128 = 1n << 128n
    expect(mulDiv(q128, 50n * q128, 150n * q128)).toBe(q128 / 3n)
    expect(mulDiv(MAX_UINT256, MAX_UINT256, MAX_UINT256)).toBe(MAX_UINT256)
  })

  test('throws when the denominator is zero or the result overflows uint256', () => {
    expect(() => mulDiv(1n, 1n, 0n)).toThrowError(UniswapMathError)
    expect(() => mulDiv(MAX_UINT256, MAX_UINT256, MAX_UINT256 - 1n)).toThrowError(UniswapMathError)
  })

  test('satisfies result·d ≤ a·b < (result+1)·d when given random uint256 inputs', () => {
    fc.assert(
      fc.property(uint256, uint256, fc.bigInt({ min: 1n, max: MAX_UINT256 }), (a, b, d) => {
        const exact = a * b
        if (exact / d > MAX_UINT256) return true
        const r = mulDiv(a, b, d)
        return r * d <= exact && exact < (r + 1n) * d
      }),
      { numRuns: 300 },
    )
  })
})

describe('mulDivRoundingUp', () => {
  test('exceeds mulDiv by exactly 1 when the division has a remainder and equals it otherwise', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 200n }),
        fc.bigInt({ min: 0n, max: 1n << 56n }),
        fc.bigInt({ min: 1n, max: 1n << 160n }),
        (a, b, d) => {
          const diff = mulDivRoundingUp(a, b, d) - mulDiv(a, b, d)
          return diff === ((a * b) % d === 0n ? 0n : 1n)
        },
      ),
      { numRuns: 300 },
    )
  })

  test('throws when rounding up would overflow uint256', () => {
    // a·b/d = MAX_UINT256 + a fraction: mulDiv fits, the rounded-up result does not.
    expect(() => mulDivRoundingUp(MAX_UINT256, MAX_UINT256 - 1n, MAX_UINT256 - 2n)).toThrowError(UniswapMathError)
  })
})
