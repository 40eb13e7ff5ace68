import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { erf, erfc, erfcx, normCdf, normCdfOverPdf, normPdf } from './normal.ts'

/*
 * Reference values computed with mpmath 1.3 at 50 digits (mpmath.ncdf, mpmath.erfc, exp(x²)·erfc(x)) on the exact
 * double arguments, printed with mpmath.nstr(v, 17).
 */
const NORM_CDF: readonly (readonly [number, number])[] = [
  [-37.5, 4.605353009581955e-308],
  [-30, 4.906713927148187e-198],
  [-25, 3.056696706382561e-138],
  [-20, 2.7536241186062337e-89],
  [-15, 3.670966199312751e-51],
  [-10, 7.619853024160525e-24],
  [-8, 6.220960574271784e-16],
  [-6, 9.86587645037698e-10],
  [-5, 2.866515718791939e-7],
  [-4, 0.000031671241833119924],
  [-3, 0.0013498980316300946],
  [-2.5, 0.006209665325776135],
  [-2, 0.02275013194817921],
  [-1.5, 0.06680720126885807],
  [-1, 0.15865525393145705],
  [-0.75, 0.2266273523768682],
  [-0.5, 0.3085375387259869],
  [-0.3, 0.3820885778110474],
  [-0.1, 0.460172162722971],
  [-1e-8, 0.4999999960105772],
  [0, 0.5],
  [1e-8, 0.5000000039894228],
  [0.1, 0.539827837277029],
  [0.3, 0.6179114221889527],
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [1.5, 0.9331927987311419],
  [2, 0.9772498680518208],
  [3, 0.9986501019683699],
  [5, 0.9999997133484281],
  [8, 0.9999999999999993],
]
const ERFC: readonly (readonly [number, number])[] = [
  [-5, 1.9999999999984626],
  [-1, 1.842700792949715],
  [-0.2, 1.2227025892104786],
  [0, 1.0],
  [0.2, 0.7772974107895215],
  [0.46875, 0.507386526782062],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [2, 0.004677734981047266],
  [3.9, 3.4792248597231765e-8],
  [4, 1.541725790028002e-8],
  [4.1, 6.700027654084918e-9],
  [6, 2.1519736712498913e-17],
  [10, 2.088487583762545e-45],
  [26, 5.663192408856143e-296],
]
const ERFCX: readonly (readonly [number, number])[] = [
  [-3, 16205.988853999586],
  [-0.3, 1.4537492328427657],
  [0, 1.0],
  [0.3, 0.7345993345676551],
  [0.46875, 0.6320696892495561],
  [1, 0.427583576155807],
  [3, 0.17900115118138996],
  [4, 0.13699945762506138],
  [5, 0.11070463773306863],
  [10, 0.05614099274382259],
  [100, 0.005641613782989433],
  [100000.0, 0.0000056418958351954685],
  [100000000.0, 5.641895835477562e-9],
]

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b)

describe('normCdf', () => {
  test('matches 50-digit values to 1e-14 relative from the far left tail to the right', () => {
    for (const [z, expected] of NORM_CDF) expect(rel(normCdf(z), expected), `z=${z}`).toBeLessThanOrEqual(1e-14)
  })

  test('N(z) + N(-z) = 1 and N is non-decreasing when z varies', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (z, dz) => {
        expect(Math.abs(normCdf(z) + normCdf(-z) - 1)).toBeLessThanOrEqual(4e-16)
        expect(normCdf(z + dz)).toBeGreaterThanOrEqual(normCdf(z))
      }),
    )
  })

  test('returns 0, 1 and NaN at the ends when z is far out or NaN', () => {
    expect(normCdf(-40)).toBe(0)
    expect(normCdf(40)).toBe(1)
    expect(normCdf(Number.NaN)).toBeNaN()
  })
})

describe('erfc', () => {
  test('matches 50-digit values to 1e-15 relative on every branch of the approximation', () => {
    for (const [x, expected] of ERFC) expect(rel(erfc(x), expected), `x=${x}`).toBeLessThanOrEqual(1e-15)
  })

  test('erf(x) + erfc(x) = 1 when x is moderate', () => {
    for (const x of [-2, -0.4, 0, 0.3, 1, 3]) expect(erf(x) + erfc(x)).toBeCloseTo(1, 15)
  })
})

describe('erfcx', () => {
  test('matches 50-digit values to 1e-15 relative including huge arguments', () => {
    for (const [x, expected] of ERFCX) expect(rel(erfcx(x), expected), `x=${x}`).toBeLessThanOrEqual(1e-15)
  })
})

describe('normPdf', () => {
  test('is exp(-z²/2)/√(2π) to 1e-15 relative even at z = 30', () => {
    expect(rel(normPdf(0), 0.3989422804014327)).toBeLessThanOrEqual(1e-16)
    // mpmath.npdf(30) at 50 digits
    expect(rel(normPdf(30), 1.4736461348785476e-196)).toBeLessThanOrEqual(1e-15)
  })
})

describe('normCdfOverPdf', () => {
  test('equals N(z)/φ(z) and approaches 1/|z| in the left tail', () => {
    for (const z of [-0.5, -3, -12]) expect(rel(normCdfOverPdf(z), normCdf(z) / normPdf(z))).toBeLessThanOrEqual(2e-15)
    expect(rel(normCdfOverPdf(-1e6), 1e-6)).toBeLessThanOrEqual(1e-12)
  })
})
