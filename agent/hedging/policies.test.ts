import { describe, expect, test } from 'vitest'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { defaultChainCostParams } from './constants.ts'
import { deltaThresholdPolicy } from './deltaThresholdPolicy.ts'
import { fixedIntervalPolicy } from './fixedIntervalPolicy.ts'
import { hoursToYears } from './idealHedge.ts'
import { bookDeltaAtVol, lelandPolicy, lelandVol } from './lelandPolicy.ts'
import { rehedgeCostRate } from './rehedgeCostRate.ts'
import { timeOrPricePolicy } from './timeOrPricePolicy.ts'
import type { HedgePolicy, HedgeState } from './types.ts'
import { whalleyWilmottHalfWidth, whalleyWilmottPolicy } from './whalleyWilmottPolicy.ts'
import { withLimits } from './withLimits.ts'

const baseState: HedgeState = {
  timeYears: 0.01,
  spot: 3000,
  hedge: 10,
  bookDelta: -20,
  bookGamma: -0.05,
  targetDelta: 0,
  timeToExpiryYears: 7 / 365,
  lastHedgeTimeYears: null,
  lastHedgeSpot: null,
  market: { vol: 0.6, rate: 0.05, yield: 0 },
  bookSpotHolding: 0,
  legs: [{ kind: 'call', strike: 3100, expiryYears: 0.01 + 7 / 365, quantity: -50 }],
}
const state = (over: Partial<HedgeState>): HedgeState => ({ ...baseState, ...over })
const target = (p: HedgePolicy, s: HedgeState): number | null => {
  const d = p.decide(s)
  return d.action === 'trade' ? d.targetHedge : null
}

describe('fixedIntervalPolicy', () => {
  const p = fixedIntervalPolicy({ intervalYears: hoursToYears(24) })
  test('hedges to the ideal hedge when no hedge was done yet', () => {
    expect(target(p, state({}))).toBe(20)
  })
  test('holds until the interval has elapsed and hedges exactly at it when stepping hourly', () => {
    const last = 0.5
    expect(target(p, state({ lastHedgeTimeYears: last, timeYears: last + 23 * hoursToYears(1) }))).toBeNull()
    // 24 hourly steps summed in floating point must still count as one day.
    let t = last
    for (let i = 0; i < 24; i++) t += 1 / 8760
    expect(target(p, state({ lastHedgeTimeYears: last, timeYears: t }))).toBe(20)
  })
})

describe('deltaThresholdPolicy', () => {
  const p = deltaThresholdPolicy({ bandUnits: 5 })
  test('hedges to the centre exactly when |hedge − target| > band', () => {
    expect(target(p, state({ hedge: 20 - 5.0001 }))).toBe(20)
    expect(target(p, state({ hedge: 20 + 5.0001 }))).toBe(20)
  })
  test('holds when the hedge is within the band, edge included', () => {
    expect(target(p, state({ hedge: 15 }))).toBeNull()
    expect(target(p, state({ hedge: 25 }))).toBeNull()
    expect(target(p, state({ hedge: 20 }))).toBeNull()
  })
  test('uses the mandate target delta as centre when it is not zero', () => {
    expect(target(p, state({ hedge: 20, targetDelta: 10 }))).toBe(30)
  })
})

describe('timeOrPricePolicy', () => {
  const p = timeOrPricePolicy({ intervalYears: hoursToYears(24), priceMoveFraction: 0.02 })
  const recent = { lastHedgeTimeYears: baseState.timeYears - hoursToYears(2), lastHedgeSpot: 3000 }
  test('hedges when the price moved more than x % since the last hedge, before the interval', () => {
    expect(target(p, state({ ...recent, spot: 3000 * 1.0201 }))).toBe(20)
    expect(target(p, state({ ...recent, spot: 3000 * 0.9799 }))).toBe(20)
  })
  test('holds when neither the interval elapsed nor the price moved enough', () => {
    expect(target(p, state({ ...recent, spot: 3000 * 1.019 }))).toBeNull()
  })
  test('hedges when the interval elapsed even without a price move', () => {
    expect(target(p, state({ lastHedgeTimeYears: baseState.timeYears - hoursToYears(24), lastHedgeSpot: 3000 }))).toBe(20)
  })
})

describe('whalleyWilmottHalfWidth', () => {
  test('matches H = (3/2·e^{−r(T−t)}·λ·S·Γ²/γ)^{1/3} for given inputs', () => {
    const h = whalleyWilmottHalfWidth({
      spot: 3000,
      gamma: -0.05,
      costRate: 0.0008,
      riskAversion: 0.001,
      rate: 0.05,
      timeToExpiryYears: 0.5,
    })
    const expected = ((1.5 * Math.exp(-0.025) * 0.0008 * 3000 * 0.0025) / 0.001) ** (1 / 3)
    expect(h).toBeCloseTo(expected, 12)
    // By hand: 1.5 · 0.97531 · 0.0008 · 3000 · 0.0025 / 0.001 = 8.7778, cube root 2.0628.
    expect(h).toBeCloseTo(2.0628, 3)
  })
  test('scales as γ^{-1/3} and λ^{1/3}', () => {
    const args = { spot: 3000, gamma: 0.01, costRate: 0.001, riskAversion: 0.01, rate: 0, timeToExpiryYears: 0.1 }
    const h = whalleyWilmottHalfWidth(args)
    expect(whalleyWilmottHalfWidth({ ...args, riskAversion: 0.08 })).toBeCloseTo(h / 2, 12)
    expect(whalleyWilmottHalfWidth({ ...args, costRate: 0.008 })).toBeCloseTo(h * 2, 12)
  })
})

