import type { Address } from 'viem'
import { BaseError } from '../../agent/errors.ts'
import { rawDetails } from '../executor/errors.ts'

/** The adapter was asked about a chain it was not configured for. */
export class ChainNotConfiguredError extends BaseError {
  override name = 'UniswapV3.ChainNotConfiguredError' as const
  constructor(params: { chain: string }) {
    super(`Uniswap V3 is not configured on chain "${params.chain}"`, { retryable: false })
  }
}

/** No pool exists (or it is not initialised) for the pair and fee tier. */
export class PoolNotFoundError extends BaseError {
  override name = 'UniswapV3.PoolNotFoundError' as const
  constructor(params: { chain: string; tokenA: Address; tokenB: Address; fee: number }) {
    super(`No initialised Uniswap V3 pool for ${params.tokenA}/${params.tokenB} fee ${params.fee} on ${params.chain}`, {
      retryable: false,
    })
  }
}

/** A quote handed to buildCalls cannot be turned into a swap (wrong venue, zero output, expired deadline...). */
export class InvalidQuoteError extends BaseError {
  override name = 'UniswapV3.InvalidQuoteError' as const
  constructor(params: { reason: string }) {
    super(`Quote cannot be built into a Uniswap V3 swap: ${params.reason}`, { retryable: false })
  }
}

/** Reading chain state failed; `retryable` tells whether the transport error is transient. */
export class ReadFailedError extends BaseError {
  override name = 'UniswapV3.ReadFailedError' as const
  constructor(params: { what: string; chain: string; cause: unknown; retryable: boolean }) {
    // The node's own words only: the cause's full message quotes the RPC URL it called.
    super(`Uniswap V3 read failed on ${params.chain}: ${params.what}`, {
      cause: params.cause,
      details: rawDetails(params.cause),
      retryable: params.retryable,
    })
  }
}
