import { forwardMinusStrike, logRatio, smallTDifference, useSmallTSeries } from './black76.ts'
import { erfSmall, normCdfOverPdf, tailRatio } from './normal.ts'
import type { OptionKind } from './types.ts'

/**
 * Outcome of an implied-vol solve; a price outside the no-arbitrage bounds is data, not an exception. `iterations`
 * counts evaluations of the Black function.
 */
export type ImpliedVolResult =
  | { status: 'ok'; vol: number; iterations: number }
  | { status: 'no-solution'; reason: 'below-intrinsic' | 'above-max' | 'invalid-input'; detail: string }

/** Inputs of a BSM implied-vol solve (price in quote currency, as produced by `bsmPrice`). */
export type ImpliedVolParams = {
  kind: OptionKind
  price: number
  spot: number
  strike: number
  timeYears: number
  rate: number
  yield?: number
}

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327
const MAX_ITERATIONS = 40
/** Relative bracket width below which the iteration has converged (a few ulp of s). */
const STEP_TOLERANCE = 4e-16
/**
 * Relative Householder (third-order, quartic convergence) / Newton step after which the next iterate is final. The
 * step leaves ~K·step⁴ with K of order one here, so 3e-4 leaves ~1e-14 at worst: the worst error on the test grid and
 * the bench set is unchanged (4.6e-14 and 9e-14 relative; 1e-3 raised the latter to 2e-13).
 */
const CONVERGED_HOUSEHOLDER_STEP = 3e-4
const CONVERGED_NEWTON_STEP = 1e-9

/**
 * Solves b(x, s) = target for s = σ√T, where b is the normalised out-of-the-money Black call
 * b(x, s) = e^{x/2}N(x/s + s/2) - e^{-x/2}N(x/s - s/2), x = -|ln(F/K)| <= 0, 0 < target < e^{x/2}.
 *
 * b is convex below its inflection s_c = √(2|x|) and concave above, so the domain is split there and each part gets
 * the objective on which Householder steps are nearly linear: below, G(s) = 1/√(-2 ln b) (ln b ≈ -x²/(2s²), so deep
 * out-of-the-money and short-dated quotes converge in a few steps); above and well below the maximum, b itself
 * (started from the tangent at s_c, a lower bound of the root); near the maximum e^{x/2}, ln(e^{x/2} - b), which
 * behaves like -s²/8 and whose argument is computed without cancellation. Every step stays inside a bracket that
 * shrinks with each evaluation (regula falsi or bisection when a step would leave it). The steps are third-order
 * Householder: b''' is closed form like b'', so the order costs a few multiplications, no evaluation.
 * Returns s; `scratch` (length >= 4, reused so that batch solves do not allocate) receives the number of function
 * evaluations of b in `scratch[3]`.
 */
