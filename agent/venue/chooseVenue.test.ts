import { describe, expect, test } from 'vitest'
import { chooseVenue, costVenue, type VenueCandidate } from './chooseVenue.ts'

const Q96 = 2n ** 96n
// WETH token0 (18 dec), USDC token1 (6 dec), 3000 USDC/ETH: raw price = 3000e6/1e18 = 3e-9, sqrt = sqrt(3e-9)·2^96
const sqrtPrice3000 = 4339505179874779489431521n // floor(sqrt(3000e6/1e18) * 2^96), computed with Python's decimal at 60 digits
const ETH = 10n ** 18n
const GWEI = 10n ** 9n

const sell = (over: Partial<VenueCandidate>): VenueCandidate => ({
  chain: 'ethereum',
  direction: 'sell-eth',
  amountIn: 10n * ETH,
  amountOut: 29_970_000_000n,
  gasEstimate: 130_000n,
  gasPriceWei: 20n * GWEI,
  l1DataFeeWei: 0n,
  sqrtPriceX96: sqrtPrice3000,
  wethIsToken0: true,
  balanceIn: 100n * ETH,
  ...over,
})

describe('costVenue', () => {
  test('prices gas and impact in USDC at the mid price when selling ETH', () => {
    const v = costVenue(sell({}), { maxGasCostUsdc: 100_000_000n, maxSlippageBps: 50 })
    // 130k gas × 20 gwei = 0.0026 ETH ≈ 7.8 USDC (rounded up); 10 ETH at 3000 = 30000 USDC, got 29970 → 30 USDC lost
    expect(v.gasCostUsdc).toBeGreaterThanOrEqual(7_799_999n)
    expect(v.gasCostUsdc).toBeLessThanOrEqual(7_800_001n)
    expect(v.impactCostUsdc).toBeGreaterThanOrEqual(29_999_990n)
    expect(v.impactCostUsdc).toBeLessThanOrEqual(30_000_000n)
    expect(v.shortfallBps).toBe(10n)
    expect(v.rejected).toBeNull()
    expect(sqrtPrice3000 > 0n && sqrtPrice3000 < Q96).toBe(true)
  })

  test('adds the L1 data fee to the gas when the chain is an L2', () => {
    // 0.0001 ETH of L1 data fee at 3000 USDC/ETH = 0.30 USDC on top of the 7.80 USDC of execution
    const l2 = costVenue(sell({ chain: 'base', l1DataFeeWei: 10n ** 14n }), { maxGasCostUsdc: 100_000_000n, maxSlippageBps: 50 })
    const l1 = costVenue(sell({}), { maxGasCostUsdc: 100_000_000n, maxSlippageBps: 50 })
    expect(l2.l1DataFeeUsdc >= 299_999n && l2.l1DataFeeUsdc <= 300_001n).toBe(true)
    expect(l2.gasCostUsdc - l1.gasCostUsdc >= 299_999n && l2.gasCostUsdc - l1.gasCostUsdc <= 300_001n).toBe(true)
    expect(l2.totalCostUsdc - l1.totalCostUsdc).toBe(l2.gasCostUsdc - l1.gasCostUsdc)
    expect(l1.l1DataFeeUsdc).toBe(0n)
  })

  test('rejects a venue whose gas exceeds the budget', () => {
    expect(costVenue(sell({}), { maxGasCostUsdc: 7_000_000n, maxSlippageBps: 50 }).rejected).toBe('gas-over-budget')
  })

  test('rejects a venue whose execution is worse than max slippage', () => {
    expect(costVenue(sell({ amountOut: 29_000_000_000n }), { maxGasCostUsdc: 100_000_000n, maxSlippageBps: 50 }).rejected).toBe(
      'slippage-over-budget',
    )
  })

  test('rejects a venue where the treasury lacks the input token', () => {
    expect(costVenue(sell({ balanceIn: ETH }), { maxGasCostUsdc: 100_000_000n, maxSlippageBps: 50 }).rejected).toBe('insufficient-balance')
  })
})

describe('chooseVenue', () => {
  test('picks the L2 for a small trade when mainnet gas dominates', () => {
    const candidates = [
      sell({ chain: 'ethereum', amountIn: ETH, amountOut: 2_998_400_000n }),
      sell({ chain: 'base', amountIn: ETH, amountOut: 2_997_900_000n, gasPriceWei: GWEI / 100n }),
    ]
    const choice = chooseVenue({ candidates, maxGasCostUsdc: 50_000_000n, maxSlippageBps: 50 })
    expect(choice.status).toBe('ok')
    if (choice.status === 'ok') expect(choice.best.chain).toBe('base')
  })

  test('picks mainnet for a large trade when the L2 pool is shallow', () => {
    const candidates = [
      sell({ chain: 'ethereum', amountIn: 50n * ETH, amountOut: 149_900_000_000n }),
      sell({ chain: 'base', amountIn: 50n * ETH, amountOut: 149_500_000_000n, gasPriceWei: GWEI / 100n }),
    ]
    const choice = chooseVenue({ candidates, maxGasCostUsdc: 50_000_000n, maxSlippageBps: 50 })
    expect(choice.status === 'ok' && choice.best.chain).toBe('ethereum')
  })

  test('reports every rejection reason when no venue fits', () => {
    const choice = chooseVenue({
      candidates: [sell({ chain: 'ethereum', balanceIn: 0n }), sell({ chain: 'base', amountOut: 0n })],
      maxGasCostUsdc: 50_000_000n,
      maxSlippageBps: 50,
    })
    expect(choice.status).toBe('unavailable')
    if (choice.status === 'unavailable') expect(choice.reason).toBe('ethereum: insufficient-balance, base: no-output')
  })
})
