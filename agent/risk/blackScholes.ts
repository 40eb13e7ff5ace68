import { checkField, kernelGreeks } from './black76.ts'
import { InvalidOptionInputError } from './errors.ts'
import type { BsmInput, Greeks } from './types.ts'

/** Validates a BSM input; throws `Risk.InvalidOptionInputError` naming the field. */
export function validateBsm(input: BsmInput): void {
  if (input.kind !== 'call' && input.kind !== 'put') {
    throw new InvalidOptionInputError({ field: 'kind', value: input.kind, expected: "'call' or 'put'" })
  }
  checkField({ field: 'spot', value: input.spot, domain: 'positive' })
  checkField({ field: 'strike', value: input.strike, domain: 'positive' })
  checkField({ field: 'timeYears', value: input.timeYears, domain: 'nonNegative' })
  checkField({ field: 'vol', value: input.vol, domain: 'nonNegative' })
  checkField({ field: 'rate', value: input.rate, domain: 'finite' })
  if (input.yield !== undefined) checkField({ field: 'yield', value: input.yield, domain: 'finite' })
}

/**
 * Price and Greeks of a European option under Black–Scholes–Merton with carry b = rate - yield (units in `Greeks`).
 * Prices keep ~1e-13 relative accuracy down to 1e-300 (deep OTM, minutes to expiry) because the OTM side is formed
 * without cancellation and the ITM side as forward intrinsic + OTM. σ√T = 0 (expired or vol 0) gives the discounted
 * forward intrinsic value, a delta step (half a step at the money), gamma = vanna = volga = 0, theta from carry and
 * discounting only (the at-the-money expiry singularity is not representable), and vega = df·F·√T·φ(0) at the money
 * when T > 0. Throws `Risk.InvalidOptionInputError` on NaN, infinite, non-positive spot/strike, or negative vol/time.
 */
export function bsmGreeks(input: BsmInput): Greeks {
  validateBsm(input)
  const { spot: S, strike: K, timeYears: T, vol, rate: r } = input
  return kernelGreeks({ isCall: input.kind === 'call', S, K, T, vol, r, q: input.yield ?? 0 })
}

/** Price of a European option under Black–Scholes–Merton with carry, in quote currency. */
export function bsmPrice(input: BsmInput): number {
  return bsmGreeks(input).price
}

/** Converts a theta per year (as in `Greeks`) to per calendar day (/365). */
export const perDay = (thetaPerYear: number): number => thetaPerYear / 365
