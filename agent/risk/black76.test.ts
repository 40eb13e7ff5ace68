import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { black76Greeks, black76Price } from './black76.ts'
import { bsmGreeks } from './blackScholes.ts'
import { InvalidOptionInputError } from './errors.ts'
import type { Black76Input, OptionKind } from './types.ts'

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b)

describe('black76Price', () => {
  test('reproduces Haug (Complete Guide, Black-76 example F=19, K=19, T=0.75, r=10%, σ=28%): call = put = 1.7011', () => {
    const input = { forward: 19, strike: 19, timeYears: 0.75, vol: 0.28, rate: 0.1 }
    expect(black76Price({ kind: 'call', ...input })).toBeCloseTo(1.7011, 4)
    expect(black76Price({ kind: 'put', ...input })).toBeCloseTo(1.7011, 4)
    // The same at full precision: mpmath, 40 digits.
    expect(rel(black76Price({ kind: 'call', ...input }), 1.7010507252362672)).toBeLessThanOrEqual(1e-14)
  })

  test("reproduces Hull (Options, Futures, and Other Derivatives, Black's model: F=20, K=20, r=9%, T=4 months, σ=25%): put = 1.12", () => {
    const put = black76Price({ kind: 'put', forward: 20, strike: 20, timeYears: 4 / 12, vol: 0.25, rate: 0.09 })
    expect(put).toBeCloseTo(1.12, 2)
    expect(rel(put, 1.116641456558943)).toBeLessThanOrEqual(1e-14)
  })

  test('matches a 40-digit value and delta for a crypto-like OTM call', () => {
    const g = black76Greeks({ kind: 'call', forward: 3000, strike: 3600, timeYears: 0.05, vol: 0.9, rate: 0.04 })
    expect(rel(g.price, 65.36372469663982)).toBeLessThanOrEqual(1e-13)
    expect(rel(g.delta, 0.20989153779953593)).toBeLessThanOrEqual(1e-13)
  })
})

describe('black76Greeks', () => {
  test('equals BSM with yield = rate except rho, which holds the forward fixed (rho = -T·price)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OptionKind>('call', 'put'),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: -0.02, max: 0.2, noNaN: true }),
        (kind, m, timeYears, vol, rate) => {
          const b = black76Greeks({ kind, forward: 100, strike: 100 * m, timeYears, vol, rate })
          const s = bsmGreeks({ kind, spot: 100, strike: 100 * m, timeYears, vol, rate, yield: rate })
          expect({ ...b, rho: 0 }).toEqual({ ...s, rho: 0 })
          expect(b.rho).toBe(-timeYears * b.price)
        },
      ),
    )
  })

  test('agrees with central finite differences in forward, vol, time and rate', () => {
    const x: Black76Input = { kind: 'put', forward: 2500, strike: 2300, timeYears: 0.3, vol: 0.7, rate: 0.05 }
    const g = black76Greeks(x)
    const at = (d: Partial<Black76Input>) => black76Price({ ...x, ...d })
    const h = 1e-2
    expect(rel(g.delta, (at({ forward: 2500 + h }) - at({ forward: 2500 - h })) / (2 * h))).toBeLessThan(1e-7)
    expect(rel(g.gamma, (at({ forward: 2500 + 1 }) - 2 * g.price + at({ forward: 2500 - 1 })) / 1)).toBeLessThan(1e-5)
    expect(rel(g.vega, (at({ vol: 0.7 + 1e-5 }) - at({ vol: 0.7 - 1e-5 })) / 2e-5)).toBeLessThan(1e-7)
    expect(rel(g.theta, -(at({ timeYears: 0.3 + 1e-6 }) - at({ timeYears: 0.3 - 1e-6 })) / 2e-6)).toBeLessThan(1e-6)
    expect(rel(g.rho, (at({ rate: 0.05 + 1e-6 }) - at({ rate: 0.05 - 1e-6 })) / 2e-6)).toBeLessThan(1e-6)
  })

  test('returns the discounted intrinsic value when the option has expired', () => {
    expect(black76Greeks({ kind: 'call', forward: 110, strike: 100, timeYears: 0, vol: 0.5, rate: 0.05 })).toMatchObject({
      price: 10,
      delta: 1,
      gamma: 0,
    })
  })

  test('throws Risk.InvalidOptionInputError when the forward is not positive', () => {
    expect(() => black76Greeks({ kind: 'call', forward: 0, strike: 100, timeYears: 1, vol: 0.5, rate: 0 })).toThrow(InvalidOptionInputError)
    expect(() => black76Price({ kind: 'put', forward: 100, strike: 100, timeYears: 1, vol: -1, rate: 0 })).toThrow(/vol/)
  })
})
