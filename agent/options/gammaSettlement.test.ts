import { describe, expect, test } from 'vitest'
import { gammaFullCollateral, gammaNakedPutExcess, gammaNakedPutMarginE27, gammaPayout, gammaVaultProceeds } from './gammaSettlement.ts'

const E8 = 10n ** 8n
const call = { isPut: false, strikeE8: 2_800n * E8, collateralDecimals: 18 }
const put = { isPut: true, strikeE8: 3_200n * E8, collateralDecimals: 6 }

describe('Gamma settlement arithmetic', () => {
  test('a call pays (P − K) / P of the underlying per oToken, truncated to the wei', () => {
    // 300 / 3100 ETH per oToken = 0.096774193548387096(7…) ETH, truncated at 18 decimals; × 2.5.
    expect(gammaPayout({ ...call, amountE8: E8, expiryPriceE8: 3_100n * E8 })).toBe(96_774_193_548_387_096n)
    expect(gammaPayout({ ...call, amountE8: 25n * 10n ** 7n, expiryPriceE8: 3_100n * E8 })).toBe(241_935_483_870_967_740n)
    expect(gammaPayout({ ...call, amountE8: E8, expiryPriceE8: 2_800n * E8 })).toBe(0n)
  })

  test('a put pays K − P in USDC per oToken', () => {
    expect(gammaPayout({ ...put, amountE8: 3n * E8, expiryPriceE8: 3_100n * E8 })).toBe(300_000_000n)
    expect(gammaPayout({ ...put, amountE8: 3n * E8, expiryPriceE8: 3_300n * E8 })).toBe(0n)
  })

  test('a vault gets back its collateral less what its shorts owe', () => {
    const collateral = gammaFullCollateral({ ...put, amountE8: 3n * E8 })
    expect(collateral).toBe(9_600_000_000n)
    expect(gammaVaultProceeds({ ...put, shortE8: 3n * E8, collateral, expiryPriceE8: 3_100n * E8 })).toBe(9_300_000_000n)
    const wethCollateral = gammaFullCollateral({ ...call, amountE8: 25n * 10n ** 7n })
    expect(wethCollateral).toBe(25n * 10n ** 17n)
    const proceeds = gammaVaultProceeds({ ...call, shortE8: 25n * 10n ** 7n, collateral: wethCollateral, expiryPriceE8: 3_100n * E8 })
    // Owed 0.2419354838709677419… ETH: the vault keeps the rest, truncated.
    expect(proceeds).toBe(2_258_064_516_129_032_258n)
    expect(() => gammaVaultProceeds({ ...put, shortE8: 3n * E8, collateral: 1n, expiryPriceE8: 3_100n * E8 })).toThrow(RangeError)
  })

  test('a put’s full collateral is rounded up to the USDC unit', () => {
    // 1e-8 oToken of a 3,200.5 strike: 0.000032005 USDC, 32.005 units of 1e-6, rounded up to 33.
    expect(gammaFullCollateral({ ...put, strikeE8: 320_050_000_000n, amountE8: 1n })).toBe(33n)
  })

  test('a naked put needs (upper bound × min(K, shock × S) + max(K − shock × S, 0)) × amount, by time to expiry', () => {
    const E27 = 10n ** 27n
    const params = {
      spotShockE27: (75n * E27) / 100n,
      upperBounds: [
        { timeToExpirySec: 7n * 86_400n, valueE27: (20n * E27) / 100n },
        { timeToExpirySec: 35n * 86_400n, valueE27: (40n * E27) / 100n },
      ],
    }
    const p = { strikeE8: 2_800n * E8, spotE8: 3_000n * E8, shortE8: 10n * E8, expirySec: 10n * 86_400n, params }
    // 3 days out: 0.2 × 2,250 + 550 = 1,000 USDC per put.
    expect(gammaNakedPutMarginE27({ ...p, nowSec: 7n * 86_400n })).toBe(10_000n * E27)
    // 9 days out: 0.4 × 2,250 + 550 = 1,450.
    expect(gammaNakedPutMarginE27({ ...p, nowSec: 86_400n })).toBe(14_500n * E27)
    expect(() => gammaNakedPutMarginE27({ ...p, nowSec: -30n * 86_400n })).toThrow(RangeError)
    const at3 = { ...p, nowSec: 7n * 86_400n }
    expect(gammaNakedPutExcess({ ...at3, collateral: 10_000_000_001n })).toBe(1n)
    expect(gammaNakedPutExcess({ ...at3, collateral: 9_999_999_999n })).toBe(-1n)
  })
})
