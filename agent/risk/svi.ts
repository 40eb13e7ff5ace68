import { InvalidInputError } from '../errors.ts'

/**
 * Raw SVI (Gatheral 2004) in total variance: w(k) = a + b·(ρ(k − m) + √((k − m)² + σ²)),
 * k = ln(K/F), w = σ_BS²·T.
 */
export type SviParams = { a: number; b: number; rho: number; m: number; sigma: number }

/** One fitted expiry: its parameters, the forward its k is measured from, and the fit quality. */
export type SviSlice = {
  expiryYears: number
  forward: number
  params: SviParams
  /** Root-mean-square error of the fit in implied vol (0.01 = 1 vol point). */
  rmseVol: number
}

export type SviQuote = { strike: number; vol: number }

export type FitSviResult =
  | { status: 'ok'; slice: SviSlice }
  | { status: 'unfit'; reason: 'too-few-quotes' | 'no-feasible-fit'; detail: string }

/** An arbitrage found in a slice or between two slices, located by expiry and log-moneyness. */
export type SviViolation =
  | { kind: 'butterfly'; expiryYears: number; k: number; g: number }
  | { kind: 'wing-slope'; expiryYears: number; side: 'left' | 'right'; slope: number; bound: 2 }
  | { kind: 'negative-variance'; expiryYears: number; k: number; totalVariance: number }
  | { kind: 'calendar'; expiryYears: number; nextExpiryYears: number; k: number; totalVariance: number; nextTotalVariance: number }

/** Total variance w(k). */
export function sviTotalVariance(p: SviParams, k: number): number {
  const x = k - p.m
  return p.a + p.b * (p.rho * x + Math.sqrt(x * x + p.sigma * p.sigma))
}

/**
 * Gatheral's density factor g(k) = (1 − k·w′/(2w))² − (w′²/4)(1/w + 1/4) + w″/2; the risk-neutral
 * density is proportional to g, so g < 0 anywhere is butterfly arbitrage.
 */
export function sviDensityFactor(p: SviParams, k: number): number {
  const x = k - p.m
  const r = Math.sqrt(x * x + p.sigma * p.sigma)
  const w = p.a + p.b * (p.rho * x + r)
  const w1 = p.b * (p.rho + x / r)
  const w2 = (p.b * p.sigma * p.sigma) / (r * r * r)
  const t = 1 - (k * w1) / (2 * w)
  return t * t - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2
}

/** Log-moneyness grid on which arbitrage is checked: [−3, 3] in steps of 0.01 (wider than any liquid crypto smile). */
export const ARBITRAGE_GRID: readonly number[] = Array.from({ length: 601 }, (_, i) => (i - 300) / 100)

/**
 * Butterfly arbitrage of one slice: w > 0 and g(k) ≥ 0 on the grid, and Roger Lee's moment bound
 * on the asymptotic wing slopes of total variance, b(1 ± ρ) ≤ 2 (Gatheral's 4/T in his 2004 notes
 * is for variance per year with a looser constant; in total variance the sharp bound is 2, and a
 * slope above it makes g negative far out in that wing even if the grid misses it).
 */
export function sviButterflyViolations(
  slice: Pick<SviSlice, 'expiryYears' | 'params'>,
  grid: readonly number[] = ARBITRAGE_GRID,
): SviViolation[] {
  const { params: p, expiryYears } = slice
  const out: SviViolation[] = []
  const right = p.b * (1 + p.rho)
  const left = p.b * (1 - p.rho)
  if (right > 2) out.push({ kind: 'wing-slope', expiryYears, side: 'right', slope: right, bound: 2 })
  if (left > 2) out.push({ kind: 'wing-slope', expiryYears, side: 'left', slope: left, bound: 2 })
  // The minimum of w is a + bσ√(1−ρ²), at k* = m − ρσ/√(1−ρ²); it may lie off the grid.
  const minW = p.a + p.b * p.sigma * Math.sqrt(Math.max(0, 1 - p.rho * p.rho))
  if (!(minW > 0)) {
    const kStar = Math.abs(p.rho) < 1 ? p.m - (p.rho * p.sigma) / Math.sqrt(1 - p.rho * p.rho) : p.rho > 0 ? -Infinity : Infinity
    out.push({ kind: 'negative-variance', expiryYears, k: kStar, totalVariance: minW })
  }
  for (const k of grid) {
    const w = sviTotalVariance(p, k)
    if (!(w > 0)) {
      out.push({ kind: 'negative-variance', expiryYears, k, totalVariance: w })
      continue
    }
    const g = sviDensityFactor(p, k)
    // A tiny negative g is round-off around g ≈ 0, not a tradeable arbitrage.
    if (!(g >= -1e-12)) out.push({ kind: 'butterfly', expiryYears, k, g })
  }
  return out
}

