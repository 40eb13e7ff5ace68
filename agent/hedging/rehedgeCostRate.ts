import { cheapestChain } from './costModel.ts'
import type { ChainCostParams } from './types.ts'

/**
 * Mean first ladder height of a random walk with symmetric continuous steps of std 1: how far, on
 * average, the walk first lands above its starting point. It is exactly 1/√2 (Spitzer 1960; Feller,
 * vol. II, ch. XII). A trade-to-edge band leaves the hedge on the edge, so the next trade on that
 * side is one ladder height past it. (Siegmund's ρ = −ζ(1/2)/√(2π) ≈ 0.583 is the overshoot over a
 * barrier approached from far away, which only the rarer crossings from the opposite edge see.)
 */
export const LADDER_HEIGHT = Math.SQRT1_2

/**
 * Typical size (units of underlying) of one re-hedge of a band policy that trades back to the band
 * edge and is checked every `checkIntervalYears`. Between checks the ideal hedge moves by
 * Γ·S·σ·√δt (one step's std); a trade to the edge buys back only the overshoot past the edge, so
 * its expected size is one ladder height of that step. The overshoot does not depend on the band
 * width once the band is wider than one step, so band → size → cost rate → band is at its fixed
 * point after one pass; for bands narrower than a step the size rises only to E|step| = √(2/π) ≈
 * 0.80 steps, which this ignores (those bands are far tighter than any compared at equal risk).
 */
export function expectedRehedgeSize(params: { gamma: number; spot: number; vol: number; checkIntervalYears: number }): number {
  const { gamma, spot, vol, checkIntervalYears } = params
  return LADDER_HEIGHT * Math.abs(gamma) * spot * vol * Math.sqrt(checkIntervalYears)
}

/**
 * Effective proportional cost rate λ_eff = cost(q)/(|q|·S) of the trade a band policy actually
 * makes, q = its expected re-hedge size: the full cost model on the cheapest chain, so gas (fixed
 * per trade) and impact (growing with size) both enter at that size. `side` is +1 for a buy, −1
 * for a sell (V3 impact is dearer to buy). 0 when the expected size is 0: a zero-gamma book has a
 * zero-width band whatever λ is.
 */
export function rehedgeCostRate(params: {
  chains: readonly ChainCostParams[]
  gamma: number
  spot: number
  vol: number
  checkIntervalYears: number
  side: 1 | -1
}): number {
  const { chains, spot, side } = params
  const size = expectedRehedgeSize(params)
  if (!(size > 0)) return 0
  return cheapestChain({ chains, sizeBase: side * size, spot }).totalQuote / (size * spot)
}
