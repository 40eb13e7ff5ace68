import type { LedgerPeriod } from './attribution.ts'

/**
 * The demo's picture of an option book: on top, the book's delta against its target and band over
 * chain time (rolls marked); below, the P&L of each week attributed to delta, gamma, theta, vega,
 * premium, settlement and costs. A self-contained SVG string.
 */

export type DeltaPoint = { tSec: number; deltaEth: number; targetEth: number; bandEth: number }

const W = 900
const TOP_H = 320
const BOTTOM_H = 300
const M = { left: 70, right: 20, top: 40, bottom: 40 }
const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

function ticks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((x) => x * mag).find((x) => x >= raw) ?? 10 * mag
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(10)))
  return out
}

const SERIES: { key: keyof LedgerPeriod; label: string; color: string; sign: 1 | -1 }[] = [
  { key: 'premium', label: 'premium', color: '#2ca02c', sign: 1 },
  { key: 'settlementPaid', label: 'settlement paid', color: '#d62728', sign: -1 },
  { key: 'theta', label: 'theta', color: '#17becf', sign: 1 },
  { key: 'delta', label: 'delta', color: '#1f77b4', sign: 1 },
  { key: 'gamma', label: 'gamma', color: '#ff7f0e', sign: 1 },
  { key: 'vega', label: 'vega', color: '#9467bd', sign: 1 },
  { key: 'hedgeCosts', label: 'hedge costs', color: '#7f7f7f', sign: -1 },
  { key: 'rollGas', label: 'roll gas', color: '#bcbd22', sign: -1 },
]

export function bookSvg(p: {
  title: string
  points: readonly DeltaPoint[]
  rollsAtSec: readonly number[]
  weeks: readonly LedgerPeriod[]
}): string {
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${TOP_H + BOTTOM_H}" font-family="sans-serif" font-size="12">`)
  out.push(`<title>${esc(p.title)}</title>`)
  out.push(`<rect width="100%" height="100%" fill="white"/>`)
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${esc(p.title)}</text>`)
  // Top: delta vs band.
  const pts = p.points
  if (pts.length > 1) {
    const t0 = pts[0]!.tSec
    const t1 = pts[pts.length - 1]!.tSec
    const lo = Math.min(...pts.map((x) => Math.min(x.deltaEth, x.targetEth - x.bandEth)))
    const hi = Math.max(...pts.map((x) => Math.max(x.deltaEth, x.targetEth + x.bandEth)))
    const pad = (hi - lo) * 0.05 || 1
    const yT = ticks(lo - pad, hi + pad)
    const [ylo, yhi] = [yT[0]!, yT[yT.length - 1]!]
    const pw = W - M.left - M.right
    const ph = TOP_H - M.top - M.bottom
    const X = (t: number) => M.left + ((t - t0) / (t1 - t0 || 1)) * pw
    const Y = (v: number) => M.top + ph - ((v - ylo) / (yhi - ylo || 1)) * ph
    const bandPath = [
      ...pts.map((x) => `${X(x.tSec).toFixed(1)},${Y(x.targetEth + x.bandEth).toFixed(1)}`),
      ...[...pts].reverse().map((x) => `${X(x.tSec).toFixed(1)},${Y(x.targetEth - x.bandEth).toFixed(1)}`),
    ].join(' ')
    out.push(`<polygon points="${bandPath}" fill="#1f77b4" fill-opacity="0.12" stroke="none"/>`)
    out.push(
      `<polyline points="${pts.map((x) => `${X(x.tSec).toFixed(1)},${Y(x.targetEth).toFixed(1)}`).join(' ')}" fill="none" stroke="#1f77b4" stroke-dasharray="4 3"/>`,
    )
    out.push(
      `<polyline points="${pts.map((x) => `${X(x.tSec).toFixed(1)},${Y(x.deltaEth).toFixed(1)}`).join(' ')}" fill="none" stroke="#d62728" stroke-width="1.5"/>`,
    )
    for (const r of p.rollsAtSec)
      if (r >= t0 && r <= t1)
        out.push(
          `<line x1="${X(r).toFixed(1)}" x2="${X(r).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#2ca02c" stroke-opacity="0.6"/>`,
        )
    for (const v of yT) out.push(`<text x="${M.left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
    const days = (t1 - t0) / 86_400
    for (let d = 0; d <= days; d += days > 14 ? 7 : 1)
      out.push(`<text x="${X(t0 + d * 86_400).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">day ${d}</text>`)
    out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
    out.push(`<text x="${M.left + 8}" y="${M.top + 14}">book delta (ETH, red) vs target and band (blue); rolls in green</text>`)
  }
  // Bottom: attribution per week, bars side by side.
  const weeks = p.weeks
  if (weeks.length > 0) {
    const y0 = TOP_H
    const vals = weeks.flatMap((w) => SERIES.map((s) => s.sign * (w[s.key] as number)))
    const lo = Math.min(0, ...vals)
    const hi = Math.max(0, ...vals)
    const yT = ticks(lo, hi)
    const [ylo, yhi] = [Math.min(lo, yT[0]!), Math.max(hi, yT[yT.length - 1]!)]
    const pw = W - M.left - M.right
    const ph = BOTTOM_H - M.top - M.bottom - 20
    const Y = (v: number) => y0 + M.top + ph - ((v - ylo) / (yhi - ylo || 1)) * ph
    const groupW = pw / weeks.length
    const barW = (groupW * 0.8) / SERIES.length
    for (const [i, w] of weeks.entries()) {
      for (const [j, s] of SERIES.entries()) {
        const v = s.sign * (w[s.key] as number)
        const x = M.left + i * groupW + groupW * 0.1 + j * barW
        out.push(
          `<rect x="${x.toFixed(1)}" y="${Math.min(Y(v), Y(0)).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${Math.abs(Y(v) - Y(0)).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.label}: ${v.toFixed(2)} USD`)}</title></rect>`,
        )
      }
      out.push(
        `<text x="${(M.left + (i + 0.5) * groupW).toFixed(1)}" y="${y0 + M.top + ph + 16}" text-anchor="middle">week of ${w.day}</text>`,
      )
    }
    for (const v of yT) out.push(`<text x="${M.left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(0).toFixed(1)}" y2="${Y(0).toFixed(1)}" stroke="#333"/>`)
    out.push(`<text x="${M.left + 8}" y="${y0 + M.top - 6}">P&amp;L per week, USD</text>`)
    for (const [j, s] of SERIES.entries())
      out.push(
        `<rect x="${M.left + j * 100}" y="${y0 + BOTTOM_H - 26}" width="10" height="10" fill="${s.color}"/><text x="${M.left + j * 100 + 14}" y="${y0 + BOTTOM_H - 17}">${s.label}</text>`,
      )
  }
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