function assertInput(input: { expiryYears: number; forward: number; quotes: readonly SviQuote[] }): void {
  const issues: { path: string; message: string }[] = []
  if (!(Number.isFinite(input.expiryYears) && input.expiryYears > 0))
    issues.push({ path: 'expiryYears', message: `must be a finite number > 0, got ${input.expiryYears}` })
  if (!(Number.isFinite(input.forward) && input.forward > 0))
    issues.push({ path: 'forward', message: `must be a finite number > 0, got ${input.forward}` })
  input.quotes.forEach((q, i) => {
    if (!(Number.isFinite(q.strike) && q.strike > 0))
      issues.push({ path: `quotes[${i}].strike`, message: `must be a finite number > 0, got ${q.strike}` })
    if (!(Number.isFinite(q.vol) && q.vol > 0))
      issues.push({ path: `quotes[${i}].vol`, message: `must be a finite number > 0, got ${q.vol}` })
  })
  if (issues.length > 0) throw new InvalidInputError({ what: 'SVI slice quotes', issues })
}

/**
 * Fits raw SVI to one expiry's implied vols by the quasi-explicit method (Zeliade 2009): for fixed
 * (m, σ) the model is linear in (a, ρbσ, bσ) once written in y = (k − m)/σ, so that inner problem is
 * an exact least squares under the constraints bσ ≥ 0, |ρ| ≤ 1; only (m, σ) are searched, by
 * Nelder–Mead from several starts. Fitting in total variance makes the inner problem linear.
 */
export function fitSviSlice(input: { expiryYears: number; forward: number; quotes: readonly SviQuote[] }): FitSviResult {
  assertInput(input)
  if (input.quotes.length < 5)
    return { status: 'unfit', reason: 'too-few-quotes', detail: `raw SVI has 5 parameters, got ${input.quotes.length} quotes` }
  const ks = input.quotes.map((q) => Math.log(q.strike / input.forward))
  const ws = input.quotes.map((q) => q.vol * q.vol * input.expiryYears)
  const kMin = Math.min(...ks)
  const kMax = Math.max(...ks)
  const span = Math.max(kMax - kMin, 1e-6)
  const kAtMinW = ks[ws.indexOf(Math.min(...ws))] ?? 0
  const objective = ([m, logSigma]: readonly number[]) => innerFit(ks, ws, m!, Math.exp(logSigma!)).sse
  let best: { x: number[]; f: number } | undefined
  for (const m0 of [kAtMinW, 0, kMin + 0.25 * span, kMax - 0.25 * span]) {
    for (const s0 of [0.05 * span, 0.3 * span, span]) {
      const run = nelderMead(objective, [m0, Math.log(s0)], [0.1 * span, 0.5])
      if (best === undefined || run.f < best.f) best = run
    }
  }
  const m = best!.x[0]!
  const sigma = Math.exp(best!.x[1]!)
  const inner = innerFit(ks, ws, m, sigma)
  if (!Number.isFinite(inner.sse))
    return { status: 'unfit', reason: 'no-feasible-fit', detail: 'no (a, b, ρ) with b ≥ 0 and |ρ| ≤ 1 fits the quotes' }
  const params: SviParams = { a: inner.a, b: inner.c / sigma, rho: inner.c > 0 ? inner.d / inner.c : 0, m, sigma }
  const sqErr = input.quotes.reduce((acc, q, i) => {
    const modelVol = Math.sqrt(Math.max(sviTotalVariance(params, ks[i]!), 0) / input.expiryYears)
    return acc + (modelVol - q.vol) ** 2
  }, 0)
  return {
    status: 'ok',
    slice: { expiryYears: input.expiryYears, forward: input.forward, params, rmseVol: Math.sqrt(sqErr / input.quotes.length) },
  }
}

type Inner = { a: number; d: number; c: number; sse: number }

/**
 * Least squares of w ≈ a + d·y + c·√(y² + 1) over the feasible set c ≥ 0, |d| ≤ c. The optimum is
 * either the unconstrained one or lies on a face (d = c, d = −c, or c = d = 0), so we solve each
 * candidate exactly and keep the best feasible one.
 */
