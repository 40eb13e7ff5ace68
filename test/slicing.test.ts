import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseMandate } from '../agent/mandate/schema.ts'
import { wethToUsdcAtMid } from '../agent/portfolio/poolPrice.ts'
import { waitForStatus } from '../temporal/client.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

const ETH = 10n ** 18n

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'slicing' })
  await stack.startWorkers()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a hedge no venue can take whole', () => {
  test('is traded in slices within the slippage budget until delta is back in the band', async () => {
    const target = (await stack.exposure()).deltaWei
    // The devnet pools take 10 ETH at ~7 bp (5 bp fee + impact) and 20 ETH at ~8 bp: with a 7 bp budget
    // neither the whole hedge of a 4 % move nor its half or quarter fits on any chain.
    const mandate = testMandate({ portfolio: 'slices', treasury: stack.treasury, targetEth: ethTarget(target), bandEth: '5' })
    mandate.hedge = { ...mandate.hedge, maxSlippageBps: 7 }
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    expect(first.lastObservation?.insideBand).toBe(true)
    await stack.sim.shock({ pct: -4 })
    const gap = (await stack.exposure()).deltaWei - parseMandate(mandate).delta.targetEth
    expect(gap).toBeGreaterThan(60n * ETH)
    // Each wake runs one cycle: a slice and up to three follow-ups, each on the chain then cheapest.
    let s = first
    for (let i = 0; i < 20 && (i === 0 || s.lastObservation?.insideBand === false); i++) {
      const at = s.cyclesCompleted
      await controls.wake()
      s = await waitForStatus({ status: controls.status, done: (x) => x.cyclesCompleted > at })
    }
    expect(s.lastObservation?.insideBand, s.lastDecision).toBe(true)
    const done = s.hedges.filter((h) => h.status === 'completed')
    // Slices first; the last piece may fit whole once the gap is small.
    expect(done.length).toBeGreaterThanOrEqual(4)
    expect(done.slice(0, -1).every((h) => h.slice === true)).toBe(true)
    expect(s.hedges.filter((h) => h.status !== 'completed')).toEqual([])
    for (const h of done) {
      // What each fill gave up against the mid it traded at, fee and impact included, rounded up: within 7 bp.
      const mid = h.preTradeMid!
      const valueIn = wethToUsdcAtMid({
        wethWei: BigInt(h.amountIn),
        sqrtPriceX96: BigInt(mid.sqrtPriceX96),
        wethIsToken0: mid.wethIsToken0,
      })
      expect((BigInt(h.slippageCostUsdc) * 10_000n + valueIn - 1n) / valueIn).toBeLessThanOrEqual(7n)
      expect(BigInt(h.amountIn)).toBeLessThan(gap / 4n)
    }
  })
})
