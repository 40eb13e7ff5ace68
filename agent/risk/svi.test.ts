import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { fitSviSlice, nelderMead, type SviParams, sviButterflyViolations, sviDensityFactor, sviTotalVariance } from './svi.ts'

const FORWARD = 2000
const K_GRID = [-1, -0.6, -0.4, -0.25, -0.1, 0, 0.1, 0.2, 0.35, 0.5, 0.8]

function quotesFrom(p: SviParams, expiryYears: number, ks: readonly number[] = K_GRID) {
  return ks.map((k) => ({ strike: FORWARD * Math.exp(k), vol: Math.sqrt(sviTotalVariance(p, k) / expiryYears) }))
}

// Axel Vogt's parameters, Gatheral & Jacquier (2014) "Arbitrage-free SVI volatility surfaces", §2.3:
// a slice with no wing problem whose density is negative around k ≈ 0.7–1.2.
const VOGT: SviParams = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 }

describe('sviDensityFactor', () => {
  test('equals 1 everywhere when the variance is flat (b = 0)', () => {
    for (const k of [-2, -0.3, 0, 0.7, 2]) expect(sviDensityFactor({ a: 0.04, b: 0, rho: 0, m: 0, sigma: 0.1 }, k)).toBeCloseTo(1, 12)
  })

  test('matches g computed with finite-difference derivatives of w when given random parameters', () => {
    fc.assert(
      fc.property(
        fc.record({
          a: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
          b: fc.double({ min: 0, max: 1, noNaN: true }),
          rho: fc.double({ min: -0.95, max: 0.95, noNaN: true }),
          m: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
          sigma: fc.double({ min: 0.05, max: 1, noNaN: true }),
        }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (p, k) => {
          const h = 1e-4
          const w = sviTotalVariance(p, k)
          const w1 = (sviTotalVariance(p, k + h) - sviTotalVariance(p, k - h)) / (2 * h)
          const w2 = (sviTotalVariance(p, k + h) - 2 * w + sviTotalVariance(p, k - h)) / (h * h)
          const g = (1 - (k * w1) / (2 * w)) ** 2 - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2
          return Math.abs(sviDensityFactor(p, k) - g) < 1e-4 * (1 + Math.abs(g))
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('sviButterflyViolations', () => {
  test("refuses Vogt's slice for butterfly arbitrage and names k where g < 0", () => {
    const v = sviButterflyViolations({ expiryYears: 1, params: VOGT })
    const butterflies = v.filter((x) => x.kind === 'butterfly')
    expect(butterflies.length).toBeGreaterThan(0)
    for (const b of butterflies) {
      expect(b.expiryYears).toBe(1)
      expect(sviDensityFactor(VOGT, b.k)).toBeLessThan(0)
    }
    const ks = butterflies.map((b) => b.k)
    expect(Math.min(...ks)).toBeGreaterThan(0.5)
    expect(Math.max(...ks)).toBeLessThan(1.5)
  })

  test('accepts a typical equity-like smile with no arbitrage', () => {
    expect(sviButterflyViolations({ expiryYears: 0.5, params: { a: 0.04, b: 0.4, rho: -0.4, m: 0.1, sigma: 0.2 } })).toEqual([])
  })

  test("refuses a wing steeper than Lee's bound b(1 + ρ) ≤ 2 on the right", () => {
    const v = sviButterflyViolations({ expiryYears: 1, params: { a: 0.04, b: 1.8, rho: 0.2, m: 0, sigma: 0.3 } })
    expect(v).toContainEqual({ kind: 'wing-slope', expiryYears: 1, side: 'right', slope: 1.8 * 1.2, bound: 2 })
  })

  test('refuses negative total variance at the minimum even when it lies off the grid', () => {
    const v = sviButterflyViolations({ expiryYears: 1, params: { a: -0.1, b: 0.1, rho: 0, m: 5, sigma: 0.1 } }, [0])
    expect(v.some((x) => x.kind === 'negative-variance' && x.k === 5)).toBe(true)
  })
})

describe('fitSviSlice', () => {
  test('recovers the SVI parameters that generated the quotes', () => {
    const truth = { a: 0.04, b: 0.4, rho: -0.4, m: 0.1, sigma: 0.2 }
    const r = fitSviSlice({ expiryYears: 0.5, forward: FORWARD, quotes: quotesFrom(truth, 0.5) })
    if (r.status !== 'ok') throw new Error(`fit failed: ${r.detail}`)
    const p = r.slice.params
    expect(p.a).toBeCloseTo(truth.a, 5)
    expect(p.b).toBeCloseTo(truth.b, 5)
    expect(p.rho).toBeCloseTo(truth.rho, 5)
    expect(p.m).toBeCloseTo(truth.m, 5)
    expect(p.sigma).toBeCloseTo(truth.sigma, 5)
    expect(r.slice.rmseVol).toBeLessThan(1e-6)
  })

  test('recovers a crypto-like smile with positive skew and a short expiry', () => {
    const truth = { a: 0.002, b: 0.05, rho: 0.25, m: -0.02, sigma: 0.08 }
    const ks = [-0.5, -0.3, -0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.3, 0.5]
    const r = fitSviSlice({ expiryYears: 0.05, forward: FORWARD, quotes: quotesFrom(truth, 0.05, ks) })
    if (r.status !== 'ok') throw new Error(`fit failed: ${r.detail}`)
    expect(r.slice.rmseVol).toBeLessThan(1e-5)
    for (const k of [-0.4, 0, 0.4]) expect(sviTotalVariance(r.slice.params, k)).toBeCloseTo(sviTotalVariance(truth, k), 7)
  })

  test('fits noisy quotes to within the noise', () => {
    const truth = { a: 0.04, b: 0.4, rho: -0.4, m: 0.1, sigma: 0.2 }
    // A fixed ±0.3 vol-point pattern: the fit must not chase it beyond its size.
    const quotes = quotesFrom(truth, 0.5).map((q, i) => ({ ...q, vol: q.vol + (i % 2 === 0 ? 0.003 : -0.003) }))
    const r = fitSviSlice({ expiryYears: 0.5, forward: FORWARD, quotes })
    if (r.status !== 'ok') throw new Error(`fit failed: ${r.detail}`)
    expect(r.slice.rmseVol).toBeLessThanOrEqual(0.003)
    expect(r.slice.params.b).toBeGreaterThanOrEqual(0)
    expect(Math.abs(r.slice.params.rho)).toBeLessThanOrEqual(1)
  })

  test('returns unfit when there are fewer quotes than parameters', () => {
    const r = fitSviSlice({
      expiryYears: 0.5,
      forward: FORWARD,
      quotes: quotesFrom({ a: 0.04, b: 0.4, rho: -0.4, m: 0.1, sigma: 0.2 }, 0.5, [-0.1, 0, 0.1]),
    })
    expect(r).toMatchObject({ status: 'unfit', reason: 'too-few-quotes' })
  })

  test('throws InvalidInputError naming each bad quote when given NaN vols or zero strikes', () => {
    const quotes = [...quotesFrom(VOGT, 1), { strike: 0, vol: 0.5 }, { strike: 2000, vol: Number.NaN }]
    try {
      fitSviSlice({ expiryYears: 1, forward: FORWARD, quotes })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError)
      expect((err as InvalidInputError).issues.map((i) => i.path)).toEqual(['quotes[11].strike', 'quotes[12].vol'])
    }
  })
})

describe('nelderMead', () => {
  test('finds the minimum of the Rosenbrock function', () => {
    const r = nelderMead(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2, [-1.2, 1], [0.5, 0.5])
    expect(r.x[0]).toBeCloseTo(1, 4)
    expect(r.x[1]).toBeCloseTo(1, 4)
  })
})
