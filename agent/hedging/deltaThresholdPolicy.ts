import { idealHedge } from './idealHedge.ts'
import type { HedgePolicy } from './types.ts'

/** Rehedge to the centre when the hedge is more than `bandUnits` (units of underlying) off target. */
export function deltaThresholdPolicy(params: { bandUnits: number }): HedgePolicy {
  const { bandUnits } = params
  return {
    id: 'threshold',
    label: `band=${bandUnits.toPrecision(3)}`,
    decide: (state) => {
      const target = idealHedge(state)
      return Math.abs(state.hedge - target) > bandUnits ? { action: 'trade', targetHedge: target } : { action: 'hold' }
    },
  }
}
