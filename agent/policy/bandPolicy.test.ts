import { describe, expect, test } from 'vitest'
import { parseMandate } from '../mandate/schema.ts'
import { decideBandHedge } from './bandPolicy.ts'

const ETH = 10n ** 18n
const mandate = parseMandate({
  portfolio: 'p1',
  chains: { base: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' } },
  delta: { targetEth: '10', bandEth: '2' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '10', maxHedgeSizeEth: '5' },
})

describe('decideBandHedge', () => {
  test('holds when delta sits exactly on the band edge', () => {
    expect(decideBandHedge({ mandate, deltaWei: 12n * ETH }).action).toBe('hold')
    expect(decideBandHedge({ mandate, deltaWei: 8n * ETH }).action).toBe('hold')
  })

  test('sells back to target when delta is one wei above the band', () => {
    const d = decideBandHedge({ mandate, deltaWei: 12n * ETH + 1n })
    expect(d).toMatchObject({ action: 'hedge', direction: 'sell-eth', sizeWei: 2n * ETH + 1n, capped: false })
  })

  test('buys back to target when delta is below the band', () => {
    const d = decideBandHedge({ mandate, deltaWei: 7n * ETH })
    expect(d).toMatchObject({ action: 'hedge', direction: 'buy-eth', sizeWei: 3n * ETH, capped: false })
  })

  test('caps the trade at the max hedge size when the gap is larger', () => {
    const d = decideBandHedge({ mandate, deltaWei: 30n * ETH })
    expect(d).toMatchObject({ action: 'hedge', direction: 'sell-eth', sizeWei: 5n * ETH, capped: true })
  })

  test('holds when the mandate is paused whatever the delta', () => {
    const d = decideBandHedge({ mandate: { ...mandate, paused: true }, deltaWei: 100n * ETH })
    expect(d).toMatchObject({ action: 'hold', reason: 'paused' })
  })
})
