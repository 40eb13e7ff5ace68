import { cheapestChain } from '../hedging/costModel.ts'
import type { BookLeg, ChainCostParams, HedgePolicy, HedgeState } from '../hedging/types.ts'
import type { BookSpec, PricedPath } from './types.ts'

/** Outcome of one policy on one path (quote units). */
export type PathOutcome = { pnl: number; cost: number; trades: number }

/**
 * Runs one policy over one priced path: at each step the policy sees the state and may move the
 * hedge; every trade is costed on the cheapest chain. Hedged P&L = book P&L + hedge P&L − costs.
 * The hedge starts flat; the final hedge is left open (marked, not unwound), the same for all
 * policies.
 */
export function runPolicyOnPath(params: {
  path: PricedPath
  book: BookSpec
  policy: HedgePolicy
  chains: readonly ChainCostParams[]
  dtYears: number
  targetDelta?: number
}): PathOutcome {
  const { path, book, policy, chains, dtYears: dt } = params
  const steps = path.bookDelta.length
  const legCache = new Map<number, readonly BookLeg[]>()
  const legsOf = (g: number, expiryYears: number): readonly BookLeg[] => {
    let legs = legCache.get(g)
    if (legs === undefined) {
      legs = book.legs.map((leg, l) => ({
        kind: leg.kind,
        strike: path.strikes[g * book.legs.length + l]!,
        expiryYears,
        quantity: leg.quantity,
      }))
      legCache.set(g, legs)
    }
    return legs
  }
  const market = { vol: book.impliedVol, rate: book.rate, yield: 0 }
  let hedge = 0
  let hedgePnl = 0
  let cost = 0
  let trades = 0
  let lastHedgeTimeYears: number | null = null
  let lastHedgeSpot: number | null = null
  for (let i = 0; i < steps; i++) {
    const spot = path.spot[i]!
    const timeYears = i * dt
    const timeToExpiryYears = path.timeToExpiry[i]!
    const state: HedgeState = {
      timeYears,
      spot,
      hedge,
      bookDelta: path.bookDelta[i]!,
      bookGamma: path.bookGamma[i]!,
      targetDelta: params.targetDelta ?? 0,
      timeToExpiryYears,
      lastHedgeTimeYears,
      lastHedgeSpot,
      market,
      bookSpotHolding: book.spotHolding,
      legs: legsOf(path.generation[i]!, timeYears + timeToExpiryYears),
    }
    const decision = policy.decide(state)
    if (decision.action === 'trade' && decision.targetHedge !== hedge) {
      cost += cheapestChain({ chains, sizeBase: decision.targetHedge - hedge, spot }).totalQuote
      hedge = decision.targetHedge
      trades++
      lastHedgeTimeYears = timeYears
      lastHedgeSpot = spot
    }
    hedgePnl += hedge * (path.spot[i + 1]! - spot)
  }
  return { pnl: path.bookPnl + hedgePnl - cost, cost, trades }
}
