import { describe, expect, test } from 'vitest'
import { mandateFeasibility } from './feasibility.ts'
import { parseMandate } from './schema.ts'

const ETH = 10n ** 18n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const mandate = (targetEth: string, bandEth: string) =>
  parseMandate({
    portfolio: 'feasible',
    chains: { ethereum: { treasury }, base: { treasury } },
    delta: { targetEth, bandEth },
    hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
  })
// 600 ETH of value on ethereum and 400 on base; arbitrum is not in the mandate and does not count.
const holdings = [
  { chain: 'ethereum' as const, valueWei: 600n * ETH },
  { chain: 'base' as const, valueWei: 400n * ETH },
  { chain: 'arbitrum' as const, valueWei: 5_000n * ETH },
]

describe('mandateFeasibility', () => {
  test('accepts a target inside the treasury value with a band that leaves room to act', () => {
    expect(mandateFeasibility(mandate('550', '8'), holdings)).toEqual([])
  })

  test('refuses a target above the whole value, naming the field and the value it has', () => {
    const issues = mandateFeasibility(mandate('1000.5', '8'), holdings)
    expect(issues.map((i) => i.path)).toEqual(['delta.targetEth'])
    expect(issues[0]?.message).toContain("more than the treasury's whole value, 1000.000 ETH")
    expect(issues[0]?.message).toContain('ethereum 600.000, base 400.000')
  })

  test('refuses a negative target that spot and LP holdings cannot carry', () => {
    expect(mandateFeasibility(mandate('-1', '0.5'), holdings).map((i) => i.path)).toEqual(['delta.targetEth'])
  })

  test('refuses a band that covers every delta the treasury can have', () => {
    const issues = mandateFeasibility(mandate('500', '500'), holdings)
    expect(issues.map((i) => i.path)).toEqual(['delta.bandEth'])
    expect(issues[0]?.message).toContain('keel would never act')
    // One wei narrower on the top side and delta can leave the band again.
    expect(mandateFeasibility(mandate('499.999999999999999999', '500'), holdings)).toEqual([])
  })

  test('has nothing to say about an empty treasury with a zero target', () => {
    expect(mandateFeasibility(mandate('0', '1'), [])).toEqual([])
  })
})
