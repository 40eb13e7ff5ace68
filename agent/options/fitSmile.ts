import { InvalidInputError } from '../errors.ts'
import { impliedVol } from '../risk/impliedVol.ts'
import { fitSviSlice, nelderMead, type SviParams, type SviViolation, sviButterflyViolations, sviTotalVariance } from '../risk/svi.ts'

/**
 * Fits keel's mark smile to the makers' RFQ quotes. The mark is one SVI of annual variance on
 * k = ln(K/S) shared by every expiry (see `mark.ts`), so every quote, whatever its expiry, is one
 * point (k, vol²) of the same curve; total variance then grows linearly in T and the smile has no
 * calendar arbitrage by construction.
 */

/** One maker quote: USDC for `amountOptions` options (bid = what the maker pays, ask = what it charges). */
export type SmileQuote = { isPut: boolean; strike: number; expirySec: number; amountOptions: number; bidUsd?: number; askUsd?: number }

export type SmilePoint = { strike: number; expirySec: number; midVol: number; fitVol: number }

export type FitSmileResult =
  | {
      svi: SviParams
      /** Quotes that became data points. */
      used: number
      /** 'level' when fewer than 5 distinct strikes were quoted: only `a` moved, the prior's shape is kept. */
      method: 'level' | 'full'
      /** Root-mean-square of fitVol − midVol over the used quotes (0.01 = 1 vol point). */
      rmseVol: number
      points: SmilePoint[]
      /** Quotes left out, by their index in the input, and why. */
      dropped: { index: number; reason: string }[]
      /** Butterfly arbitrage of the fitted smile at each quoted expiry (reported, not enforced). */
      violations: SviViolation[]
    }
  | { svi: null; reason: string; dropped: { index: number; reason: string }[] }

/**
 * Full spread assumed around the mid of a one-sided quote, in bps of the mid: a lone bid is taken as
 * mid·(1 − s/2), a lone ask as mid·(1 + s/2). Makers' oToken spreads are a few percent wide.
 */
export const DEFAULT_SPREAD_ALLOWANCE_BPS = 500
/** Distinct strikes below which the shape (b, ρ, m, σ) is not identified and only the level moves. */
export const MIN_STRIKES_FOR_SHAPE = 5
/** Implied vols outside this band are treated as unsolvable: no crypto option trades there. */
export const VOL_BOUNDS = { min: 0.01, max: 5 } as const

const YEAR = 365 * 86_400
/**
 * Weight of the pull toward the prior, in squared vol: moving one unconstrained coordinate of the
 * shape by 1 (a factor e on b, σ or the minimum variance; ~0.76 on ρ; 1 on m) costs as much as a
 * 0.05 vol-point rms misfit. It only decides directions the quotes leave free.
 */
const PRIOR_WEIGHT = 0.0005 ** 2
/** A one-sided quote's mid is a guess: it counts half as much as a two-sided one. */
const ONE_SIDED_WEIGHT = 0.5
const RHO_LIMIT = 0.999
const NELDER_MEAD_RESTARTS = 3

type DataPoint = { strike: number; expirySec: number; k: number; variance: number; vol: number; weight: number }

/** Fits the mark SVI (annual variance on ln(K/S)) to maker quotes, regularised toward `prior`; pure and deterministic. */
export function fitSmile(p: {
  spot: number
  nowSec: number
  quotes: readonly SmileQuote[]
  prior: SviParams
  spreadAllowanceBps?: number
}): FitSmileResult {
  const spreadAllowanceBps = p.spreadAllowanceBps ?? DEFAULT_SPREAD_ALLOWANCE_BPS
  assertInput({ ...p, spreadAllowanceBps })
  const dropped: { index: number; reason: string }[] = []
  const data: DataPoint[] = []
  p.quotes.forEach((q, index) => {
    const point = toDataPoint({ quote: q, spot: p.spot, nowSec: p.nowSec, spreadAllowanceBps })
    if ('reason' in point) dropped.push({ index, reason: point.reason })
    else data.push(point)
  })
  if (data.length === 0) {
    return { svi: null, reason: `no quote has a solvable implied vol (${dropped.length} of ${p.quotes.length} dropped)`, dropped }
  }
  const distinctStrikes = new Set(data.map((d) => d.strike)).size
  const method = distinctStrikes < MIN_STRIKES_FOR_SHAPE ? 'level' : 'full'
  const svi = method === 'level' ? fitLevel(data, p.prior) : fitFull(data, p.prior)
  const points = data.map((d) => ({
    strike: d.strike,
    expirySec: d.expirySec,
    midVol: d.vol,
    fitVol: Math.sqrt(Math.max(sviTotalVariance(svi, d.k), 0)),
  }))
  const rmseVol = Math.sqrt(points.reduce((s, pt) => s + (pt.fitVol - pt.midVol) ** 2, 0) / points.length)
  return { svi, used: data.length, method, rmseVol, points, dropped, violations: violationsAt(svi, data, p.nowSec) }
}

