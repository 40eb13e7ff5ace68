import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { waitForStatus } from '../temporal/client.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'block-wake' })
  await stack.startWorkers()
})
afterAll(async () => {
  await stack?.stop()
})

describe('portfolio loop woken by blocks', () => {
  test('a price shock wakes a loop with an hour-long interval: it observes and hedges within a few blocks, with no signal', async () => {
    const initialDelta = (await stack.exposure()).deltaWei
    const mandate = testMandate({
      portfolio: 'block-wake',
      treasury: stack.treasury,
      targetEth: ethTarget(initialDelta),
      bandEth: '10',
      loop: { intervalSec: 3600, wakeOnMoveBps: 50 },
    })
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 && s.marketMarks !== undefined })
    expect(first.lastObservation?.insideBand).toBe(true)

    // A move inside the threshold (0.2 % < 0.5 %) leaves the loop asleep.
    const small = await stack.sim.shock({ pct: 0.2 })
    // The watch polls every 20–50 ms and Ethereum's relay mines every 250 ms: 1.5 s is many blocks past it.
    await new Promise((r) => setTimeout(r, 1_500))
    const stillAsleep = await controls.status()
    expect(stillAsleep.cyclesCompleted).toBe(first.cyclesCompleted)
    expect(stillAsleep.lastWake).toBeUndefined()

    // A 3 % drop: the LPs end up long ETH, delta leaves the band, and only the blocks can tell the loop.
    const shock = await stack.sim.shock({ pct: -3 })
    const after = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 1 && s.cyclesCompleted > first.cyclesCompleted,
      timeoutMs: 45_000,
      what: 'a hedge woken by the shock',
    })
    const wake = after.lastWake!
    expect(wake.reason).toBe('price')
    // Measured from the first observation, before the small move: 1.002 × 0.97 is 2.806 % down.
    expect(wake.movedBps).toBeGreaterThanOrEqual(280)
    expect(wake.movedBps).toBeLessThanOrEqual(281)
    expect(BigInt(wake.blockNumber)).toBeGreaterThanOrEqual(shock.chains[wake.chain].blockNumber)
    expect(BigInt(wake.blockNumber)).toBeLessThanOrEqual(shock.chains[wake.chain].blockNumber + 2n)
    expect(BigInt(wake.blockNumber)).toBeGreaterThan(small.chains[wake.chain].blockNumber)

    const hedge = after.hedges[0]!
    expect(hedge.status).toBe('completed')
    expect(hedge.direction).toBe('sell-eth')
    const swapHash = hedge.txHashes[hedge.txHashes.length - 1] as Hex
    const receipt = await stack.chains[hedge.chain].publicClient.getTransactionReceipt({ hash: swapHash })
    const blocksAfterShock = receipt.blockNumber - shock.chains[hedge.chain].blockNumber
    // Devnet chains mine per transaction or every 250 ms: the approve and the swap, and a few empty blocks at most.
    expect(blocksAfterShock).toBeGreaterThanOrEqual(1n)
    expect(blocksAfterShock).toBeLessThanOrEqual(hedge.chain === 'ethereum' ? 40n : 4n)
    expect(after.lastObservation?.insideBand).toBe(true)
  })
})
