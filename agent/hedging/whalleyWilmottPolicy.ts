import { idealHedge } from './idealHedge.ts'
import { rehedgeCostRate } from './rehedgeCostRate.ts'
import type { ChainCostParams, HedgePolicy, HedgeState } from './types.ts'

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
 * Where the band's λ comes from. `flat`: one rate for every state (the textbook model).
 * `atRehedgeSize`: the real cost model (gas + fee + impact on the cheapest chain) evaluated at the
 * trade the band itself implies in this state, see `rehedgeCostRate`; the agent checks the hedge
 * every `checkIntervalYears`.
 */
export type WhalleyWilmottCost =
  | { kind: 'flat'; costRate: number }
  | { kind: 'atRehedgeSize'; chains: readonly ChainCostParams[]; checkIntervalYears: number }

function costRateFor(cost: WhalleyWilmottCost, state: HedgeState, side: 1 | -1): number {
  if (cost.kind === 'flat') return cost.costRate
  return rehedgeCostRate({
    chains: cost.chains,
    gamma: state.bookGamma,
    spot: state.spot,
    vol: state.market.vol,
    checkIntervalYears: cost.checkIntervalYears,
    side,
  })
}

/**
 * Whalley–Wilmott band: hold inside target ± H; outside, trade back to the nearest band edge,
 * not to the centre, which is what makes the rule cheap (asymptotically optimal for small costs).
 * With a state-dependent λ the edge on the hedge's side is priced for the trade that would cross
 * it (a buy below the target, a sell above).
 */
export function whalleyWilmottPolicy(params: { cost: WhalleyWilmottCost; riskAversion: number }): HedgePolicy {
  const { cost, riskAversion } = params
  const lambda = cost.kind === 'flat' ? `lambda=${(cost.costRate * 1e4).toFixed(1)}bp` : 'lambda=at-rehedge-size'
  return {
    id: 'whalleyWilmott',
    label: `gamma_risk=${riskAversion.toPrecision(2)} ${lambda}`,
    decide: (state) => {
      const target = idealHedge(state)
      const side = state.hedge < target ? 1 : -1
      const h = whalleyWilmottHalfWidth({
        spot: state.spot,
        gamma: state.bookGamma,
        costRate: costRateFor(cost, state, side),
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
