import { policyName } from './formatReport.ts'
import type { BacktestReport, ModelReport } from './runBacktest.ts'

const COLORS: Record<string, string> = {
  fixed: '#1f77b4',
  threshold: '#ff7f0e',
  timeOrPrice: '#2ca02c',
  whalleyWilmott: '#d62728',
  leland: '#9467bd',
}
const PANEL_W = 520
const PANEL_H = 420
const MARGIN = { left: 78, right: 18, top: 54, bottom: 58 }

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const f1 = (v: number): string => v.toFixed(1)

/** 1-2-5 ticks covering [lo, hi]. */
function niceTicks(lo: number, hi: number, target = 6): number[] {
  const raw = (hi - lo) / target
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  // The last tick is the first one at or above hi, so every point lies inside the frame.
  for (let v = Math.ceil(lo / step) * step; ticks.length === 0 || ticks[ticks.length - 1]! < hi; v += step)
    ticks.push(Number(v.toPrecision(12)))
  return ticks
}

const tickLabel = (v: number): string => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(4))}k` : String(v))

function panel(model: ModelReport, x0: number, referenceIntervalHours: number): string {
  const rs = model.results.filter((r) => Number.isFinite(r.trackingError) && Number.isFinite(r.meanCost))
  const xs = rs.map((r) => r.trackingError)
  const ys = rs.map((r) => r.meanCost)
  const xTicks = niceTicks(0, Math.max(...xs) * 1.05)
  const yTicks = niceTicks(0, Math.max(...ys) * 1.05)
  const xMax = xTicks[xTicks.length - 1] ?? 1
  const yMax = yTicks[yTicks.length - 1] ?? 1
  const plotW = PANEL_W - MARGIN.left - MARGIN.right
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom
  const px = (v: number): number => x0 + MARGIN.left + (v / xMax) * plotW
  const py = (v: number): number => MARGIN.top + plotH - (v / yMax) * plotH
  const out: string[] = []
  out.push(
    `<text x="${f1(x0 + PANEL_W / 2)}" y="22" class="title">${esc(model.model)} paths — options at ${(model.impliedVol * 100).toFixed(0)} % vol</text>`,
  )
  for (const t of xTicks) {
    out.push(`<line x1="${f1(px(t))}" y1="${f1(py(0))}" x2="${f1(px(t))}" y2="${MARGIN.top}" class="grid"/>`)
    out.push(`<text x="${f1(px(t))}" y="${f1(py(0) + 18)}" class="tick" text-anchor="middle">${tickLabel(t)}</text>`)
  }
  for (const t of yTicks) {
    out.push(`<line x1="${f1(px(0))}" y1="${f1(py(t))}" x2="${f1(px(xMax))}" y2="${f1(py(t))}" class="grid"/>`)
    out.push(`<text x="${f1(px(0) - 8)}" y="${f1(py(t) + 4)}" class="tick" text-anchor="end">${tickLabel(t)}</text>`)
  }
  out.push(`<rect x="${f1(px(0))}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" class="frame"/>`)
  out.push(
    `<text x="${f1(x0 + MARGIN.left + plotW / 2)}" y="${PANEL_H - 14}" class="axis" text-anchor="middle">tracking error: std of hedged P&amp;L per path (USD)</text>`,
  )
  const yMid = MARGIN.top + plotH / 2
  out.push(
    `<text x="${f1(x0 + 18)}" y="${f1(yMid)}" class="axis" text-anchor="middle" transform="rotate(-90 ${f1(x0 + 18)} ${f1(yMid)})">mean hedging cost per path (USD)</text>`,
  )
  for (const id of Object.keys(COLORS)) {
    // Sweep order (tight to loose parameter), so the curve shows how each knob trades risk for cost.
    const pts = rs.filter((r) => r.policy === id)
    if (pts.length === 0) continue
    const color = COLORS[id]!
    // Leland's adjustment is small, so its curve lies on the fixed-interval one: dash it to show both.
    const dash = id === 'leland' ? ' stroke-dasharray="6 4"' : ''
    const widthPx = id === 'fixed' ? 4 : 2
    out.push(
      `<polyline points="${pts.map((r) => `${f1(px(r.trackingError))},${f1(py(r.meanCost))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${widthPx}"${dash}/>`,
    )
    for (const r of pts) out.push(`<circle cx="${f1(px(r.trackingError))}" cy="${f1(py(r.meanCost))}" r="3" fill="${color}"/>`)
  }
  const b = model.benchmark
  out.push(`<line x1="${f1(px(b.trackingError))}" y1="${f1(py(0))}" x2="${f1(px(b.trackingError))}" y2="${MARGIN.top}" class="ref"/>`)
  out.push(`<rect x="${f1(px(b.trackingError) - 6)}" y="${f1(py(b.meanCost) - 6)}" width="12" height="12" class="bench"/>`)
  out.push(
    `<text x="${f1(px(b.trackingError) - 8)}" y="${f1(py(b.meanCost) - 10)}" class="note" text-anchor="end">${referenceIntervalHours}h fixed</text>`,
  )
  const ww = model.atBenchmarkRisk.find((c) => c.policy === 'whalleyWilmott')
  if (ww?.cost != null && ww.saving !== null) {
    const cx = px(b.trackingError)
    const cy = py(ww.cost)
    out.push(`<path d="M${f1(cx)} ${f1(cy - 8)} L${f1(cx + 8)} ${f1(cy)} L${f1(cx)} ${f1(cy + 8)} L${f1(cx - 8)} ${f1(cy)} Z" class="ww"/>`)
    const leftSide = cx > x0 + PANEL_W * 0.6
    out.push(
      `<text x="${f1(leftSide ? cx - 10 : cx + 10)}" y="${f1(cy + 20)}" class="note" text-anchor="${leftSide ? 'end' : 'start'}">WW at equal risk: ${(ww.saving * 100).toFixed(0)} % cheaper</text>`,
    )
  }
  return out.join('\n')
}

/** The efficient-frontier chart: one panel per model, cost vs tracking error per policy sweep. */
export function frontierSvg(report: BacktestReport): string {
  const width = PANEL_W * report.models.length
  const perRow = Math.max(1, Math.floor((width - 20) / 190))
  const ids = Object.keys(COLORS)
  const legendRows = Math.ceil(ids.length / perRow) + 1
  const height = PANEL_H + 14 + legendRows * 22
  const legendItems = ids.map((id, i) => {
    const x = 20 + (i % perRow) * 190
    const y = PANEL_H + 20 + Math.floor(i / perRow) * 22
    const dash = id === 'leland' ? ' stroke-dasharray="6 4"' : ''
    return `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${COLORS[id]}" stroke-width="3"${dash}/><text x="${x + 30}" y="${y + 5}" class="legend">${esc(policyName(id))}</text>`
  })
  const markersY = PANEL_H + 25 + (legendRows - 1) * 22
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold;text-anchor:middle}.tick{font-size:11px;fill:#333}.axis{font-size:12px;fill:#111}.legend{font-size:12px}.note{font-size:11px;fill:#111}.grid{stroke:#e3e3e3;stroke-width:1}.frame{fill:none;stroke:#555}.ref{stroke:#555;stroke-dasharray:4 4}.bench{fill:none;stroke:#000;stroke-width:2}.ww{fill:#fff;stroke:#d62728;stroke-width:2.5}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...report.models.map((m, i) => panel(m, i * PANEL_W, report.config.referenceIntervalHours)),
    ...legendItems,
    `<text x="20" y="${markersY}" class="legend">□ ${report.config.referenceIntervalHours}h fixed  ◇ WW interpolated at its tracking error</text>`,
    '</svg>',
    '',
  ].join('\n')
}
