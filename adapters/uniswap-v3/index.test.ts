import type { PublicClient } from 'viem'
import { describe, expect, test } from 'vitest'
import { createUniswapV3Adapter } from './index.ts'

const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as const
const contracts = {
  weth: a(1),
  usdc: a(2),
  uniswapV3Factory: a(3),
  nonfungiblePositionManager: a(4),
  swapRouter: a(5),
  quoterV2: a(6),
  wethUsdcPool: a(7),
  ethUsdFeed: a(8),
  poolFee: 500,
}
// Validation must fail before any RPC: a client that throws on use proves no call was made.
const unreachable = new Proxy(
  { chain: { id: 8453 } },
  {
    get: (t, p) => (p === 'chain' ? t.chain : () => Promise.reject(new Error('no RPC expected'))),
  },
) as unknown as PublicClient
const deps = { clients: { base: unreachable }, contracts: { base: contracts } }

describe('createUniswapV3Adapter', () => {
  test('lists only the chains that have both a client and contracts', () => {
    const adapter = createUniswapV3Adapter({
      clients: { base: unreachable, ethereum: unreachable },
      contracts: { base: contracts, arbitrum: contracts },
    })
    expect(adapter.manifest).toMatchObject({ id: 'uniswap-v3', kind: 'amm', chains: ['base'] })
    expect(adapter.supports({ chain: 'base', tokenIn: contracts.weth, tokenOut: contracts.usdc, amountIn: 1n })).toBe(true)
    expect(adapter.supports({ chain: 'ethereum', tokenIn: contracts.weth, tokenOut: contracts.usdc, amountIn: 1n })).toBe(false)
  })

  test('quotes unavailable without touching the RPC when amountIn is 0', async () => {
    const adapter = createUniswapV3Adapter(deps)
    expect(await adapter.quote({ chain: 'base', tokenIn: contracts.weth, tokenOut: contracts.usdc, amountIn: 0n })).toEqual({
      status: 'unavailable',
      reason: 'amountIn is 0',
    })
  })
})
