import type { HedgePolicy } from './types.ts'

/**
 * Common guard around any policy: no hedge sooner than `minIntervalYears` after the last one, and
 * no single trade larger than `maxTradeUnits` (the target is clipped towards the current hedge;
 * the rest waits for the next decision).
 */
export function withLimits(params: { policy: HedgePolicy; maxTradeUnits: number; minIntervalYears: number }): HedgePolicy {
  const { policy, maxTradeUnits, minIntervalYears } = params
  return {
    id: policy.id,
    label: policy.label,
    decide: (state) => {
      const last = state.lastHedgeTimeYears
      if (last !== null && state.timeYears - last < minIntervalYears * (1 - 1e-9)) return { action: 'hold' }
      const decision = policy.decide(state)
      if (decision.action === 'hold') return decision
      const size = decision.targetHedge - state.hedge
      const capped = Math.max(-maxTradeUnits, Math.min(maxTradeUnits, size))
      return { action: 'trade', targetHedge: state.hedge + capped }
    },
  }
}
