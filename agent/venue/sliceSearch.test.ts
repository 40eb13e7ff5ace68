import { describe, expect, test } from 'vitest'
import type { ChainKey } from '../../chains/types.ts'
import { v3ExactSwap } from '../hedging/v3ExactSwap.ts'
import {
  chooseSlice,
  MAX_SLICE_ROUNDS,
  recordSliceQuotes,
  type SliceMarket,
  type SliceQuote,
  type SliceSearch,
  sliceRequests,
  startSliceSearch,
} from './sliceSearch.ts'

const ETH = 10n ** 18n
const GWEI = 10n ** 9n
// WETH token0, USDC token1, 3000 USDC/ETH (see chooseVenue.test.ts for the derivation).
const sqrtPrice3000 = 4339505179874779489431521n

/** A pool whose quotes are the exact in-range V3 fill minus a 5 bp fee; `liquidity` sets its depth. */
function pool(chain: ChainKey, liquidity: bigint, over: Partial<SliceMarket> = {}) {
  const market: SliceMarket = {
    chain,
    gasPriceWei: GWEI,
    sqrtPriceX96: sqrtPrice3000,
    wethIsToken0: true,
    poolFee: 500,
    balanceIn: 1_000n * ETH,
    ...over,
  }
  const quote = (amountIn: bigint): SliceQuote => {
    const afterFee = amountIn - (amountIn * 5n + 9_999n) / 10_000n
    const { quoteAmount } = v3ExactSwap({ sqrtPriceX96: sqrtPrice3000, liquidity, side: 'sellBase', amount: afterFee })
    return { status: 'ok', chain, amountIn: amountIn.toString(), amountOut: quoteAmount.toString(), gasEstimate: '130000' }
  }
  return { market, quote }
}

/** Runs the search to its end against the given pools, as the workflow does. */
function run(s: SliceSearch, pools: ReturnType<typeof pool>[]): { search: SliceSearch; rounds: number } {
  let search = s
  for (;;) {
    const requests = sliceRequests(search)
    if (requests.length === 0) return { search, rounds: search.rounds }
    const quotes = requests.map((r) => pools.find((p) => p.market.chain === r.chain)!.quote(r.amountIn))
    search = recordSliceQuotes(search, { requests, quotes })
  }
}

const budget = { maxGasCostUsdc: 50_000_000n, maxSlippageBps: 30 }
// Virtual WETH reserve x = L / √P ≈ 3,650 ETH: a sale of s ETH gives up about s/x (9 ETH ≈ 25 bp, plus the 5 bp fee).
const shallow = 2n * 10n ** 17n

