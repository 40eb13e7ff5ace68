import { describe, expect, test } from 'vitest'
import { createPrng } from '../random/prng.ts'
import { defaultChainCostParams } from './constants.ts'
import { cheapestChain, gasCostQuote } from './costModel.ts'
import { expectedRehedgeSize, LADDER_HEIGHT, rehedgeCostRate } from './rehedgeCostRate.ts'
import type { ChainCostParams } from './types.ts'

const hour = 1 / 8760

describe('expectedRehedgeSize', () => {
  test('is |Γ|·S·σ·√δt/√2 for given inputs, whatever the sign of gamma', () => {
    // By hand: 0.25 · 3000 · 0.6 · √(1/8760) = 4.8079; / √2 = 3.3997.
    expect(expectedRehedgeSize({ gamma: -0.25, spot: 3000, vol: 0.6, checkIntervalYears: hour })).toBeCloseTo(3.3997, 4)
    expect(expectedRehedgeSize({ gamma: 0.25, spot: 3000, vol: 0.6, checkIntervalYears: hour })).toBeCloseTo(3.3997, 4)
  })
  test('matches the mean trade of a simulated trade-to-edge band when the band spans many steps', () => {
    // Deviation = Gaussian random walk with unit steps; outside ±10 it is moved back to the edge.
    const prng = createPrng(42)
    let x = 0
    let traded = 0
    let trades = 0
    for (let i = 0; i < 400_000; i++) {
      x += prng.nextNormal()
      const over = Math.abs(x) - 10
      if (over > 0) {
        traded += over
        trades++
        x = Math.sign(x) * 10
      }
    }
    // About 26,000 trades; the overshoot has sd ≈ 0.6, so the standard error of the mean is ≈ 0.004.
    // Far-barrier overshoot (0.583) or E|step| (0.798) would both fail this.
    expect(trades).toBeGreaterThan(20_000)
    expect(Math.abs(traded / trades - LADDER_HEIGHT)).toBeLessThan(0.02)
  })
})

describe('rehedgeCostRate', () => {
  const args = { chains: defaultChainCostParams, gamma: -0.25, spot: 3000, vol: 0.6, checkIntervalYears: hour } as const
  test('is the cheapest-chain cost of the expected re-hedge divided by its notional', () => {
    const size = expectedRehedgeSize(args)
    const buy = cheapestChain({ chains: defaultChainCostParams, sizeBase: size, spot: 3000 }).totalQuote / (size * 3000)
    expect(rehedgeCostRate({ ...args, side: 1 })).toBeCloseTo(buy, 15)
    // 3.4 ETH goes to Arbitrum: 5 bp fee + 3.4 bp impact (u = q·1e-4) + 0.0126 USD gas (0.012 bp).
    expect(rehedgeCostRate({ ...args, side: 1 }) * 1e4).toBeCloseTo(8.41, 2)
  })
  test('charges buys more than sells (V3 impact is asymmetric)', () => {
    expect(rehedgeCostRate({ ...args, side: 1 })).toBeGreaterThan(rehedgeCostRate({ ...args, side: -1 }))
  })
  test('includes the fixed gas per trade, which dominates when the trade is small', () => {
    // A chain with only gas: no fee and (nearly) no impact, so λ_eff = gas / notional.
    const gasOnly: ChainCostParams = {
      ...defaultChainCostParams[0]!,
      venueFeeBps: 0,
      pool: { liquidity: 10n ** 40n, baseDecimals: 18, quoteDecimals: 6 },
    }
    const small = { ...args, chains: [gasOnly], gamma: -0.01, side: 1 } as const
    const size = expectedRehedgeSize(small)
    expect(rehedgeCostRate(small)).toBeCloseTo(gasCostQuote({ chain: gasOnly, spot: 3000 }) / (size * 3000), 9)
    // Half the gamma, half the trade, twice the rate.
    expect(rehedgeCostRate({ ...small, gamma: -0.005 }) / rehedgeCostRate(small)).toBeCloseTo(2, 6)
  })
  test("grows with gamma while one pool's impact dominates and falls when the trade moves to a deeper pool", () => {
    const at = (gamma: number): number => rehedgeCostRate({ ...args, gamma, side: 1 })
    // 0.68, 1.36, 2.72 ETH all go to Arbitrum, whose impact is ≈ 1 bp per ETH.
    expect(at(0.05)).toBeLessThan(at(0.1))
    expect(at(0.1)).toBeLessThan(at(0.2))
    // 13.6 ETH goes to Ethereum: 5 + 1.4 bp impact + 5.85 USD gas (1.4 bp) < 8.4 bp at 3.4 ETH on Arbitrum.
    expect(cheapestChain({ chains: defaultChainCostParams, sizeBase: expectedRehedgeSize({ ...args, gamma: 1 }), spot: 3000 }).chain).toBe(
      'ethereum',
    )
    expect(at(1) * 1e4).toBeCloseTo(7.8, 1)
  })
  test('is 0 when the book has no gamma', () => {
    expect(rehedgeCostRate({ ...args, gamma: 0, side: 1 })).toBe(0)
  })
})
