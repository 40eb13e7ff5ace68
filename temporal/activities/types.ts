import type { Address, Hex } from 'viem'
import type { PreparedTx, SubmittedTx } from '../../adapters/types.ts'
import type { CancelOrder } from '../../agent/execution/settlement.ts'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import type { HedgeDirection } from '../../agent/policy/bandPolicy.ts'
import type { PortfolioSnapshot } from '../../agent/portfolio/types.ts'
import type { ChainKey } from '../../chains/types.ts'

/**
 * The activity surface the workflows see. Everything here is JSON: amounts are base-unit decimal
 * strings, parsed back by the shared amount schema on the other side.
 */

/** A swap quote as it crosses Temporal. */
export type QuoteJson =
  | {
      status: 'ok'
      chain: ChainKey
      tokenIn: Address
      tokenOut: Address
      amountIn: string
      amountOut: string
      gasEstimate: string
      sqrtPriceX96After: string
      blockNumber: string
      blockTimestampSec: string
    }
  | { status: 'unavailable'; chain: ChainKey; reason: string }

/** Activities that only read; they run on the portfolio task queue. */
export type ReadActivities = {
  observePortfolio(input: { mandate: MandateInput }): Promise<PortfolioSnapshot>
  quoteHedge(input: {
    mandate: MandateInput
    direction: HedgeDirection
    requests: { chain: ChainKey; amountIn: string }[]
  }): Promise<QuoteJson[]>
}

/** What a chain's signing worker reports before a portfolio starts: who signs there and what is deployed. */
export type ChainCheck = {
  chainId: number
  /** The address this worker signs with on the chain. */
  signer: Address
  blockNumber: string
  /** Contracts of the chain's configuration with no code at their address. */
  contractsMissing: string[]
}

/** Activities that sign or send for one chain; they run on task queue `chain-<chainId>`. */
export type ChainActivities = {
  /** Reachability, the signer and the configured contracts, read before a portfolio starts. */
  checkChain(input: { chain: ChainKey }): Promise<ChainCheck>
  prepareSwap(input: {
    chain: ChainKey
    idempotencyKey: string
    treasury: Address
    quote: Extract<QuoteJson, { status: 'ok' }>
    slippageBps: number
    deadlineSec: string
  }): Promise<PreparedTx[]>
  submitTx(input: { prepared: PreparedTx }): Promise<SubmittedTx>
  /** The signer's nonces and the receipts of `hashes` (null: none), read together for a settlement. */
  readNonceState(input: { chain: ChainKey; hashes: Hex[] }): Promise<{
    latestNonce: number
    pendingNonce: number
    receipts: Record<string, SubmittedTx | null>
  }>
  /** Signs the cancels a settlement plan asks for; nothing is sent. */
  prepareCancels(input: { chain: ChainKey; idempotencyKey: string; cancels: CancelOrder[] }): Promise<PreparedTx[]>
  /** After a settlement: the next nonce reservation starts from the chain's pending count. */
  resyncNonces(input: { chain: ChainKey }): Promise<void>
  readSwapOutcome(input: { chain: ChainKey; hash: Hex; tokenOut: Address; recipient: Address }): Promise<{ amountOut: string }>
}
