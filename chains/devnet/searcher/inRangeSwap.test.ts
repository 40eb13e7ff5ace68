import { parseEther } from 'viem'
import { describe, expect, test } from 'vitest'
import { sqrtPriceX96FromPriceE8 } from '../uniswapMath.ts'
import { frontRunEstimate, inRangeSwap } from './inRangeSwap.ts'

// The devnet Ethereum pool at start: WETH is token0, ETH at 3000 USDC, in-range liquidity read from
// the deployed pool (`liquidity()` right after seeding).
const pool = {
  sqrtPriceX96: sqrtPriceX96FromPriceE8({ wethIsToken0: true, priceE8: 300_000_000_000n }),
  liquidity: 5_323_252_395_329_280_329n,
}
const sell = (amountIn: bigint, from = pool) => inRangeSwap({ pool: from, zeroForOne: true, amountIn, feePips: 500 })

describe('inRangeSwap', () => {
  test('pays about the spot price less the 0.05 % fee for a small swap', () => {
    // 1 ETH at 3000 less 5 bps fee, less ~1 bp of impact in a pool ~48,600 ETH deep: 2998.4 USDC.
    const out = sell(parseEther('1')).amountOut
    expect(out).toBeGreaterThan(2_998_300_000n)
    expect(out).toBeLessThan(2_998_500_000n)
  })

  test('pays less per ETH after a front-run in the same direction', () => {
    const alone = sell(parseEther('90')).amountOut
    const after = sell(parseEther('90'), sell(parseEther('400')).after).amountOut
    expect(after).toBeLessThan(alone)
  })
})

describe('frontRunEstimate', () => {
  test('returns the largest front-run after which the victim still clears its floor, to the wei', () => {
    const victimAmountIn = parseEther('90')
    const amountOutMinimum = (sell(victimAmountIn).amountOut * 9_900n) / 10_000n
    const front = frontRunEstimate({ pool, zeroForOne: true, feePips: 500, victimAmountIn, amountOutMinimum, cap: parseEther('5000') })
    expect(sell(victimAmountIn, sell(front).after).amountOut).toBeGreaterThanOrEqual(amountOutMinimum)
    expect(sell(victimAmountIn, sell(front + 1n).after).amountOut).toBeLessThan(amountOutMinimum)
    // About 1 % of the pool's depth per 100 % move (~486 ETH): what the e2e run sized on the real pool (~490 ETH).
    expect(front).toBeGreaterThan(parseEther('450'))
    expect(front).toBeLessThan(parseEther('520'))
  })

  test('returns the cap when even the whole balance leaves the victim above its floor', () => {
    const front = frontRunEstimate({
      pool,
      zeroForOne: true,
      feePips: 500,
      victimAmountIn: parseEther('1'),
      amountOutMinimum: 1n,
      cap: parseEther('10'),
    })
    expect(front).toBe(parseEther('10'))
  })
})
