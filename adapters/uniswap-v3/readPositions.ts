import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { VenuePosition } from '../types.ts'
import { erc20Abi, factoryAbi, poolAbi, positionManagerAbi } from './abis.ts'
import { type ChainContext, chainContext, read, type UniswapV3Deps } from './chainContext.ts'
import { PoolNotFoundError } from './errors.ts'
import { parseInput, readPositionsParamsSchema } from './schemas.ts'

/**
 * The owner's WETH and USDC balances and every Uniswap V3 LP NFT it holds, all read at one block
 * so that balances and positions describe the same chain state.
 */
export async function readPositions(
  deps: UniswapV3Deps,
  input: { chain: ChainKey; owner: Address; blockNumber?: bigint },
): Promise<VenuePosition[]> {
  const { chain, owner } = parseInput(readPositionsParamsSchema, { chain: input.chain, owner: input.owner }, 'readPositions parameters')
  const ctx = chainContext(deps, chain)
  const { client, contracts } = ctx
  const blockNumber = input.blockNumber ?? (await read(ctx, 'block number', () => client.getBlockNumber()))

  const spot = await read(ctx, 'spot balances', () =>
    Promise.all(
      [contracts.weth, contracts.usdc].map(async (token): Promise<VenuePosition> => {
        const amount = await client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner], blockNumber })
        return { kind: 'spot', chain, token, owner, amount }
      }),
    ),
  )

  const npm = contracts.nonfungiblePositionManager
  const count = await read(ctx, 'position NFT count', () =>
    client.readContract({ address: npm, abi: positionManagerAbi, functionName: 'balanceOf', args: [owner], blockNumber }),
  )
  const lp = await read(ctx, 'LP positions', () =>
    Promise.all(
      Array.from({ length: Number(count) }, async (_, i): Promise<VenuePosition> => {
        const tokenId = await client.readContract({
          address: npm,
          abi: positionManagerAbi,
          functionName: 'tokenOfOwnerByIndex',
          args: [owner, BigInt(i)],
          blockNumber,
        })
        const [, , token0, token1, fee, tickLower, tickUpper, liquidity, , , tokensOwed0, tokensOwed1] = await client.readContract({
          address: npm,
          abi: positionManagerAbi,
          functionName: 'positions',
          args: [tokenId],
          blockNumber,
        })
        const pool = await client.readContract({
          address: contracts.uniswapV3Factory,
          abi: factoryAbi,
          functionName: 'getPool',
          args: [token0, token1, fee],
          blockNumber,
        })
        return {
          kind: 'uniswap-v3-lp',
          chain,
          owner,
          tokenId,
          pool,
          token0,
          token1,
          fee,
          tickLower,
          tickUpper,
          liquidity,
          tokensOwed0,
          tokensOwed1,
        }
      }),
    ),
  )
  return [...spot, ...lp]
}

export type PoolState = {
  chain: ChainKey
  pool: Address
  sqrtPriceX96: bigint
  tick: number
  /** In-range liquidity. */
  liquidity: bigint
  token0: Address
  token1: Address
  decimals0: number
  decimals1: number
  fee: number
  blockNumber: bigint
}

/** The state of the chain's WETH/USDC pool at one block, for the risk engine. */
export async function readPoolState(deps: UniswapV3Deps, input: { chain: ChainKey; blockNumber?: bigint }): Promise<PoolState> {
  const ctx: ChainContext = chainContext(deps, input.chain)
  const { client, contracts } = ctx
  const pool = contracts.wethUsdcPool
  const blockNumber = input.blockNumber ?? (await read(ctx, 'block number', () => client.getBlockNumber()))
  const code = await read(ctx, 'pool code', () => client.getCode({ address: pool, blockNumber }))
  if (!code || code === '0x') {
    throw new PoolNotFoundError({ chain: input.chain, tokenA: contracts.weth, tokenB: contracts.usdc, fee: contracts.poolFee })
  }
  const [slot0, liquidity, token0, token1, fee] = await read(ctx, 'pool state', () =>
    Promise.all([
      client.readContract({ address: pool, abi: poolAbi, functionName: 'slot0', blockNumber }),
      client.readContract({ address: pool, abi: poolAbi, functionName: 'liquidity', blockNumber }),
      client.readContract({ address: pool, abi: poolAbi, functionName: 'token0', blockNumber }),
      client.readContract({ address: pool, abi: poolAbi, functionName: 'token1', blockNumber }),
      client.readContract({ address: pool, abi: poolAbi, functionName: 'fee', blockNumber }),
    ]),
  )
  if (slot0[0] === 0n) throw new PoolNotFoundError({ chain: input.chain, tokenA: token0, tokenB: token1, fee })
  const [decimals0, decimals1] = await read(ctx, 'token decimals', () =>
    Promise.all([
      client.readContract({ address: token0, abi: erc20Abi, functionName: 'decimals', blockNumber }),
      client.readContract({ address: token1, abi: erc20Abi, functionName: 'decimals', blockNumber }),
    ]),
  )
  return {
    chain: input.chain,
    pool,
    sqrtPriceX96: slot0[0],
    tick: slot0[1],
    liquidity,
    token0,
    token1,
    decimals0,
    decimals1,
    fee,
    blockNumber,
  }
}
