import { createPrng } from '../../../agent/random/prng.ts'

/** Merton jump-diffusion: GBM plus Poisson jumps with normal log sizes. Rates are annual. */
export type PricePathParams = {
  seed: number
  annualVol: number
  annualDrift: number
  jumpIntensityPerYear: number
  jumpMeanLog: number
  jumpStdLog: number
  stepSec: number
}

/** ETH-like defaults: 60 % vol, no drift, a few jumps a year skewed down, one-minute steps. */
export const defaultPricePathParams: Omit<PricePathParams, 'seed'> = {
  annualVol: 0.6,
  annualDrift: 0,
  jumpIntensityPerYear: 6,
  jumpMeanLog: -0.01,
  jumpStdLog: 0.04,
  stepSec: 60,
}

const secondsPerYear = 365 * 24 * 3600

/** A seeded stream of per-step log returns; the simulator applies them to its current price. */
export function createPricePath(params: PricePathParams): { nextLogReturn(): number } {
  validate(params)
  const prng = createPrng(params.seed)
  const dt = params.stepSec / secondsPerYear
  const sigma = params.annualVol
  // Compensate the jumps' mean so the expected price still grows at the drift.
  const jumpCompensator = params.jumpIntensityPerYear * (Math.exp(params.jumpMeanLog + params.jumpStdLog ** 2 / 2) - 1)
  const driftPerStep = (params.annualDrift - sigma ** 2 / 2 - jumpCompensator) * dt
  const volPerStep = sigma * Math.sqrt(dt)
  return {
    nextLogReturn() {
      let r = driftPerStep + volPerStep * prng.nextNormal()
      const jumps = prng.nextPoisson(params.jumpIntensityPerYear * dt)
      for (let i = 0; i < jumps; i++) r += params.jumpMeanLog + params.jumpStdLog * prng.nextNormal()
      return r
    },
  }
}

/** The first `steps` prices of a path from `startPriceUsd` (for tests, backtests and plots). */
export function samplePricePath(params: PricePathParams & { startPriceUsd: number; steps: number }): number[] {
  const path = createPricePath(params)
  const prices: number[] = []
  let price = params.startPriceUsd
  for (let i = 0; i < params.steps; i++) {
    price *= Math.exp(path.nextLogReturn())
    prices.push(price)
  }
  return prices
}

function validate(p: PricePathParams): void {
  const bad = (what: string) => new RangeError(`price path: ${what}`)
  // The shared PRNG folds any number into 32 bits; a fractional seed is a caller's mistake, not a seed.
  if (!Number.isInteger(p.seed)) throw bad(`seed must be an integer, got ${p.seed}`)
  if (!(p.annualVol >= 0)) throw bad(`annualVol must be >= 0, got ${p.annualVol}`)
  if (!(p.stepSec > 0)) throw bad(`stepSec must be > 0, got ${p.stepSec}`)
  if (!(p.jumpIntensityPerYear >= 0)) throw bad(`jumpIntensityPerYear must be >= 0, got ${p.jumpIntensityPerYear}`)
  if (!(p.jumpStdLog >= 0)) throw bad(`jumpStdLog must be >= 0, got ${p.jumpStdLog}`)
}
