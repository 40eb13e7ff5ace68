import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { erf, erfc, erfcx, normCdf, normCdfOverPdf, normPdf } from './normal.ts'

/*
 * Reference values computed with mpmath 1.3 at 50 digits (mpmath.ncdf, mpmath.erfc, exp(x²)·erfc(x)) on the exact
 * double arguments, printed with mpmath.nstr(v, 17).
 */
const NORM_CDF: readonly (readonly [number, number])[] = [
  [-37.5, 4.6053530095819548e-308],
  [-30, 4.9067139271481871e-198],
  [-25, 3.0566967063825609e-138],
  [-20, 2.7536241186062337e-89],
  [-15, 3.6709661993127509e-51],
  [-10, 7.6198530241605261e-24],
  [-8, 6.2209605742717841e-16],
  [-6, 9.8658764503769814e-10],
  [-5, 2.8665157187919391e-7],
  [-4, 3.1671241833119921e-5],
  [-3, 0.0013498980316300945],
  [-2.5, 0.0062096653257761352],
  [-2, 0.022750131948179207],
  [-1.5, 0.066807201268858066],
  [-1, 0.15865525393145705],
  [-0.75, 0.2266273523768682],
  [-0.5, 0.3085375387259869],
  [-0.3, 0.38208857781104737],
  [-0.1, 0.46017216272297102],
  [-1e-8, 0.4999999960105772],
  [0, 0.5],
  [1e-8, 0.5000000039894228],
  [0.1, 0.53982783727702898],
  [0.3, 0.61791142218895263],
  [0.5, 0.6914624612740131],
  [1, 0.84134474606854295],
  [1.5, 0.93319279873114193],
  [2, 0.97724986805182079],
  [3, 0.99865010196836991],
  [5, 0.99999971334842812],
  [8, 0.99999999999999938],
]
const ERFC: readonly (readonly [number, number])[] = [
  [-5, 1.9999999999984625],
  [-1, 1.8427007929497149],
  [-0.2, 1.2227025892104785],
  [0, 1.0],
  [0.2, 0.77729741078952153],
  [0.46875, 0.50738652678206201],
  [0.5, 0.47950012218695346],
  [1, 0.15729920705028513],
  [2, 0.0046777349810472658],
  [3.9, 3.4792248597231767e-8],
  [4, 1.5417257900280019e-8],
  [4.1, 6.7000276540849184e-9],
  [6, 2.1519736712498913e-17],
  [10, 2.0884875837625448e-45],
  [26, 5.6631924088561428e-296],
]
const ERFCX: readonly (readonly [number, number])[] = [
  [-3, 16205.988853999587],
  [-0.3, 1.4537492328427656],
  [0, 1.0],
  [0.3, 0.73459933456765515],
  [0.46875, 0.63206968924955608],
  [1, 0.427583576155807],
  [3, 0.17900115118138995],
  [4, 0.13699945762506139],
  [5, 0.11070463773306863],
  [10, 0.056140992743822586],
  [100, 0.0056416137829894329],
  [100000.0, 5.6418958351954681e-6],
  [100000000.0, 5.6418958354775626e-9],
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
    expect(rel(normPdf(30), 1.4736461348785475e-196)).toBeLessThanOrEqual(1e-15)
  })
})

describe('normCdfOverPdf', () => {
  test('equals N(z)/φ(z) and approaches 1/|z| in the left tail', () => {
    for (const z of [-0.5, -3, -12]) expect(rel(normCdfOverPdf(z), normCdf(z) / normPdf(z))).toBeLessThanOrEqual(2e-15)
    expect(rel(normCdfOverPdf(-1e6), 1e-6)).toBeLessThanOrEqual(1e-12)
  })
})
