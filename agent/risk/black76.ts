import { InvalidOptionInputError } from './errors.ts'
import { normCdfOverPdf, tailRatio } from './normal.ts'
import type { Black76Input, Greeks } from './types.ts'

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327
/** |h| = |ln(F/K)|/(σ√T) beyond which the option is its intrinsic value to all representable digits. */
const H_CUTOFF = 1e150

/**
 * Whether Y(h+t) - Y(h-t) (h <= 0) must come from the series: the direct difference loses about max(1,|h|)/(2t) in
 * relative precision, so it is kept while that loss is below 32 (≈ 7e-15); the series needs t|h| < 1 (and so t < 1/8
 * here, well inside its t < 0.21 range) and is pointless once exp(-h²/2) underflows.
 */
export function useSmallTSeries(h: number, t: number): boolean {
  return 64 * t < Math.max(1, -h) && t * -h < 1 && h > -40
}

/**
 * Y(h+t) - Y(h-t) for h <= 0 and small t, with Y = N/φ, as the odd Taylor series in t up to t^13 (truncation below
 * 2e-16 relative for t < 0.21, t|h| < 1). Written with a = Y'(h) = 1 + h·Y(h); the polynomials were derived from the
 * recurrence Y^(k+1) = (P_k' + h P_k) Y + (P_k + Q_k') with sympy, divided by k!.
 */
export function smallTDifference(h: number, t: number, yh: number): number {
  const a = 1 + h * yh
  const g = h * h
  const w = t * t
  const c3 = (0.16666666666666666 * g + 0.5) * a - 0.16666666666666666
  const c5 = ((0.008333333333333333 * g + 0.08333333333333333) * g + 0.125) * a + (-0.008333333333333333 * g - 0.058333333333333334)
  const c7 =
    (((0.0001984126984126984 * g + 0.004166666666666667) * g + 0.020833333333333332) * g + 0.020833333333333332) * a +
    ((-0.0001984126984126984 * g - 0.0035714285714285713) * g - 0.01130952380952381)
  const c9 =
    ((((2.7557319223985893e-6 * g + 9.92063492063492e-5) * g + 0.0010416666666666667) * g + 0.003472222222222222) * g +
      0.0026041666666666665) *
      a +
    (((-2.7557319223985893e-6 * g - 9.093915343915344e-5) * g - 0.0007853835978835978) * g - 0.0015459656084656085)
  const c11 =
    (((((2.505210838544172e-8 * g + 1.3778659611992946e-6) * g + 2.48015873015873e-5) * g + 0.00017361111111111112) * g +
      0.00043402777777777775) *
      g +
      0.00026041666666666666) *
      a +
    ((((-2.505210838544172e-8 * g - 1.3027096360429694e-6) * g - 2.1043771043771045e-5) * g - 0.00011724386724386724) * g -
      0.00016421657046657045)
  const c13 =
    ((((((1.6059043836821613e-10 * g + 1.252605419272086e-8) * g + 3.4446649029982366e-7) * g + 4.133597883597884e-6) * g +
      2.170138888888889e-5) *
      g +
      4.340277777777778e-5) *
      g +
      2.170138888888889e-5) *
      a +
    (((((-1.6059043836821613e-10 * g - 1.204428287761621e-8) * g - 3.092971842971843e-7) * g - 3.2712272295605627e-6) * g -
      1.3304114866614867e-5) *
      g -
      1.4301381488881489e-5)
  return 2 * t * (a + w * (c3 + w * (c5 + w * (c7 + w * (c9 + w * (c11 + w * c13))))))
}

/** Length of the kernel's input/output buffer (see `bsmKernel`). */
export const KERNEL_IO_LENGTH = 16

/**
 * The one pricing kernel (Black–Scholes–Merton with carry; Black-76 is the case yield = rate). Reads spot, strike,
 * timeYears, vol, rate, yield from `io[0..5]` and writes price, delta, gamma, vega, theta, rho, vanna, volga (the
 * `Greeks` order) into `io[8..15]`. A buffer instead of numbers in and an object out because the kernel is too large
 * for V8 to inline into the batch loop, and a call that is not inlined boxes every double argument into a fresh heap
 * number: through the buffer the batch loop allocates nothing and runs ~1.5x faster.
 *
 * Accuracy: the price is formed as intrinsic + the out-of-the-money option, and the OTM option as
 * √(FK)·φ-factor·[Y(h+t) - Y(h-t)] with Y = N/φ from erfcx (h = ln(F/K)/(σ√T), t = σ√T/2), so deep OTM values keep
 * their relative precision; where that difference cancels (small t) a Taylor series in t is used instead. This is
 * the structure of P. Jäckel, "Let's be rational" (2015), re-derived here.
 */
