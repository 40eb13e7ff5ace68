import { hasElapsed, idealHedge } from './idealHedge.ts'
import type { HedgePolicy } from './types.ts'

/** What fired a time-or-price rehedge: the interval since the last hedge, or the move of spot since then. */
export type TimeOrPriceTrigger = 'time' | 'price'

/**
 * The time-or-price trigger the lab and the live loop share: `time` when `interval` passed since
 * the last hedge (or there was none), `price` when spot moved more than `priceMoveFraction` from
 * the last hedge's spot, null otherwise. `now`, `lastHedgeAt` and `interval` are on one clock, in
 * any unit (the lab counts years, the live loop chain seconds).
 */
export function timeOrPriceTrigger(p: {
  now: number
  lastHedgeAt: number | null
  interval: number
  spot: number
  lastHedgeSpot: number | null
  priceMoveFraction: number
}): TimeOrPriceTrigger | null {
  // hasElapsed's tolerance is relative, so it holds on any clock.
  if (hasElapsed({ now: p.now, since: p.lastHedgeAt, intervalYears: p.interval })) return 'time'
  if (p.lastHedgeSpot !== null && Math.abs(p.spot / p.lastHedgeSpot - 1) > p.priceMoveFraction) return 'price'
  return null
}

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
      const trigger = timeOrPriceTrigger({
        now: state.timeYears,
        lastHedgeAt: state.lastHedgeTimeYears,
        interval: intervalYears,
        spot: state.spot,
        lastHedgeSpot: state.lastHedgeSpot,
        priceMoveFraction,
      })
      return trigger !== null ? { action: 'trade', targetHedge: idealHedge(state) } : { action: 'hold' }
    },
  }
}
