import { describe, expect, test } from 'vitest'
import type { HedgeRecord, ObservationJson } from '../portfolio/ledger.ts'
import { accrueHedgeCost, accruePnl, attributeStep, ledgerByPeriod } from './attribution.ts'
import type { RollRecord } from './rolls.ts'

const day0 = Date.UTC(2026, 11, 1) / 1000
const obs = (t: number, chains: { price: number; deltaEth: number; gamma: number; theta?: number }[]): ObservationJson =>
  ({
    atChainTimeSec: String(t),
    deltaWei: '0',
    targetWei: '0',
    bandWei: '0',
    gamma: 0,
    insideBand: true,
    chains: chains.map((c, i) => ({
      chain: (['ethereum', 'arbitrum', 'base'] as const)[i]!,
      priceUsdc: c.price,
      spotWethWei: '0',
      spotUsdc: '0',
      lpWethWei: '0',
      lpUsdc: '0',
      deltaWei: String(BigInt(Math.round(c.deltaEth * 1e6)) * 10n ** 12n),
      gamma: c.gamma,
      ...(c.theta !== undefined ? { options: { deltaWei: '0', gamma: 0, vega: 0, theta: c.theta } } : {}),
    })),
  }) as ObservationJson

describe('P&L attribution', () => {
  test('each chain with its own move: delta × ΔS, ½ gamma ΔS², theta × days', () => {
    const a = obs(day0, [
      { price: 3000, deltaEth: 10, gamma: -0.01, theta: 120 },
      { price: 3000, deltaEth: -2, gamma: 0 },
    ])
    const b = obs(day0 + 43_200, [
      { price: 3030, deltaEth: 0, gamma: 0 },
      { price: 2990, deltaEth: 0, gamma: 0 },
    ])
    const s = attributeStep(a, b)
    expect(s.delta).toBeCloseTo(10 * 30 + -2 * -10, 9)
    expect(s.gamma).toBeCloseTo(0.5 * -0.01 * 900, 9)
    expect(s.theta).toBeCloseTo(60, 9)
    expect(s.vega).toBe(0)
  })
  test('vega earns the move of the mark’s ATM vol, in vol points, on the book’s vega at the start', () => {
    const a = { ...obs(day0, [{ price: 3000, deltaEth: 0, gamma: 0 }]), vega: -250, atmVol: 0.7 }
    const b = { ...obs(day0 + 3600, [{ price: 3000, deltaEth: 0, gamma: 0 }]), vega: -240, atmVol: 0.72 }
    expect(attributeStep(a, b).vega).toBeCloseTo(-250 * 2, 9)
  })
  test('steps add up on the day they end; time going backwards adds nothing', () => {
    const a = obs(day0, [{ price: 3000, deltaEth: 1, gamma: 0, theta: 24 }])
    const b = obs(day0 + 3_600, [{ price: 3010, deltaEth: 1, gamma: 0, theta: 24 }])
    const c = obs(day0 + 86_400 + 3_600, [{ price: 3000, deltaEth: 1, gamma: 0, theta: 24 }])
    let days = accruePnl([], null, a)
    days = accruePnl(days, a, b)
    days = accruePnl(days, b, c)
    days = accruePnl(days, c, b)
    expect(days.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-02'])
    expect(days[0]!.delta).toBeCloseTo(10, 9)
    expect(days[0]!.theta).toBeCloseTo(1, 9)
    expect(days[1]!.delta).toBeCloseTo(-10, 9)
    expect(days[1]!.theta).toBeCloseTo(24, 9)
  })
  test('the ledger by week adds the records: premium on the roll’s day, settlement paid on settlement, hedge and roll costs', () => {
    const pnl = [
      { day: '2026-12-01', delta: 5, gamma: -1, theta: 10, vega: 0 },
      { day: '2026-12-09', delta: 1, gamma: 0, theta: 3, vega: 0 },
    ]
    const hedge = {
      status: 'completed',
      atChainTimeSec: String(day0 + 100),
      gasCostUsdc: '1500000',
      slippageCostUsdc: '500000',
    } as HedgeRecord
    const roll = {
      premiumUsdc: '400000000',
      gasCostUsdc: '250000',
      proposedAtChainTimeSec: String(day0 + 50),
      settlement: { paidOutUsdc: '120000000', atChainTimeSec: String(day0 + 8 * 86_400) },
    } as unknown as RollRecord
    const weeks = ledgerByPeriod({ pnl, hedges: [hedge], rolls: [roll], periodDays: 7 })
    expect(weeks.map((w) => w.day)).toEqual(['2026-12-01', '2026-12-08'])
    expect(weeks[0]).toMatchObject({
      delta: 5,
      gamma: -1,
      theta: 10,
      premium: 400,
      hedgeCosts: 2,
      rollGas: 0.25,
      hedges: 1,
      rolls: 1,
      settlementPaid: 0,
    })
    expect(weeks[1]).toMatchObject({ delta: 1, theta: 3, settlementPaid: 120 })
  })
})

describe('hedge costs by day', () => {
  test('accrued as hedges complete, so a trimmed hedge list still adds up; failed hedges cost nothing here', () => {
    const h = (t: number, status: string, gas: string) =>
      ({ status, atChainTimeSec: String(t), gasCostUsdc: gas, slippageCostUsdc: '1000000' }) as HedgeRecord
    let days = accrueHedgeCost([], h(day0 + 10, 'completed', '500000'))
    days = accrueHedgeCost(days, h(day0 + 20, 'failed', '500000'))
    days = accrueHedgeCost(days, h(day0 - 86_400, 'completed', '0'))
    expect(days.map((d) => [d.day, d.hedges, d.hedgeCosts])).toEqual([
      ['2026-11-30', 1, 1],
      ['2026-12-01', 1, 1.5],
    ])
    const weeks = ledgerByPeriod({ pnl: days, hedges: [], rolls: [], periodDays: 7 })
    expect(weeks[0]).toMatchObject({ hedges: 2, hedgeCosts: 2.5 })
  })
})
