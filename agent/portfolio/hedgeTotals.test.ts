import { describe, expect, test } from 'vitest'
import { addHedgeToTotals, appendHedge, emptyHedgeTotals, type HedgeRecord, MAX_HEDGE_RECORDS } from './ledger.ts'

const hedge = (i: number, over: Partial<HedgeRecord> = {}): HedgeRecord =>
  ({
    id: `h-${i}`,
    chain: i % 2 ? 'arbitrum' : 'ethereum',
    status: 'completed',
    gasCostWei: '1000',
    gasCostUsdc: '2000000',
    slippageCostUsdc: '3000000',
    atChainTimeSec: String(1_800_000_000 + i),
    ...over,
  }) as HedgeRecord

describe('hedge totals', () => {
  test('count every hedge to the unit while the record list keeps only the newest', () => {
    let list: HedgeRecord[] = []
    let totals = emptyHedgeTotals()
    const n = MAX_HEDGE_RECORDS + 25
    for (let i = 0; i < n; i++) {
      const h = hedge(i, i === 3 ? { status: 'failed' } : i === 4 ? { limitedBy: 'balance', fundedBy: ['t-1'] } : {})
      list = appendHedge(list, h)
      totals = addHedgeToTotals(totals, h)
    }
    expect(list).toHaveLength(MAX_HEDGE_RECORDS)
    expect(totals).toEqual({
      completed: n - 1,
      notCompleted: 1,
      gasCostWei: String(1000 * (n - 1)),
      gasCostUsdc: String(2_000_000 * (n - 1)),
      slippageCostUsdc: String(3_000_000 * (n - 1)),
      byChain: { ethereum: Math.ceil(n / 2), arbitrum: Math.floor(n / 2) - 1 },
      cutShortByBalance: 1,
      funded: 1,
    })
  })
})
