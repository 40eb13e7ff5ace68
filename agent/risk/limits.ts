import type { RiskAggregate } from './aggregate.ts'
import type { ScenarioGrid } from './scenario.ts'

/**
 * Risk limits. Greeks limits are per underlying in its own units (delta in ETH, gamma in ETH per
 * USD, vega per 1.00 vol); the scenario loss is in the numeraire and positive (a loss of 50 000
 * is `maxScenarioLoss: 50_000`).
 */
export type RiskLimits = {
  deltaBand?: Readonly<Record<string, { min: number; max: number }>>
  maxAbsGamma?: Readonly<Record<string, number>>
  maxAbsVega?: Readonly<Record<string, number>>
  maxScenarioLoss?: number
}

export type LimitName = 'delta-band' | 'gamma' | 'vega' | 'scenario-loss' | 'valuation'

/** One verdict; `bound` is the limit crossed or respected, `value` what was measured. */
export type LimitVerdict = {
  limit: LimitName
  underlying?: string
  status: 'ok' | 'breach'
  value: number
  bound: number
  detail: string
}

/**
 * Checks every configured limit and returns one verdict each, breaches and passes alike. Fails
 * closed: an underlying with positions that could not be valued gets a 'valuation' breach, and
 * its Greeks limits are breached too since their value is unknown; a limit on an underlying the
 * book does not hold is checked against zero exposure.
 */
export function checkLimits(p: { aggregate: RiskAggregate; limits: RiskLimits; scenario?: ScenarioGrid }): LimitVerdict[] {
  const out: LimitVerdict[] = []
  const { aggregate, limits } = p
  for (const [underlying, t] of Object.entries(aggregate.byUnderlying)) {
    if (t.failures > 0) {
      out.push({
        limit: 'valuation',
        underlying,
        status: 'breach',
        value: t.failures,
        bound: 0,
        detail: `${t.failures} position(s) in ${underlying} could not be valued`,
      })
    }
  }
  const totals = (u: string) => (Object.hasOwn(aggregate.byUnderlying, u) ? aggregate.byUnderlying[u] : undefined)
  for (const [underlying, band] of Object.entries(limits.deltaBand ?? {})) {
    const t = totals(underlying)
    const delta = t?.delta ?? 0
    const unknown = (t?.failures ?? 0) > 0
    const inside = delta >= band.min && delta <= band.max
    const bound = delta < band.min ? band.min : band.max
    out.push({
      limit: 'delta-band',
      underlying,
      status: inside && !unknown ? 'ok' : 'breach',
      value: delta,
      bound,
      detail: unknown
        ? `delta of ${underlying} is incomplete (unvalued positions)`
        : `delta ${delta} ${inside ? 'inside' : 'outside'} [${band.min}, ${band.max}]`,
    })
  }
  for (const [limit, key, table] of [
    ['gamma', 'gamma', limits.maxAbsGamma],
    ['vega', 'vega', limits.maxAbsVega],
  ] as const) {
    for (const [underlying, max] of Object.entries(table ?? {})) {
      const t = totals(underlying)
      const value = t?.[key] ?? 0
      const unknown = (t?.failures ?? 0) > 0
      const ok = Math.abs(value) <= max && !unknown
      out.push({
        limit,
        underlying,
        status: ok ? 'ok' : 'breach',
        value,
        bound: max,
        detail: unknown ? `${key} of ${underlying} is incomplete (unvalued positions)` : `|${key}| ${Math.abs(value)} vs max ${max}`,
      })
    }
  }
  if (limits.maxScenarioLoss !== undefined) out.push(scenarioVerdict(limits.maxScenarioLoss, p.scenario))
  return out
}

function scenarioVerdict(maxLoss: number, grid: ScenarioGrid | undefined): LimitVerdict {
  if (grid === undefined) {
    // value 0 is a placeholder: the loss is unknown, and unknown fails closed.
    return {
      limit: 'scenario-loss',
      status: 'breach',
      value: 0,
      bound: maxLoss,
      detail: 'no scenario grid was computed, so the loss is unknown',
    }
  }
  const loss = -grid.worst.pnl
  const { spotShock, volShift, daysForward } = grid.worst
  const where = `worst cell: spot ${(spotShock * 100).toFixed(1)} %, vol ${(volShift * 100).toFixed(1)} pts, +${daysForward} d`
  if (grid.failures.length > 0) {
    return {
      limit: 'scenario-loss',
      status: 'breach',
      value: loss,
      bound: maxLoss,
      detail: `${grid.failures.length} position(s) not valued; ${where}`,
    }
  }
  return { limit: 'scenario-loss', status: loss <= maxLoss ? 'ok' : 'breach', value: loss, bound: maxLoss, detail: where }
}