function assertInput(p: { spot: number; nowSec: number; prior: SviParams; spreadAllowanceBps: number }): void {
  const issues: { path: string; message: string }[] = []
  const check = (path: string, value: number, ok: boolean, expected: string) => {
    if (!(Number.isFinite(value) && ok)) issues.push({ path, message: `must be ${expected}, got ${value}` })
  }
  check('spot', p.spot, p.spot > 0, 'a finite number > 0')
  check('nowSec', p.nowSec, true, 'a finite number')
  check('spreadAllowanceBps', p.spreadAllowanceBps, p.spreadAllowanceBps >= 0 && p.spreadAllowanceBps < 20_000, 'in [0, 20000)')
  const { a, b, rho, m, sigma } = p.prior
  check('prior.a', a, true, 'a finite number')
  check('prior.b', b, b >= 0, 'a finite number >= 0')
  check('prior.rho', rho, Math.abs(rho) < 1, 'in (-1, 1)')
  check('prior.m', m, true, 'a finite number')
  check('prior.sigma', sigma, sigma > 0, 'a finite number > 0')
  if (issues.length === 0 && !(minVariance(p.prior) >= 0)) {
    issues.push({ path: 'prior.a', message: `gives negative variance: a + b·σ·√(1−ρ²) = ${minVariance(p.prior)}` })
  }
  if (issues.length > 0) throw new InvalidInputError({ what: 'smile fit input', issues })
}

/** The quote's mid price per option and its implied vol as a data point, or why it cannot be one. */
function toDataPoint(p: { quote: SmileQuote; spot: number; nowSec: number; spreadAllowanceBps: number }): DataPoint | { reason: string } {
  const { quote: q, spot } = p
  if (!(Number.isFinite(q.strike) && q.strike > 0)) return { reason: `strike ${q.strike} is not a positive number` }
  if (!(Number.isFinite(q.amountOptions) && q.amountOptions > 0))
    return { reason: `amountOptions ${q.amountOptions} is not a positive number` }
  const timeYears = (q.expirySec - p.nowSec) / YEAR
  if (!(timeYears > 0)) return { reason: `expiry ${q.expirySec} is not after now ${p.nowSec}` }
  const bid = q.bidUsd
  const ask = q.askUsd
  for (const [side, v] of [['bid', bid] as const, ['ask', ask] as const]) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) return { reason: `${side} ${v} is not a positive number` }
  }
  if (bid !== undefined && ask !== undefined && bid > ask) return { reason: `crossed quote: bid ${bid} > ask ${ask}` }
  const midUsd = midOf({ bid, ask, spreadAllowanceBps: p.spreadAllowanceBps })
  if (midUsd === undefined) return { reason: 'neither bid nor ask' }
  const price = midUsd / q.amountOptions
  const iv = impliedVol({ kind: q.isPut ? 'put' : 'call', price, spot, strike: q.strike, timeYears, rate: 0 })
  if (iv.status !== 'ok') return { reason: `no implied vol for price ${price} per option: ${iv.reason}` }
  if (iv.vol < VOL_BOUNDS.min || iv.vol > VOL_BOUNDS.max) {
    return { reason: `implied vol ${iv.vol} outside [${VOL_BOUNDS.min}, ${VOL_BOUNDS.max}]` }
  }
  const sides = bid !== undefined && ask !== undefined ? 1 : ONE_SIDED_WEIGHT
  const variance = iv.vol * iv.vol
  // dv = 2σ·dσ: dividing the variance residual by 2σ makes the fit a least squares in vol.
  return { strike: q.strike, expirySec: q.expirySec, k: Math.log(q.strike / spot), variance, vol: iv.vol, weight: sides / (4 * variance) }
}

/** Mid of a two-sided quote; a one-sided quote's side moved half the allowance toward where the mid would be. */
function midOf(p: { bid: number | undefined; ask: number | undefined; spreadAllowanceBps: number }): number | undefined {
  const half = p.spreadAllowanceBps / 20_000
  if (p.bid !== undefined && p.ask !== undefined) return (p.bid + p.ask) / 2
  if (p.bid !== undefined) return p.bid / (1 - half)
  if (p.ask !== undefined) return p.ask / (1 + half)
  return undefined
}

