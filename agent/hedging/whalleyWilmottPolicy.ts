import { idealHedge } from './idealHedge.ts'
import type { HedgePolicy } from './types.ts'

/**
 * Half-width of the Whalley–Wilmott (1997) no-trade band around the ideal hedge, in units of the
 * underlying: H = (3/2 · e^{−r(T−t)} · λ · S · Γ² / γ)^{1/3}, with λ the proportional cost rate
 * and γ the hedger's absolute risk aversion (per quote unit). Wider when trading is dear or gamma
 * is large, narrower when the hedger is more risk averse.
 */
export function whalleyWilmottHalfWidth(params: {
  spot: number
  gamma: number
  costRate: number
  riskAversion: number
  rate: number
  timeToExpiryYears: number
}): number {
  const { spot, gamma, costRate, riskAversion, rate, timeToExpiryYears } = params
  return Math.cbrt((1.5 * Math.exp(-rate * Math.max(timeToExpiryYears, 0)) * costRate * spot * gamma * gamma) / riskAversion)
}

/**
 * Whalley–Wilmott band: hold inside target ± H; outside, trade back to the nearest band edge,
 * not to the centre, which is what makes the rule cheap (asymptotically optimal for small costs).
 */
export function whalleyWilmottPolicy(params: { costRate: number; riskAversion: number }): HedgePolicy {
  const { costRate, riskAversion } = params
  return {
    id: 'whalleyWilmott',
    label: `gamma_risk=${riskAversion.toPrecision(2)} lambda=${(costRate * 1e4).toFixed(1)}bp`,
    decide: (state) => {
      const target = idealHedge(state)
      const h = whalleyWilmottHalfWidth({
        spot: state.spot,
        gamma: state.bookGamma,
        costRate,
        riskAversion,
        rate: state.market.rate,
        timeToExpiryYears: state.timeToExpiryYears,
      })
      if (state.hedge < target - h) return { action: 'trade', targetHedge: target - h }
      if (state.hedge > target + h) return { action: 'trade', targetHedge: target + h }
      return { action: 'hold' }
    },
  }
}