describe('whalleyWilmottPolicy', () => {
  const p = whalleyWilmottPolicy({ cost: { kind: 'flat', costRate: 0.0008 }, riskAversion: 0.001 })
  const h = whalleyWilmottHalfWidth({
    spot: 3000,
    gamma: -0.05,
    costRate: 0.0008,
    riskAversion: 0.001,
    rate: 0.05,
    timeToExpiryYears: 7 / 365,
  })
  test('trades to the nearest band edge, not to the centre, when outside the band', () => {
    expect(target(p, state({ hedge: 10 }))).toBeCloseTo(20 - h, 12)
    expect(target(p, state({ hedge: 30 }))).toBeCloseTo(20 + h, 12)
  })
  test('holds inside the band', () => {
    expect(target(p, state({ hedge: 20 - 0.99 * h }))).toBeNull()
    expect(target(p, state({ hedge: 20 + 0.99 * h }))).toBeNull()
  })
})

describe('whalleyWilmottPolicy with the cost priced at the re-hedge size', () => {
  const cost = { kind: 'atRehedgeSize', chains: defaultChainCostParams, checkIntervalYears: hoursToYears(1) } as const
  const p = whalleyWilmottPolicy({ cost, riskAversion: 0.001 })
  const halfWidth = (side: 1 | -1): number =>
    whalleyWilmottHalfWidth({
      spot: 3000,
      gamma: -0.05,
      costRate: rehedgeCostRate({
        chains: defaultChainCostParams,
        gamma: -0.05,
        spot: 3000,
        vol: 0.6,
        checkIntervalYears: hoursToYears(1),
        side,
      }),
      riskAversion: 0.001,
      rate: 0.05,
      timeToExpiryYears: 7 / 365,
    })
  test('buys to the lower edge priced for a buy and sells to the upper edge priced for a sell', () => {
    expect(target(p, state({ hedge: 10 }))).toBeCloseTo(20 - halfWidth(1), 12)
    expect(target(p, state({ hedge: 30 }))).toBeCloseTo(20 + halfWidth(-1), 12)
    expect(halfWidth(1)).toBeGreaterThan(halfWidth(-1))
  })
  test('holds inside the band', () => {
    expect(target(p, state({ hedge: 20 - 0.99 * halfWidth(1) }))).toBeNull()
    expect(target(p, state({ hedge: 20 + 0.99 * halfWidth(-1) }))).toBeNull()
  })
  test('trades to the centre when the book has no gamma (zero-width band)', () => {
    expect(target(p, state({ hedge: 10, bookGamma: 0 }))).toBe(20)
  })
})

describe('lelandVol', () => {
  const args = { vol: 0.6, roundTripCost: 0.002, intervalYears: 1 / 365 }
  const le = (Math.sqrt(2 / Math.PI) * 0.002) / (0.6 * Math.sqrt(1 / 365))
  test('raises the vol for a short-gamma book: σ_L² = σ²(1 + Le)', () => {
    expect(lelandVol({ ...args, gammaSign: -1 }) ** 2).toBeCloseTo(0.36 * (1 + le), 12)
  })
  test('lowers the vol for a long-gamma book: σ_L² = σ²(1 − Le)', () => {
    expect(lelandVol({ ...args, gammaSign: 1 }) ** 2).toBeCloseTo(0.36 * (1 - le), 12)
  })
  test('floors the adjusted variance when Le ≥ 1 on a long-gamma book', () => {
    expect(lelandVol({ vol: 0.6, roundTripCost: 0.2, intervalYears: 1 / 365, gammaSign: 1 })).toBeCloseTo(0.06, 12)
  })
})

describe('lelandPolicy', () => {
  test('hedges to minus the book delta at the Leland vol when the interval elapsed', () => {
    const p = lelandPolicy({ intervalYears: hoursToYears(24), roundTripCost: 0.002 })
    const s = state({})
    const vol = lelandVol({ vol: 0.6, roundTripCost: 0.002, intervalYears: hoursToYears(24), gammaSign: -1 })
    const delta = bsmGreeks({ kind: 'call', spot: 3000, strike: 3100, timeYears: 7 / 365, vol, rate: 0.05, yield: 0 }).delta
    expect(target(p, s)).toBeCloseTo(50 * delta, 10)
    expect(bookDeltaAtVol(s, 0.6)).toBeCloseTo(
      -50 * bsmGreeks({ kind: 'call', spot: 3000, strike: 3100, timeYears: 7 / 365, vol: 0.6, rate: 0.05 }).delta,
      10,
    )
    expect(target(p, state({ lastHedgeTimeYears: s.timeYears - hoursToYears(1) }))).toBeNull()
  })
})

describe('withLimits', () => {
  const inner = deltaThresholdPolicy({ bandUnits: 1 })
  const p = withLimits({ policy: inner, maxTradeUnits: 4, minIntervalYears: hoursToYears(3) })
  test('caps the trade size at maxTradeUnits in either direction', () => {
    expect(target(p, state({ hedge: 10 }))).toBe(14)
    expect(target(p, state({ hedge: 30 }))).toBe(26)
    expect(target(p, state({ hedge: 17 }))).toBe(20)
  })
  test('holds when the last hedge is more recent than the minimum interval', () => {
    expect(target(p, state({ lastHedgeTimeYears: baseState.timeYears - hoursToYears(2) }))).toBeNull()
    expect(target(p, state({ lastHedgeTimeYears: baseState.timeYears - hoursToYears(3) }))).toBe(14)
  })
  test('keeps the inner policy id and label', () => {
    expect([p.id, p.label]).toEqual([inner.id, inner.label])
  })
})
