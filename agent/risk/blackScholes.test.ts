import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { bsmGreeks, bsmPrice, perDay } from './blackScholes.ts'
import { InvalidOptionInputError } from './errors.ts'
import type { BsmInput, Greeks, OptionKind } from './types.ts'

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b)

/*
 * E. G. Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed., 2007; values as tabulated from the 1998
 * first edition, pp. 2-8, 24, 27, in QuantLib's test-suite/europeanoption.cpp, testValues). Columns: kind, strike,
 * spot, yield q, rate r, T, vol, value. Haug prints 4 decimals, so the tolerance is 1e-4.
 */
const HAUG_VALUES: readonly [OptionKind, number, number, number, number, number, number, number][] = [
  ['call', 65, 60, 0, 0.08, 0.25, 0.3, 2.1334],
  ['put', 95, 100, 0.05, 0.1, 0.5, 0.2, 2.4648],
  ['put', 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011],
  ['call', 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011],
  ['call', 1.6, 1.56, 0.08, 0.06, 0.5, 0.12, 0.0291],
  ['put', 70, 75, 0.05, 0.1, 0.5, 0.35, 4.087],
  ['call', 100, 90, 0.1, 0.1, 0.1, 0.15, 0.0205],
  ['call', 100, 100, 0.1, 0.1, 0.1, 0.15, 1.8734],
  ['call', 100, 110, 0.1, 0.1, 0.1, 0.15, 9.9413],
  ['call', 100, 90, 0.1, 0.1, 0.5, 0.35, 4.9329],
  ['call', 100, 110, 0.1, 0.1, 0.5, 0.35, 15.3086],
  ['put', 100, 90, 0.1, 0.1, 0.1, 0.15, 9.921],
  ['put', 100, 110, 0.1, 0.1, 0.1, 0.15, 0.0408],
  ['put', 100, 110, 0.1, 0.1, 0.1, 0.35, 1.2376],
  ['put', 100, 90, 0.1, 0.1, 0.5, 0.35, 14.4452],
  ['put', 100, 110, 0.1, 0.1, 0.5, 0.35, 5.7963],
  ['call', 40, 42, 0.08, 0.04, 0.75, 0.35, 5.0975],
]

/*
 * High-precision Greeks: mpmath 1.3 at 60 digits, by numerical differentiation (mpmath.diff) of the textbook
 * price S e^{-qT} N(d1) - K e^{-rT} N(d2) (put by its own formula): delta = dV/dS, gamma = d²V/dS², vega = dV/dσ,
 * theta = -dV/dT, rho = dV/dr with q fixed, vanna = d²V/dS dσ, volga = d²V/dσ². Independent of our closed forms.
 */
const MPMATH_GREEKS: readonly { input: BsmInput; greeks: Greeks }[] = [
  {
    input: { kind: 'call', spot: 100.0, strike: 100.0, timeYears: 0.5, vol: 0.6, rate: 0.03, yield: 0.01 },
    greeks: {
      price: 17.132224277257638,
      delta: 0.5902097036655595,
      gamma: 0.00909994160125365,
      vega: 27.29982480376095,
      theta: -17.046347561269958,
      rho: 20.944373044649158,
      vanna: 0.12133255468338199,
      volga: -2.022209244723033,
    },
  },
  {
    input: { kind: 'put', spot: 100.0, strike: 100.0, timeYears: 0.5, vol: 0.6, rate: 0.03, yield: 0.01 },
    greeks: {
      price: 16.142170318295673,
      delta: -0.4048027755271228,
      gamma: 0.00909994160125365,
      vega: 27.29982480376095,
      theta: -15.086024221653451,
      rho: -28.311223935503975,
      vanna: 0.12133255468338199,
      volga: -2.022209244723033,
    },
  },
  {
    input: { kind: 'call', spot: 100.0, strike: 130.0, timeYears: 0.1, vol: 0.9, rate: 0.05, yield: 0.0 },
    greeks: {
      price: 3.2054102911902578,
      delta: 0.22303496950430804,
      gamma: 0.010485468076808835,
      vega: 9.436921269127952,
      theta: -43.421050044037806,
      rho: 1.9098086659240547,
      vanna: 0.3470273595884468,
      volga: 8.361981454138228,
    },
  },
  {
    input: { kind: 'put', spot: 100.0, strike: 70.0, timeYears: 0.02, vol: 1.2, rate: 0.0, yield: 0.04 },
    greeks: {
      price: 0.0922993204557504,
      delta: -0.014548067632885684,
      gamma: 0.0021733436111587776,
      vega: 0.5216024666781066,
      theta: -15.70626627087474,
      rho: -0.03094212167488638,
      vanna: -0.06184519898167048,
      volga: 1.9083106321514822,
    },
  },
  {
    input: { kind: 'call', spot: 100.0, strike: 95.0, timeYears: 2.0, vol: 0.25, rate: -0.01, yield: 0.02 },
    greeks: {
      price: 13.124349728524003,
      delta: 0.5384896681380419,
      gamma: 0.010716584090026056,
      vega: 53.58292045013028,
      theta: -1.8647070210042571,
      rho: 81.44923417056037,
      vanna: 0.30523705938781803,
      volga: -6.567882797455656,
    },
  },
  {
    input: { kind: 'put', spot: 3000.0, strike: 2500.0, timeYears: 0.019230769230769232, vol: 0.7, rate: 0.045, yield: 0.06 },
    greeks: {
      price: 3.1272782814433193,
      delta: -0.027160737039765504,
      gamma: 0.00021505928033330613,
      vega: 26.055258963458243,
      theta: -475.28721877906446,
      rho: -1.627105565398843,
      vanna: -0.16343419882152582,
      volga: 130.80196969612436,
    },
  },
]

