import { describe, expect, it } from 'vitest'
import { summarizeSubmission, vsQuoteBps } from './submission.ts'

describe('summarizeSubmission', () => {
  it('counts blocks from the block before the first send to the block of the last transaction', () => {
    const s = summarizeSubmission([
      { route: 'flashbots', attempts: 3, sentAtBlock: '100', blockNumber: '103', gasUsed: '50000', effectiveGasPrice: '2' },
      { route: 'flashbots', attempts: 3, sentAtBlock: '100', blockNumber: '103', gasUsed: '100000', effectiveGasPrice: '2' },
    ])
    expect(s).toEqual({ route: 'flashbots', attempts: 3, blocksWaited: 3, feesPaidWei: '300000' })
  })
  it('reads a send without route data as one public attempt mined in the next block', () => {
    expect(summarizeSubmission([{ blockNumber: '7', gasUsed: '21000', effectiveGasPrice: '10' }])).toEqual({
      route: 'public-mempool',
      attempts: 1,
      blocksWaited: 1,
      feesPaidWei: '210000',
    })
    expect(summarizeSubmission([])).toBeNull()
  })
})

describe('vsQuoteBps', () => {
  it('is negative when the fill is worse than the quote', () => {
    expect(vsQuoteBps(1_000_000n, 990_000n)).toBe(-100)
    expect(vsQuoteBps(1_000_000n, 1_000_000n)).toBe(0)
    expect(vsQuoteBps(1_000_000n, 1_000_150n)).toBe(1)
  })
})
