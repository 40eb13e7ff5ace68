/**
 * Standard normal density and distribution to near machine precision, built on W. J. Cody's rational Chebyshev
 * approximations of erf/erfc/erfcx ("Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
 * 631–637; the coefficient sets are those published for the SPECFUN CALERF packet, good to ~18 digits; written here as the nearest doubles).
 * The evaluation is ours: everything is organised around the scaled complement erfcx(x) = exp(x²) erfc(x) because
 * option pricing needs N(z) for very negative z as a *relative* quantity, and erfcx carries no underflow.
 */

const A0 = 3.1611237438705655
const A1 = 113.86415415105016
const A2 = 377.485237685302
const A3 = 3209.3775891384694
const A4 = 0.18577770618460315
const B0 = 23.601290952344122
const B1 = 244.02463793444417
const B2 = 1282.6165260773723
const B3 = 2844.236833439171

const C0 = 0.5641884969886701
const C1 = 8.883149794388377
const C2 = 66.11919063714163
const C3 = 298.6351381974001
const C4 = 881.952221241769
const C5 = 1712.0476126340707
const C6 = 2051.0783778260716
const C7 = 1230.3393547979972
const C8 = 2.1531153547440383e-8
const D0 = 15.744926110709835
const D1 = 117.6939508913125
const D2 = 537.1811018620099
const D3 = 1621.3895745666903
const D4 = 3290.7992357334597
const D5 = 4362.619090143247
const D6 = 3439.3676741437216
const D7 = 1230.3393548037495

const P0 = 0.30532663496123236
const P1 = 0.36034489994980445
const P2 = 0.12578172611122926
const P3 = 0.016083785148742275
const P4 = 0.0006587491615298378
const P5 = 0.016315387137302097
const Q0 = 2.568520192289822
const Q1 = 1.8729528499234604
const Q2 = 0.5279051029514285
const Q3 = 0.06051834131244132
const Q4 = 0.0023352049762686918

const ONE_OVER_SQRT_PI = 0.5641895835477563
const ONE_OVER_SQRT_TWO = Math.SQRT1_2
const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327
const SQRT_HALF_PI = 1.2533141373155003
const ERF_SMALL = 0.46875
const ERFCX_HUGE = 67100000

/** erf(x) for |x| <= 0.46875, where the series form has no cancellation. */
export function erfSmall(x: number): number {
  const y2 = x * x
  const num = (((A4 * y2 + A0) * y2 + A1) * y2 + A2) * y2 + A3
  const den = (((y2 + B0) * y2 + B1) * y2 + B2) * y2 + B3
  return (x * num) / den
}

/**
 * exp(x²)·erfc(x) for x >= 0 (no exponential is evaluated for x > 0.46875). The common middle range is kept small
 * enough for V8 to inline into the pricing loop; the two outer ranges live in `erfcxOuter`.
 */
function erfcxNonNegative(x: number): number {
  return x > ERF_SMALL && x <= 4 ? erfcxMiddle(x) : erfcxOuter(x)
}

/** Cody's middle rational for erfcx on (0.46875, 4]. */
function erfcxMiddle(x: number): number {
  // Estrin's scheme: same polynomials as Horner's (all terms positive, so no cancellation either way) with a
  // dependency chain of 4 instead of 8 multiply-adds.
  const x2 = x * x
  const x4 = x2 * x2
  const num = C7 + C6 * x + (C5 + C4 * x) * x2 + (C3 + C2 * x + (C1 + C0 * x) * x2) * x4 + C8 * x4 * x4
  const den = D7 + D6 * x + (D5 + D4 * x) * x2 + (D3 + D2 * x + (D1 + D0 * x) * x2) * x4 + x4 * x4
  return num / den
}

function erfcxOuter(x: number): number {
  if (x <= ERF_SMALL) return Math.exp(x * x) * (1 - erfSmall(x))
  if (x >= ERFCX_HUGE) return ONE_OVER_SQRT_PI / x
  const z = 1 / (x * x)
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4
  return (ONE_OVER_SQRT_PI - (z * num) / den) / x
}

/** exp(-x²) with the square split so that the argument of exp is exact (relative error a few ulp for any x). */
function expMinusSquare(x: number): number {
  const hi = Math.trunc(x * 16) / 16
  return Math.exp(-hi * hi) * Math.exp(-(x - hi) * (x + hi))
}

/** Scaled complementary error function exp(x²)·erfc(x); overflows to Infinity for x < -26.6. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x >= 0) return erfcxNonNegative(x)
  if (x >= -ERF_SMALL) return Math.exp(x * x) * (1 - erfSmall(x))
  if (x < -26.7) return Number.POSITIVE_INFINITY
  const hi = Math.trunc(x * 16) / 16
  const e = Math.exp(hi * hi) * Math.exp((x - hi) * (x + hi))
  return 2 * e - erfcxNonNegative(-x)
}

/** Complementary error function, relative accuracy near machine precision over the whole line. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const ax = Math.abs(x)
  if (ax <= ERF_SMALL) return 1 - erfSmall(x)
  const tail = ax > 26.6 ? 0 : expMinusSquare(ax) * erfcxNonNegative(ax)
  return x > 0 ? tail : 2 - tail
}

/** Error function. */
export function erf(x: number): number {
  if (Math.abs(x) <= ERF_SMALL) return erfSmall(x)
  return x > 0 ? 1 - erfc(x) : erfc(-x) - 1
}

/** Standard normal density φ(z) = exp(-z²/2)/√(2π), accurate in the far tails. */
export function normPdf(z: number): number {
  // Split z so that hi²/2 is exact and the rounding of z² does not scale with z² in the exponent.
  const hi = Math.trunc(z * 16) / 16
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * (z - hi) * (z + hi))
}

/**
 * Mills-type ratio Y(z) = N(z)/φ(z) for z <= 0 (finite, smooth, ~1/|z| in the tail); the building block that lets
 * prices be formed without cancellation. Callers pass z <= 0 only.
 */
export function normCdfOverPdf(z: number): number {
  return SQRT_HALF_PI * erfcxNonNegative(-z * ONE_OVER_SQRT_TWO)
}

/**
 * Y(-a) = N(-a)/φ(a) for a >= 0 when φ(a) is already at hand (`pdf`): near the centre, N(-a) from the erf series
 * divided by φ(a) replaces exp(a²/2)·erfc, one exponential fewer. A `pdf` that has lost its precision (an under- or
 * overflowed factor; the true value lies in [0.32, 0.4] there) falls back to erfcx.
 */
export function tailRatio(a: number, pdf: number): number {
  const x = a * ONE_OVER_SQRT_TWO
  if (x <= 4) {
    if (x > ERF_SMALL) return SQRT_HALF_PI * erfcxMiddle(x)
    if (pdf > 0.25 && pdf < 0.5) return (0.5 - 0.5 * erfSmall(x)) / pdf
  }
  return SQRT_HALF_PI * erfcxNonNegative(x)
}

/** Standard normal distribution N(z); relative accuracy near machine precision for z < 0 (down to underflow). */
export function normCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  const x = z * ONE_OVER_SQRT_TWO
  // Around the centre the erf series is exact enough and keeps N monotone and symmetric through 0.
  if (Math.abs(x) <= ERF_SMALL) return 0.5 + 0.5 * erfSmall(x)
  if (z < 0) {
    if (z < -38.5) return 0
    return normPdf(z) * normCdfOverPdf(z)
  }
  if (z > 38.5) return 1
  return 1 - normPdf(z) * normCdfOverPdf(-z)
}
