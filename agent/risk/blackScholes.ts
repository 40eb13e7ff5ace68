import { bsmKernel, checkField } from './black76.ts'
import { InvalidOptionInputError } from './errors.ts'
import type { BsmInput, Greeks } from './types.ts'

const positive = (v: number) => v > 0
const nonNegative = (v: number) => v >= 0
const any = () => true

/** Validates a BSM input; throws `Risk.InvalidOptionInputError` naming the field. */
export function validateBsm(input: BsmInput): void {
  if (input.kind !== 'call' && input.kind !== 'put') {
    throw new InvalidOptionInputError({ field: 'kind', value: input.kind, expected: "'call' or 'put'" })
  }
  checkField('spot', input.spot, positive, 'a finite number > 0')
  checkField('strike', input.strike, positive, 'a finite number > 0')
  checkField('timeYears', input.timeYears, nonNegative, 'a finite number >= 0')
  checkField('vol', input.vol, nonNegative, 'a finite number >= 0')
  checkField('rate', input.rate, any, 'a finite number')
  if (input.yield !== undefined) checkField('yield', input.yield, any, 'a finite number')
}

/**
 * Price and Greeks of a European option under Black–Scholes–Merton with carry b = rate - yield (units in `Greeks`).
 * T = 0 or vol = 0 gives the discounted forward intrinsic value with a delta step (half a step at the money).
 */
export function bsmGreeks(input: BsmInput): Greeks {
  validateBsm(input)
  const out: Greeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0, vanna: 0, volga: 0 }
  bsmKernel(out, input.kind === 'call', input.spot, input.strike, input.timeYears, input.vol, input.rate, input.yield ?? 0)
  return out
}

/** Price of a European option under Black–Scholes–Merton with carry, in quote currency. */
export function bsmPrice(input: BsmInput): number {
  return bsmGreeks(input).price
}

/** Converts a theta per year (as in `Greeks`) to per calendar day (/365). */
export const perDay = (thetaPerYear: number): number => thetaPerYear / 365
