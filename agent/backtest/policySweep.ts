import { deltaThresholdPolicy } from '../hedging/deltaThresholdPolicy.ts'
import { fixedIntervalPolicy } from '../hedging/fixedIntervalPolicy.ts'
import { hoursToYears } from '../hedging/idealHedge.ts'
import { lelandPolicy } from '../hedging/lelandPolicy.ts'
import { timeOrPricePolicy } from '../hedging/timeOrPricePolicy.ts'
import type { ChainCostParams, HedgePolicy } from '../hedging/types.ts'
import { whalleyWilmottPolicy } from '../hedging/whalleyWilmottPolicy.ts'
import { withLimits } from '../hedging/withLimits.ts'

const INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24, 36, 48, 72] as const
const BAND_MULTIPLES = [0.03, 0.06, 0.1, 0.15, 0.25, 0.4, 0.6, 0.9, 1.3, 2, 3] as const
const WW_WIDTH_MULTIPLES = [0.03, 0.06, 0.1, 0.15, 0.25, 0.4, 0.6, 0.9, 1.3, 2, 3] as const

/**
 * Each policy's parameter sweep, scaled to the book so the same grid spans tight to loose hedging
 * for any book size: `deltaScale` is the 1-day, 1-σ move of the book delta (|Γ|·S·σ·√(1/365)).
 * Whalley–Wilmott's risk aversion γ is swept so that its band at the start is the same multiples
 * of `deltaScale` as the threshold bands would have at the flat rate λ (γ = 1.5·λ·S·Γ²/H³); the
 * γ grid is fixed by that rule alone, while the band each γ gives is priced by the real cost model
 * at the re-hedge size it implies (`rehedgeCostRate`), checked every `checkIntervalYears`.
 */
export function policySweep(params: {
  spot: number
  gamma: number
  vol: number
  costRate: number
  chains: readonly ChainCostParams[]
  /** How often the agent looks at the hedge: the step, or the minimum interval if longer. */
  checkIntervalYears: number
  limits: { maxTradeUnits: number; minIntervalHours: number }
}): HedgePolicy[] {
  const { spot, gamma, vol, costRate, chains, checkIntervalYears, limits } = params
  const deltaScale = Math.abs(gamma) * spot * vol * Math.sqrt(1 / 365)
  const raw: HedgePolicy[] = [
    ...INTERVAL_HOURS.map((h) => fixedIntervalPolicy({ intervalYears: hoursToYears(h) })),
    ...BAND_MULTIPLES.map((m) => deltaThresholdPolicy({ bandUnits: m * deltaScale })),
    ...INTERVAL_HOURS.map((h) =>
      timeOrPricePolicy({ intervalYears: hoursToYears(h), priceMoveFraction: vol * Math.sqrt(hoursToYears(h)) }),
    ),
    ...WW_WIDTH_MULTIPLES.map((m) =>
      whalleyWilmottPolicy({
        cost: { kind: 'atRehedgeSize', chains, checkIntervalYears },
        riskAversion: (1.5 * costRate * spot * gamma * gamma) / (m * deltaScale) ** 3,
      }),
    ),
    ...INTERVAL_HOURS.map((h) => lelandPolicy({ intervalYears: hoursToYears(h), roundTripCost: 2 * costRate })),
  ]
  return raw.map((policy) =>
    withLimits({ policy, maxTradeUnits: limits.maxTradeUnits, minIntervalYears: hoursToYears(limits.minIntervalHours) }),
  )
}