const base: BsmInput = { kind: 'call', spot: 100, strike: 100, timeYears: 0.5, vol: 0.6, rate: 0.03, yield: 0.01 }

describe('bsmPrice', () => {
  test('reproduces Haug / QuantLib reference values to 1e-4 when given their inputs', () => {
    for (const [kind, strike, spot, q, rate, timeYears, vol, value] of HAUG_VALUES) {
      const p = bsmPrice({ kind, spot, strike, timeYears, vol, rate, yield: q })
      expect(Math.abs(p - value), `${kind} K=${strike} S=${spot}`).toBeLessThanOrEqual(1e-4)
    }
  })

  test('reproduces Hull (Options, Futures, and Other Derivatives, BSM example S=42, K=40, r=10%, σ=20%, T=0.5): c=4.76, p=0.81', () => {
    const input = { spot: 42, strike: 40, timeYears: 0.5, vol: 0.2, rate: 0.1 }
    expect(bsmPrice({ kind: 'call', ...input })).toBeCloseTo(4.76, 2)
    expect(bsmPrice({ kind: 'put', ...input })).toBeCloseTo(0.81, 2)
  })

  test('satisfies put–call parity C - P = S e^{-qT} - K e^{-rT} when inputs vary', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: -0.05, max: 0.2, noNaN: true }),
        fc.double({ min: -0.05, max: 0.2, noNaN: true }),
        (spot, m, timeYears, vol, rate, q) => {
          const input = { spot, strike: spot * m, timeYears, vol, rate, yield: q }
          const c = bsmPrice({ kind: 'call', ...input })
          const p = bsmPrice({ kind: 'put', ...input })
          const forwardValue = spot * Math.exp(-q * timeYears) - spot * m * Math.exp(-rate * timeYears)
          expect(Math.abs(c - p - forwardValue)).toBeLessThanOrEqual(1e-13 * (spot + spot * m))
        },
      ),
    )
  })

  test('increases with vol, decreases with strike for calls and increases for puts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OptionKind>('call', 'put'),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
        (kind, m, timeYears, vol, bump) => {
          const input = { kind, spot: 100, strike: 100 * m, timeYears, vol, rate: 0.03, yield: 0.01 }
          const p = bsmPrice(input)
          expect(bsmPrice({ ...input, vol: vol + bump })).toBeGreaterThanOrEqual(p)
          const higherStrike = bsmPrice({ ...input, strike: input.strike * (1 + bump) })
          if (kind === 'call') expect(higherStrike).toBeLessThanOrEqual(p)
          else expect(higherStrike).toBeGreaterThanOrEqual(p)
        },
      ),
    )
  })

  test('obeys put–call symmetry c(S, K) = (K/S) p(S, S²/K) when the cost of carry is zero', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (m, timeYears, vol, rate) => {
          const spot = 100
          const strike = spot * m
          const c = bsmPrice({ kind: 'call', spot, strike, timeYears, vol, rate, yield: rate })
          const p = bsmPrice({ kind: 'put', spot, strike: (spot * spot) / strike, timeYears, vol, rate, yield: rate })
          expect(Math.abs(c - (strike / spot) * p)).toBeLessThanOrEqual(1e-12 * Math.max(c, 1e-300) + 1e-14 * spot)
        },
      ),
    )
  })
})