describe('sliceSearch', () => {
  test('takes the whole hedge in one round when it fits somewhere', () => {
    const deep = pool('base', 10n ** 24n)
    const s = startSliceSearch({ direction: 'sell-eth', wantedWei: 20n * ETH, budget, markets: [deep.market] })
    const { search, rounds } = run(s, [deep])
    const choice = chooseSlice(search)
    expect(rounds).toBe(1)
    expect(choice.status).toBe('ok')
    if (choice.status !== 'ok') return
    expect(choice.whole).toBe(true)
    expect(choice.sizeWei).toBe(20n * ETH)
  })

  test('finds a slice within the slippage budget when the whole hedge breaks it everywhere', () => {
    const a = pool('ethereum', shallow)
    const b = pool('arbitrum', shallow / 2n)
    const s = startSliceSearch({ direction: 'sell-eth', wantedWei: 60n * ETH, budget, markets: [a.market, b.market] })
    const { search, rounds } = run(s, [a, b])
    const choice = chooseSlice(search)
    expect(choice.status).toBe('ok')
    if (choice.status !== 'ok') return
    expect(choice.whole).toBe(false)
    expect(choice.chain).toBe('ethereum') // the deeper pool gives the larger, cheaper-per-ETH slice
    expect(choice.best.rejected).toBeNull()
    expect(choice.best.shortfallBps).toBeLessThanOrEqual(30n)
    // Largest fitting slice within an eighth of the true limit: one ETH more breaks the budget by then.
    const limit = largestFitting(a, 60n * ETH)
    expect(choice.sizeWei).toBeLessThanOrEqual(limit)
    expect(choice.sizeWei * 8n).toBeGreaterThanOrEqual(limit * 7n)
    expect(rounds).toBeLessThanOrEqual(MAX_SLICE_ROUNDS)
  })

  test('reaches far below a quarter of the hedge, where fixed 1/2 and 1/4 steps stop', () => {
    const thin = pool('base', shallow / 8n)
    const s = startSliceSearch({ direction: 'sell-eth', wantedWei: 60n * ETH, budget, markets: [thin.market] })
    const choice = chooseSlice(run(s, [thin]).search)
    expect(choice.status).toBe('ok')
    if (choice.status !== 'ok') return
    expect(choice.sizeWei).toBeLessThan(15n * ETH)
    expect(choice.best.shortfallBps).toBeLessThanOrEqual(30n)
  })

  test('stops at the first slice that spends the whole budget when the budget is close to the pool fee', () => {
    // x ≈ 55,000 ETH of virtual reserve: 10.75 ETH gives up 5 bp fee + ~2 bp impact.
    const wide = pool('arbitrum', 3n * 10n ** 18n)
    const s = startSliceSearch({
      direction: 'sell-eth',
      wantedWei: 86n * ETH,
      budget: { ...budget, maxSlippageBps: 7 },
      markets: [wide.market],
    })
    const { search, rounds } = run(s, [wide])
    const choice = chooseSlice(search)
    expect(rounds).toBe(2)
    expect(choice.status === 'ok' && choice.best.shortfallBps).toBe(7n)
    expect(choice.status === 'ok' && choice.sizeWei).toBe(10_750_000_000_000_000_000n)
  })

  test('caps a slice at the balance on a chain', () => {
    const deep = pool('base', 10n ** 24n, { balanceIn: 7n * ETH })
    const s = startSliceSearch({ direction: 'sell-eth', wantedWei: 20n * ETH, budget, markets: [deep.market] })
    const choice = chooseSlice(run(s, [deep]).search)
    expect(choice.status === 'ok' && choice.sizeWei).toBe(7n * ETH)
  })

  test('says why when nothing fits: a budget below the pool fee, or gas over budget', () => {
    const p = pool('base', 10n ** 24n)
    const tight = startSliceSearch({ direction: 'sell-eth', wantedWei: ETH, budget: { ...budget, maxSlippageBps: 4 }, markets: [p.market] })
    const none = chooseSlice(run(tight, [p]).search)
    expect(none).toEqual({ status: 'unavailable', reason: 'base: slippage-over-budget' })
    const gas = startSliceSearch({ direction: 'sell-eth', wantedWei: ETH, budget: { ...budget, maxGasCostUsdc: 1n }, markets: [p.market] })
    expect(chooseSlice(run(gas, [p]).search)).toEqual({ status: 'unavailable', reason: 'base: gas-over-budget' })
  })

  test('keeps the first loop’s 1, 1/2, 1/4 steps in halving mode (for replay of older runs)', () => {
    const thin = pool('base', shallow / 8n)
    const s: SliceSearch = {
      ...startSliceSearch({ direction: 'sell-eth', wantedWei: 60n * ETH, budget, markets: [thin.market] }),
      strategy: 'halving',
    }
    const sizes: bigint[] = []
    let search = s
    for (;;) {
      const requests = sliceRequests(search)
      if (requests.length === 0) break
      sizes.push(...requests.map((r) => r.sizeWei))
      search = recordSliceQuotes(search, { requests, quotes: requests.map((r) => thin.quote(r.amountIn)) })
    }
    expect(sizes).toEqual([60n * ETH, 30n * ETH, 15n * ETH])
    expect(chooseSlice(search).status).toBe('unavailable')
  })
})

/** The largest size (to 0.01 ETH) whose quote stays within 30 bp of the mid, by brute force. */
function largestFitting(p: ReturnType<typeof pool>, upTo: bigint): bigint {
  let lo = 0n
  let hi = upTo
  while (hi - lo > ETH / 100n) {
    const mid = (lo + hi) / 2n
    const s = recordSliceQuotes(startSliceSearch({ direction: 'sell-eth', wantedWei: mid, budget, markets: [p.market] }), {
      requests: [{ chain: p.market.chain, sizeWei: mid }],
      quotes: [p.quote(mid)],
    })
    if (chooseSlice(s).status === 'ok') lo = mid
    else hi = mid
  }
  return lo
}
