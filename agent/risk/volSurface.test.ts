import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { type SviSlice, sviTotalVariance } from './svi.ts'
import { buildVolSurface } from './volSurface.ts'

const near: SviSlice = { expiryYears: 0.25, forward: 2000, params: { a: 0.01, b: 0.1, rho: -0.3, m: 0, sigma: 0.2 }, rmseVol: 0 }
const far: SviSlice = { expiryYears: 1, forward: 2100, params: { a: 0.05, b: 0.15, rho: -0.3, m: 0.05, sigma: 0.3 }, rmseVol: 0 }

function okSurface() {
  const r = buildVolSurface({ underlying: 'ETH', slices: [far, near] })
  if (r.status !== 'ok') throw new Error(`expected an arbitrage-free surface, got ${JSON.stringify(r.violations.slice(0, 2))}`)
  return r.surface
}

describe('buildVolSurface', () => {
  test('returns each slice’s own vol when queried at its expiry and forward', () => {
    const s = okSurface()
    for (const slice of [near, far]) {
      for (const k of [-0.5, 0, 0.3]) {
        const strike = slice.forward * Math.exp(k)
        expect(s.vol({ strike, timeYears: slice.expiryYears })).toBeCloseTo(
          Math.sqrt(sviTotalVariance(slice.params, k) / slice.expiryYears),
          12,
        )
      }
    }
  })

  test('interpolates total variance linearly in T at fixed log-moneyness between slices', () => {
    const s = okSurface()
    const t = 0.25 + 0.4 * 0.75
    const forward = s.forward(t)
    expect(forward).toBeCloseTo(Math.exp(0.6 * Math.log(2000) + 0.4 * Math.log(2100)), 9)
    for (const k of [-0.7, -0.1, 0, 0.4]) {
      const expected = 0.6 * sviTotalVariance(near.params, k) + 0.4 * sviTotalVariance(far.params, k)
      expect(s.totalVariance({ strike: forward * Math.exp(k), timeYears: t })).toBeCloseTo(expected, 12)
    }
  })

  test('keeps implied vol flat in T before the first and after the last slice', () => {
    const s = okSurface()
    expect(s.vol({ strike: 2000, timeYears: 0.1 })).toBeCloseTo(s.vol({ strike: 2000, timeYears: 0.25 }), 12)
    expect(s.vol({ strike: 2100, timeYears: 3 })).toBeCloseTo(s.vol({ strike: 2100, timeYears: 1 }), 12)
  })

  test('has total variance non-decreasing in T at any fixed k when the surface was accepted', () => {
    const s = okSurface()
    fc.assert(
      fc.property(
        fc.double({ min: -2.5, max: 2.5, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (k, t, dt) => {
          const w1 = s.totalVariance({ strike: 1000 * Math.exp(k), forward: 1000, timeYears: t })
          const w2 = s.totalVariance({ strike: 1000 * Math.exp(k), forward: 1000, timeYears: t + dt })
          return w2 >= w1 - 1e-15
        },
      ),
      { numRuns: 300 },
    )
  })

  test('refuses crossing slices for calendar arbitrage and names both expiries and k', () => {
    // The far slice has less total variance than the near one in the wings.
    const crossing: SviSlice = { ...far, params: { a: 0.03, b: 0.02, rho: 0, m: 0, sigma: 0.3 } }
    const r = buildVolSurface({ underlying: 'ETH', slices: [near, crossing] })
    if (r.status !== 'arbitrage') throw new Error('expected a refusal')
    const calendar = r.violations.filter((v) => v.kind === 'calendar')
    expect(calendar.length).toBeGreaterThan(0)
    for (const v of calendar) {
      expect(v).toMatchObject({ expiryYears: 0.25, nextExpiryYears: 1 })
      expect(sviTotalVariance(crossing.params, v.k)).toBeLessThan(sviTotalVariance(near.params, v.k))
    }
    // Near the money the far slice is above the near one, so no violation is reported there.
    expect(calendar.some((v) => v.k === 0)).toBe(false)
  })

  test("refuses a surface containing Vogt's slice for butterfly arbitrage", () => {
    const vogt: SviSlice = {
      expiryYears: 1,
      forward: 2000,
      params: { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 },
      rmseVol: 0,
    }
    const r = buildVolSurface({ underlying: 'ETH', slices: [vogt] })
    expect(r.status).toBe('arbitrage')
    if (r.status === 'arbitrage') expect(r.violations.some((v) => v.kind === 'butterfly' && v.expiryYears === 1)).toBe(true)
  })

  test('throws InvalidInputError when given no slices or a duplicate expiry', () => {
    expect(() => buildVolSurface({ underlying: 'ETH', slices: [] })).toThrowError(InvalidInputError)
    expect(() => buildVolSurface({ underlying: 'ETH', slices: [near, near] })).toThrowError(InvalidInputError)
  })
})

describe('VolSurface.vol', () => {
  test('throws InvalidInputError when the strike is 0, the time is not positive or NaN', () => {
    const s = okSurface()
    expect(() => s.vol({ strike: 0, timeYears: 0.5 })).toThrowError(InvalidInputError)
    expect(() => s.vol({ strike: 2000, timeYears: 0 })).toThrowError(InvalidInputError)
    expect(() => s.vol({ strike: 2000, timeYears: Number.NaN })).toThrowError(InvalidInputError)
  })
})