describe('bsmGreeks', () => {
  test('reproduces Haug Greek examples (pp. 11-16) to 1e-4', () => {
    const d = { strike: 100, spot: 105, yield: 0.1, rate: 0.1, timeYears: 0.5, vol: 0.36 }
    expect(bsmGreeks({ kind: 'call', ...d }).delta).toBeCloseTo(0.5946, 4)
    expect(bsmGreeks({ kind: 'put', ...d }).delta).toBeCloseTo(-0.3566, 4)
    const g = { strike: 60, spot: 55, yield: 0, rate: 0.1, timeYears: 0.75, vol: 0.3 }
    expect(bsmGreeks({ kind: 'call', ...g }).gamma).toBeCloseTo(0.0278, 4)
    expect(bsmGreeks({ kind: 'put', ...g }).gamma).toBeCloseTo(0.0278, 4)
    expect(bsmGreeks({ kind: 'call', ...g }).vega).toBeCloseTo(18.9358, 4)
    expect(bsmGreeks({ kind: 'put', ...g }).vega).toBeCloseTo(18.9358, 4)
    const theta = bsmGreeks({ kind: 'put', strike: 405, spot: 430, yield: 0.05, rate: 0.07, timeYears: 1 / 12, vol: 0.2 }).theta
    expect(theta).toBeCloseTo(-31.1924, 4)
    expect(perDay(theta)).toBeCloseTo(-0.0855, 4)
    expect(bsmGreeks({ kind: 'call', strike: 75, spot: 72, yield: 0, rate: 0.09, timeYears: 1, vol: 0.19 }).rho).toBeCloseTo(38.7325, 4)
  })

  test('matches 60-digit numerical derivatives to 1e-12 relative for every Greek', () => {
    for (const { input, greeks } of MPMATH_GREEKS) {
      const g = bsmGreeks(input)
      for (const key of Object.keys(greeks) as (keyof Greeks)[]) {
        expect(Math.abs(g[key] - greeks[key]), `${input.kind} K=${input.strike} ${key}`).toBeLessThanOrEqual(
          1e-12 * Math.max(Math.abs(greeks[key]), 1),
        )
      }
    }
  })

  test('agrees with central finite differences of bsmPrice when inputs vary', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OptionKind>('call', 'put'),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 1.5, noNaN: true }),
        fc.double({ min: -0.02, max: 0.1, noNaN: true }),
        fc.double({ min: -0.02, max: 0.1, noNaN: true }),
        (kind, m, timeYears, vol, rate, q) => {
          const x: BsmInput = { kind, spot: 100, strike: 100 * m, timeYears, vol, rate, yield: q }
          const g = bsmGreeks(x)
          const at = (d: Partial<BsmInput>) => bsmPrice({ ...x, ...d })
          const hS = 1e-3
          const hV = 1e-4
          const hT = 1e-5
          const hR = 1e-5
          // Tolerances cover the O(h²) truncation of each stencil; exactness is checked against mpmath above.
          const close = (actual: number, fd: number, tol: number) =>
            expect(Math.abs(actual - fd)).toBeLessThanOrEqual(tol * (1 + Math.abs(fd)))
          close(g.delta, (at({ spot: 100 + hS }) - at({ spot: 100 - hS })) / (2 * hS), 1e-6)
          close(g.gamma, (at({ spot: 100 + hS }) - 2 * g.price + at({ spot: 100 - hS })) / (hS * hS), 1e-5)
          close(g.vega, (at({ vol: vol + hV }) - at({ vol: vol - hV })) / (2 * hV), 2e-5)
          close(g.theta, -(at({ timeYears: timeYears + hT }) - at({ timeYears: timeYears - hT })) / (2 * hT), 1e-5)
          close(g.rho, (at({ rate: rate + hR }) - at({ rate: rate - hR })) / (2 * hR), 1e-6)
          const dS = (v: number) => (at({ spot: 100 + hS, vol: v }) - at({ spot: 100 - hS, vol: v })) / (2 * hS)
          close(g.vanna, (dS(vol + hV) - dS(vol - hV)) / (2 * hV), 1e-4)
          close(g.volga, (at({ vol: vol + hV }) - 2 * g.price + at({ vol: vol - hV })) / (hV * hV), 1e-3)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('keeps delta within [-e^{-qT}, 0] for puts and [0, e^{-qT}] for calls, gamma and vega non-negative', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OptionKind>('call', 'put'),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: -0.1, max: 0.3, noNaN: true }),
        fc.double({ min: -0.1, max: 0.3, noNaN: true }),
        (kind, m, timeYears, vol, rate, q) => {
          const g = bsmGreeks({ kind, spot: 100, strike: 100 * m, timeYears, vol, rate, yield: q })
          const dq = Math.exp(-q * timeYears)
          if (kind === 'call') {
            expect(g.delta).toBeGreaterThanOrEqual(0)
            expect(g.delta).toBeLessThanOrEqual(dq * (1 + 1e-15))
          } else {
            expect(g.delta).toBeLessThanOrEqual(0)
            expect(g.delta).toBeGreaterThanOrEqual(-dq * (1 + 1e-15))
          }
          expect(g.gamma).toBeGreaterThanOrEqual(0)
          expect(g.vega).toBeGreaterThanOrEqual(0)
          expect(g.price).toBeGreaterThanOrEqual(0)
          for (const v of Object.values(g)) expect(Number.isFinite(v)).toBe(true)
        },
      ),
    )
  })
})

