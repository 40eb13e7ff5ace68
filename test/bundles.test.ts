import { type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { SubmitRoute } from '../agent/execution/routes.ts'
import { portfolioTaskQueue } from '../agent/taskQueues.ts'
import { createReadActivities } from '../temporal/activities/createActivities.ts'
import type { QuoteJson } from '../temporal/activities/types.ts'
import { createActivityDeps } from '../temporal/worker.ts'
import { type RebalanceInput, type RebalanceResult, rebalanceWorkflow } from '../workflows/rebalanceWorkflow.ts'
import { type Stack, startStack, testMandate } from './fixtures/stack.ts'
import { swapEvent } from './fixtures/swaps.ts'

// Hedges on Ethereum through the devnet relay, run by real workers on a real Temporal server:
// the fallback at the deadline (public or stop), and a worker killed between bundle attempts.

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'bundles' })
})
afterAll(async () => {
  await stack?.stop()
})

const eth = () => stack.chains.ethereum.publicClient
const nonce = () => eth().getTransactionCount({ address: stack.treasury })

type RelayBundle = { replacementUuid: string | null; status: string; blockNumber: number; txHashes: Hex[] }
async function relayCall<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(stack.manifest.relay!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await res.json()) as { result: T }).result
}

const route = (over: Partial<Extract<SubmitRoute, { kind: 'flashbots' }>>): SubmitRoute => ({
  kind: 'flashbots',
  deadlineBlocks: 6,
  feeStepBps: 2_500,
  maxPriorityFeePerGas: (5n * 10n ** 9n).toString(),
  fallback: 'stop',
  reprice: { afterBlocks: 3, maxFeePerGas: (200n * 10n ** 9n).toString() },
  ...over,
})

/** A 1 ETH sell on Ethereum, quoted now, as the portfolio would start it. */
async function hedgeInput(id: string, r: SubmitRoute): Promise<RebalanceInput> {
  const mandate = testMandate({ portfolio: 'bundles', treasury: stack.treasury, targetEth: '0', bandEth: '1' })
  const read = createReadActivities(createActivityDeps({ environment: stack.environment, signChains: [] }))
  const [quote] = await read.quoteHedge({
    mandate,
    direction: 'sell-eth',
    requests: [{ chain: 'ethereum', amountIn: parseEther('1').toString() }],
  })
  if (quote?.status !== 'ok') throw new Error('no quote')
  return {
    portfolio: 'bundles',
    idempotencyKey: id,
    chain: 'ethereum',
    chainId: stack.manifest.chains.ethereum.chainId,
    direction: 'sell-eth',
    treasury: stack.treasury,
    quote: quote as Extract<QuoteJson, { status: 'ok' }>,
    slippageBps: 100,
    deadlineSec: (BigInt(quote.blockTimestampSec) + 3600n).toString(),
    taskQueuePrefix: stack.taskQueuePrefix,
    routes: { ethereum: r },
  }
}

const run = (input: RebalanceInput): Promise<RebalanceResult> =>
  stack.client.workflow.execute(rebalanceWorkflow, {
    taskQueue: portfolioTaskQueue(stack.taskQueuePrefix),
    workflowId: input.idempotencyKey,
    args: [input],
  })

async function swapsSince(block: bigint): Promise<number> {
  const logs = await eth().getLogs({
    address: stack.manifest.chains.ethereum.contracts.wethUsdcPool,
    event: swapEvent,
    args: { recipient: stack.treasury },
    fromBlock: block + 1n,
  })
  return logs.length
}