export function solveNormalised(x: number, target: number, scratch: Float64Array): number {
  const ex2 = Math.exp(0.5 * x)
  const sc = Math.sqrt(-2 * x)
  let bc = 0
  let cc = ex2
  let ec = ONE_OVER_SQRT_TWO_PI
  let evaluations = 0
  if (sc >= 0.5) {
    // At the inflection d1 = 0 and d2 = -s_c, so b = e^{x/2}(1/2 - Y(-s_c)/√(2π)) in closed form (one rational,
    // no exp); the subtraction loses at most a factor 3.3 for s_c >= 0.5.
    const u = ONE_OVER_SQRT_TWO_PI * normCdfOverPdf(-sc)
    bc = ex2 * (0.5 - u)
    cc = ex2 * (0.5 + u)
    ec = ONE_OVER_SQRT_TWO_PI * ex2
  } else if (sc > 0) {
    // Same point, with the cancellation taken out: e^{x/2}(1/2 - e^{-x}N(-s_c)) = (erf(s_c/√2) + e^x - 1)/(2e^{x/2}),
    // where expm1(x) ≈ -s_c²/2 is at most 0.31 of erf(s_c/√2) ≈ 0.8 s_c for s_c < 0.5: no full evaluation needed.
    bc = (0.5 * (erfSmall(sc * Math.SQRT1_2) + Math.expm1(x))) / ex2
    cc = ex2 - bc
    ec = ONE_OVER_SQRT_TWO_PI * ex2
  }
  // Three objectives: G (convex part), b itself (concave part, b well below its maximum), ln(e^{x/2} - b) (near it).
  const mode = target <= bc ? LOWER : target <= 0.5 * ex2 ? MIDDLE : UPPER
  const goal = mode === LOWER ? 1 / Math.sqrt(-2 * Math.log(target)) : mode === MIDDLE ? target : Math.log(ex2 - target)
  // Objective values (oriented to increase with s) at the bracket ends, NaN where unknown.
  let lo = 0
  let hi = Number.POSITIVE_INFINITY
  let fLo: number
  let fHi = Number.NaN
  let s: number
  if (mode === LOWER) {
    hi = sc
    fLo = -goal
    const mc = -2 * Math.log(bc)
    fHi = 1 / Math.sqrt(mc) - goal
    s = initialLower(x, sc, goal, mc, ec / bc)
  } else {
    lo = sc
    fLo = mode === MIDDLE ? bc - goal : goal - Math.log(cc)
    // The tangent at the inflection lies above the concave b, so its crossing is a lower bound of the root.
    s = sc + (target - bc) / ec
  }
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    evaluate(x, s, ex2, scratch)
    evaluations++
    const vb = scratch[0]!
    const c = scratch[1]!
    // d/ds b = E, (ln E)' = a = x²/s³ - s/4: b'' = E·a, b''' = E·(a² + a'), a' = -3x²/s⁴ - 1/4
    const b1 = scratch[2]!
    const s2 = s * s
    const a = (x * x) / (s2 * s) - 0.25 * s
    const b2 = b1 * a
    const b3 = b1 * (a * a - (3 * x * x) / (s2 * s2) - 0.25)
    let f: number
    let f1: number
    let f2: number
    let f3: number
    if (mode === MIDDLE) {
      f = vb - goal
      f1 = b1
      f2 = b2
      f3 = b3
    } else if (mode === UPPER) {
      // -ln(c) so that the objective increases with s like the others.
      f = goal - Math.log(c)
      f1 = b1 / c
      const q2 = b2 / c
      f2 = q2 + f1 * f1
      f3 = b3 / c + q2 * f1 + 2 * f1 * f2
    } else {
      const m = -2 * Math.log(vb)
      const g = 1 / Math.sqrt(m)
      const l1 = b1 / vb
      const q2 = b2 / vb
      const l2 = q2 - l1 * l1
      const l3 = b3 / vb - q2 * l1 - 2 * l1 * l2
      // G = m^{-1/2}, m = -2 ln b: G' = m^{-3/2} L', G'' = 3 m^{-5/2} L'^2 + m^{-3/2} L'',
      // G''' = 15 m^{-7/2} L'^3 + 9 m^{-5/2} L' L'' + m^{-3/2} L'''
      const g3 = g / m
      const g5 = g3 / m
      f = g - goal
      f1 = g3 * l1
      f2 = 3 * g5 * l1 * l1 + g3 * l2
      f3 = 15 * (g5 / m) * l1 * l1 * l1 + 9 * g5 * l1 * l2 + g3 * l3
    }
    if (f < 0 && s >= lo) {
      lo = s
      fLo = f
    } else if (f > 0 && s <= hi) {
      hi = s
      fHi = f
    }
    if (f === 0 || !(f1 > 0)) break
    const newton = f / f1
    const gamma = f2 / f1
    const num = 1 - 0.5 * gamma * newton
    const denom = 1 - newton * (gamma - ((f3 / f1) * newton) / 6)
    const householder = num > 0.5 && denom > 0.5 && num < 2 && denom < 2
    const delta = householder ? (newton * num) / denom : newton
    // A step this small leaves an error of order step⁴ (Householder) or step² (Newton): accept it without re-evaluating.
    if (Math.abs(delta) <= (householder ? CONVERGED_HOUSEHOLDER_STEP : CONVERGED_NEWTON_STEP) * s) {
      s -= delta
      break
    }
    let next = s - delta
    if (!(next > lo && next < hi)) next = fallback(lo, hi, fLo, fHi, s)
    s = next
    if (hi - lo <= STEP_TOLERANCE * s) break
  }
  scratch[3] = evaluations
  return s
}

