import { describe, expect, test } from 'vitest'
import { type MarketMark, marketMove } from './marketMove.ts'

const Q96 = 2n ** 96n
// sqrtPriceX96 of price 1 is 2^96; a price ×1.01 has sqrtPrice ×sqrt(1.01).
const sqrtOf = (price: number): bigint => BigInt(Math.round(Math.sqrt(price) * 1e12)) * (Q96 / 10n ** 12n)
const mark = (wethIsToken0: boolean): MarketMark => ({
  chain: 'base',
  blockNumber: '100',
  blockTimestampSec: '1000',
  sqrtPriceX96: sqrtOf(1).toString(),
  wethIsToken0,
})
const read = (p: { price: number; block?: bigint; feedAt?: bigint }) => ({
  chain: 'base' as const,
  blockNumber: p.block ?? 101n,
  sqrtPriceX96: sqrtOf(p.price),
  feed: p.feedAt === undefined ? null : { roundId: 7n, answer: 1n, updatedAtSec: p.feedAt },
})

describe('marketMove', () => {
  test('wakes when the pool price moved more than the threshold, either way and in either token order', () => {
    for (const wethFirst of [true, false]) {
      expect(marketMove({ mark: mark(wethFirst), read: read({ price: 1.006 }), thresholdBps: 50 })?.reason).toBe('price')
      expect(marketMove({ mark: mark(wethFirst), read: read({ price: 0.994 }), thresholdBps: 50 })?.reason).toBe('price')
    }
  })

  test('stays asleep when the move is within the threshold', () => {
    for (const wethFirst of [true, false]) {
      expect(marketMove({ mark: mark(wethFirst), read: read({ price: 1.004 }), thresholdBps: 50 })).toBeNull()
      expect(marketMove({ mark: mark(wethFirst), read: read({ price: 0.996 }), thresholdBps: 50 })).toBeNull()
    }
  })

  test('reports the block, the price and the move in whole bps', () => {
    const moved = marketMove({ mark: mark(true), read: read({ price: 1.03, block: 105n }), thresholdBps: 50 })
    expect(moved).toEqual({ chain: 'base', blockNumber: '105', reason: 'price', movedBps: 299, sqrtPriceX96: sqrtOf(1.03).toString() })
  })

  test('ignores the marked block itself and older ones', () => {
    expect(marketMove({ mark: mark(true), read: read({ price: 2, block: 100n }), thresholdBps: 50 })).toBeNull()
    expect(marketMove({ mark: mark(true), read: read({ price: 2, block: 99n }), thresholdBps: 50 })).toBeNull()
  })

  test('wakes on a feed round posted after the marked block, not on one posted at or before it', () => {
    expect(marketMove({ mark: mark(true), read: read({ price: 1, feedAt: 1001n }), thresholdBps: 50 })).toMatchObject({
      reason: 'feed-round',
      feedRoundId: '7',
      movedBps: 0,
    })
    expect(marketMove({ mark: mark(true), read: read({ price: 1, feedAt: 1000n }), thresholdBps: 50 })).toBeNull()
  })
})
