import { bsmGreeks } from '../risk/blackScholes.ts'
import type { BookSpec, PricedPath } from './types.ts'

const payoff = (kind: 'call' | 'put', spot: number, strike: number): number =>
  kind === 'call' ? Math.max(spot - strike, 0) : Math.max(strike - spot, 0)

/**
 * Reprices the rolled book along one spot path: at every roll the legs are sold at
 * strike = moneyness × spot and marked at the book's implied vol; between rolls the book delta
 * and gamma come from Black–Scholes. The book P&L (premia in, payoffs out, covered spot) is the
 * same for every hedging policy, so it is computed once here.
 */
export function priceBookOnPath(params: { spot: Float64Array; book: BookSpec; dtYears: number }): PricedPath {
  const { spot, book, dtYears: dt } = params
  const steps = spot.length - 1
  const stepsPerTenor = Math.max(1, Math.round(book.tenorYears / dt))
  const generations = Math.ceil(steps / stepsPerTenor)
  const legCount = book.legs.length
  const strikes = new Float64Array(generations * legCount)
  const bookDelta = new Float64Array(steps)
  const bookGamma = new Float64Array(steps)
  const timeToExpiry = new Float64Array(steps)
  const generation = new Int32Array(steps)
  let optionPnl = 0

  for (let i = 0; i < steps; i++) {
    const g = Math.floor(i / stepsPerTenor)
    const rollStep = g * stepsPerTenor
    const tau = (rollStep + stepsPerTenor - i) * dt
    const s = spot[i]!
    let delta = book.spotHolding
    let gamma = 0
    for (let l = 0; l < legCount; l++) {
      const leg = book.legs[l]!
      if (i === rollStep) strikes[g * legCount + l] = leg.moneyness * s
      const strike = strikes[g * legCount + l]!
      const greeks = bsmGreeks({ kind: leg.kind, spot: s, strike, timeYears: tau, vol: book.impliedVol, rate: book.rate })
      delta += leg.quantity * greeks.delta
      gamma += leg.quantity * greeks.gamma
      // Premium received at the sale; the payoff (or the last mark) is paid at the generation's end.
      if (i === rollStep) optionPnl += leg.quantity * -greeks.price
    }
    bookDelta[i] = delta
    bookGamma[i] = gamma
    timeToExpiry[i] = tau
    generation[i] = g
  }

  const last = steps - 1
  const lastGen = generation[last]!
  const endsAtExpiry = steps % stepsPerTenor === 0
  const sEnd = spot[steps]!
  for (let g = 0; g <= lastGen; g++) {
    for (let l = 0; l < legCount; l++) {
      const leg = book.legs[l]!
      const strike = strikes[g * legCount + l]!
      const sExpiry = g < lastGen ? spot[(g + 1) * stepsPerTenor]! : sEnd
      const value =
        g < lastGen || endsAtExpiry
          ? payoff(leg.kind, sExpiry, strike)
          : bsmGreeks({
              kind: leg.kind,
              spot: sEnd,
              strike,
              timeYears: ((g + 1) * stepsPerTenor - steps) * dt,
              vol: book.impliedVol,
              rate: book.rate,
            }).price
      optionPnl += leg.quantity * value
    }
  }
  const bookPnl = optionPnl + book.spotHolding * (sEnd - spot[0]!)
  return { spot, bookDelta, bookGamma, timeToExpiry, generation, strikes, bookPnl }
}