export function bsmKernel(io: Float64Array, isCall: boolean): void {
  const S = io[0]!
  const K = io[1]!
  const T = io[2]!
  const vol = io[3]!
  const r = io[4]!
  const q = io[5]!
  const sqrtT = Math.sqrt(T)
  const s = vol * sqrtT
  const b = r - q
  // expm1 keeps F - K exact to a few ulp near the money, where it is a large part of a short-dated ITM price.
  const carryM1 = b === 0 ? 0 : Math.expm1(b * T)
  // With no yield the carry is the rate, so the discount factor is its reciprocal (one exp fewer, within 2 ulp).
  const df = r === 0 ? 1 : q === 0 ? 1 / (1 + carryM1) : Math.exp(-r * T)
  const F = S + S * carryM1
  const dq = df + df * carryM1
  const x = logRatio(S, K) + b * T
  const h = x / s
  if (!(s > 0) || !(Math.abs(h) < H_CUTOFF)) {
    intrinsicInto(io, isCall, S, K, T, r, b, df, dq, forwardMinusStrike(S, K, carryM1), x)
    return
  }
  const t = 0.5 * s
  const rootFK = Math.sqrt(F) * Math.sqrt(K)
  const e = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t))
  const d1 = h + t
  const d2 = h - t
  // The two tail ratios Y(-|d1|), Y(-|d2|) serve both the price (whichever OTM case applies) and the Greeks.
  // φ(d1) = e·√(K/F) and φ(d2) = e·√(F/K) (d1·d2 cross term is ln(F/K)/2): no exponential of their own.
  const nd1 = (e * rootFK) / F
  const nd2 = (e * rootFK) / K
  const y1 = tailRatio(Math.abs(d1), nd1)
  const y2 = tailRatio(Math.abs(d2), nd2)
  const ha = -Math.abs(h)
  let otm: number
  if (useSmallTSeries(ha, t)) {
    otm = rootFK * e * smallTDifference(ha, t, normCdfOverPdf(ha))
  } else if (ha + t <= 0) {
    // Both arguments negative: ha + t and ha - t are -|d2|,-|d1| in some order, the larger Y belongs to ha + t.
    otm = rootFK * e * (Math.max(y1, y2) - Math.min(y1, y2))
  } else {
    otm = Math.min(F, K) - rootFK * e * (y1 + y2)
  }
  const undiscounted = isCall
    ? x > 0
      ? forwardMinusStrike(S, K, carryM1) + otm
      : otm
    : x < 0
      ? otm - forwardMinusStrike(S, K, carryM1)
      : otm
  const price = df * undiscounted
  const tail1 = nd1 * y1
  const tail2 = nd2 * y2
  // N(d1) for a call, -N(-d1) for a put; the small tail is computed directly, the large side as 1 - tail.
  const dVdF = isCall ? (d1 < 0 ? tail1 : 1 - tail1) : d1 < 0 ? tail1 - 1 : -tail1
  const nOfD2 = isCall ? (d2 < 0 ? tail2 : 1 - tail2) : d2 < 0 ? 1 - tail2 : tail2
  const vega = df * rootFK * e * sqrtT
  const delta = dq * dVdF
  io[8] = price
  io[9] = delta
  io[10] = (dq * nd1) / (S * s)
  io[11] = vega
  io[12] = r * price - b * S * delta - (vega * vol) / (2 * T)
  io[13] = (isCall ? T : -T) * df * K * nOfD2
  io[14] = vega === 0 ? 0 : (-dq * nd1 * d2) / vol
  io[15] = vega === 0 ? 0 : (vega * d1 * d2) / vol
}

/** ln(S/K) to a few ulp relative even near the money (log1p of an exactly formed S - K). */
export function logRatio(S: number, K: number): number {
  return S > 0.5 * K && S < 2 * K ? Math.log1p((S - K) / K) : Math.log(S / K)
}

/** F - K = (S - K) + S·(e^{bT} - 1) with S - K exact near the money. */
export function forwardMinusStrike(S: number, K: number, carryM1: number): number {
  return S - K + S * carryM1
}

