import type { Address, PublicClient } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { isTransientRpcError } from '../executor/mapError.ts'
import type { BridgeAsset } from '../types.ts'
import { ChainNotConfiguredError, ReadFailedError } from './errors.ts'

/** Across on one chain: its SpokePool, the tokens keel moves, and where its events start. */
export type AcrossV3ChainConfig = {
  chainId: number
  spokePool: Address
  tokens: Record<BridgeAsset, Address>
  /** First block worth scanning for the spoke pool's events (its deployment block). */
  fromBlock: bigint
}

/** What the adapter is built from; chains left out are not served. */
export type AcrossV3Deps = {
  clients: Partial<Record<ChainKey, PublicClient>>
  chains: Partial<Record<ChainKey, AcrossV3ChainConfig>>
  /** Across's quote API (`https://app.across.to/api` in production, the stand-in on the devnet). */
  apiUrl: string
  /** Seconds of origin chain time from the quote to the fill deadline. */
  fillDeadlineSec: number
  /** Largest block range of one getLogs call. */
  logChunkBlocks?: bigint
}

export type ChainContext = { chain: ChainKey; client: PublicClient; config: AcrossV3ChainConfig }

/** The client and Across config of one chain, or undefined when the adapter does not serve it. */
export function findChainContext(deps: AcrossV3Deps, chain: ChainKey): ChainContext | undefined {
  const client = deps.clients[chain]
  const config = deps.chains[chain]
  return client && config ? { chain, client, config } : undefined
}

/** Like findChainContext, for operations where an unserved chain is a caller bug. */
export function chainContext(deps: AcrossV3Deps, chain: ChainKey): ChainContext {
  const ctx = findChainContext(deps, chain)
  if (!ctx) throw new ChainNotConfiguredError({ chain })
  return ctx
}

/** The configured chain with this chain id, if any. */
export function chainByChainId(deps: AcrossV3Deps, chainId: bigint | number): ChainContext | undefined {
  const key = (Object.keys(deps.chains) as ChainKey[]).find((k) => BigInt(deps.chains[k]?.chainId ?? -1) === BigInt(chainId))
  return key === undefined ? undefined : findChainContext(deps, key)
}

/** Runs a chain read and wraps its failure in a ReadFailedError that says whether a retry can help. */
export async function read<T>(ctx: ChainContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new ReadFailedError({ what, chain: ctx.chain, cause: err, retryable: isTransientRpcError(err) })
  }
}
