import fc from 'fast-check'
import type { PublicClient } from 'viem'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../../agent/errors.ts'
import type { SwapQuote } from '../types.ts'
import { buildCalls, minAmountOut } from './buildCalls.ts'
import { ChainNotConfiguredError, InvalidQuoteError } from './errors.ts'

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

const quote: SwapQuote = {
  status: 'ok',
  venue: 'uniswap-v3',
  chain: 'base',
  tokenIn: contracts.weth,
  tokenOut: contracts.usdc,
  amountIn: 10n ** 18n,
  amountOut: 3_000_000_000n,
  gasEstimate: 100_000n,
  sqrtPriceX96After: 1n << 96n,
  blockNumber: 10n,
  blockTimestampSec: 1_700_000_000n,
}
const recipient = a(9)

describe('minAmountOut', () => {
  test('rounds down when the product is not a multiple of 10000', () => {
    // 999_999 × 9_950 / 10_000 = 994_999.005
    expect(minAmountOut({ amountOut: 999_999n, slippageBps: 50 })).toBe(994_999n)
    // 1 × 9_999 / 10_000 = 0.9999
    expect(minAmountOut({ amountOut: 1n, slippageBps: 1 })).toBe(0n)
    // 12_345_678_901_234_567_891 × 9_970 / 10_000 = 12_308_641_864_530_864_187.327...
    expect(minAmountOut({ amountOut: 12_345_678_901_234_567_891n, slippageBps: 30 })).toBe(12_308_641_864_530_864_187n)
  })

  test('keeps the amount when slippage is 0 and gives 0 when it is 10000', () => {
    expect(minAmountOut({ amountOut: 7n, slippageBps: 0 })).toBe(7n)
    expect(minAmountOut({ amountOut: 7n, slippageBps: 10_000 })).toBe(0n)
  })

  test('is the floor of the exact rational for any amount and tolerance', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 200n }), fc.integer({ min: 0, max: 10_000 }), (amountOut, slippageBps) => {
        const m = minAmountOut({ amountOut, slippageBps })
        const num = amountOut * BigInt(10_000 - slippageBps)
        // m ≤ exact < m + 1, i.e. m × 10000 ≤ num < (m + 1) × 10000
        expect(m * 10_000n <= num).toBe(true)
        expect(num < (m + 1n) * 10_000n).toBe(true)
      }),
    )
  })

  test('throws when slippageBps is not an integer in range', () => {
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: 10_001 })).toThrow(RangeError)
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: -1 })).toThrow(RangeError)
    expect(() => minAmountOut({ amountOut: 1n, slippageBps: 0.5 })).toThrow(RangeError)
  })
})

describe('buildCalls', () => {
  test('names the offending path and value when slippageBps is out of range', async () => {
    const err = await buildCalls(deps, { quote, recipient, slippageBps: 10_001, deadlineSec: 1_700_000_600n }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    const issue = (err as InvalidInputError).issues[0]!
    expect(issue.path).toBe('slippageBps')
    expect(issue.message).toContain('10001')
  })

  test('refuses a quote of another venue', async () => {
    const err = await buildCalls(deps, {
      quote: { ...quote, venue: 'other' },
      recipient,
      slippageBps: 30,
      deadlineSec: 1_700_000_600n,
    }).catch((e: unknown) => e)
    expect((err as InvalidInputError).issues.map((i) => i.path)).toEqual(['quote.venue'])
  })

  test('throws ChainNotConfiguredError when the quote is for a chain the adapter does not serve', async () => {
    await expect(
      buildCalls(deps, { quote: { ...quote, chain: 'arbitrum' }, recipient, slippageBps: 30, deadlineSec: 1_700_000_600n }),
    ).rejects.toBeInstanceOf(ChainNotConfiguredError)
  })

  test('throws InvalidQuoteError when the minimum output rounds to 0', async () => {
    await expect(
      buildCalls(deps, { quote: { ...quote, amountOut: 1n }, recipient, slippageBps: 30, deadlineSec: 1_700_000_600n }),
    ).rejects.toBeInstanceOf(InvalidQuoteError)
  })
})
