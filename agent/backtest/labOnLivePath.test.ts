import { describe, expect, test } from 'vitest'
import { defaultChainCostParams } from '../hedging/constants.ts'
import { labOnLivePath } from './labOnLivePath.ts'

describe('the lab on a path the live loop ran', () => {
  const prices = Array.from({ length: 113 }, (_, i) => 3000 * Math.exp(0.03 * Math.sin(i / 5) + 0.0005 * i))
  const legs = [
    { kind: 'call' as const, moneyness: 1.05, quantity: -20 },
    { kind: 'put' as const, moneyness: 0.93, quantity: -10 },
  ]
  const common = { prices, stepSec: 6 * 3600, legs, tenorDays: 7, vol: 0.7, chains: defaultChainCostParams }
  test('a wider band trades less; the book P&L is the same for every policy', () => {
    const narrow = labOnLivePath({ ...common, policy: { kind: 'band', bandEth: 0.5 } })
    const wide = labOnLivePath({ ...common, policy: { kind: 'band', bandEth: 5 } })
    expect(narrow.bookPnl).toBe(wide.bookPnl)
    expect(wide.trades).toBeLessThan(narrow.trades)
    expect(narrow.cost).toBeGreaterThan(0)
  })
  test('Whalley–Wilmott runs with the mandate’s risk aversion and is deterministic', () => {
    const a = labOnLivePath({ ...common, policy: { kind: 'whalley-wilmott', riskAversion: 0.0001 } })
    const b = labOnLivePath({ ...common, policy: { kind: 'whalley-wilmott', riskAversion: 0.0001 } })
    expect(a).toEqual(b)
    expect(a.trades).toBeGreaterThan(0)
    const tighter = labOnLivePath({ ...common, policy: { kind: 'whalley-wilmott', riskAversion: 0.01 } })
    expect(tighter.trades).toBeGreaterThanOrEqual(a.trades)
  })
})
