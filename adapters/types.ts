import type { Address, Hex } from 'viem'
import type { ChainKey } from '../chains/types.ts'

/**
 * The contract between keel and a venue, bridge or submitter. Adapters decide *how*, never
 * *whether*: they read, quote and build unsigned calls; the agent decides; the executor of a
 * chain and signer simulates, signs and submits.
 */

/** One unsigned call. `value` in wei. */
export type Call = {
  chainId: number
  to: Address
  data: Hex
  value: bigint
  /** What this call does, for operators (never contains secrets). */
  description: string
}

/** Absence is data: a venue that cannot serve a request says why instead of throwing. */
export type Unavailable = { status: 'unavailable'; reason: string }

export type SwapRequest = {
  chain: ChainKey
  tokenIn: Address
  tokenOut: Address
  /** Exact input amount in tokenIn base units. */
  amountIn: bigint
}

export type SwapQuote = {
  status: 'ok'
  venue: string
  chain: ChainKey
  tokenIn: Address
  tokenOut: Address
  amountIn: bigint
  amountOut: bigint
  /** Gas the venue expects the swap to use. */
  gasEstimate: bigint
  /** Pool price after the swap, as the venue reports it (Q64.96 for Uniswap V3). */
  sqrtPriceX96After: bigint
  /** Block the quote was read at: market time is chain time. */
  blockNumber: bigint
  blockTimestampSec: bigint
}

/** A position as read from a venue; amounts in base units of the tokens named. */
export type VenuePosition =
  | { kind: 'spot'; chain: ChainKey; token: Address; owner: Address; amount: bigint }
  | {
      kind: 'uniswap-v3-lp'
      chain: ChainKey
      owner: Address
      tokenId: bigint
      pool: Address
      token0: Address
      token1: Address
      fee: number
      tickLower: number
      tickUpper: number
      liquidity: bigint
      /** Uncollected fees owed to the position. */
      tokensOwed0: bigint
      tokensOwed1: bigint
    }

export type AdapterKind = 'amm' | 'options' | 'bridge' | 'submitter'

/** How a venue plugs in: a manifest the registry reads (Hummingbot's connector manifest). */
export type AdapterManifest = {
  id: string
  kind: AdapterKind
  chains: readonly ChainKey[]
  version: string
  description: string
}

export type BuildSwapParams = {
  quote: SwapQuote
  recipient: Address
  /** Tolerance applied to the quoted amountOut; minAmountOut is rounded down. */
  slippageBps: number
  deadlineSec: bigint
}

/** An AMM venue (Uniswap V3 today). */
export type SwapVenueAdapter = {
  manifest: AdapterManifest & { kind: 'amm' }
  supports(req: SwapRequest): boolean
  quote(req: SwapRequest): Promise<SwapQuote | Unavailable>
  buildCalls(params: BuildSwapParams): Promise<Call[]>
  readPositions(params: { chain: ChainKey; owner: Address }): Promise<VenuePosition[]>
}

/**
 * Swap build parameters with the account that will send the swap. The approve call is added
 * only when `owner`'s allowance to the router is short; `owner` defaults to `recipient`.
 */
export type BuildSwapParamsWithOwner = BuildSwapParams & { owner?: Address }

/**
 * One signed transaction, ready to broadcast. Plain JSON (amounts as decimal strings) because it
 * is stored in Temporal workflow history: the signed bytes are the idempotency record of the
 * side effect, so a retried submit re-sends exactly these bytes and can never double-spend.
 */
export type PreparedTx = {
  idempotencyKey: string
  /** Position of this transaction within its prepare() batch. */
  index: number
  chainId: number
  from: Address
  nonce: number
  hash: Hex
  raw: Hex
  gasLimit: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
  description: string
}

/** The mined outcome of a PreparedTx; amounts as decimal strings. */
export type SubmittedTx = {
  idempotencyKey: string
  index: number
  hash: Hex
  status: 'success' | 'reverted'
  blockNumber: string
  gasUsed: string
  effectiveGasPrice: string
}

/**
 * Where signed transactions go. The public mempool today; a bundle relay (Ethereum) or a private
 * route (L2s) plugs in here without the executor changing: it still owns nonces, simulation and
 * receipts, and treats "already known" from any route as already sent.
 */
export type Submitter = {
  manifest: AdapterManifest & { kind: 'submitter' }
  send(p: { chainId: number; raw: Hex; hash: Hex }): Promise<void>
}
