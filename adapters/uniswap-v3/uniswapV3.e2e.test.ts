import { type Address, decodeFunctionData, encodeFunctionData, type Hex, parseAbi, parseEther, parseEventLogs, parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { getTickAtSqrtRatio } from '../../agent/lp/tickMath.ts'
import { treasuryHoldings } from '../../chains/devnet/constants.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { createExecutor } from '../executor/executor.ts'
import type { Call, SwapQuote } from '../types.ts'
import { erc20Abi, swapRouterAbi } from './abis.ts'
import { minAmountOut } from './buildCalls.ts'
import { type DevnetFixture, startDevnetFixture } from './devnetFixture.ts'
import { InvalidQuoteError } from './errors.ts'
import { createUniswapV3Adapter } from './index.ts'

let fx: DevnetFixture

const poolAdminAbi = parseAbi([
  'function createPool(address tokenA, address tokenB, uint24 fee) returns (address pool)',
  'function getPool(address tokenA, address tokenB, uint24 fee) view returns (address pool)',
  'function initialize(uint160 sqrtPriceX96)',
])

beforeAll(async () => {
  fx = await startDevnetFixture()
})

afterAll(async () => {
  await fx?.stop()
})

const treasuryOf = (chain: ChainKey) => fx.manifest.chains[chain].accounts.treasury
const contractsOf = (chain: ChainKey) => fx.manifest.chains[chain].contracts

async function okQuote(req: { chain: ChainKey; tokenIn: Address; tokenOut: Address; amountIn: bigint }): Promise<SwapQuote> {
  const q = await fx.adapter.quote(req)
  if (q.status !== 'ok') throw new Error(`expected a quote, got unavailable: ${q.reason}`)
  return q
}

/** Sends the swap of `quote` from the treasury through the executor; returns the amount of tokenOut the treasury received. */
async function executeSwap(quote: SwapQuote, key: string): Promise<{ received: bigint; minOut: bigint }> {
  const chain = quote.chain
  const client = fx.clients[chain]
  const executor = createExecutor({
    chain,
    chainId: fx.manifest.chains[chain].chainId,
    publicClient: client,
    account: privateKeyToAccount(fx.manifest.devKeys.treasury),
  })
  const calls = await fx.adapter.buildCalls({
    quote,
    recipient: treasuryOf(chain),
    slippageBps: 50,
    deadlineSec: quote.blockTimestampSec + 600n,
  })
  const swap = decodeFunctionData({ abi: swapRouterAbi, data: calls.at(-1)!.data })
  const prepared = await executor.prepare({ calls, idempotencyKey: key })
  let received = 0n
  for (const tx of prepared) {
    const result = await executor.submit(tx)
    const receipt = await client.getTransactionReceipt({ hash: result.hash })
    for (const log of parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })) {
      if (log.address.toLowerCase() === quote.tokenOut.toLowerCase() && log.args.to === treasuryOf(chain)) received += log.args.value
    }
  }
  return { received, minOut: swap.args[0].amountOutMinimum }
}

