import type { OptionKind } from '../risk/types.ts'

/** Price-path models of the Monte Carlo. */
export type PathModelId = 'gbm' | 'jump' | 'regime'
export const pathModelIds = ['gbm', 'jump', 'regime'] as const satisfies readonly PathModelId[]

/** Geometric Brownian motion: drift and vol per year. */
export type GbmModel = { id: 'gbm'; drift: number; vol: number }
/** Merton jump diffusion: Poisson jumps per year, log-jump ~ N(jumpMean, jumpVol²), drift compensated. */
export type JumpModel = { id: 'jump'; drift: number; vol: number; jumpsPerYear: number; jumpMean: number; jumpVol: number }
/** Two-regime (Markov-switching) vol: switching intensities per year out of each regime. */
export type RegimeModel = {
  id: 'regime'
  drift: number
  calmVol: number
  stressVol: number
  calmToStressPerYear: number
  stressToCalmPerYear: number
}
export type PathModel = GbmModel | JumpModel | RegimeModel

/** One leg of the rolled book, struck relative to spot at each roll. */
export type BookLegSpec = { kind: OptionKind; moneyness: number; quantity: number }

/**
 * A book sold every `tenorYears` and held to expiry: option legs (short < 0) plus spot the book
 * itself holds (the covered leg of covered calls). Options are marked at `impliedVol`.
 */
export type BookSpec = { spotHolding: number; legs: readonly BookLegSpec[]; tenorYears: number; impliedVol: number; rate: number }

/** Per-step series of one path with the book repriced: everything a hedging run needs. */
export type PricedPath = {
  /** Spot at steps 0..n (length n+1). */
  spot: Float64Array
  /** Book delta/gamma at steps 0..n-1, after any roll at that step. */
  bookDelta: Float64Array
  bookGamma: Float64Array
  /** Time to the book's expiry at steps 0..n-1. */
  timeToExpiry: Float64Array
  /** Roll index (which generation of legs is live) at steps 0..n-1. */
  generation: Int32Array
  /** Strikes of each generation's legs, generation-major (generation * legs + leg). */
  strikes: Float64Array
  /** Book P&L over the whole path without hedging and costs (quote units). */
  bookPnl: number
}

/** Aggregate of one policy setting over all paths of one model. */
export type PolicyResult = {
  model: PathModelId
  policy: string
  params: string
  /** Mean total hedging cost per path, quote units. */
  meanCost: number
  /** Standard deviation over paths of the hedged P&L net of costs. */
  trackingError: number
  /** Largest loss over paths of the hedged P&L net of costs (positive = loss). */
  worstLoss: number
  meanPnl: number
  meanTrades: number
}