const LOWER = 0
const MIDDLE = 1
const UPPER = 2

/** A point inside (lo, hi): regula falsi when both end values are known, else doubling or bisection. */
function fallback(lo: number, hi: number, fLo: number, fHi: number, s: number): number {
  if (fHi === 0) return hi
  if (fLo === 0) return lo
  if (hi === Number.POSITIVE_INFINITY) return 2 * Math.max(s, lo, 1e-300)
  if (fLo < 0 && fHi > 0) {
    const z = lo + (hi - lo) * (-fLo / (fHi - fLo))
    if (z > lo && z < hi) return z
  }
  return 0.5 * (lo + hi)
}

/** Writes b(x, s), its complement e^{x/2} - b (each without cancellation where it is the small one) and b'(s) = E. */
function evaluate(x: number, s: number, ex2: number, out: Float64Array): void {
  const h = x / s
  const t = 0.5 * s
  const e = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t))
  out[2] = e
  if (useSmallTSeries(h, t)) {
    smallTInto(out, h, t, e, ex2)
    return
  }
  const d1 = h + t
  // φ(d1) = E·e^{-x/2}, φ(d2) = E·e^{x/2}: the tail ratios near the centre need no exponential of their own. One call
  // site per ratio keeps the evaluation small enough for V8 to inline both.
  const y1 = tailRatio(Math.abs(d1), e / ex2)
  const y2 = tailRatio(t - h, e * ex2)
  if (d1 <= 0) {
    const b = e * (y1 - y2)
    out[0] = b
    out[1] = ex2 - b
  } else {
    const c = e * (y1 + y2)
    out[0] = ex2 - c
    out[1] = c
  }
}

/** b and its complement from the small-t series (short-dated quotes near the money; kept out of the common path). */
function smallTInto(out: Float64Array, h: number, t: number, e: number, ex2: number): void {
  const b = e * smallTDifference(h, t, normCdfOverPdf(h))
  out[0] = b
  out[1] = ex2 - b
}

/**
 * Start below the inflection: the larger of two lower estimates. One is the leading term of ln b ≈ -x²/(2s²) (good deep
 * out of the money); the other is a Householder step from s_c, free because b, b' and b''' are known there in closed
 * form (b'' = 0), which lands within ~2 % for half the bench quotes where the first is ~50 % off.
 */
// Positional, like `solveCore`: V8 does not inline it, and an options object cost one allocation per solve.
function initialLower(x: number, sc: number, goal: number, mc: number, lc: number): number {
  // goal = 1/√(-2 ln target), already computed: no second log.
  const deep = -x * goal
  // At s_c: L' = E/b, L'' = -L'², L''' = b'''/b - 2 L' L'' with b''' = -E (since a = 0 and a' = -1 there).
  const l2 = -lc * lc
  const l3 = -lc - 2 * lc * l2
  const gc = 1 / Math.sqrt(mc)
  const g3 = gc / mc
  const g5 = g3 / mc
  const f1 = g3 * lc
  const f2 = 3 * g5 * lc * lc + g3 * l2
  const f3 = 15 * (g5 / mc) * lc * lc * lc + 9 * g5 * lc * l2 + g3 * l3
  const newton = (gc - goal) / f1
  const gamma = f2 / f1
  const num = 1 - 0.5 * gamma * newton
  const denom = 1 - newton * (gamma - ((f3 / f1) * newton) / 6)
  const step = num > 0 && denom > 0 ? (newton * num) / denom : newton
  // Written as a comparison so that a NaN step (b_c underflowed to 0 far out of the money) falls back to `deep`.
  const fromInflection = sc - step
  const guess = Number.isNaN(fromInflection) ? deep : Math.max(fromInflection, deep)
  return Math.min(Math.max(guess, 1e-3 * sc), sc)
}

