import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { acrossFees, feePctScale } from './fees.ts'

describe('acrossFees', () => {
  test('takes 1 bp LP fee, 3 bp capital fee and the flat gas fee from 25,000 USDC', () => {
    // 25,000 USDC = 25_000_000_000 units; 1 bp = 2_500_000, 3 bp = 7_500_000, gas 0.05 USDC = 50_000.
    const fees = acrossFees({ inputAmount: 25_000_000_000n, lpFeePct: 10n ** 14n, capitalFeePct: 3n * 10n ** 14n, gasFeeTotal: 50_000n })
    expect(fees).toEqual({ lpFee: 2_500_000n, relayerFee: 7_550_000n, outputAmount: 24_989_950_000n })
  })

  test('rounds each percentage up when it does not divide the input', () => {
    // 1 unit at 1 bp is 0.0001 units: the fee is 1 unit, never 0.
    expect(acrossFees({ inputAmount: 1n, lpFeePct: 10n ** 14n, capitalFeePct: 10n ** 14n, gasFeeTotal: 0n })).toEqual({
      lpFee: 1n,
      relayerFee: 1n,
      outputAmount: -1n,
    })
    // 10_001 units at 1 bp = 1.0001 → 2.
    expect(acrossFees({ inputAmount: 10_001n, lpFeePct: 10n ** 14n, capitalFeePct: 0n, gasFeeTotal: 0n }).lpFee).toBe(2n)
  })

  test('output plus fees is the input, and fees never fall below the exact rate, for any amount and rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 0n, max: feePctScale }),
        fc.bigInt({ min: 0n, max: feePctScale }),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        (inputAmount, lpFeePct, capitalFeePct, gasFeeTotal) => {
          const f = acrossFees({ inputAmount, lpFeePct, capitalFeePct, gasFeeTotal })
          expect(f.outputAmount + f.lpFee + f.relayerFee).toBe(inputAmount)
          expect(f.lpFee * feePctScale).toBeGreaterThanOrEqual(inputAmount * lpFeePct)
          expect((f.lpFee - 1n) * feePctScale).toBeLessThan(inputAmount * lpFeePct)
        },
      ),
    )
  })

  test('refuses a rate above 100 % or a negative amount', () => {
    expect(() => acrossFees({ inputAmount: 1n, lpFeePct: feePctScale + 1n, capitalFeePct: 0n, gasFeeTotal: 0n })).toThrow(RangeError)
    expect(() => acrossFees({ inputAmount: -1n, lpFeePct: 0n, capitalFeePct: 0n, gasFeeTotal: 0n })).toThrow(RangeError)
  })
})
