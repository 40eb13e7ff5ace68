import type { Address, Hex, PublicClient } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { isTransientRpcError } from '../executor/mapError.ts'
import { ChainNotConfiguredError, ReadFailedError } from './errors.ts'

/** One chain's LayerZero deployment as keel uses it. */
export type LayerZeroChainConfig = {
  /** LayerZero endpoint id (30101 Ethereum, 30110 Arbitrum, 30184 Base). */
  eid: number
  endpoint: Address
  /** The USDC OFT (on the devnet a mint/burn adapter over `token`). */
  oft: Address
  /** The USDC the treasury holds, that the OFT burns and mints. */
  token: Address
  /** Block the OFT was deployed at (or any earlier one): where log scans start. */
  fromBlock: bigint
}

/** What the adapter is built from; chains left out are simply not served. */
export type LayerZeroDeps = {
  clients: Partial<Record<ChainKey, PublicClient>>
  chains: Partial<Record<ChainKey, LayerZeroChainConfig>>
  /** lzReceive gas keel adds on top of the OFT's enforced options; 0 (the default) relies on them. */
  extraLzReceiveGas?: bigint
  /** Typical seconds from the origin transaction to funds on the destination, for routing. */
  expectedSec?: number
}

/** Where a GUID's packet was sent: immutable once mined, so the adapter remembers it. */
export type LocatedPacket = {
  from: ChainKey
  to: ChainKey
  guid: Hex
  nonce: bigint
  srcEid: number
  /** The origin OFT as bytes32, as the destination endpoint keys its inbound state. */
  sender: Hex
  receiver: Address
  message: Hex
  lzReceiveGas: bigint
  lzReceiveValue: bigint
  originTxHash: Hex
  fromAddress: Address
  amountSentLD: bigint
  amountReceivedLD: bigint
}

/** Deps plus the adapter's own memory of located packets (one per adapter, never shared). */
export type LayerZeroContext = LayerZeroDeps & { located: Map<Hex, LocatedPacket> }

export type ChainContext = { chain: ChainKey; client: PublicClient; config: LayerZeroChainConfig }

/** The client and deployment of one chain, or undefined when the adapter does not serve it. */
export function findChainContext(deps: LayerZeroDeps, chain: ChainKey): ChainContext | undefined {
  const client = deps.clients[chain]
  const config = deps.chains[chain]
  return client && config ? { chain, client, config } : undefined
}

/** Like findChainContext, for operations where an unserved chain is a caller bug. */
export function chainContext(deps: LayerZeroDeps, chain: ChainKey): ChainContext {
  const ctx = findChainContext(deps, chain)
  if (!ctx) throw new ChainNotConfiguredError({ chain })
  return ctx
}

/** The chain served at LayerZero endpoint id `eid`, if any. */
export function chainOfEid(deps: LayerZeroDeps, eid: number): ChainKey | undefined {
  return (Object.keys(deps.chains) as ChainKey[]).find((k) => deps.chains[k]?.eid === eid)
}

/** Runs a chain read and wraps its failure in a ReadFailedError that says whether a retry can help. */
export async function read<T>(ctx: ChainContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new ReadFailedError({ what, chain: ctx.chain, cause: err, retryable: isTransientRpcError(err) })
  }
}

export const bridgeId = 'layerzero-v2-oft'
