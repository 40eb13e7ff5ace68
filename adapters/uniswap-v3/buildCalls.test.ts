import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { minAmountOut } from './buildCalls.ts'

describe('minAmountOut', () => {
  test('rounds down when the product is not a multiple of 10000', () => {
    // 999_999 × 9_950 / 10_000 = 994_999.005
    expect(minAmountOut({ amountOut: 999_999n, slippageBps: 50 })).toBe(994_999n)
    // 1 × 9_999 / 10_000 = 0.9999
    expect(minAmountOut({ amountOut: 1n, slippageBps: 1 })).toBe(0n)
    // 12_345_678_901_234_567_891 × 9_970 / 10_000 = 12_308_641_864_530_864_187.327...
    expect(minAmountOut({ amountOut: 12_345_678_901_234_567_891n, slippageBps: 30 })).toBe(12_308_641_864_530_864_187n)
  })

  test('keeps the amount when slippage is 0 and gives 0 when it is 10000', () => {
    expect(minAmountOut({ amountOut: 7n, slippageBps: 0 })).toBe(7n)
    expect(minAmountOut({ amountOut: 7n, slippageBps: 10_000 })).toBe(0n)
  })

  test('is the floor of the exact rational for any amount and tolerance', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 200n }), fc.integer({ min: 0, max: 10_000 }), (amountOut, slippageBps) => {
        const m = minAmountOut({ amountOut, slippageBps })
        const num = amountOut * BigInt(10_000 - slippageBps)
        // m ≤ exact < m + 1, i.e. m × 10000 ≤ num < (m + 1) × 10000
        expect(m * 10_000n <= num).toBe(true)
        expect(num < (m + 1n) * 10_000n).toBe(true)
      }),
    )
  })

  test('throws when slippageBps is not an integer in range', () => {
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: 10_001 })).toThrow(RangeError)
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: -1 })).toThrow(RangeError)
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: 0.5 })).toThrow(RangeError)
  })
})
