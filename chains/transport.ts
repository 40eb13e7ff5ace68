import PQueue from 'p-queue'
import { type Chain, createPublicClient, fallback, http, type PublicClient, type Transport } from 'viem'
import { ChainIdMismatchError, RpcUnreachableError } from './errors.ts'
import { redactRpcUrl } from './redactRpcUrl.ts'
import { getChainMeta } from './registry.ts'
import type { ChainKey, ChainMeta } from './types.ts'

/** Rate limit of one RPC endpoint: at most `intervalCap` calls per `intervalMs`, `concurrency` in flight. */
export type EndpointLimits = { concurrency: number; intervalMs: number; intervalCap: number }

/** Generous defaults that still keep a public endpoint from rate-limiting us. */
export const defaultEndpointLimits: EndpointLimits = { concurrency: 8, intervalMs: 1_000, intervalCap: 25 }

export type ChainClients = {
  meta: ChainMeta
  /** The URLs as configured; never log these, use `redactedUrls`. */
  rpcUrls: readonly string[]
  redactedUrls: readonly string[]
  publicClient: PublicClient<Transport, Chain>
  transport: Transport
}

/** One public client per chain over `fallback(http…, { rank: true })`, each endpoint behind its own p-queue. */
export function createChainClients(params: {
  key: ChainKey
  rpcUrls: readonly string[]
  limits?: Partial<EndpointLimits>
  /** Overrides viem's chain (e.g. a devnet that keeps the real chain id but other contracts). */
  chain?: Chain
  timeoutMs?: number
}): ChainClients {
  const meta = getChainMeta(params.key)
  const limits = { ...defaultEndpointLimits, ...params.limits }
  const transports = params.rpcUrls.map((url) => {
    const queue = new PQueue({ concurrency: limits.concurrency, interval: limits.intervalMs, intervalCap: limits.intervalCap })
    return http(url, {
      fetchFn: (input, init) => queue.add(() => fetch(input, init), { throwOnTimeout: true }),
      timeout: params.timeoutMs ?? 10_000,
      retryCount: 1,
    })
  })
  // Ranking pings every endpoint in the background; with a single URL there is nothing to rank.
  const transport = fallback(transports, { rank: transports.length > 1, retryCount: 1 })
  // cacheTime 0: viem otherwise serves getBlockNumber from a 4 s cache, and reads pinned to that
  // block would miss a trade keel itself just made (a stale snapshot is a wrong hedge).
  const publicClient = createPublicClient({ chain: params.chain ?? meta.chain, transport, cacheTime: 0 })
  return { meta, rpcUrls: params.rpcUrls, redactedUrls: params.rpcUrls.map(redactRpcUrl), publicClient, transport }
}

/** Resolves when some endpoint answers with the chain's id; throws `Chains.RpcUnreachableError` otherwise. */
export async function checkChainReachable(clients: ChainClients): Promise<void> {
  let chainId: number
  try {
    chainId = await clients.publicClient.getChainId()
  } catch (cause) {
    throw new RpcUnreachableError({ chain: clients.meta.key, urls: clients.redactedUrls, cause: stripCause(cause) })
  }
  const expected = clients.publicClient.chain.id
  if (chainId !== expected) {
    throw new ChainIdMismatchError({ chain: clients.meta.key, expected, actual: chainId, url: clients.redactedUrls.join(', ') })
  }
}

// viem's errors quote the full request URL; keep only the error's type so no secret travels on.
function stripCause(cause: unknown): Error {
  const name = cause instanceof Error ? cause.name : 'UnknownError'
  const err = new Error(`${name} (message withheld: it may contain the RPC URL)`)
  err.name = name
  return err
}
