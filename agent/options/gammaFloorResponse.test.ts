import { describe, expect, it } from 'vitest'
import { buyBackPrices } from './gammaFloorResponse.ts'

describe('buyBackPrices', () => {
  it('values the whole amount at the model price and rounds both limits up to the USDC unit', () => {
    // 0.5 options at 123.4567891 USD each = 61.72839455 USD → 61,728,395 base units (rounded up).
    expect(buyBackPrices({ modelUsdPerOption: 123.4567891, amountE8: 50_000_000n, gasUsd: 1.2345671 })).toEqual({
      modelPriceUsdc: 61_728_395n,
      gasCostUsdc: 1_234_568n,
    })
  })
  it('a zero amount costs nothing but its gas', () => {
    expect(buyBackPrices({ modelUsdPerOption: 80, amountE8: 0n, gasUsd: 0 })).toEqual({ modelPriceUsdc: 0n, gasCostUsdc: 0n })
  })
})