/** σ√T = 0: discounted forward intrinsic, a delta step (half at the money) and no convexity. */
function intrinsicInto(
  out: Float64Array,
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  r: number,
  b: number,
  df: number,
  dq: number,
  fMinusK: number,
  x: number,
): void {
  const callItm = x > 0 ? 1 : x < 0 ? 0 : 0.5
  const F = fMinusK + K
  const price = df * (isCall ? Math.max(fMinusK, 0) : Math.max(-fMinusK, 0))
  const delta = dq * (isCall ? callItm : callItm - 1)
  out[8] = price
  out[9] = delta
  out[10] = 0
  // At the money with T > 0 and σ = 0 the vega limit is finite: df·F·√T·φ(0).
  out[11] = x === 0 && T > 0 ? df * F * Math.sqrt(T) * ONE_OVER_SQRT_TWO_PI : 0
  out[12] = r * price - b * S * delta
  out[13] = T * df * K * (isCall ? callItm : callItm - 1)
  out[14] = 0
  out[15] = 0
}

/** The domain a numeric option field must lie in (always finite). */
export type FieldDomain = 'positive' | 'nonNegative' | 'finite'

const EXPECTED: Record<FieldDomain, string> = {
  positive: 'a finite number > 0',
  nonNegative: 'a finite number >= 0',
  finite: 'a finite number',
}

/** Throws `Risk.InvalidOptionInputError` unless `value` is a finite number in `domain` (NaN never passes). */
export function checkField(p: { field: string; value: number; domain: FieldDomain; index?: number }): void {
  const v = p.value
  const ok =
    typeof v === 'number' &&
    (p.domain === 'positive' ? v > 0 && v < Infinity : p.domain === 'nonNegative' ? v >= 0 && v < Infinity : Math.abs(v) < Infinity)
  if (ok) return
  const expected = EXPECTED[p.domain]
  throw new InvalidOptionInputError(
    p.index === undefined ? { field: p.field, value: v, expected } : { field: p.field, value: v, expected, index: p.index },
  )
}

function checkKind(kind: unknown): asserts kind is 'call' | 'put' {
  if (kind !== 'call' && kind !== 'put') throw new InvalidOptionInputError({ field: 'kind', value: kind, expected: "'call' or 'put'" })
}

/**
 * The scalar entry points' buffer. Allocating a typed array per call would cost 4x the pricing; sharing one is safe
 * because `kernelGreeks` fills, runs and empties it synchronously and the kernel calls nothing that could re-enter.
 */
const SCALAR_IO = new Float64Array(KERNEL_IO_LENGTH)

/** Runs the kernel on one option and returns its `Greeks` (the scalar entry points' path). */
export function kernelGreeks(p: { isCall: boolean; S: number; K: number; T: number; vol: number; r: number; q: number }): Greeks {
  const io = SCALAR_IO
  io[0] = p.S
  io[1] = p.K
  io[2] = p.T
  io[3] = p.vol
  io[4] = p.r
  io[5] = p.q
  bsmKernel(io, p.isCall)
  return { price: io[8]!, delta: io[9]!, gamma: io[10]!, vega: io[11]!, theta: io[12]!, rho: io[13]!, vanna: io[14]!, volga: io[15]! }
}

/** Validates a Black-76 input; throws `Risk.InvalidOptionInputError` naming the field. */
export function validateBlack76(input: Black76Input): void {
  checkKind(input.kind)
  checkField({ field: 'forward', value: input.forward, domain: 'positive' })
  checkField({ field: 'strike', value: input.strike, domain: 'positive' })
  checkField({ field: 'timeYears', value: input.timeYears, domain: 'nonNegative' })
  checkField({ field: 'vol', value: input.vol, domain: 'nonNegative' })
  checkField({ field: 'rate', value: input.rate, domain: 'finite' })
}

/** All Greeks of a European option on a forward (Black-76); rho holds the forward fixed, so rho = -T·price. */
export function black76Greeks(input: Black76Input): Greeks {
  validateBlack76(input)
  const { forward: S, strike: K, timeYears: T, vol, rate: r } = input
  const out = kernelGreeks({ isCall: input.kind === 'call', S, K, T, vol, r, q: r })
  out.rho = -input.timeYears * out.price
  return out
}

/** Price of a European option on a forward (Black-76), discounted at `rate`. */
export function black76Price(input: Black76Input): number {
  return black76Greeks(input).price
}