const minVariance = (s: SviParams): number => s.a + s.b * s.sigma * Math.sqrt(Math.max(0, 1 - s.rho * s.rho))

/**
 * Level only: the prior's b, ρ, m, σ and the weighted least-squares `a`, which is closed form
 * because w is linear in a; floored where the minimum variance would turn negative.
 */
function fitLevel(data: readonly DataPoint[], prior: SviParams): SviParams {
  const shape = { ...prior, a: 0 }
  let num = 0
  let den = 0
  for (const d of data) {
    num += d.weight * (d.variance - sviTotalVariance(shape, d.k))
    den += d.weight
  }
  return { ...prior, a: Math.max(num / den, -minVariance(shape)) }
}

/**
 * Unconstrained coordinates: [ln(min variance), ln b, atanh ρ, m, ln σ]. Every point maps to b > 0,
 * |ρ| < 1, σ > 0 and a + bσ√(1−ρ²) > 0, so the optimiser never leaves the feasible set.
 */
function toCoords(s: SviParams): number[] {
  const rho = Math.max(-RHO_LIMIT, Math.min(RHO_LIMIT, s.rho))
  const b = Math.max(s.b, 1e-8)
  const sigma = Math.max(s.sigma, 1e-6)
  const minVar = Math.max(s.a + b * sigma * Math.sqrt(1 - rho * rho), 1e-8)
  return [Math.log(minVar), Math.log(b), Math.atanh(rho), s.m, Math.log(sigma)]
}

function fromCoords(x: readonly number[]): SviParams {
  const b = Math.exp(x[1]!)
  const rho = Math.max(-RHO_LIMIT, Math.min(RHO_LIMIT, Math.tanh(x[2]!)))
  const sigma = Math.exp(x[4]!)
  return { a: Math.exp(x[0]!) - b * sigma * Math.sqrt(1 - rho * rho), b, rho, m: x[3]!, sigma }
}

/**
 * Weighted least squares in annual variance (≈ least squares in vol through the weights) plus a
 * small quadratic pull toward the prior in the unconstrained coordinates, minimised by Nelder–Mead
 * (fixed iteration cap, restarted a fixed number of times) from the prior, from the prior with its
 * level fitted, and from the unregularised quasi-explicit fit of `fitSviSlice`; the best wins.
 */
function fitFull(data: readonly DataPoint[], prior: SviParams): SviParams {
  const priorX = toCoords(prior)
  const totalWeight = data.reduce((s, d) => s + d.weight * 4 * d.variance, 0)
  const objective = (x: readonly number[]) => {
    const s = fromCoords(x)
    let misfit = 0
    for (const d of data) misfit += d.weight * (sviTotalVariance(s, d.k) - d.variance) ** 2
    let pull = 0
    for (let j = 0; j < x.length; j++) pull += (x[j]! - priorX[j]!) ** 2
    return misfit / totalWeight + PRIOR_WEIGHT * pull
  }
  const starts = [priorX, toCoords(fitLevel(data, prior))]
  // In moneyness units (forward 1, strike e^k) and one year, fitSviSlice's total variance is our annual variance.
  const slice = fitSviSlice({ expiryYears: 1, forward: 1, quotes: data.map((d) => ({ strike: Math.exp(d.k), vol: d.vol })) })
  if (slice.status === 'ok') starts.push(toCoords(slice.slice.params))
  const step = [0.3, 0.5, 0.5, 0.1, 0.5]
  let best: { x: number[]; f: number } | undefined
  for (const x0 of starts) {
    let run = nelderMead(objective, x0, step)
    for (let r = 0; r < NELDER_MEAD_RESTARTS; r++) run = nelderMead(objective, run.x, step)
    if (best === undefined || run.f < best.f) best = run
  }
  return fromCoords(best!.x)
}

/** keel's annual-variance smile as a total-variance slice at each quoted expiry, checked for butterfly arbitrage. */
function violationsAt(svi: SviParams, data: readonly DataPoint[], nowSec: number): SviViolation[] {
  const expiries = [...new Set(data.map((d) => d.expirySec))].sort((x, y) => x - y)
  return expiries.flatMap((expirySec) => {
    const t = (expirySec - nowSec) / YEAR
    return sviButterflyViolations({ expiryYears: t, params: { ...svi, a: svi.a * t, b: svi.b * t } })
  })
}
