import { type Address, encodeFunctionData, type Hex } from 'viem'
import type { BuildSwapParamsWithOwner, Call } from '../types.ts'
import { erc20Abi, swapRouterAbi } from './abis.ts'
import { chainContext, read, type UniswapV3ChainContracts, type UniswapV3Deps } from './chainContext.ts'
import { InvalidQuoteError } from './errors.ts'
import { buildSwapParamsSchema, parseInput } from './schemas.ts'

/** Smallest acceptable output: `amountOut × (10000 − slippageBps) / 10000`, rounded down (against us). */
export function minAmountOut(params: { amountOut: bigint; slippageBps: number }): bigint {
  if (!Number.isInteger(params.slippageBps) || params.slippageBps < 0 || params.slippageBps > 10_000) {
    throw new RangeError(`slippageBps must be an integer in [0, 10000], got ${params.slippageBps}`)
  }
  if (params.amountOut < 0n) throw new RangeError(`amountOut must be non-negative, got ${params.amountOut}`)
  // bigint division truncates toward zero, which is floor for non-negative operands.
  return (params.amountOut * BigInt(10_000 - params.slippageBps)) / 10_000n
}

/**
 * The router call of an exact-input swap: what `buildCalls` sends, and what an L2's L1 data fee is
 * priced on before a swap is built (same bytes, so the same fee).
 */
export function exactInputSingleCall(p: {
  contracts: Pick<UniswapV3ChainContracts, 'swapRouter' | 'poolFee'>
  tokenIn: Address
  tokenOut: Address
  recipient: Address
  deadlineSec: bigint
  amountIn: bigint
  amountOutMinimum: bigint
}): { to: Address; data: Hex } {
  return {
    to: p.contracts.swapRouter,
    data: encodeFunctionData({
      abi: swapRouterAbi,
      functionName: 'exactInputSingle',
      args: [
        {
          tokenIn: p.tokenIn,
          tokenOut: p.tokenOut,
          fee: p.contracts.poolFee,
          recipient: p.recipient,
          deadline: p.deadlineSec,
          amountIn: p.amountIn,
          amountOutMinimum: p.amountOutMinimum,
          sqrtPriceLimitX96: 0n,
        },
      ],
    }),
  }
}

/**
 * Unsigned calls for an exact-input swap through SwapRouter.exactInputSingle, preceded by an
 * approve of exactly amountIn when the owner's allowance to the router is short.
 */
export async function buildCalls(deps: UniswapV3Deps, input: BuildSwapParamsWithOwner): Promise<Call[]> {
  const params = parseInput(buildSwapParamsSchema, input, 'swap build parameters')
  const { quote, recipient, slippageBps, deadlineSec } = params
  const owner = params.owner ?? recipient
  const ctx = chainContext(deps, quote.chain)
  const { client, contracts } = ctx
  const chainId = client.chain?.id ?? (await read(ctx, 'chain id', () => client.getChainId()))

  if (deadlineSec <= quote.blockTimestampSec) {
    throw new InvalidQuoteError({ reason: `deadline ${deadlineSec} is not after the quote's block time ${quote.blockTimestampSec}` })
  }
  const minOut = minAmountOut({ amountOut: quote.amountOut, slippageBps })
  if (minOut === 0n)
    throw new InvalidQuoteError({ reason: `minimum output rounds to 0 (amountOut ${quote.amountOut}, ${slippageBps} bps): no protection` })

  const allowance = await read(ctx, 'ERC20.allowance', () =>
    client.readContract({ address: quote.tokenIn, abi: erc20Abi, functionName: 'allowance', args: [owner, contracts.swapRouter] }),
  )
  const calls: Call[] = []
  if (allowance < quote.amountIn) {
    calls.push({
      chainId,
      to: quote.tokenIn,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [contracts.swapRouter, quote.amountIn] }),
      value: 0n,
      description: `approve ${quote.amountIn} of ${quote.tokenIn} to SwapRouter ${contracts.swapRouter} (allowance ${allowance})`,
    })
  }
  calls.push({
    chainId,
    ...exactInputSingleCall({
      contracts,
      tokenIn: quote.tokenIn,
      tokenOut: quote.tokenOut,
      recipient,
      deadlineSec,
      amountIn: quote.amountIn,
      amountOutMinimum: minOut,
    }),
    value: 0n,
    description: `uniswap-v3 swap ${quote.amountIn} ${quote.tokenIn} -> >=${minOut} ${quote.tokenOut} (fee ${contracts.poolFee}, deadline ${deadlineSec})`,
  })
  return calls
}
