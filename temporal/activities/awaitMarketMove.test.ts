import { CancelledFailure } from '@temporalio/common'
import { MockActivityEnvironment } from '@temporalio/testing'
import { describe, expect, test } from 'vitest'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import type { MarketMark } from '../../agent/portfolio/marketMove.ts'
import { createWatchActivities } from './awaitMarketMove.ts'
import type { ActivityDeps } from './createActivities.ts'

const Q96 = 2n ** 96n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const mandate: MandateInput = {
  portfolio: 'watch-test',
  chains: { base: { treasury } },
  delta: { targetEth: 0, bandEth: '5' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '25', maxHedgeSizeEth: '40' },
  loop: { intervalSec: 3600, wakeOnMoveBps: 50 },
}
const mark: MarketMark = { chain: 'base', blockNumber: '10', blockTimestampSec: '1000', sqrtPriceX96: Q96.toString(), wethIsToken0: true }

/** A chain whose head and pool price follow `script`, one entry per block. */
function fakeDeps(script: { block: bigint; sqrtPriceX96: bigint }[]): { deps: ActivityDeps; reads: () => number } {
  let i = 0
  let reads = 0
  const publicClient = {
    getBlockNumber: async () => script[Math.min(i++, script.length - 1)]!.block,
    readContract: async ({ blockNumber }: { blockNumber: bigint }) => {
      reads++
      const at = script.find((s) => s.block === blockNumber)!
      return [at.sqrtPriceX96, 0, 0, 0, 0, 0, true]
    },
  }
  const deps = {
    chains: {
      base: { chainId: 8453, clients: { publicClient }, contracts: { wethUsdcPool: '0x0000000000000000000000000000000000000001' } },
    },
  } as unknown as ActivityDeps
  return { deps, reads: () => reads }
}

describe('awaitMarketMove', () => {
  test('returns the first block that moves the price past the threshold, reading each head once', async () => {
    const { deps, reads } = fakeDeps([
      { block: 10n, sqrtPriceX96: Q96 },
      { block: 11n, sqrtPriceX96: Q96 + Q96 / 1000n }, // +0.2 %: not enough
      { block: 11n, sqrtPriceX96: Q96 + Q96 / 1000n },
      { block: 12n, sqrtPriceX96: Q96 + Q96 / 100n }, // +2.01 % less a hair (2^96 / 100 rounds down)
    ])
    const watch = createWatchActivities(deps, { pollMs: { base: 1 } })
    const moved = await new MockActivityEnvironment().run(watch.awaitMarketMove, { mandate, marks: [mark] })
    expect(moved).toMatchObject({ chain: 'base', blockNumber: '12', reason: 'price', movedBps: 200 })
    expect(reads()).toBe(3)
  })

  test('ends with a cancellation when the workflow cancels it', async () => {
    const { deps } = fakeDeps([{ block: 10n, sqrtPriceX96: Q96 }])
    const env = new MockActivityEnvironment()
    const running = env.run(createWatchActivities(deps, { pollMs: { base: 1 } }).awaitMarketMove, { mandate, marks: [mark] })
    setTimeout(() => env.cancel(), 20)
    await expect(running).rejects.toBeInstanceOf(CancelledFailure)
  })

  test('refuses a mandate that wakes on no move, typed', async () => {
    const { deps } = fakeDeps([{ block: 10n, sqrtPriceX96: Q96 }])
    const off = { ...mandate, loop: { intervalSec: 3600, wakeOnMoveBps: null } }
    await expect(
      new MockActivityEnvironment().run(createWatchActivities(deps).awaitMarketMove, { mandate: off, marks: [mark] }),
    ).rejects.toMatchObject({
      type: 'Keel.InvalidInputError',
    })
  })
})
