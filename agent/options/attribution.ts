import type { HedgeRecord, ObservationJson } from '../portfolio/ledger.ts'
import type { RollRecord } from './rolls.ts'

/**
 * P&L attribution per day of chain time. Between two observations each chain's book moves with its
 * own price, with the Greeks it had at the start of the step: delta × ΔS, ½·gamma·ΔS², theta × Δt,
 * vega × Δσ. Costs, premiums and settlements come from the ledger's records, on the day they
 * happened. All figures USD.
 */

export type PnlDay = {
  /** The chain-time day, YYYY-MM-DD (UTC). */
  day: string
  delta: number
  gamma: number
  theta: number
  vega: number
  /** Hedges completed that day and what they cost (gas + fee + impact), USD: kept here because the hedge list is trimmed. */
  hedges?: number
  hedgeCosts?: number
}

const DAY = 86_400
export const MAX_PNL_DAYS = 120

export const dayOf = (chainTimeSec: bigint | number | string): string =>
  new Date(Math.floor(Number(chainTimeSec) / DAY) * DAY * 1000).toISOString().slice(0, 10)

/** What the move from `prev` to `next` earned, split by Greek (prev's Greeks, as a Taylor expansion). */
export function attributeStep(prev: ObservationJson, next: ObservationJson): Omit<PnlDay, 'day'> {
  const dtDays = (Number(next.atChainTimeSec) - Number(prev.atChainTimeSec)) / DAY
  let delta = 0
  let gamma = 0
  let theta = 0
  for (const p of prev.chains) {
    const n = next.chains.find((c) => c.chain === p.chain)
    if (!n) continue
    const dS = n.priceUsdc - p.priceUsdc
    delta += (Number(p.deltaWei) / 1e18) * dS
    gamma += 0.5 * p.gamma * dS * dS
    theta += (p.options?.theta ?? 0) * dtDays
  }
  // Vega earns the move of the mark's at-the-money vol (in vol points), on the book's vega at the start.
  const dVolPts = prev.atmVol !== undefined && next.atmVol !== undefined ? (next.atmVol - prev.atmVol) * 100 : 0
  return { delta, gamma, theta, vega: (prev.vega ?? 0) * dVolPts }
}

/** A completed hedge's cost on its chain-time day. */
export function accrueHedgeCost(days: readonly PnlDay[], h: HedgeRecord): PnlDay[] {
  if (h.status !== 'completed') return [...days]
  const day = dayOf(h.atChainTimeSec)
  const out = days.map((d) => ({ ...d }))
  let entry = out.find((d) => d.day === day)
  if (!entry) {
    entry = { day, delta: 0, gamma: 0, theta: 0, vega: 0 }
    out.push(entry)
    out.sort((a, b) => a.day.localeCompare(b.day))
  }
  entry.hedges = (entry.hedges ?? 0) + 1
  entry.hedgeCosts = (entry.hedgeCosts ?? 0) + (Number(h.gasCostUsdc) + Number(h.slippageCostUsdc)) / 1e6
  return out.slice(-MAX_PNL_DAYS)
}

/** Adds one step to the day it ends on; keeps the last MAX_PNL_DAYS days. */
export function accruePnl(days: readonly PnlDay[], prev: ObservationJson | null, next: ObservationJson): PnlDay[] {
  if (!prev || Number(next.atChainTimeSec) <= Number(prev.atChainTimeSec)) return [...days]
  const step = attributeStep(prev, next)
  const day = dayOf(next.atChainTimeSec)
  const out = days.map((d) => ({ ...d }))
  let entry = out.find((d) => d.day === day)
  if (!entry) {
    entry = { day, delta: 0, gamma: 0, theta: 0, vega: 0 }
    out.push(entry)
  }
  entry.delta += step.delta
  entry.gamma += step.gamma
  entry.theta += step.theta
  entry.vega += step.vega
  return out.slice(-MAX_PNL_DAYS)
}

export type LedgerPeriod = PnlDay & {
  /** Premium collected, settlement paid to option holders, hedge costs (gas + fee + impact), roll gas. */
  premium: number
  settlementPaid: number
  hedgeCosts: number
  rollGas: number
  hedges: number
  rolls: number
}

/**
 * The ledger by period (a day, or a week of seven days from the first): the attribution plus what
 * the records say happened in it.
 */
export function ledgerByPeriod(p: {
  pnl: readonly PnlDay[]
  hedges: readonly HedgeRecord[]
  rolls: readonly RollRecord[]
  periodDays: 1 | 7
}): LedgerPeriod[] {
  const keyOf = (day: string): string => {
    if (p.periodDays === 1 || p.pnl.length === 0) return day
    const first = Date.parse(p.pnl[0]!.day)
    const week = Math.floor((Date.parse(day) - first) / (7 * DAY * 1000))
    return new Date(first + week * 7 * DAY * 1000).toISOString().slice(0, 10)
  }
  const periods = new Map<string, LedgerPeriod>()
  const at = (day: string): LedgerPeriod => {
    const key = keyOf(day)
    let e = periods.get(key)
    if (!e) {
      e = { day: key, delta: 0, gamma: 0, theta: 0, vega: 0, premium: 0, settlementPaid: 0, hedgeCosts: 0, rollGas: 0, hedges: 0, rolls: 0 }
      periods.set(key, e)
    }
    return e
  }
  for (const d of p.pnl) {
    const e = at(d.day)
    e.delta += d.delta
    e.gamma += d.gamma
    e.theta += d.theta
    e.vega += d.vega
  }
  // Hedge costs per day are accrued as hedges complete (the hedge list keeps only the newest); a state
  // from before that has none, and its hedges are summed from the list.
  const accrued = p.pnl.some((d) => d.hedges !== undefined)
  for (const d of p.pnl) {
    const e = at(d.day)
    e.hedges += d.hedges ?? 0
    e.hedgeCosts += d.hedgeCosts ?? 0
  }
  for (const h of accrued ? [] : p.hedges) {
    if (h.status !== 'completed') continue
    const e = at(dayOf(h.atChainTimeSec))
    e.hedgeCosts += (Number(h.gasCostUsdc) + Number(h.slippageCostUsdc)) / 1e6
    e.hedges += 1
  }
  for (const r of p.rolls) {
    if (r.premiumUsdc && BigInt(r.premiumUsdc) > 0n) {
      const e = at(dayOf(r.proposedAtChainTimeSec))
      e.premium += Number(r.premiumUsdc) / 1e6
      e.rolls += 1
    }
    if (r.gasCostUsdc) at(dayOf(r.proposedAtChainTimeSec)).rollGas += Number(r.gasCostUsdc) / 1e6
    if (r.settlement) at(dayOf(r.settlement.atChainTimeSec)).settlementPaid += Number(r.settlement.paidOutUsdc) / 1e6
  }
  return [...periods.values()].sort((a, b) => a.day.localeCompare(b.day))
}
