import { InvalidInputError } from '../errors.ts'
import { bookRisk, NO_SHOCK, type PositionRiskFailure, type RiskMarket, type RiskPosition } from './positions.ts'

/** One cell of the grid: the shock applied and the full-revaluation P&L against today's value. */
export type ScenarioCell = { spotShock: number; volShift: number; daysForward: number; value: number; pnl: number }

/**
 * Full-revaluation P&L over spot × vol × time. `pnl[d][v][s]` indexes daysForward, volShifts and
 * spotShocks in the order given; `cells` is the same data flat; `worst` is the cell with the lowest P&L.
 */
export type ScenarioGrid = {
  underlying: string | 'all'
  spotShocks: readonly number[]
  volShifts: readonly number[]
  daysForward: readonly number[]
  baseValue: number
  pnl: number[][][]
  cells: ScenarioCell[]
  worst: ScenarioCell
  /** Positions left out because they could not be valued today; a grid with failures understates risk. */
  failures: PositionRiskFailure[]
}

/** Default axes: spot −30 %..+30 % by 10 %, vol −20..+20 points by 10, 0/1/7 days forward. */
export const DEFAULT_AXES = {
  spotShocks: [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3],
  volShifts: [-0.2, -0.1, 0, 0.1, 0.2],
  daysForward: [0, 1, 7],
} as const

function assertAxes(p: { spotShocks: readonly number[]; volShifts: readonly number[]; daysForward: readonly number[] }): void {
  const issues: { path: string; message: string }[] = []
  p.spotShocks.forEach((s, i) => {
    if (!(Number.isFinite(s) && s > -1)) issues.push({ path: `spotShocks[${i}]`, message: `must be a finite relative move > −1, got ${s}` })
  })
  p.volShifts.forEach((v, i) => {
    if (!Number.isFinite(v)) issues.push({ path: `volShifts[${i}]`, message: `must be finite, got ${v}` })
  })
  p.daysForward.forEach((d, i) => {
    if (!(Number.isFinite(d) && d >= 0)) issues.push({ path: `daysForward[${i}]`, message: `must be a finite number ≥ 0, got ${d}` })
  })
  for (const key of ['spotShocks', 'volShifts', 'daysForward'] as const) {
    if (p[key].length === 0) issues.push({ path: key, message: 'needs at least one point' })
  }
  if (issues.length > 0) throw new InvalidInputError({ what: 'scenario axes', issues })
}

/**
 * Revalues the book in every cell (options re-priced with Black–Scholes at the shocked spot,
 * vol and remaining time, LPs at the shocked pool price, perps with funding accrued), not a
 * Greeks expansion, so gamma/vega convexity and expiries inside the horizon are captured.
 * Spot shocks move every underlying by the same relative amount unless `underlying` restricts
 * the book to one of them. Positions that fail today are excluded everywhere and reported.
 */
export function scenarioGrid(p: {
  positions: readonly RiskPosition[]
  market: RiskMarket
  underlying?: string
  spotShocks?: readonly number[]
  volShifts?: readonly number[]
  daysForward?: readonly number[]
}): ScenarioGrid {
  const axes = {
    spotShocks: p.spotShocks ?? DEFAULT_AXES.spotShocks,
    volShifts: p.volShifts ?? DEFAULT_AXES.volShifts,
    daysForward: p.daysForward ?? DEFAULT_AXES.daysForward,
  }
  assertAxes(axes)
  const inScope = p.underlying === undefined ? p.positions : p.positions.filter((x) => x.underlying === p.underlying)
  const base = bookRisk(inScope, p.market, NO_SHOCK)
  const failed = new Set(base.failures.map((f) => f.id))
  const valued = inScope.filter((x) => !failed.has(x.id))
  const baseValue = base.risks.reduce((s, r) => s + r.value, 0)
  const cells: ScenarioCell[] = []
  const failures = [...base.failures]
  const pnl = axes.daysForward.map((daysForward) =>
    axes.volShifts.map((volShift) =>
      axes.spotShocks.map((spotShock) => {
        const shocked = bookRisk(valued, p.market, { spotShock, volShift, daysForward })
        // A position valued today but not in this cell would silently drop out of the P&L; report it.
        for (const f of shocked.failures) if (!failures.some((x) => x.id === f.id)) failures.push(f)
        const value = shocked.risks.reduce((s, r) => s + r.value, 0)
        const cell = { spotShock, volShift, daysForward, value, pnl: value - baseValue }
        cells.push(cell)
        return cell.pnl
      }),
    ),
  )
  const worst = cells.reduce((w, c) => (c.pnl < w.pnl ? c : w), cells[0]!)
  return { underlying: p.underlying ?? 'all', ...axes, baseValue, pnl, cells, worst, failures }
}
