import type { Address, Hex } from 'viem'
import type { PreparedTx, SubmittedTx } from '../../adapters/types.ts'
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

/** Activities that sign or send for one chain; they run on task queue `chain-<chainId>`. */
export type ChainActivities = {
  prepareSwap(input: {
    chain: ChainKey
    idempotencyKey: string
    treasury: Address
    quote: Extract<QuoteJson, { status: 'ok' }>
    slippageBps: number
    deadlineSec: string
  }): Promise<PreparedTx[]>
  submitTx(input: { prepared: PreparedTx }): Promise<SubmittedTx>
  readSwapOutcome(input: { chain: ChainKey; hash: Hex; tokenOut: Address; recipient: Address }): Promise<{ amountOut: string }>
}