describe('quote', () => {
  test('matches the executed swap output to the wei when nothing moves in between (WETH -> USDC)', async () => {
    const { weth, usdc } = contractsOf('base')
    const q = await okQuote({ chain: 'base', tokenIn: weth, tokenOut: usdc, amountIn: parseEther('1.234567891234567891') })
    expect(q.amountOut).toBeGreaterThan(0n)
    expect(q.gasEstimate).toBeGreaterThan(0n)
    const { received, minOut } = await executeSwap(q, 'e2e-quote-weth-usdc')
    expect(received).toBe(q.amountOut)
    expect(minOut).toBe(minAmountOut({ amountOut: q.amountOut, slippageBps: 50 }))
  })

  test('matches the executed swap output to the wei when nothing moves in between (USDC -> WETH)', async () => {
    const { weth, usdc } = contractsOf('arbitrum')
    const q = await okQuote({ chain: 'arbitrum', tokenIn: usdc, tokenOut: weth, amountIn: parseUnits('4321.123457', 6) })
    const { received } = await executeSwap(q, 'e2e-quote-usdc-weth')
    expect(received).toBe(q.amountOut)
  })

  test('reports the block it was read at', async () => {
    const { weth, usdc } = contractsOf('ethereum')
    const q = await okQuote({ chain: 'ethereum', tokenIn: weth, tokenOut: usdc, amountIn: parseEther('1') })
    const block = await fx.clients.ethereum.getBlock({ blockNumber: q.blockNumber })
    expect(q.blockTimestampSec).toBe(block.timestamp)
  })

  test('returns unavailable when amountIn is 0', async () => {
    const { weth, usdc } = contractsOf('ethereum')
    const q = await fx.adapter.quote({ chain: 'ethereum', tokenIn: weth, tokenOut: usdc, amountIn: 0n })
    expect(q.status).toBe('unavailable')
  })

  test('returns unavailable when no pool exists for the pair', async () => {
    const { weth, ethUsdFeed } = contractsOf('ethereum')
    const q = await fx.adapter.quote({ chain: 'ethereum', tokenIn: weth, tokenOut: ethUsdFeed, amountIn: parseEther('1') })
    expect(q).toEqual({ status: 'unavailable', reason: expect.stringContaining('no pool') })
  })

  test('returns unavailable when the pool is uninitialised and then when it has no liquidity', async () => {
    const chain = 'ethereum'
    const { weth, usdc, uniswapV3Factory } = contractsOf(chain)
    const deployer = createExecutor({
      chain,
      chainId: fx.manifest.chains[chain].chainId,
      publicClient: fx.clients[chain],
      account: privateKeyToAccount(fx.manifest.devKeys.deployer),
    })
    const send = async (call: Omit<Call, 'chainId' | 'value'>, key: string) => {
      for (const tx of await deployer.prepare({ calls: [{ ...call, chainId: 1, value: 0n }], idempotencyKey: key }))
        await deployer.submit(tx)
    }
    await send(
      {
        to: uniswapV3Factory,
        data: encodeFunctionData({ abi: poolAdminAbi, functionName: 'createPool', args: [weth, usdc, 3000] }),
        description: 'createPool',
      },
      'e2e-create-pool',
    )
    const adapter3000 = createUniswapV3Adapter({ clients: fx.clients, contracts: { [chain]: { ...contractsOf(chain), poolFee: 3000 } } })
    const req = { chain, tokenIn: weth, tokenOut: usdc, amountIn: parseEther('1') } as const
    expect(await adapter3000.quote(req)).toEqual({ status: 'unavailable', reason: expect.stringContaining('not initialised') })

    const pool = await fx.clients[chain].readContract({
      address: uniswapV3Factory,
      abi: poolAdminAbi,
      functionName: 'getPool',
      args: [weth, usdc, 3000],
    })
    const sqrtPriceX96 = (await fx.adapter.readPoolState({ chain })).sqrtPriceX96
    await send(
      {
        to: pool,
        data: encodeFunctionData({ abi: poolAdminAbi, functionName: 'initialize', args: [sqrtPriceX96] }),
        description: 'initialize',
      },
      'e2e-init-pool',
    )
    expect(await adapter3000.quote(req)).toEqual({ status: 'unavailable', reason: expect.stringContaining('no in-range liquidity') })
  })

  test('returns unavailable when the adapter does not serve the chain', async () => {
    const onlyBase = createUniswapV3Adapter({
      clients: { base: fx.clients.base },
      contracts: { base: { ...contractsOf('base'), poolFee: fx.manifest.chains.base.poolFee } },
    })
    expect(onlyBase.manifest.chains).toEqual(['base'])
    const { weth, usdc } = contractsOf('ethereum')
    const q = await onlyBase.quote({ chain: 'ethereum', tokenIn: weth, tokenOut: usdc, amountIn: 1n })
    expect(q.status).toBe('unavailable')
  })
})

