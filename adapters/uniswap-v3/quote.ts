import { ContractFunctionRevertedError, BaseError as ViemBaseError, zeroAddress } from 'viem'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from '../../agent/lp/tickMath.ts'
import { isTransientRpcError } from '../executor/mapError.ts'
import type { SwapQuote, SwapRequest, Unavailable } from '../types.ts'
import { factoryAbi, poolAbi, quoterV2Abi } from './abis.ts'
import { findChainContext, read, type UniswapV3Deps } from './chainContext.ts'
import { ReadFailedError } from './errors.ts'
import { parseInput, swapRequestSchema } from './schemas.ts'

export const venueId = 'uniswap-v3'

const unavailable = (reason: string): Unavailable => ({ status: 'unavailable', reason })

/**
 * Quotes an exact-input swap through QuoterV2 at one pinned block, so amountOut, the pool state
 * checks and the block timestamp all describe the same chain state.
 */
export async function quote(deps: UniswapV3Deps, input: SwapRequest): Promise<SwapQuote | Unavailable> {
  const req = parseInput(swapRequestSchema, input, 'swap request')
  const ctx = findChainContext(deps, req.chain)
  if (!ctx) return unavailable(`uniswap-v3 is not configured on ${req.chain}`)
  if (req.amountIn === 0n) return unavailable('amountIn is 0')
  const { client, contracts } = ctx
  const fee = contracts.poolFee

  const block = await read(ctx, 'latest block', () => client.getBlock({ blockTag: 'latest' }))
  const blockNumber = block.number
  const pool = await read(ctx, 'factory.getPool', () =>
    client.readContract({
      address: contracts.uniswapV3Factory,
      abi: factoryAbi,
      functionName: 'getPool',
      args: [req.tokenIn, req.tokenOut, fee],
      blockNumber,
    }),
  )
  if (pool === zeroAddress) return unavailable(`no pool for ${req.tokenIn}/${req.tokenOut} at fee ${fee}`)
  const [slot0, liquidity] = await read(ctx, 'pool state', () =>
    Promise.all([
      client.readContract({ address: pool, abi: poolAbi, functionName: 'slot0', blockNumber }),
      client.readContract({ address: pool, abi: poolAbi, functionName: 'liquidity', blockNumber }),
    ]),
  )
  if (slot0[0] === 0n) return unavailable(`pool ${pool} is not initialised`)
  if (liquidity === 0n) return unavailable(`pool ${pool} has no in-range liquidity`)

  let result: readonly [bigint, bigint, number, bigint]
  try {
    const sim = await client.simulateContract({
      address: contracts.quoterV2,
      abi: quoterV2Abi,
      functionName: 'quoteExactInputSingle',
      args: [{ tokenIn: req.tokenIn, tokenOut: req.tokenOut, amountIn: req.amountIn, fee, sqrtPriceLimitX96: 0n }],
      blockNumber,
    })
    result = sim.result
  } catch (err) {
    const revert = err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null
    if (revert instanceof ContractFunctionRevertedError) return unavailable(`quoter reverted: ${revert.reason ?? revert.shortMessage}`)
    throw new ReadFailedError({ what: 'QuoterV2.quoteExactInputSingle', chain: ctx.chain, cause: err, retryable: isTransientRpcError(err) })
  }
  const [amountOut, sqrtPriceX96After, , gasEstimate] = result
  if (amountOut === 0n) return unavailable(`amountIn ${req.amountIn} buys nothing in pool ${pool}`)
  // With no price limit the swap only stops at the extreme prices when the pool runs dry: it
  // would fill only part of amountIn, which the quote cannot represent.
  if (sqrtPriceX96After <= MIN_SQRT_RATIO + 1n || sqrtPriceX96After >= MAX_SQRT_RATIO - 1n) {
    return unavailable(`pool ${pool} lacks the liquidity to absorb amountIn ${req.amountIn}`)
  }
  return {
    status: 'ok',
    venue: venueId,
    chain: req.chain,
    tokenIn: req.tokenIn,
    tokenOut: req.tokenOut,
    amountIn: req.amountIn,
    amountOut,
    gasEstimate,
    sqrtPriceX96After,
    blockNumber,
    blockTimestampSec: block.timestamp,
  }
}
