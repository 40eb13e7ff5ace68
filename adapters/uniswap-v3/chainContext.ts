import type { PublicClient } from 'viem'
import type { ChainContracts, ChainKey } from '../../chains/types.ts'
import { isTransientRpcError } from '../executor/mapError.ts'
import { ChainNotConfiguredError, ReadFailedError } from './errors.ts'

export type UniswapV3ChainContracts = ChainContracts & { poolFee: number }

/** What the adapter is built from; chains left out are simply not served. */
export type UniswapV3Deps = {
  clients: Partial<Record<ChainKey, PublicClient>>
  contracts: Partial<Record<ChainKey, UniswapV3ChainContracts>>
}

export type ChainContext = { chain: ChainKey; client: PublicClient; contracts: UniswapV3ChainContracts }

/** The client and contracts of one chain, or undefined when the adapter does not serve it. */
export function findChainContext(deps: UniswapV3Deps, chain: ChainKey): ChainContext | undefined {
  const client = deps.clients[chain]
  const contracts = deps.contracts[chain]
  return client && contracts ? { chain, client, contracts } : undefined
}

/** Like findChainContext, for operations where an unserved chain is a caller bug. */
export function chainContext(deps: UniswapV3Deps, chain: ChainKey): ChainContext {
  const ctx = findChainContext(deps, chain)
  if (!ctx) throw new ChainNotConfiguredError({ chain })
  return ctx
}

/** Runs a chain read and wraps its failure in a ReadFailedError that says whether a retry can help. */
export async function read<T>(ctx: ChainContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new ReadFailedError({ what, chain: ctx.chain, cause: err, retryable: isTransientRpcError(err) })
  }
}
