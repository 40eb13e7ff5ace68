import { BaseError } from '../../agent/errors.ts'
import { rawDetails } from '../executor/errors.ts'

/** The adapter was asked about a chain it was not configured for. */
export class ChainNotConfiguredError extends BaseError {
  override name = 'Across.ChainNotConfiguredError' as const
  constructor(params: { chain: string }) {
    super(`Across is not configured on chain "${params.chain}"`, { retryable: false })
  }
}

/** Reading chain state failed; `retryable` tells whether the transport error is transient. */
export class ReadFailedError extends BaseError {
  override name = 'Across.ReadFailedError' as const
  constructor(params: { what: string; chain: string; cause: unknown; retryable: boolean }) {
    // The node's own words only: the cause's full message quotes the RPC URL it called.
    super(`Across read failed on ${params.chain}: ${params.what}`, {
      cause: params.cause,
      details: rawDetails(params.cause),
      retryable: params.retryable,
    })
  }
}

/** Across's quote API did not answer, or answered something keel cannot read. */
export class QuoteApiError extends BaseError {
  override name = 'Across.QuoteApiError' as const
  constructor(params: { reason: string; cause?: unknown; retryable: boolean }) {
    super(`Across quote API failed: ${params.reason}`, { cause: params.cause, details: params.reason, retryable: params.retryable })
  }
}

/** A quote handed to buildCalls cannot become a deposit (another bridge's, a passed deadline, fields that disagree). */
export class InvalidQuoteError extends BaseError {
  override name = 'Across.InvalidQuoteError' as const
  constructor(params: { reason: string }) {
    super(`Quote cannot be built into an Across deposit: ${params.reason}`, { retryable: false })
  }
}

/** No FundsDeposited event for a transfer id (or in a receipt): the transfer is unknown, never assumed. */
export class DepositNotFoundError extends BaseError {
  override name = 'Across.DepositNotFoundError' as const
  readonly transferId: string | undefined
  constructor(params: { chain: string; transferId?: string; txHash?: string }) {
    super(
      params.transferId !== undefined
        ? `No Across deposit ${params.transferId} on ${params.chain}`
        : `No Across deposit in transaction ${params.txHash} on ${params.chain}`,
      // Right after a send the log may not be indexed yet; a read later can find it.
      { retryable: true },
    )
    this.transferId = params.transferId
  }
}

/** The chains disagree with what a state must look like (a fill status without its fill event, a fill status outside the enum). */
export class InconsistentStateError extends BaseError {
  override name = 'Across.InconsistentStateError' as const
  constructor(params: { reason: string }) {
    super(`Across state cannot be read as a transfer state: ${params.reason}`, { retryable: false })
  }
}
