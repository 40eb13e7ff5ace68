import { erc20Abi, parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { acrossSectionSchema } from '../chains/devnet/across/section.ts'
import { portfolioControls, startPortfolio, waitForStatus } from '../temporal/client.ts'
import { ethTarget, type Stack, startStack, testMandate } from './fixtures/stack.ts'

const USDC = 10n ** 6n

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'transfer-crash' })
})
afterAll(async () => {
  await stack?.stop()
})

const fundsDeposited = parseAbiItem(
  'event FundsDeposited(bytes32 inputToken, bytes32 outputToken, uint256 inputAmount, uint256 outputAmount, uint256 indexed destinationChainId, uint256 indexed depositId, uint32 quoteTimestamp, uint32 fillDeadline, uint32 exclusivityDeadline, bytes32 indexed depositor, bytes32 recipient, bytes32 exclusiveRelayer, bytes message)',
)

describe('a worker killed mid-transfer', () => {
  test('is replaced and the transfer completes with exactly one deposit, the treasury charged once', async () => {
    const base = stack.chains.base
    const spokePool = acrossSectionSchema.parse(stack.manifest.bridges?.across).chains.base.spokePool
    const usdc = () =>
      base.publicClient.readContract({
        address: stack.manifest.chains.base.contracts.usdc,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [stack.treasury],
      })
    const workerA = stack.spawnWorkerProcess()
    const delta = (await stack.exposure()).deltaWei
    await startPortfolio({
      client: stack.client,
      mandate: testMandate({ portfolio: 'crash-move', treasury: stack.treasury, targetEth: ethTarget(delta), bandEth: '50' }),
      taskQueuePrefix: stack.taskQueuePrefix,
    })
    const controls = portfolioControls(stack.client, 'crash-move')
    await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, timeoutMs: 180_000 })
    const before = await usdc()
    const fromBlock = await base.publicClient.getBlockNumber()

    // Hold Base's transactions in its mempool: the worker dies after sending the deposit, before its receipt.
    await base.testClient.setAutomine(false)
    await controls.requestTransfer({ asset: 'USDC', from: 'base', to: 'arbitrum', amount: (7_000n * USDC).toString(), bridge: 'across-v3' })
    await waitForPendingTo(stack, spokePool)
    await workerA.kill()
    await base.testClient.mine({ blocks: 1 })
    await base.testClient.setAutomine(true)

    stack.spawnWorkerProcess()
    const done = await waitForStatus({
      status: controls.status,
      done: (s) => s.transfers?.some((t) => t.state === 'delivered') ?? false,
      timeoutMs: 180_000,
      what: 'the transfer to complete on the new worker',
    })
    const t = done.transfers!.find((x) => x.state === 'delivered')!
    const deposits = await base.publicClient.getLogs({ address: spokePool, event: fundsDeposited, fromBlock })
    expect(deposits).toHaveLength(1)
    expect(deposits[0]!.args.depositId?.toString()).toBe(t.transferId)
    expect(await usdc()).toBe(before - 7_000n * USDC)
    expect(BigInt(t.settledAmount!)).toBe(7_000n * USDC - BigInt(t.assetFee))
  })
})

/** Waits until the treasury has a transaction to `to` in Base's mempool, mining any approval ahead of it. */
async function waitForPendingTo(stack: Stack, to: `0x${string}`): Promise<void> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const pool = await stack.chains.base.testClient.getTxpoolContent()
    const pending = Object.entries(pool.pending).find(([from]) => from.toLowerCase() === stack.treasury.toLowerCase())?.[1] ?? {}
    for (const tx of Object.values(pending)) {
      if (tx.to?.toLowerCase() === to.toLowerCase()) return
      await stack.chains.base.testClient.mine({ blocks: 1 })
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('no deposit was sent within 120 s')
}
