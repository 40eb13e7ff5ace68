import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chainKeys } from '../chains/types.ts'
import { waitForStatus } from '../temporal/client.ts'
import { type KeelProcess, spawnKeel } from './fixtures/keelProcess.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'
import { holdBlocks, releaseBlocks, swapEvent, waitForPendingSwap } from './fixtures/swaps.ts'

// A worker whose swap is sent but never mined (automine off) gets SIGTERM: it must exit 0 within
// its shutdown grace time plus a margin, long before the 180 s receipt timeout on ethereum, and a
// new worker then finishes the hedge with exactly one swap.

const graceSec = 5

let stack: Stack
const workers: KeelProcess[] = []
beforeAll(async () => {
  stack = await startStack({ name: 'sigterm' })
})
afterAll(async () => {
  for (const w of workers) await w.kill()
  await stack?.stop()
})

function spawnWorker(): KeelProcess {
  const w = spawnKeel({
    args: ['worker', '--task-queue-prefix', stack.taskQueuePrefix],
    env: {
      ...process.env,
      KEEL_STATE_DIR: stack.stateDir,
      TEMPORAL_ADDRESS: stack.temporal.address,
      KEEL_LOG_LEVEL: 'ERROR',
      KEEL_WORKER_SHUTDOWN_GRACE_SEC: String(graceSec),
    },
  })
  workers.push(w)
  return w
}

describe('keel worker on SIGTERM', () => {
  test('exits 0 within its grace time while a submit waits for a receipt, and a new worker finishes the hedge exactly once', async () => {
    const initialDelta = (await stack.exposure()).deltaWei
    // A swap waiting in a public mempool is the case here: Ethereum's hedge goes out publicly too.
    const mandate = testMandate({
      portfolio: 'sigterm',
      treasury: stack.treasury,
      targetEth: ethTarget(initialDelta),
      bandEth: '10',
      execution: { routes: { ethereum: 'public' } },
    })
    const workerA = spawnWorker()
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, timeoutMs: 180_000 })
    const fromBlocks = await Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getBlockNumber()))
    const nonces = await Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })))
    const before = await Promise.all(chainKeys.map((c) => stack.balances(c)))

    await stack.sim.shock({ pct: -3 })
    // The swap stays in the mempool: the submit activity waits for a receipt that does not come.
    await holdBlocks(stack)
    await controls.wake()
    const swapChain = await waitForPendingSwap(stack)

    const sent = Date.now()
    workerA.signalGroup('SIGTERM')
    const exit = await workerA.exited
    const exitSec = (Date.now() - sent) / 1000
    console.log(`worker exited ${exitSec.toFixed(1)} s after SIGTERM (grace ${graceSec} s) with ${JSON.stringify(exit)}`)
    expect(exit).toEqual({ code: 0, signal: null })
    expect(exitSec).toBeLessThan(graceSec + 20)

    await stack.chains[swapChain].testClient.mine({ blocks: 1 })
    await releaseBlocks(stack)
    spawnWorker()
    const after = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 1 && s.cyclesCompleted > first.cyclesCompleted,
      timeoutMs: 180_000,
      what: 'the hedge to finish on the new worker',
    })

    const hedge = after.hedges[0]!
    expect(hedge.status).toBe('completed')
    expect(hedge.chain).toBe(swapChain)
    const swaps = await Promise.all(
      chainKeys.map((c, i) =>
        stack.chains[c].publicClient.getLogs({
          address: stack.manifest.chains[c].contracts.wethUsdcPool,
          event: swapEvent,
          args: { recipient: stack.treasury },
          fromBlock: fromBlocks[i]! + 1n,
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
  })
})