/**
 * Black–Scholes–Merton implied volatility (annualised) from an option price. Normalises to the out-of-the-money
 * Black form (forward, undiscounted, divided by √(FK)), so in-the-money quotes are solved through their OTM
 * counterpart. A price below intrinsic or at/above the upper bound (forward or strike value) is
 * `{ status: 'no-solution' }`; a price exactly at intrinsic returns vol 0.
 */
export function impliedVol(params: ImpliedVolParams): ImpliedVolResult {
  const { kind, price, spot, strike, timeYears, rate } = params
  const q = params.yield ?? 0
  const invalid = validate(params, q)
  if (invalid) return { status: 'no-solution', reason: 'invalid-input', detail: invalid }
  const scratch = new Float64Array(4)
  const vol = solveCore(kind === 'call', price, spot, strike, timeYears, rate, q, scratch)
  if (vol === BELOW_INTRINSIC)
    return { status: 'no-solution', reason: 'below-intrinsic', detail: `price ${price} is below the intrinsic value` }
  if (vol === ABOVE_MAX)
    return { status: 'no-solution', reason: 'above-max', detail: `price ${price} is at or above the no-arbitrage maximum` }
  return { status: 'ok', vol, iterations: scratch[3]! }
}

/** Black-76 implied vol from the price of an option on a forward (the forward held fixed, discounted at `rate`). */
export function impliedVolBlack76(params: {
  kind: OptionKind
  price: number
  forward: number
  strike: number
  timeYears: number
  rate: number
}): ImpliedVolResult {
  const { forward, ...rest } = params
  return impliedVol({ ...rest, spot: forward, yield: params.rate })
}

function validate(p: ImpliedVolParams, q: number): string | undefined {
  if (p.kind !== 'call' && p.kind !== 'put') return `kind must be 'call' or 'put', got ${String(p.kind)}`
  const fields: [string, number, boolean][] = [
    ['price', p.price, p.price >= 0],
    ['spot', p.spot, p.spot > 0],
    ['strike', p.strike, p.strike > 0],
    ['timeYears', p.timeYears, p.timeYears > 0],
    ['rate', p.rate, true],
    ['yield', q, true],
  ]
  for (const [name, value, ok] of fields) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok) return `${name} = ${String(value)} is outside its domain`
  }
  return undefined
}

/** Codes returned by `solveCore` instead of a vol (negative, so a vol is never confused with them). */
export const BELOW_INTRINSIC = -1
export const ABOVE_MAX = -2
const INTRINSIC_ULPS = 4

/**
 * The solve on validated numbers, positional and allocation-free for the batch loop: returns σ >= 0, or
 * `BELOW_INTRINSIC` / `ABOVE_MAX`; the iteration count lands in `scratch[3]`.
 */
export function solveCore(
  isCall: boolean,
  price: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  scratch: Float64Array,
): number {
  const b = r - q
  // Same forward and discounting as the pricing kernel, so that a price round-trips exactly.
  const carryM1 = b === 0 ? 0 : Math.expm1(b * T)
  const df = r === 0 ? 1 : q === 0 ? 1 / (1 + carryM1) : Math.exp(-r * T)
  const F = S + S * carryM1
  const lnFK = logRatio(S, K) + b * T
  const undiscounted = price / df
  const itm = isCall ? lnFK > 0 : lnFK < 0
  const fMinusK = forwardMinusStrike(S, K, carryM1)
  const otm = itm ? undiscounted - (isCall ? fMinusK : -fMinusK) : undiscounted
  scratch[3] = 0
  // A price within rounding of intrinsic (as our own pricer produces for deep ITM, low vol) is vol 0, not an error.
  if (otm < 0) return otm >= -INTRINSIC_ULPS * Number.EPSILON * undiscounted ? 0 : BELOW_INTRINSIC
  if (otm >= Math.min(F, K)) return ABOVE_MAX
  if (otm === 0) return 0
  return solveNormalised(-Math.abs(lnFK), otm / (Math.sqrt(F) * Math.sqrt(K)), scratch) / Math.sqrt(T)
}
