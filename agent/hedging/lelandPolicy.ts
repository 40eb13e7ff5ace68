import { bsmGreeks } from '../risk/blackScholes.ts'
import { hasElapsed } from './idealHedge.ts'
import type { HedgePolicy, HedgeState } from './types.ts'

/**
 * Leland (1985) adjusted volatility for hedging every `intervalYears` with round-trip
 * proportional cost `roundTripCost` (k): σ_L² = σ²·(1 − sign(Γ)·Le), Le = √(2/π)·k/(σ√δt).
 * Γ is the gamma of the position the hedger holds. Leland's own case is the option writer
 * (short gamma, Γ < 0): σ_L² = σ²(1 + Le), the hedge over-replicates to pay for the trading it
 * will do. A long-gamma holder uses σ²(1 − Le) (Hoggard, Whalley & Wilmott 1994, with k = 2κ
 * for a half-spread κ). For Le ≥ 1 on a long-gamma book the adjusted variance would be negative
 * (the model breaks down); we floor it at 1 % of σ² rather than return a NaN.
 */
export function lelandVol(params: { vol: number; roundTripCost: number; intervalYears: number; gammaSign: number }): number {
  const { vol, roundTripCost, intervalYears, gammaSign } = params
  const leland = (Math.sqrt(2 / Math.PI) * roundTripCost) / (vol * Math.sqrt(intervalYears))
  const sign = gammaSign > 0 ? 1 : gammaSign < 0 ? -1 : 0
  return vol * Math.sqrt(Math.max(1 - sign * leland, 0.01))
}

/** Book delta recomputed leg by leg at volatility `vol` (expired legs carry no delta). */
export function bookDeltaAtVol(state: HedgeState, vol: number): number {
  let delta = state.bookSpotHolding
  for (const leg of state.legs) {
    const timeYears = leg.expiryYears - state.timeYears
    if (timeYears <= 0) continue
    const greeks = bsmGreeks({
      kind: leg.kind,
      spot: state.spot,
      strike: leg.strike,
      timeYears,
      vol,
      rate: state.market.rate,
      yield: state.market.yield,
    })
    delta += leg.quantity * greeks.delta
  }
  return delta
}

/**
 * Leland hedging: rehedge every `intervalYears` to the delta computed with the Leland-adjusted
 * volatility (sign taken from the book's gamma), instead of the plain Black–Scholes delta.
 */
export function lelandPolicy(params: { intervalYears: number; roundTripCost: number }): HedgePolicy {
  const { intervalYears, roundTripCost } = params
  return {
    id: 'leland',
    label: `interval=${(intervalYears * 8760).toFixed(0)}h k=${(roundTripCost * 1e4).toFixed(1)}bp`,
    decide: (state) => {
      if (!hasElapsed({ now: state.timeYears, since: state.lastHedgeTimeYears, intervalYears })) return { action: 'hold' }
      const vol = lelandVol({ vol: state.market.vol, roundTripCost, intervalYears, gammaSign: state.bookGamma })
      return { action: 'trade', targetHedge: state.targetDelta - bookDeltaAtVol(state, vol) }
    },
  }
}