describe('bsmGreeks at the edges', () => {
  test('returns the intrinsic value, a delta step and zero gamma/vega when the option has expired', () => {
    const expired = { timeYears: 0, vol: 0.8, rate: 0.05, yield: 0.02, spot: 100 }
    expect(bsmGreeks({ kind: 'call', strike: 90, ...expired })).toEqual({
      price: 10,
      delta: 1,
      gamma: 0,
      vega: 0,
      theta: expect.any(Number),
      rho: 0,
      vanna: 0,
      volga: 0,
    })
    expect(bsmGreeks({ kind: 'put', strike: 90, ...expired })).toMatchObject({ price: 0, delta: 0, gamma: 0, vega: 0 })
    expect(bsmGreeks({ kind: 'put', strike: 110, ...expired })).toMatchObject({ price: 10, delta: -1, gamma: 0, vega: 0 })
    expect(bsmGreeks({ kind: 'call', strike: 100, ...expired })).toMatchObject({ price: 0, delta: 0.5, gamma: 0 })
    expect(bsmGreeks({ kind: 'put', strike: 100, ...expired })).toMatchObject({ price: 0, delta: -0.5, gamma: 0 })
  })

  test('converges to the expiry values when T shrinks towards 0', () => {
    const g = bsmGreeks({ kind: 'call', spot: 100, strike: 90, timeYears: 1e-10, vol: 0.8, rate: 0.05 })
    expect(g.price).toBeCloseTo(10, 8)
    expect(g.delta).toBe(1)
    expect(g.gamma).toBe(0)
    const away = bsmGreeks({ kind: 'put', spot: 100, strike: 99, timeYears: 1 / (365 * 24 * 60), vol: 0.5, rate: 0 })
    expect(away.gamma).toBeLessThan(1e-40)
  })

  test('returns the discounted forward intrinsic value when vol is 0', () => {
    const input = { spot: 100, strike: 95, timeYears: 2, vol: 0, rate: 0.05, yield: 0.01 }
    const forward = 100 * Math.exp(0.04 * 2)
    const call = bsmGreeks({ kind: 'call', ...input })
    expect(rel(call.price, Math.exp(-0.1) * (forward - 95))).toBeLessThanOrEqual(1e-15)
    expect(rel(call.delta, Math.exp(-0.02))).toBeLessThanOrEqual(1e-15)
    expect(rel(call.rho, 2 * 95 * Math.exp(-0.1))).toBeLessThanOrEqual(1e-15)
    expect(call.gamma).toBe(0)
    // K above the forward: the put is worth the discounted K - F, the call nothing.
    const put = bsmGreeks({ kind: 'put', ...input, strike: 120 })
    expect(rel(put.price, Math.exp(-0.1) * (120 - forward))).toBeLessThanOrEqual(1e-15)
    expect(bsmGreeks({ kind: 'call', ...input, strike: 120 }).price).toBe(0)
  })

  test('keeps the finite at-the-money vega limit df·F·√T·φ(0) when vol is 0 and the forward equals the strike', () => {
    const g = bsmGreeks({ kind: 'call', spot: 100, strike: 100, timeYears: 0.25, vol: 0, rate: 0.03, yield: 0.03 })
    expect(rel(g.vega, Math.exp(-0.0075) * 100 * 0.5 * 0.3989422804014327)).toBeLessThanOrEqual(1e-15)
    expect(
      rel(bsmGreeks({ kind: 'call', spot: 100, strike: 100, timeYears: 0.25, vol: 1e-9, rate: 0.03, yield: 0.03 }).vega, g.vega),
    ).toBeLessThan(1e-9)
  })

  test('prices deep ITM puts and calls with their own formula when the other side underflows', () => {
    // mpmath, 80 digits: put S=100, K=1e6, T=1, vol=0.2, r=q=0 is K - S to all digits; call S=100, K=1e6 underflows
    const put = bsmGreeks({ kind: 'put', spot: 100, strike: 1e6, timeYears: 1, vol: 0.2, rate: 0 })
    expect(put.price).toBe(999900)
    expect(put.delta).toBe(-1)
    const call = bsmGreeks({ kind: 'call', spot: 100, strike: 1e6, timeYears: 1, vol: 0.2, rate: 0 })
    expect(call.price).toBe(0)
    expect(call.delta).toBe(0)
  })

  test('never returns NaN when inputs are extreme but valid', () => {
    const extremes = [
      { spot: 1e-8, strike: 1e8, timeYears: 100, vol: 10, rate: 0.5, yield: -0.5 },
      { spot: 1e8, strike: 1e-8, timeYears: 1e-300, vol: 1e-300, rate: 0, yield: 0 },
      { spot: 100, strike: 100, timeYears: 1e-300, vol: 5, rate: 0, yield: 0 },
      { spot: 100, strike: 100.000001, timeYears: 1e-20, vol: 1e-10, rate: -0.01, yield: 0 },
      { spot: 100, strike: 50, timeYears: 50, vol: 20, rate: 0.1, yield: 0 },
      { spot: 1e200, strike: 2e200, timeYears: 1, vol: 0.5, rate: 0.01, yield: 0 },
      { spot: 1e-200, strike: 1e-200, timeYears: 1, vol: 0.5, rate: 0, yield: 0 },
    ]
    for (const e of extremes) {
      for (const kind of ['call', 'put'] as const) {
        for (const [k, v] of Object.entries(bsmGreeks({ kind, ...e })))
          expect(Number.isFinite(v), `${kind} ${JSON.stringify(e)} ${k}`).toBe(true)
      }
    }
  })

  test('treats a zero rate without special cases', () => {
    const g = bsmGreeks({ kind: 'call', spot: 100, strike: 100, timeYears: 1, vol: 0.2, rate: 0 })
    // mpmath.ncdf(0.1) - mpmath.ncdf(-0.1) times 100 at 50 digits
    expect(rel(g.price, 7.965567455405798)).toBeLessThanOrEqual(1e-14)
    expect(rel(g.rho, 100 * 0.460172162722971)).toBeLessThanOrEqual(1e-14)
  })
})

