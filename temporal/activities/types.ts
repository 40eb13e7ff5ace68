import type { Address, Hex } from 'viem'
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

/** A signed transaction, ready to broadcast; the idempotency record of a side effect. */
export type PreparedTxJson = {
  idempotencyKey: string
  index: number
  chain: ChainKey
  nonce: number
  hash: Hex
  raw: Hex
  gasLimit: string
  maxFeePerGas: string
  description: string
}

export type TxOutcomeJson = {
  hash: Hex
  status: 'success'
  blockNumber: string
  gasUsed: string
  effectiveGasPrice: string
}

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
  }): Promise<PreparedTxJson[]>
  submitTx(input: { prepared: PreparedTxJson }): Promise<TxOutcomeJson>
  readSwapOutcome(input: { chain: ChainKey; hash: Hex; tokenOut: Address; recipient: Address }): Promise<{ amountOut: string }>
}
