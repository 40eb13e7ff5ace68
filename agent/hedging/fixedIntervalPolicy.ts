import { hasElapsed, idealHedge } from './idealHedge.ts'
import type { HedgePolicy } from './types.ts'

/** Rehedge to the target every `intervalYears`, whatever the market did in between. */
export function fixedIntervalPolicy(params: { intervalYears: number; label?: string }): HedgePolicy {
  const { intervalYears } = params
  return {
    id: 'fixed',
    label: params.label ?? `interval=${(intervalYears * 8760).toFixed(0)}h`,
    decide: (state) =>
      hasElapsed({ now: state.timeYears, since: state.lastHedgeTimeYears, intervalYears })
        ? { action: 'trade', targetHedge: idealHedge(state) }
        : { action: 'hold' },
  }
}
