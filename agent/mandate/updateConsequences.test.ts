import { describe, expect, test } from 'vitest'
import { type MandateInput, parseMandate } from './schema.ts'
import { mandateUpdateConsequences } from './updateConsequences.ts'

const ETH = 10n ** 18n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const base: MandateInput = {
  portfolio: 'updating',
  chains: { ethereum: { treasury }, arbitrum: { treasury }, base: { treasury } },
  delta: { targetEth: '550', bandEth: '8' },
  hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
}
const current = parseMandate(base)
const observed = { ethereum: 300n * ETH, arbitrum: 150n * ETH, base: 102n * ETH }

describe('mandateUpdateConsequences', () => {
  test('needs confirmation when dropping a chain removes more delta than the band, and says what keel would buy', () => {
    const next = parseMandate({ ...base, chains: { ethereum: { treasury }, base: { treasury } } })
    const c = mandateUpdateConsequences({ current, next, paused: false, observedDeltaWei: observed })
    expect(c.needsConfirmation).toBe(true)
    expect(c.exposureShiftWei).toBe((-150n * ETH).toString())
    expect(c.changes).toContainEqual({ kind: 'chain-removed', chain: 'arbitrum', deltaWei: (150n * ETH).toString() })
    // 402 ETH left against a 550 target: buy 148, capped at the 60 ETH hedge size.
    expect(c.changes).toContainEqual({ kind: 'immediate-hedge', direction: 'buy-eth', sizeWei: (60n * ETH).toString() })
    expect(c.lines.some((l) => l.includes('arbitrum leaves the portfolio: its delta of 150.000 ETH no longer counts'))).toBe(true)
  })

  test('needs no confirmation for a target moved within the band', () => {
    const next = parseMandate({ ...base, delta: { targetEth: '555', bandEth: '8' } })
    const c = mandateUpdateConsequences({ current, next, paused: false, observedDeltaWei: observed })
    expect(c.needsConfirmation).toBe(false)
    expect(c.exposureShiftWei).toBe((-5n * ETH).toString())
  })

  test('needs confirmation for a target moved beyond the band', () => {
    const next = parseMandate({ ...base, delta: { targetEth: '500', bandEth: '8' } })
    expect(mandateUpdateConsequences({ current, next, paused: false, observedDeltaWei: observed }).needsConfirmation).toBe(true)
  })

  test('reports a pause state in the file that differs and keeps the running one, without asking', () => {
    const next = parseMandate({ ...base, paused: false })
    const c = mandateUpdateConsequences({ current, next, paused: true, observedDeltaWei: observed })
    expect(c.changes).toEqual([{ kind: 'pause-kept', filePaused: false, running: true }])
    expect(c.needsConfirmation).toBe(false)
    expect(c.lines[0]).toContain('stays paused (use keel resume)')
  })

  test('needs confirmation when a chain is added, since its delta is not known yet', () => {
    const small = parseMandate({ ...base, chains: { ethereum: { treasury } } })
    const c = mandateUpdateConsequences({ current: small, next: current, paused: false, observedDeltaWei: { ethereum: 300n * ETH } })
    expect(c.exposureShiftWei).toBeNull()
    expect(c.needsConfirmation).toBe(true)
  })

  test('needs nothing for a change of hedge limits only', () => {
    const next = parseMandate({ ...base, hedge: { ...base.hedge, maxSlippageBps: 20 } })
    const c = mandateUpdateConsequences({ current, next, paused: false, observedDeltaWei: observed })
    expect(c.changes).toEqual([{ kind: 'hedge-limits-changed' }])
    expect(c.needsConfirmation).toBe(false)
  })
})
