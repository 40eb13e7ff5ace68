import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { BuildSwapParamsWithOwner, SwapVenueAdapter } from '../types.ts'
import { buildCalls } from './buildCalls.ts'
import { findChainContext, type UniswapV3Deps } from './chainContext.ts'
import { quote, venueId } from './quote.ts'
import { type PoolState, readPoolState, readPositions } from './readPositions.ts'

export { minAmountOut } from './buildCalls.ts'
export type { UniswapV3ChainContracts, UniswapV3Deps } from './chainContext.ts'
export type { PoolState } from './readPositions.ts'

/** The Uniswap V3 venue: SwapVenueAdapter plus the pool-state read the risk engine needs. */
export type UniswapV3Adapter = SwapVenueAdapter & {
  buildCalls(params: BuildSwapParamsWithOwner): ReturnType<SwapVenueAdapter['buildCalls']>
  /** At `blockNumber` when given (so several reads describe one state), else at the latest block. */
  readPoolState(params: { chain: ChainKey; blockNumber?: bigint }): Promise<PoolState>
  readPositions(params: { chain: ChainKey; owner: Address; blockNumber?: bigint }): ReturnType<SwapVenueAdapter['readPositions']>
}

/** Creates the Uniswap V3 adapter over per-chain public clients and contract addresses. */
export function createUniswapV3Adapter(deps: UniswapV3Deps): UniswapV3Adapter {
  const chains = (Object.keys(deps.contracts) as ChainKey[]).filter((c) => findChainContext(deps, c) !== undefined)
  return {
    manifest: {
      id: venueId,
      kind: 'amm',
      chains,
      version: '1.0.0',
      description: 'Uniswap V3: exact-input single-pool swaps via QuoterV2 and SwapRouter; LP NFT positions',
    },
    supports: (req) => findChainContext(deps, req.chain) !== undefined && req.tokenIn.toLowerCase() !== req.tokenOut.toLowerCase(),
    quote: (req) => quote(deps, req),
    buildCalls: (params) => buildCalls(deps, params),
    readPositions: (params: { chain: ChainKey; owner: Address; blockNumber?: bigint }) => readPositions(deps, params),
    readPoolState: (params) => readPoolState(deps, params),
  }
}
