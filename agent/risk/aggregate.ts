import type { PositionRisk, PositionRiskFailure } from './positions.ts'

/**
 * Sums of Greeks for one underlying (units of that underlying), with dollar versions that can be
 * added across underlyings:
 * - dollarDelta = Δ·S (P&L of a 100 % move to first order; Δ·S·1 % for a 1 % move);
 * - dollarGamma = ½·Γ·S²·(1 %)² — the gamma P&L of a 1 % move;
 * - vegaPerPoint = vega·0.01 — P&L of +1 vol point; thetaPerDay = theta/365.
 */
export type RiskTotals = {
  value: number
  delta: number
  gamma: number
  vega: number
  theta: number
  dollarDelta: number
  dollarGamma: number
  vegaPerPoint: number
  thetaPerDay: number
  positions: number
  /** Positions that could not be valued; totals with failures > 0 are incomplete and must not be trusted as complete. */
  failures: number
}

/** Dollar totals only: the sums that make sense across different underlyings. */
export type DollarTotals = Pick<
  RiskTotals,
  'value' | 'dollarDelta' | 'dollarGamma' | 'vegaPerPoint' | 'thetaPerDay' | 'positions' | 'failures'
>

export type RiskAggregate = {
  byUnderlying: Record<string, RiskTotals>
  /** chain → underlying → totals. */
  byChainUnderlying: Record<string, Record<string, RiskTotals>>
  byChain: Record<string, DollarTotals>
  total: DollarTotals
}

const emptyTotals = (): RiskTotals => ({
  value: 0,
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
  dollarDelta: 0,
  dollarGamma: 0,
  vegaPerPoint: 0,
  thetaPerDay: 0,
  positions: 0,
  failures: 0,
})

function add(t: RiskTotals, r: PositionRisk): void {
  t.value += r.value
  t.delta += r.delta
  t.gamma += r.gamma
  t.vega += r.vega
  t.theta += r.theta
  t.dollarDelta += r.delta * r.spot
  t.dollarGamma += 0.5 * r.gamma * r.spot * r.spot * 1e-4
  t.vegaPerPoint += r.vega * 0.01
  t.thetaPerDay += r.theta / 365
  t.positions += 1
}

function addDollars(t: DollarTotals, r: PositionRisk): void {
  t.value += r.value
  t.dollarDelta += r.delta * r.spot
  t.dollarGamma += 0.5 * r.gamma * r.spot * r.spot * 1e-4
  t.vegaPerPoint += r.vega * 0.01
  t.thetaPerDay += r.theta / 365
  t.positions += 1
}

// Keys come from outside (underlying and chain names); defineProperty keeps a key like
// "__proto__" an ordinary entry instead of rewiring the object's prototype.
function at<T>(rec: Record<string, T>, key: string, make: () => T): T {
  if (Object.hasOwn(rec, key)) return rec[key] as T
  const created = make()
  Object.defineProperty(rec, key, { value: created, enumerable: true, writable: true, configurable: true })
  return created
}

/**
 * Aggregates position risks by underlying, by chain and underlying, and by chain (dollar terms).
 * Failures are counted where they belong so that a limit check can fail closed on them.
 */
export function aggregateRisk(input: { risks: readonly PositionRisk[]; failures?: readonly PositionRiskFailure[] }): RiskAggregate {
  const out: RiskAggregate = { byUnderlying: {}, byChainUnderlying: {}, byChain: {}, total: dollarZero() }
  for (const r of input.risks) {
    add(at(out.byUnderlying, r.underlying, emptyTotals), r)
    add(
      at(
        at(out.byChainUnderlying, r.chain, () => ({})),
        r.underlying,
        emptyTotals,
      ),
      r,
    )
    addDollars(at(out.byChain, r.chain, dollarZero), r)
    addDollars(out.total, r)
  }
  for (const f of input.failures ?? []) {
    at(out.byUnderlying, f.underlying, emptyTotals).failures += 1
    at(
      at(out.byChainUnderlying, f.chain, () => ({})),
      f.underlying,
      emptyTotals,
    ).failures += 1
    at(out.byChain, f.chain, dollarZero).failures += 1
    out.total.failures += 1
  }
  return out
}

function dollarZero(): DollarTotals {
  return { value: 0, dollarDelta: 0, dollarGamma: 0, vegaPerPoint: 0, thetaPerDay: 0, positions: 0, failures: 0 }
}
