import { hasElapsed, idealHedge } from './idealHedge.ts'
import type { HedgePolicy } from './types.ts'

/**
 * Rehedge to the target when `intervalYears` elapsed OR spot moved more than `priceMoveFraction`
 * since the last hedge: the trigger Opyn's Crab strategy uses for its rebalances.
 */
export function timeOrPricePolicy(params: { intervalYears: number; priceMoveFraction: number }): HedgePolicy {
  const { intervalYears, priceMoveFraction } = params
  return {
    id: 'timeOrPrice',
    label: `interval=${(intervalYears * 8760).toFixed(0)}h move=${(priceMoveFraction * 100).toPrecision(2)}%`,
    decide: (state) => {
      const timeUp = hasElapsed({ now: state.timeYears, since: state.lastHedgeTimeYears, intervalYears })
      const moved = state.lastHedgeSpot !== null && Math.abs(state.spot / state.lastHedgeSpot - 1) > priceMoveFraction
      return timeUp || moved ? { action: 'trade', targetHedge: idealHedge(state) } : { action: 'hold' }
    },
  }
}
