import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseMandate } from '../agent/mandate/schema.ts'
import { chainKeys } from '../chains/types.ts'
import { waitForStatus } from '../temporal/client.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'
import { holdBlocks, releaseBlocks, swapEvent, waitForPendingSwap } from './fixtures/swaps.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'crash' })
})
afterAll(async () => {
  await stack?.stop()
})

describe('a worker killed mid-swap', () => {
  test('resumes on a new worker and swaps exactly once', async () => {
    const initialDelta = (await stack.exposure()).deltaWei
    // A swap waiting in a public mempool is the case here: Ethereum's hedge goes out publicly too.
    const mandate = testMandate({
      portfolio: 'crash',
      treasury: stack.treasury,
      targetEth: ethTarget(initialDelta),
      bandEth: '10',
      execution: { routes: { ethereum: 'public' } },
    })
    const workerA = stack.spawnWorkerProcess()
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, timeoutMs: 180_000 })
    const fromBlocks = Object.fromEntries(
      await Promise.all(chainKeys.map(async (c) => [c, await stack.chains[c].publicClient.getBlockNumber()] as const)),
    )
    const nonces = await Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })))
    const before = await Promise.all(chainKeys.map((c) => stack.balances(c)))

    await stack.sim.shock({ pct: -3 })
    // Hold every transaction in the mempool so the worker can be killed after the swap is sent
    // and before its activity sees a receipt.
    await holdBlocks(stack)
    await controls.wake()
    const swapChain = await waitForPendingSwap(stack)
    await workerA.kill()

    await stack.chains[swapChain].testClient.mine({ blocks: 1 })
    await releaseBlocks(stack)
    stack.spawnWorkerProcess()
    const after = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 1 && s.cyclesCompleted > first.cyclesCompleted,
      timeoutMs: 180_000,
      what: 'the hedge to finish on the new worker',
    })

    const hedge = after.hedges[0]!
    expect(hedge.status).toBe('completed')
    expect(hedge.chain).toBe(swapChain)
    // Exactly one swap by the treasury on every chain together, and only the hedge's transactions.
    const swaps = await Promise.all(
      chainKeys.map((c) =>
        stack.chains[c].publicClient.getLogs({
          address: stack.manifest.chains[c].contracts.wethUsdcPool,
          event: swapEvent,
          args: { recipient: stack.treasury },
          fromBlock: fromBlocks[c]! + 1n,
        }),
      ),
    )
    expect(swaps.flat()).toHaveLength(1)
    const noncesAfter = await Promise.all(
      chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })),
    )
    chainKeys.forEach((c, i) => {
      expect(noncesAfter[i]! - nonces[i]!).toBe(c === swapChain ? hedge.txHashes.length : 0)
    })
    const i = chainKeys.indexOf(swapChain)
    const now = await stack.balances(swapChain)
    expect(now.weth).toBe(before[i]!.weth - BigInt(hedge.amountIn))
    expect(now.usdc).toBe(before[i]!.usdc + BigInt(hedge.amountOut))
    const target = parseMandate(mandate).delta.targetEth
    const delta = (await stack.exposure()).deltaWei
    expect(delta - target < 10n * 10n ** 18n && target - delta < 10n * 10n ** 18n).toBe(true)
    expect(after.lastObservation?.insideBand).toBe(true)
  })
})
