import { describe, expect, test } from 'vitest'
import { chooseAsk, chooseBid } from './chooseBid.ts'

describe('chooseBid', () => {
  const bids = [
    { maker: 'a', status: 'ok' as const, signerAmount: 930_000_000n },
    { maker: 'b', status: 'ok' as const, signerAmount: 960_000_000n },
    { maker: 'c', status: 'invalid' as const, reason: 'the order expires too soon' },
    { maker: 'd', status: 'ok' as const, signerAmount: 700_000_000n },
  ]
  test('takes the highest bid net of gas that is within the discount, and says why each other one was left', () => {
    const c = chooseBid({ bids, modelPremium: 1_000_000_000n, maxDiscountBps: 1_000, gasCostUsdc: 5_000_000n })
    expect(c).toMatchObject({ status: 'take', maker: 'b', premium: 960_000_000n, netPremium: 955_000_000n })
    expect(c.rejected).toEqual([
      { maker: 'a', reason: 'a better bid was taken' },
      { maker: 'c', reason: 'invalid: the order expires too soon' },
      { maker: 'd', reason: 'bid 700000000 less gas 5000000 is below 900000000 (model 1000000000 less 1000 bp)' },
    ])
  })
  test('takes nothing when every bid is too far below the model, gas included', () => {
    // 930 − 35 of gas is below the 900 floor: refused, even though the bid alone meets it.
    const c = chooseBid({ bids: bids.slice(0, 1), modelPremium: 1_000_000_000n, maxDiscountBps: 1_000, gasCostUsdc: 35_000_000n })
    expect(c.status).toBe('none')
    expect(c.rejected).toHaveLength(1)
  })

  test('a buy-back takes the cheapest ask plus gas within the markup over the model', () => {
    const asks = [
      { maker: 'a', status: 'ok' as const, senderAmount: 1_050_000_000n },
      { maker: 'b', status: 'ok' as const, senderAmount: 1_020_000_000n },
      { maker: 'c', status: 'refused' as const, reason: 'holds 0 of this token' },
      { maker: 'd', status: 'ok' as const, senderAmount: 1_200_000_000n },
    ]
    const c = chooseAsk({ asks, modelPrice: 1_000_000_000n, maxDiscountBps: 1_000, gasCostUsdc: 5_000_000n })
    expect(c).toMatchObject({ status: 'take', maker: 'b', price: 1_020_000_000n, grossPrice: 1_025_000_000n })
    expect(c.rejected.map((r) => r.maker).sort()).toEqual(['a', 'c', 'd'])
    expect(chooseAsk({ asks: asks.slice(3), modelPrice: 1_000_000_000n, maxDiscountBps: 1_000, gasCostUsdc: 0n }).status).toBe('none')
  })
})
