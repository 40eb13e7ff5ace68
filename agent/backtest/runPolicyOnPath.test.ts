import { describe, expect, test } from 'vitest'
import { defaultChainCostParams } from '../hedging/constants.ts'
import { cheapestChain } from '../hedging/costModel.ts'
import { deltaThresholdPolicy } from '../hedging/deltaThresholdPolicy.ts'
import { fixedIntervalPolicy } from '../hedging/fixedIntervalPolicy.ts'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { priceBookOnPath } from './priceBookOnPath.ts'
import { runPolicyOnPath } from './runPolicyOnPath.ts'
import type { BookSpec } from './types.ts'

const book: BookSpec = {
  spotHolding: 0,
  legs: [{ kind: 'call', moneyness: 1, quantity: -10 }],
  tenorYears: 2 / 365,
  impliedVol: 0.5,
  rate: 0,
}
const dt = 1 / 365
const spot = Float64Array.from([100, 104, 99])

describe('priceBookOnPath', () => {
  test('books premium minus payoff for a short call held to expiry', () => {
    const path = priceBookOnPath({ spot, book, dtYears: dt })
    const premium = bsmGreeks({ kind: 'call', spot: 100, strike: 100, timeYears: 2 / 365, vol: 0.5, rate: 0 }).price
    expect(path.bookPnl).toBeCloseTo(10 * premium - 0, 10)
    expect(path.bookDelta[1]).toBeCloseTo(
      -10 * bsmGreeks({ kind: 'call', spot: 104, strike: 100, timeYears: 1 / 365, vol: 0.5, rate: 0 }).delta,
      12,
    )
  })
})

describe('runPolicyOnPath', () => {
  test('adds hedge gains and subtracts the cheapest-chain cost of each trade', () => {
    const path = priceBookOnPath({ spot, book, dtYears: dt })
    const out = runPolicyOnPath({
      path,
      book,
      policy: fixedIntervalPolicy({ intervalYears: dt }),
      chains: defaultChainCostParams,
      dtYears: dt,
    })
    const h0 = -path.bookDelta[0]!
    const h1 = -path.bookDelta[1]!
    const cost =
      cheapestChain({ chains: defaultChainCostParams, sizeBase: h0, spot: 100 }).totalQuote +
      cheapestChain({ chains: defaultChainCostParams, sizeBase: h1 - h0, spot: 104 }).totalQuote
    expect(out.trades).toBe(2)
    expect(out.cost).toBeCloseTo(cost, 10)
    expect(out.pnl).toBeCloseTo(path.bookPnl + h0 * 4 + h1 * -5 - cost, 8)
  })

  test('never trades when the band is wider than any delta', () => {
    const path = priceBookOnPath({ spot, book, dtYears: dt })
    const out = runPolicyOnPath({
      path,
      book,
      policy: deltaThresholdPolicy({ bandUnits: 1e9 }),
      chains: defaultChainCostParams,
      dtYears: dt,
    })
    expect(out).toEqual({ pnl: path.bookPnl, cost: 0, trades: 0 })
  })
})
