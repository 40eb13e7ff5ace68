import { describe, expect, test } from 'vitest'
import { toApproxNumber } from '../money.ts'
import { defaultChainCostParams } from './constants.ts'
import { cheapestChain, gasCostQuote, hedgeTradeCost, v3PriceImpact } from './costModel.ts'
import type { ChainCostParams } from './types.ts'
import { v3ExactSwap } from './v3ExactSwap.ts'

const Q96 = 2 ** 96
const chain = (key: ChainCostParams['chain']): ChainCostParams => defaultChainCostParams.find((c) => c.chain === key)!

/** Spot (USDC per WETH) of a WETH(18)/USDC(6) pool at sqrtPriceX96. */
const spotOf = (sqrtPriceX96: bigint): number => (Number(sqrtPriceX96) / Q96) ** 2 * 1e12

describe('v3PriceImpact', () => {
  const sqrtPriceX96 = 4_339_505_179_874_779_489_431_521n // ≈ 3,000 USDC per WETH
  const spot = spotOf(sqrtPriceX96)
  const pool = chain('arbitrum').pool

  test.each([0.5, 25, 400])('matches the exact in-range swap when selling %s WETH', (size) => {
    const amount = BigInt(Math.round(size * 1e6)) * 10n ** 12n
    const exact = v3ExactSwap({ sqrtPriceX96, liquidity: pool.liquidity, side: 'sellBase', amount })
    const exactImpact = size * spot - toApproxNumber(exact.quoteAmount, 6)
    expect(v3PriceImpact({ pool, sizeBase: -size, spot })).toBeCloseTo(exactImpact, 4)
  })

  test.each([0.5, 25, 400])('matches the exact in-range swap when buying %s WETH', (size) => {
    const amount = BigInt(Math.round(size * 1e6)) * 10n ** 12n
    const exact = v3ExactSwap({ sqrtPriceX96, liquidity: pool.liquidity, side: 'buyBase', amount })
    const exactImpact = toApproxNumber(exact.quoteAmount, 6) - size * spot
    expect(v3PriceImpact({ pool, sizeBase: size, spot })).toBeCloseTo(exactImpact, 4)
  })

  test('grows faster than linearly and is dearer to buy than to sell', () => {
    const small = v3PriceImpact({ pool, sizeBase: 10, spot })
    expect(v3PriceImpact({ pool, sizeBase: 100, spot })).toBeGreaterThan(10 * small)
    expect(v3PriceImpact({ pool, sizeBase: 100, spot })).toBeGreaterThan(v3PriceImpact({ pool, sizeBase: -100, spot }))
  })

  test('is infinite when a buy would take the whole virtual reserve of the range', () => {
    // Virtual WETH reserve of the Arbitrum default pool at 3,000 is 10,000.
    expect(v3PriceImpact({ pool, sizeBase: 10_001, spot: 3000 })).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('v3ExactSwap', () => {
  test('moves the price by Δ(1/√P) = Δx/L when selling base', () => {
    const sqrtPriceX96 = 79_228_162_514_264_337_593_543_950_336n // price 1
    const out = v3ExactSwap({ sqrtPriceX96, liquidity: 10n ** 18n, side: 'sellBase', amount: 10n ** 17n })
    // 1/√P' = 1 + 0.1 → √P' = 1/1.1; quote out = L(1 − 1/1.1) = 0.0909… e18, rounded down.
    expect(out.quoteAmount).toBe(90_909_090_909_090_909n)
  })
})

describe('gasCostQuote', () => {
  test('prices fee per gas × gas used (plus L1 data fee) through the spot', () => {
    // 15 gwei × 130,000 = 0.00195 ETH → 5.85 USDC at 3,000.
    expect(gasCostQuote({ chain: chain('ethereum'), spot: 3000 })).toBeCloseTo(5.85, 10)
    // 0.02 gwei × 160,000 + 369,710,000,000 wei of L1 data fee = 3.56971e12 wei → 0.01070913 USDC.
    expect(gasCostQuote({ chain: chain('arbitrum'), spot: 3000 })).toBeCloseTo(0.01070913, 10)
  })
})

describe('hedgeTradeCost', () => {
  test('adds gas, exact impact and the venue fee in bps', () => {
    const c = hedgeTradeCost({ chain: chain('base'), sizeBase: -10, spot: 3000 })
    expect(c.feeQuote).toBeCloseTo(15, 10)
    expect(c.totalQuote).toBeCloseTo(c.gasQuote + c.impactQuote + c.feeQuote, 10)
    expect(c.impactQuote).toBeCloseTo(v3PriceImpact({ pool: chain('base').pool, sizeBase: -10, spot: 3000 }), 12)
  })
  test('costs nothing when the size is zero', () => {
    expect(hedgeTradeCost({ chain: chain('ethereum'), sizeBase: 0, spot: 3000 }).totalQuote).toBe(0)
  })
})

describe('cheapestChain', () => {
  test('picks an L2 for a small trade and Ethereum for a large one', () => {
    expect(cheapestChain({ chains: defaultChainCostParams, sizeBase: 1, spot: 3000 }).chain).toBe('arbitrum')
    expect(cheapestChain({ chains: defaultChainCostParams, sizeBase: 200, spot: 3000 }).chain).toBe('ethereum')
  })
  test('returns the minimum total over chains', () => {
    for (const size of [-300, -3, 0.2, 7, 60]) {
      const best = cheapestChain({ chains: defaultChainCostParams, sizeBase: size, spot: 2500 })
      const all = defaultChainCostParams.map((c) => hedgeTradeCost({ chain: c, sizeBase: size, spot: 2500 }).totalQuote)
      expect(best.totalQuote).toBe(Math.min(...all))
    }
  })
})
