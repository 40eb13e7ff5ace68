import { InvalidInputError } from '../errors.ts'
import { ARBITRAGE_GRID, type SviSlice, type SviViolation, sviButterflyViolations, sviTotalVariance } from './svi.ts'

/** An arbitrage-free implied-vol surface for one underlying, built from per-expiry SVI slices. */
export type VolSurface = {
  underlying: string
  /** Slices sorted by expiry. */
  slices: readonly SviSlice[]
  /** Forward for a maturity: log-linear between slices (constant carry), flat outside them. */
  forward(timeYears: number): number
  /** Total variance σ²T at (strike, timeYears); `forward` overrides the surface's own. */
  totalVariance(p: { strike: number; timeYears: number; forward?: number }): number
  /** Black–Scholes implied vol at (strike, timeYears). */
  vol(p: { strike: number; timeYears: number; forward?: number }): number
}

export type BuildVolSurfaceResult =
  | { status: 'ok'; surface: VolSurface }
  | { status: 'arbitrage'; underlying: string; violations: SviViolation[] }

/**
 * Builds a surface and refuses it if any slice has butterfly arbitrage (Gatheral's g(k) ≥ 0, Lee's
 * wing bound, positive variance) or two neighbouring slices cross (total variance must not fall as
 * T grows at any k of the grid). A refused surface is data: every violation names its expiry and k.
 */
export function buildVolSurface(input: {
  underlying: string
  slices: readonly SviSlice[]
  grid?: readonly number[]
}): BuildVolSurfaceResult {
  assertSlices(input.slices)
  const grid = input.grid ?? ARBITRAGE_GRID
  const slices = [...input.slices].sort((x, y) => x.expiryYears - y.expiryYears)
  const violations: SviViolation[] = slices.flatMap((s) => sviButterflyViolations(s, grid))
  for (let i = 0; i + 1 < slices.length; i++) {
    const near = slices[i]!
    const far = slices[i + 1]!
    for (const k of grid) {
      const w = sviTotalVariance(near.params, k)
      const wNext = sviTotalVariance(far.params, k)
      // Tolerance for round-off only; a real crossing is orders of magnitude larger.
      if (wNext < w - 1e-12) {
        violations.push({
          kind: 'calendar',
          expiryYears: near.expiryYears,
          nextExpiryYears: far.expiryYears,
          k,
          totalVariance: w,
          nextTotalVariance: wNext,
        })
      }
    }
  }
  if (violations.length > 0) return { status: 'arbitrage', underlying: input.underlying, violations }
  return { status: 'ok', surface: makeSurface(input.underlying, slices) }
}

function assertSlices(slices: readonly SviSlice[]): void {
  const issues: { path: string; message: string }[] = []
  if (slices.length === 0) issues.push({ path: 'slices', message: 'at least one slice is needed' })
  const seen = new Set<number>()
  slices.forEach((s, i) => {
    if (!(Number.isFinite(s.expiryYears) && s.expiryYears > 0))
      issues.push({ path: `slices[${i}].expiryYears`, message: `must be > 0, got ${s.expiryYears}` })
    if (!(Number.isFinite(s.forward) && s.forward > 0))
      issues.push({ path: `slices[${i}].forward`, message: `must be > 0, got ${s.forward}` })
    if (seen.has(s.expiryYears)) issues.push({ path: `slices[${i}].expiryYears`, message: `duplicate expiry ${s.expiryYears}` })
    seen.add(s.expiryYears)
    const p = s.params
    if (![p.a, p.b, p.rho, p.m, p.sigma].every(Number.isFinite) || p.b < 0 || Math.abs(p.rho) > 1 || p.sigma <= 0) {
      issues.push({ path: `slices[${i}].params`, message: 'need finite a, m; b ≥ 0; |ρ| ≤ 1; σ > 0' })
    }
  })
  if (issues.length > 0) throw new InvalidInputError({ what: 'vol surface slices', issues })
}

function assertQuery(p: { strike: number; timeYears: number; forward?: number }): void {
  const issues: { path: string; message: string }[] = []
  if (!(Number.isFinite(p.strike) && p.strike > 0)) issues.push({ path: 'strike', message: `must be a finite number > 0, got ${p.strike}` })
  if (!(Number.isFinite(p.timeYears) && p.timeYears > 0))
    issues.push({ path: 'timeYears', message: `must be a finite number > 0 (expired options have no vol), got ${p.timeYears}` })
  if (p.forward !== undefined && !(Number.isFinite(p.forward) && p.forward > 0))
    issues.push({ path: 'forward', message: `must be a finite number > 0, got ${p.forward}` })
  if (issues.length > 0) throw new InvalidInputError({ what: 'vol surface query', issues })
}

/**
 * Interpolation is linear in total variance at fixed k = ln(K/F(T)) between the neighbouring
 * slices, which keeps a calendar-arbitrage-free pair free at every T in between. Before the
 * first slice total variance scales linearly from 0 (flat implied vol), after the last it
 * extrapolates with flat implied vol too.
 */
function makeSurface(underlying: string, slices: readonly SviSlice[]): VolSurface {
  const first = slices[0]!
  const last = slices[slices.length - 1]!
  const forward = (t: number): number => {
    if (t <= first.expiryYears) return first.forward
    if (t >= last.expiryYears) return last.forward
    const i = slices.findIndex((s) => s.expiryYears >= t)
    const lo = slices[i - 1]!
    const hi = slices[i]!
    const u = (t - lo.expiryYears) / (hi.expiryYears - lo.expiryYears)
    return Math.exp((1 - u) * Math.log(lo.forward) + u * Math.log(hi.forward))
  }
  const totalVariance = (p: { strike: number; timeYears: number; forward?: number }): number => {
    assertQuery(p)
    const t = p.timeYears
    const k = Math.log(p.strike / (p.forward ?? forward(t)))
    if (t <= first.expiryYears) return (sviTotalVariance(first.params, k) * t) / first.expiryYears
    if (t >= last.expiryYears) return (sviTotalVariance(last.params, k) * t) / last.expiryYears
    const i = slices.findIndex((s) => s.expiryYears >= t)
    const lo = slices[i - 1]!
    const hi = slices[i]!
    const u = (t - lo.expiryYears) / (hi.expiryYears - lo.expiryYears)
    return (1 - u) * sviTotalVariance(lo.params, k) + u * sviTotalVariance(hi.params, k)
  }
  return {
    underlying,
    slices,
    forward: (t) => {
      if (!(Number.isFinite(t) && t > 0))
        throw new InvalidInputError({ what: 'vol surface query', issues: [{ path: 'timeYears', message: `must be > 0, got ${t}` }] })
      return forward(t)
    },
    totalVariance,
    vol: (p) => Math.sqrt(totalVariance(p) / p.timeYears),
  }
}
