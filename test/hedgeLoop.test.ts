import { WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { type Hex, parseAbi, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ROLE_SWAP_GAS_OVERHEAD } from '../adapters/safe-roles/index.ts'
import { quoterV2Abi } from '../adapters/uniswap-v3/abis.ts'
import { exactInputSingleCall, minAmountOut } from '../adapters/uniswap-v3/buildCalls.ts'
import { parseMandate } from '../agent/mandate/schema.ts'
import { costVenue } from '../agent/venue/chooseVenue.ts'
import { uniswapV3PoolAbi } from '../chains/devnet/abis.ts'
import { l1DataFeeWei } from '../chains/l1DataFee.ts'
import { type ChainKey, chainKeys } from '../chains/types.ts'
import { portfolioControls, waitForStatus } from '../temporal/client.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

const ETH = 10n ** 18n
const swapEventAbi = parseAbi([
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
])

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'hedge-loop', devnet: { treasury: 'safe' } })
  await stack.startWorkers()
})
afterAll(async () => {
  await stack?.stop()
})

const abs = (x: bigint) => (x < 0n ? -x : x)

describe('portfolio workflow on the devnet', () => {
  test('hedges on the cheapest chain when a price shock pushes delta out of the band, and lands back inside', async () => {
    // Start centred on the treasury's own delta, then push the price down: the LPs are short
    // gamma, so they end up holding more ETH and delta rises out of the band.
    const initialDelta = (await stack.exposure()).deltaWei
    const mandate = testMandate({ portfolio: 'hedge-main', treasury: stack.treasury, targetEth: ethTarget(initialDelta), bandEth: '10' })
    const target = parseMandate(mandate).delta.targetEth
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    expect(first.hedges).toHaveLength(0)
    expect(first.lastObservation?.insideBand).toBe(true)

    const before = Object.fromEntries(await Promise.all(chainKeys.map(async (c) => [c, await stack.balances(c)] as const))) as Record<
      ChainKey,
      { weth: bigint; usdc: bigint }
    >
    await stack.sim.shock({ pct: -3 })
    await controls.wake()
    const after = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 1 && s.cyclesCompleted > first.cyclesCompleted,
    })
    const hedge = after.hedges[0]!
    expect(hedge.status).toBe('completed')
    expect(hedge.direction).toBe('sell-eth')
    expect(BigInt(hedge.deltaBeforeWei) - target).toBeGreaterThan(10n * ETH)
    const deltaAfter = BigInt(hedge.deltaAfterWei!)
    expect(abs(deltaAfter - target)).toBeLessThanOrEqual(10n * ETH)
    expect(after.lastObservation?.insideBand).toBe(true)

    // Balances move by exactly the swap, on the hedged chain only.
    const chain = hedge.chain
    const swapHash = hedge.txHashes[hedge.txHashes.length - 1] as Hex
    const receipt = await stack.chains[chain].publicClient.getTransactionReceipt({ hash: swapHash })
    const [swap] = parseEventLogs({ abi: swapEventAbi, eventName: 'Swap', logs: receipt.logs })
    expect(swap).toBeDefined()
    const pool = stack.manifest.chains[chain].contracts
    // Uniswap orders a pool's tokens by address.
    const wethFirst = pool.weth.toLowerCase() < pool.usdc.toLowerCase()
    const wethDelta = wethFirst ? swap!.args.amount0 : swap!.args.amount1
    const usdcDelta = wethFirst ? swap!.args.amount1 : swap!.args.amount0
    expect(wethDelta).toBe(BigInt(hedge.amountIn))
    expect(-usdcDelta).toBe(BigInt(hedge.amountOut))
    for (const c of chainKeys) {
      const now = await stack.balances(c)
      if (c === chain) {
        expect(now.weth).toBe(before[c].weth - BigInt(hedge.amountIn))
        expect(now.usdc).toBe(before[c].usdc + BigInt(hedge.amountOut))
      } else {
        expect(now).toEqual(before[c])
      }
    }

    // The chosen chain was the cheapest: re-quote every chain at its pre-trade state.
    const costs = await Promise.all(
      chainKeys.map(async (c) => {
        const m = stack.manifest.chains[c]
        const blockNumber = c === chain ? receipt.blockNumber - 1n : await stack.chains[c].publicClient.getBlockNumber()
        const client = stack.chains[c].publicClient
        const [[amountOut, , , gasEstimate], slot0, block] = await Promise.all([
          client
            .simulateContract({
              address: m.contracts.quoterV2,
              abi: quoterV2Abi,
              functionName: 'quoteExactInputSingle',
              args: [
                {
                  tokenIn: m.contracts.weth,
                  tokenOut: m.contracts.usdc,
                  amountIn: BigInt(hedge.amountIn),
                  fee: m.poolFee,
                  sqrtPriceLimitX96: 0n,
                },
              ],
              blockNumber,
            })
            .then((r) => r.result),
          client.readContract({ address: m.contracts.wethUsdcPool, abi: uniswapV3PoolAbi, functionName: 'slot0', blockNumber }),
          client.getBlock({ blockNumber }),
        ])
        const priority = await client.estimateMaxPriorityFeePerGas()
        // The L2s' L1 data fee of the swap as keel builds it (the fixture's mandate: 50 bps, 600 s).
        const l1Fee = await l1DataFeeWei({
          chain: c,
          client,
          blockNumber,
          tx: exactInputSingleCall({
            contracts: { swapRouter: m.contracts.swapRouter, poolFee: m.poolFee },
            tokenIn: m.contracts.weth,
            tokenOut: m.contracts.usdc,
            recipient: stack.treasury,
            deadlineSec: block.timestamp + 600n,
            amountIn: BigInt(hedge.amountIn),
            amountOutMinimum: minAmountOut({ amountOut, slippageBps: 50 }),
          }),
        })
        return costVenue(
          {
            chain: c,
            direction: 'sell-eth',
            amountIn: BigInt(hedge.amountIn),
            amountOut,
            // The treasury is a Safe: the swap goes through its role, whose checks cost gas too.
            gasEstimate: gasEstimate + ROLE_SWAP_GAS_OVERHEAD,
            gasPriceWei: (block.baseFeePerGas ?? 0n) + priority,
            l1DataFeeWei: l1Fee,
            sqrtPriceX96: slot0[0],
            wethIsToken0: m.contracts.weth.toLowerCase() < m.contracts.usdc.toLowerCase(),
            balanceIn: before[c].weth,
          },
          { maxGasCostUsdc: 50_000_000n, maxSlippageBps: 50 },
        )
      }),
    )
    const cheapest = costs.filter((c) => c.rejected === null).sort((a, b) => (a.totalCostUsdc < b.totalCostUsdc ? -1 : 1))[0]
    expect(cheapest?.chain).toBe(chain)
  })

  test('pause stops hedging, a bad mandate update is refused without changing anything, resume hedges again', async () => {
    const controls = portfolioControls(stack.client, 'hedge-main')
    const start = await controls.status()
    const paused = await controls.pause('test')
    expect(paused.paused).toBe(true)

    await stack.sim.shock({ pct: 4 })
    await controls.wake()
    const nonces = await Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })))
    // Long enough for an unpaused loop to observe, quote and swap (it does in ~1 s here).
    await new Promise((r) => setTimeout(r, 5_000))
    const still = await controls.status()
    expect(still.hedges).toHaveLength(start.hedges.length)
    expect(still.cyclesCompleted).toBe(paused.cyclesCompleted)
    expect(await Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })))).toEqual(
      nonces,
    )

    const bad = [
      { ...still.mandate, delta: { targetEth: '1', bandEth: '-5' } },
      { ...still.mandate, portfolio: 'someone-else' },
      { ...still.mandate, hedge: { ...still.mandate.hedge, maxGasCostUsdc: 30 } },
    ]
    for (const mandate of bad) {
      const err = await controls.updateMandate(mandate as typeof still.mandate).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError)
      const cause = (err as WorkflowUpdateFailedError).cause
      expect(cause).toBeInstanceOf(ApplicationFailure)
      expect((cause as ApplicationFailure).type).toBe('Keel.InvalidInputError')
    }
    const unchanged = await controls.status()
    expect(unchanged.mandate).toEqual(still.mandate)
    expect(unchanged.paused).toBe(true)
    expect(unchanged.hedges).toEqual(still.hedges)

    await controls.resume()
    const resumed = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length > still.hedges.length && s.cyclesCompleted > still.cyclesCompleted,
    })
    const hedge = resumed.hedges[resumed.hedges.length - 1]!
    expect(hedge.status).toBe('completed')
    expect(hedge.direction).toBe('buy-eth')
    expect(resumed.lastObservation?.insideBand).toBe(true)
  })

  test('continues as new with its state when a run has done enough cycles', async () => {
    const mandate = testMandate({ portfolio: 'can-test', treasury: stack.treasury, targetEth: '0', bandEth: '100000' })
    const { controls } = await startAndObserve(stack, mandate, { continueAsNewAfterCycles: 2 })
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    const firstRun = (await controls.handle.describe()).runId
    for (let i = 0; i < 3; i++) {
      const before = (await controls.status()).cyclesCompleted
      await controls.wake()
      await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > before })
    }
    const status = await controls.status()
    const run = await controls.handle.describe()
    expect(run.runId).not.toBe(firstRun)
    expect(status.cyclesCompleted).toBeGreaterThanOrEqual(first.cyclesCompleted + 3)
    expect(status.mandate).toEqual(mandate)
    expect(status.lastObservation).not.toBeNull()
    const { executions } = await stack.client.workflowService.listWorkflowExecutions({
      namespace: stack.temporal.namespace,
      query: `WorkflowId = '${controls.handle.workflowId}'`,
    })
    expect(executions.length).toBeGreaterThanOrEqual(2)
    expect(executions.filter((e) => e.status === 6 /* CONTINUED_AS_NEW */).length).toBeGreaterThanOrEqual(1)
  })

  test('follows a capped hedge with more hedges in the same cycle until delta is back in the band', async () => {
    await portfolioControls(stack.client, 'hedge-main').handle.terminate('making room for the follow-up test')
    const target = (await stack.exposure()).deltaWei
    const mandate = testMandate({ portfolio: 'follow-up', treasury: stack.treasury, targetEth: ethTarget(target), bandEth: '5' })
    mandate.hedge = { ...mandate.hedge, maxHedgeSizeEth: '30' }
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    expect(first.lastObservation?.insideBand).toBe(true)
    await stack.sim.shock({ pct: -4 })
    await controls.wake()
    const after = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted === first.cyclesCompleted + 1 })
    // One wake, one loop iteration: the gap (> 60 ETH) needed several capped hedges.
    expect(after.hedges.length).toBeGreaterThanOrEqual(3)
    for (const h of after.hedges) {
      expect(h.status).toBe('completed')
      expect(BigInt(h.amountIn)).toBeLessThanOrEqual(30n * ETH)
    }
    expect(after.lastObservation?.insideBand).toBe(true)
  })
})