describe('buildCalls', () => {
  test('returns only the swap when the owner already allows the router enough', async () => {
    const { weth, usdc, swapRouter } = contractsOf('ethereum')
    const q = await okQuote({ chain: 'ethereum', tokenIn: weth, tokenOut: usdc, amountIn: parseEther('2') })
    const calls = await fx.adapter.buildCalls({
      quote: q,
      recipient: treasuryOf('ethereum'),
      slippageBps: 30,
      deadlineSec: q.blockTimestampSec + 60n,
    })
    expect(calls).toHaveLength(1)
    expect(calls[0]!.to).toBe(swapRouter)
    expect(calls[0]!.chainId).toBe(1)
    const { args } = decodeFunctionData({ abi: swapRouterAbi, data: calls[0]!.data })
    expect(args[0]).toEqual({
      tokenIn: weth,
      tokenOut: usdc,
      fee: 500,
      recipient: treasuryOf('ethereum'),
      deadline: q.blockTimestampSec + 60n,
      amountIn: parseEther('2'),
      amountOutMinimum: minAmountOut({ amountOut: q.amountOut, slippageBps: 30 }),
      sqrtPriceLimitX96: 0n,
    })
  })

  test('prepends an approve of exactly amountIn when the owner has no allowance', async () => {
    const { weth, usdc, swapRouter } = contractsOf('ethereum')
    const owner: Address = '0x000000000000000000000000000000000000bEEF'
    const q = await okQuote({ chain: 'ethereum', tokenIn: usdc, tokenOut: weth, amountIn: 1_000_000n })
    const calls = await fx.adapter.buildCalls({
      quote: q,
      recipient: treasuryOf('ethereum'),
      owner,
      slippageBps: 100,
      deadlineSec: q.blockTimestampSec + 60n,
    })
    expect(calls).toHaveLength(2)
    expect(calls[0]!.to).toBe(usdc)
    const approve = decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data as Hex })
    expect(approve.functionName).toBe('approve')
    expect(approve.args).toEqual([swapRouter, 1_000_000n])
  })

  test('throws InvalidQuoteError when the deadline is not after the quote time', async () => {
    const { weth, usdc } = contractsOf('ethereum')
    const q = await okQuote({ chain: 'ethereum', tokenIn: weth, tokenOut: usdc, amountIn: parseEther('1') })
    await expect(
      fx.adapter.buildCalls({ quote: q, recipient: treasuryOf('ethereum'), slippageBps: 30, deadlineSec: q.blockTimestampSec }),
    ).rejects.toBeInstanceOf(InvalidQuoteError)
  })
})

describe('readPositions', () => {
  test.each(chainKeys)('returns the treasury spot balances and its two LP NFTs on %s', async (chain) => {
    const { weth, usdc, wethUsdcPool } = contractsOf(chain)
    const owner = treasuryOf(chain)
    // The quote tests above traded on base and arbitrum; ethereum only quoted.
    const positions = await fx.adapter.readPositions({ chain, owner })
    const spot = positions.filter((p) => p.kind === 'spot')
    const lp = positions.filter((p) => p.kind === 'uniswap-v3-lp')
    const onChain = async (token: Address) =>
      fx.clients[chain].readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
    expect(spot).toEqual([
      { kind: 'spot', chain, token: weth, owner, amount: await onChain(weth) },
      { kind: 'spot', chain, token: usdc, owner, amount: await onChain(usdc) },
    ])
    if (chain === 'ethereum') {
      expect(spot.map((s) => s.amount)).toEqual([treasuryHoldings.spotWeth, treasuryHoldings.spotUsdc])
    }
    expect(lp.map((p) => p.tokenId.toString())).toEqual(fx.manifest.chains[chain].treasuryLpTokenIds)
    for (const p of lp) {
      expect(p.pool).toBe(wethUsdcPool)
      expect(p.fee).toBe(500)
      expect(new Set([p.token0, p.token1])).toEqual(new Set([weth, usdc]))
      expect(p.tickLower).toBeLessThan(p.tickUpper)
      expect(p.liquidity).toBeGreaterThan(0n)
    }
  })
})

describe('readPoolState', () => {
  test('returns a consistent price, tick and token order for the WETH/USDC pool', async () => {
    const { weth, usdc, wethUsdcPool } = contractsOf('ethereum')
    const s = await fx.adapter.readPoolState({ chain: 'ethereum' })
    expect(s.pool).toBe(wethUsdcPool)
    expect(s.tick).toBe(getTickAtSqrtRatio(s.sqrtPriceX96))
    expect(s.liquidity).toBeGreaterThan(0n)
    const wethIsToken0 = weth.toLowerCase() < usdc.toLowerCase()
    expect([s.token0, s.token1]).toEqual(wethIsToken0 ? [weth, usdc] : [usdc, weth])
    expect([s.decimals0, s.decimals1]).toEqual(wethIsToken0 ? [18, 6] : [6, 18])
  })
})
