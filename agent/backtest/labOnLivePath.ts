import { deltaThresholdPolicy } from '../hedging/deltaThresholdPolicy.ts'
import type { ChainCostParams } from '../hedging/types.ts'
import { whalleyWilmottPolicy } from '../hedging/whalleyWilmottPolicy.ts'
import { priceBookOnPath } from './priceBookOnPath.ts'
import { runPolicyOnPath } from './runPolicyOnPath.ts'
import type { BookLegSpec } from './types.ts'

const YEAR = 365 * 86_400

/**
 * The lab's prediction for a path the live loop actually ran: the same prices, one per observation,
 * the book's legs struck at the moneyness the live rolls chose and rolled every `tenorDays` from
 * the start, marked at `vol`, hedged by the lab's own policy code (Whalley–Wilmott with the mandate's
 * risk aversion, or a fixed band) and costed by its cost model. Quote units (USD).
 */
export function labOnLivePath(p: {
  prices: readonly number[]
  stepSec: number
  legs: readonly BookLegSpec[]
  tenorDays: number
  vol: number
  chains: readonly ChainCostParams[]
  policy: { kind: 'whalley-wilmott'; riskAversion: number } | { kind: 'band'; bandEth: number }
}): { bookPnl: number; hedgedPnl: number; cost: number; trades: number } {
  const dtYears = p.stepSec / YEAR
  const book = { spotHolding: 0, legs: p.legs, tenorYears: p.tenorDays / 365, impliedVol: p.vol, rate: 0 }
  const path = priceBookOnPath({ spot: Float64Array.from(p.prices), book, dtYears })
  const policy =
    p.policy.kind === 'band'
      ? deltaThresholdPolicy({ bandUnits: p.policy.bandEth })
      : whalleyWilmottPolicy({
          cost: { kind: 'atRehedgeSize', chains: p.chains, checkIntervalYears: dtYears },
          riskAversion: p.policy.riskAversion,
        })
  const out = runPolicyOnPath({ path, book, policy, chains: p.chains, dtYears })
  return { bookPnl: path.bookPnl, hedgedPnl: out.pnl, cost: out.cost, trades: out.trades }
}