function innerFit(ks: readonly number[], ws: readonly number[], m: number, sigma: number): Inner {
  if (!(sigma > 1e-8) || !Number.isFinite(m)) return { a: 0, d: 0, c: 0, sse: Number.POSITIVE_INFINITY }
  const ys = ks.map((k) => (k - m) / sigma)
  const zs = ys.map((y) => Math.sqrt(y * y + 1))
  const candidates: Inner[] = []
  const full = leastSquares(
    ys.map((y, i) => [1, y, zs[i]!]),
    ws,
  )
  if (full) candidates.push({ a: full[0]!, d: full[1]!, c: full[2]!, sse: 0 })
  for (const sign of [1, -1]) {
    const face = leastSquares(
      ys.map((y, i) => [1, sign * y + zs[i]!]),
      ws,
    )
    if (face) candidates.push({ a: face[0]!, d: sign * face[1]!, c: face[1]!, sse: 0 })
  }
  const mean = ws.reduce((s, w) => s + w, 0) / ws.length
  candidates.push({ a: mean, d: 0, c: 0, sse: 0 })
  let best: Inner = { a: 0, d: 0, c: 0, sse: Number.POSITIVE_INFINITY }
  for (const cand of candidates) {
    if (!(cand.c >= 0 && Math.abs(cand.d) <= cand.c * (1 + 1e-12))) continue
    const sse = ws.reduce((s, w, i) => s + (cand.a + cand.d * ys[i]! + cand.c * zs[i]! - w) ** 2, 0)
    if (sse < best.sse) best = { ...cand, d: Math.max(-cand.c, Math.min(cand.c, cand.d)), sse }
  }
  return best
}

/** Normal-equation least squares for a handful of columns (Gaussian elimination with pivoting); undefined if singular. */
function leastSquares(rows: readonly number[][], target: readonly number[]): number[] | undefined {
  const n = rows[0]?.length ?? 0
  const ata = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0))
  rows.forEach((row, r) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) ata[i]![j]! += row[i]! * row[j]!
      ata[i]![n]! += row[i]! * target[r]!
    }
  })
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(ata[r]![col]!) > Math.abs(ata[pivot]![col]!)) pivot = r
    if (Math.abs(ata[pivot]![col]!) < 1e-14) return undefined
    ;[ata[col], ata[pivot]] = [ata[pivot]!, ata[col]!]
    for (let r = 0; r < n; r++) {
      if (r === col) continue
      const f = ata[r]![col]! / ata[col]![col]!
      for (let j = col; j <= n; j++) ata[r]![j]! -= f * ata[col]![j]!
    }
  }
  return ata.map((row, i) => row[n]! / row[i]!)
}

/**
 * Minimises f by Nelder–Mead (reflection 1, expansion 2, contraction ½, shrink ½) from x0 with
 * initial steps `step`; stops when the simplex values agree to 1e-16 absolute or after 600 iterations.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: readonly number[],
): { x: number[]; f: number } {
  const n = x0.length
  const evalAt = (x: number[]) => {
    const v = f(x)
    return { x, f: Number.isFinite(v) ? v : Number.POSITIVE_INFINITY }
  }
  let simplex = [evalAt([...x0]), ...x0.map((_, i) => evalAt(x0.map((v, j) => (i === j ? v + (step[i] ?? 0.1) : v))))]
  for (let iter = 0; iter < 600; iter++) {
    simplex.sort((p, q) => p.f - q.f)
    const best = simplex[0]!
    const worst = simplex[n]!
    if (Math.abs(worst.f - best.f) <= 1e-16 * (1 + Math.abs(best.f)) && iter > 20) break
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n)
    const along = (t: number) => evalAt(centroid.map((c, j) => c + t * (worst.x[j]! - c)))
    const reflected = along(-1)
    if (reflected.f < best.f) {
      const expanded = along(-2)
      simplex[n] = expanded.f < reflected.f ? expanded : reflected
    } else if (reflected.f < simplex[n - 1]!.f) {
      simplex[n] = reflected
    } else {
      const contracted = reflected.f < worst.f ? along(-0.5) : along(0.5)
      if (contracted.f < Math.min(worst.f, reflected.f)) simplex[n] = contracted
      else simplex = simplex.map((p, i) => (i === 0 ? p : evalAt(p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!)))))
    }
  }
  simplex.sort((p, q) => p.f - q.f)
  return simplex[0]!
}
