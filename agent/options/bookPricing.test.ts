import { describe, expect, test } from 'vitest'
import { bestAskPerOptionUsd, buyBackToFloorE8, gasWeiToUsdc, settlementPaid } from './bookPricing.ts'

describe('the book’s small prices', () => {
  test('a settled call pays its holders in WETH, valued at the expiry price; a put in USDC as is', () => {
    const ETH = 10n ** 18n
    expect(settlementPaid({ isPut: false, collateral: 10n * ETH, returned: 9n * ETH, expiryPriceE8: 3_100n * 10n ** 8n })).toEqual({
      paidOut: ETH,
      paidOutUsdc: 3_100n * 10n ** 6n,
    })
    expect(settlementPaid({ isPut: true, collateral: 5_300_000_000n, returned: 4_000_000_000n, expiryPriceE8: 1n })).toEqual({
      paidOut: 1_300_000_000n,
      paidOutUsdc: 1_300_000_000n,
    })
  })
  test('the lowest valid ask per option; none is Infinity; the floor amount rounds up; gas at spot', () => {
    const quotes = [{ status: 'ok', senderAmount: '200000000' }, { status: 'refused' }, { status: 'ok', senderAmount: '150000000' }]
    expect(bestAskPerOptionUsd(quotes, 300_000_000n)).toBeCloseTo(50, 12)
    expect(bestAskPerOptionUsd([{ status: 'refused' }], 1n)).toBe(Number.POSITIVE_INFINITY)
    expect(buyBackToFloorE8(0.01, 0.003)).toBe(333_333_334n)
    expect(gasWeiToUsdc('1000000000000000', 3000)).toBe(3_000_000n)
  })
})