describe('a hedge sent as a bundle', () => {
  test('a worker killed between bundle attempts: the next worker resumes the same send and the swap lands once', async () => {
    const input = await hedgeInput('bundles-crash', route({ deadlineBlocks: 60 }))
    const [n0, before, from] = await Promise.all([nonce(), stack.balances('ethereum'), eth().getBlockNumber({ cacheTime: 0 })])
    await relayCall('devnet_setInclusion', [{ include: false }])
    const workerA = stack.spawnWorkerProcess()
    const result = run(input)
    // Wait for two attempts of this send at the relay, then kill the worker.
    let uuid: string | null = null
    for (let i = 0; i < 600 && !uuid; i++) {
      const ours = (await relayCall<RelayBundle[]>('devnet_bundles')).filter((b) => b.replacementUuid !== null)
      const counts = new Map<string, number>()
      for (const b of ours) counts.set(b.replacementUuid!, (counts.get(b.replacementUuid!) ?? 0) + 1)
      uuid = [...counts].find(([, n]) => n >= 2)?.[0] ?? null
      if (!uuid) await new Promise((r) => setTimeout(r, 100))
    }
    expect(uuid).not.toBeNull()
    await workerA.kill()
    const ofSend = async () => (await relayCall<RelayBundle[]>('devnet_bundles')).filter((b) => b.replacementUuid === uuid)
    const byA = (await ofSend()).length
    // The next worker takes the send over: its attempts carry the same UUID (and nonces); then the relay lands bundles again.
    const workerB = stack.spawnWorkerProcess()
    for (let i = 0; i < 1200 && (await ofSend()).length <= byA; i++) await new Promise((r) => setTimeout(r, 100))
    await relayCall('devnet_setInclusion', [{ include: true }])
    try {
      const done = await result
      expect(done.status).toBe('completed')
      if (done.status !== 'completed') return
      expect(done.submission?.route).toBe('flashbots')
      const bundles = (await relayCall<RelayBundle[]>('devnet_bundles')).filter((b) => b.replacementUuid === uuid)
      // The last attempt of the killed worker may be the one that lands (its block came after inclusion resumed): then the new worker sends none.
      expect(bundles.length).toBeGreaterThanOrEqual(2)
      expect(bundles.filter((b) => b.status === 'included')).toHaveLength(1)
      expect(await swapsSince(from)).toBe(1)
      expect(await nonce()).toBe(n0 + done.txHashes.length)
      const after = await stack.balances('ethereum')
      expect(after.weth).toBe(before.weth - parseEther('1'))
      expect(after.usdc).toBe(before.usdc + BigInt(done.amountOut))
    } finally {
      await workerB.kill()
    }
  })

  test('no inclusion by the deadline with fallback public: the last version goes to the mempool and lands', async () => {
    await stack.startWorkers()
    const input = await hedgeInput('bundles-fallback-public', route({ deadlineBlocks: 3, fallback: 'public' }))
    const [n0, from] = await Promise.all([nonce(), eth().getBlockNumber({ cacheTime: 0 })])
    await relayCall('devnet_setInclusion', [{ include: false }])
    try {
      const done = await run(input)
      expect(done.status).toBe('completed')
      if (done.status !== 'completed') return
      expect(done.submission?.route).toBe('flashbots>public-mempool')
      // Bundles for at most the three blocks of the window, then the public send: mined within a few blocks more.
      const minedAt = (await eth().getTransactionReceipt({ hash: done.txHashes.at(-1)! })).blockNumber
      expect(minedAt - from).toBeLessThanOrEqual(3n + 4n)
      expect(await swapsSince(from)).toBe(1)
      expect(await nonce()).toBe(n0 + done.txHashes.length)
    } finally {
      await relayCall('devnet_setInclusion', [{ include: true }])
    }
  })

  test('no inclusion by the deadline with fallback stop: nothing is sent publicly, the nonces are cancelled, nothing traded', async () => {
    const input = await hedgeInput('bundles-fallback-stop', route({ deadlineBlocks: 3, fallback: 'stop' }))
    const [n0, before, from] = await Promise.all([nonce(), stack.balances('ethereum'), eth().getBlockNumber({ cacheTime: 0 })])
    await relayCall('devnet_setInclusion', [{ include: false }])
    try {
      const done = await run(input)
      expect(done.status).toBe('failed')
      if (done.status === 'completed') return
      expect(done.failureType).toBe('Executor.BundleNotIncludedError')
      const settlement = done.settlement
      expect(settlement?.status).toBe('settled')
      if (settlement?.status !== 'settled') return
      expect(settlement.landed).toEqual([])
      expect(await swapsSince(from)).toBe(0)
      // Every signed nonce was taken by a cancel (a self-transfer): none is left open, none skipped.
      expect(settlement.cancels.length).toBeGreaterThanOrEqual(1)
      expect(await nonce()).toBe(n0 + settlement.cancels.length)
      const after = await stack.balances('ethereum')
      expect(after.weth).toBe(before.weth)
      expect(after.usdc).toBe(before.usdc)
    } finally {
      await relayCall('devnet_setInclusion', [{ include: true }])
      await stack.stopWorkers()
    }
  })
})