describe('bsm input validation', () => {
  const bad: [string, Partial<BsmInput>][] = [
    ['vol', { vol: -0.1 }],
    ['vol', { vol: Number.NaN }],
    ['vol', { vol: Number.POSITIVE_INFINITY }],
    ['strike', { strike: 0 }],
    ['strike', { strike: -5 }],
    ['spot', { spot: Number.NaN }],
    ['spot', { spot: 0 }],
    ['timeYears', { timeYears: -1e-9 }],
    ['rate', { rate: Number.NaN }],
    ['yield', { yield: Number.NEGATIVE_INFINITY }],
    ['kind', { kind: 'straddle' as OptionKind }],
  ]
  test('throws Risk.InvalidOptionInputError naming the field when an input is outside the domain', () => {
    for (const [field, patch] of bad) {
      let caught: unknown
      try {
        bsmGreeks({ ...base, ...patch })
      } catch (err) {
        caught = err
      }
      expect(caught, field).toBeInstanceOf(InvalidOptionInputError)
      expect((caught as InvalidOptionInputError).name).toBe('Risk.InvalidOptionInputError')
      expect((caught as InvalidOptionInputError).field).toBe(field)
      expect(() => bsmPrice({ ...base, ...patch })).toThrow(InvalidOptionInputError)
    }
  })
})
