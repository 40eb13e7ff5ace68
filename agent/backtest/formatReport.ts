import type { BacktestReport, ModelReport } from './runBacktest.ts'

/** Whole quote units with thousands separators, independent of the machine's locale. */
const usd = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  const digits = Math.abs(Math.round(v)).toString()
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return Math.round(v) < 0 ? `-${grouped}` : grouped
}
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`
const pad = (s: string, n: number, right = false): string => (right ? s.padStart(n) : s.padEnd(n))

const POLICY_NAMES: Record<string, string> = {
  fixed: 'fixed interval',
  threshold: 'delta threshold',
  timeOrPrice: 'time-or-price band',
  whalleyWilmott: 'Whalley-Wilmott',
  leland: 'Leland',
}
/** Human name of a policy id, for tables and legends. */
export const policyName = (id: string): string => POLICY_NAMES[id] ?? id

/** The acceptance figure of one model: Whalley–Wilmott's cost at the benchmark's tracking error. */
export function acceptanceLine(model: ModelReport, referenceIntervalHours: number): string {
  const ww = model.atBenchmarkRisk.find((c) => c.policy === 'whalleyWilmott')
  const head = `ACCEPTANCE ${model.model}: at the tracking error of ${referenceIntervalHours}h fixed-interval hedging (${usd(model.benchmark.trackingError)} USD)`
  if (ww === undefined || ww.cost === null || ww.saving === null)
    return `${head}, Whalley-Wilmott's frontier does not reach it (out of swept range)`
  const verdict = ww.saving >= 0.3 ? 'meets' : 'misses'
  const bound = ww.how === 'loosestPoint' ? ' (upper bound: loosest swept band)' : ''
  return `${head}, Whalley-Wilmott costs ${usd(ww.cost)} USD vs ${usd(model.benchmark.meanCost)} USD: ${pct(ww.saving)} lower${bound}; ${verdict} the >= 30 % target`
}

function modelTable(model: ModelReport, referenceIntervalHours: number): string[] {
  const lines = [
    `model ${model.model}: options marked at ${pct(model.impliedVol)} vol, flat cost λ = ${(model.costRate * 1e4).toFixed(2)} bp (Leland; Whalley-Wilmott's γ grid), Whalley-Wilmott prices each band at its re-hedge size`,
    `${pad('policy', 20)}${pad('params', 36)}${pad('cost USD', 11, true)}${pad('track err USD', 15, true)}${pad('worst loss USD', 16, true)}${pad('trades', 9, true)}`,
  ]
  for (const r of model.results) {
    lines.push(
      `${pad(policyName(r.policy), 20)}${pad(r.params, 36)}${pad(usd(r.meanCost), 11, true)}${pad(usd(r.trackingError), 15, true)}${pad(usd(r.worstLoss), 16, true)}${pad(r.meanTrades.toFixed(1), 9, true)}`,
    )
  }
  lines.push(
    `at equal tracking error (${usd(model.benchmark.trackingError)} USD, that of ${referenceIntervalHours}h fixed-interval hedging):`,
  )
  for (const c of model.atBenchmarkRisk) {
    const cost = c.cost === null ? 'out of swept range' : `${usd(c.cost)} USD`
    const saving =
      c.saving === null
        ? ''
        : `  ${pct(Math.abs(c.saving))} ${c.saving >= 0 ? 'cheaper' : 'dearer'}${c.how === 'loosestPoint' ? ' (upper bound)' : ''}`
    lines.push(`  ${pad(policyName(c.policy), 20)}${cost}${saving}`)
  }
  lines.push(acceptanceLine(model, referenceIntervalHours))
  return lines
}

/** The stdout report: one table per model, the equal-risk comparison and the acceptance line. */
export function formatReportTable(report: BacktestReport): string {
  const c = report.config
  const head = `keel backtest: seed ${c.seed}, ${c.paths} paths, ${Math.round(c.horizonYears * 365)} days, ${c.stepsPerDay} steps/day; costs are means per path, tracking error = std of hedged P&L net of costs`
  const blocks = report.models.map((m) => modelTable(m, c.referenceIntervalHours).join('\n'))
  return `${[head, ...blocks].join('\n\n')}\n`
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)

/** results.csv: one row per model, policy and parameter setting; fixed decimals so runs diff cleanly. */
export function reportCsv(report: BacktestReport): string {
  const rows = ['model,policy,params,mean_cost_usd,tracking_error_usd,worst_loss_usd,mean_pnl_usd,mean_trades']
  for (const m of report.models) {
    for (const r of m.results) {
      rows.push(
        [
          r.model,
          r.policy,
          csvField(r.params),
          r.meanCost.toFixed(2),
          r.trackingError.toFixed(2),
          r.worstLoss.toFixed(2),
          r.meanPnl.toFixed(2),
          r.meanTrades.toFixed(2),
        ].join(','),
      )
    }
  }
  return `${rows.join('\n')}\n`
}
