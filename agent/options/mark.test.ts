import { describe, expect, test } from 'vitest'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import { type ChainOptionsJson, chainOptionGreeks } from './mark.ts'

const weth = '0x00000000000000000000000000000000000000e1' as const
const usdc = '0x00000000000000000000000000000000000000c1' as const
const mark = { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
const now = 1_800_000_000n
const week = 7n * 86_400n
const call = {
  otoken: '0x00000000000000000000000000000000000000a1' as const,
  isPut: false,
  strikeE8: '340000000000',
  expirySec: (now + week).toString(),
}
const put = {
  otoken: '0x00000000000000000000000000000000000000a2' as const,
  isPut: true,
  strikeE8: '280000000000',
  expirySec: (now + week).toString(),
}

describe('marking the option book', () => {
  test('a covered call: the WETH collateral counts as ETH, the short call takes away its delta', () => {
    const options: ChainOptionsJson = {
      vaults: [
        {
          id: '1',
          type: 0,
          short: { ...call, amountE8: '1000000000' },
          collateral: { asset: weth, amount: (10n * 10n ** 18n).toString() },
        },
      ],
      longs: [],
      mark,
    }
    const g = chainOptionGreeks({ options, weth, spotUsd: 3_000, nowSec: now })
    const vol = Math.sqrt(sviTotalVariance(mark, Math.log(3_400 / 3_000)))
    const bs = bsmGreeks({ kind: 'call', spot: 3_000, strike: 3_400, timeYears: Number(week) / (365 * 86_400), vol, rate: 0 })
    expect(g.collateralWethWei).toBe(10n * 10n ** 18n)
    expect(Number(g.deltaWei - 10n * 10n ** 18n) / 1e18).toBeCloseTo(-10 * bs.delta, 9)
    expect(g.gamma).toBeCloseTo(-10 * bs.gamma, 12)
    expect(g.vega).toBeCloseTo((-10 * bs.vega) / 100, 9)
    // Short options earn theta: positive per day.
    expect(g.theta).toBeCloseTo((-10 * bs.theta) / 365, 9)
    expect(g.theta).toBeGreaterThan(0)
  })

  test('a cash-secured put adds positive delta and no WETH; a long put held offsets it', () => {
    const options: ChainOptionsJson = {
      vaults: [{ id: '1', type: 0, short: { ...put, amountE8: '500000000' }, collateral: { asset: usdc, amount: '14000000000' } }],
      longs: [{ ...put, amountE8: '200000000' }],
      mark,
    }
    const g = chainOptionGreeks({ options, weth, spotUsd: 3_000, nowSec: now })
    const vol = Math.sqrt(sviTotalVariance(mark, Math.log(2_800 / 3_000)))
    const bs = bsmGreeks({ kind: 'put', spot: 3_000, strike: 2_800, timeYears: Number(week) / (365 * 86_400), vol, rate: 0 })
    expect(g.collateralWethWei).toBe(0n)
    expect(Number(g.deltaWei) / 1e18).toBeCloseTo(-3 * bs.delta, 9)
    expect(Number(g.deltaWei)).toBeGreaterThan(0)
  })

  test('expired and awaiting settlement: delta one in the money, nothing out of it', () => {
    const options: ChainOptionsJson = {
      vaults: [
        {
          id: '1',
          type: 0,
          short: { ...call, expirySec: now.toString(), amountE8: '100000000' },
          collateral: { asset: weth, amount: (10n ** 18n).toString() },
        },
        {
          id: '2',
          type: 0,
          short: { ...put, expirySec: now.toString(), amountE8: '100000000' },
          collateral: { asset: usdc, amount: '2800000000' },
        },
      ],
      longs: [],
      mark,
    }
    // ETH at 3,500: the call is in the money (−1), the put out of it (0); the WETH collateral is still held (+1).
    expect(chainOptionGreeks({ options, weth, spotUsd: 3_500, nowSec: now })).toEqual({
      deltaWei: 0n,
      collateralWethWei: 10n ** 18n,
      gamma: 0,
      vega: 0,
      theta: 0,
    })
    // At 2,500 the put is in the money: short put delta +1, and the call expires worthless.
    expect(chainOptionGreeks({ options, weth, spotUsd: 2_500, nowSec: now }).deltaWei).toBe(2n * 10n ** 18n)
  })
})
