import type { Hex } from 'viem'
import { BaseError } from '../../agent/errors.ts'
import type { SubmittedTx } from '../types.ts'

/**
 * The node's own words, short: viem's `details`, never the full message, which carries the RPC
 * URL and the request body (URLs may hold API keys).
 */
export function rawDetails(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    if ('details' in cause && typeof cause.details === 'string' && cause.details) return cause.details
    if ('shortMessage' in cause && typeof cause.shortMessage === 'string') return cause.shortMessage
  }
  return cause instanceof Error ? cause.name : 'no details'
}

// Every error an executor raises. `retryable` says whether calling the same operation again can
// help; errors the node reports about a specific transaction are never retryable by default.

/** A call of a batch reverted in simulation: nothing was signed or sent. */
export class SimulationRevertedError extends BaseError {
  override name = 'Executor.SimulationRevertedError' as const
  readonly index: number
  readonly reason: string
  readonly revertData: Hex | undefined
  constructor(params: { index: number; description: string; reason: string; revertData?: Hex | undefined; cause?: unknown }) {
    super(`Simulation reverted at call ${params.index} (${params.description}): ${params.reason}`, {
      cause: params.cause,
      details: params.reason,
      retryable: false,
    })
    this.index = params.index
    this.reason = params.reason
    this.revertData = params.revertData
  }
}

/** A different transaction was mined with this nonce: ours can never be included. */
export class NonceConsumedError extends BaseError {
  override name = 'Executor.NonceConsumedError' as const
  readonly nonce: number
  readonly hash: Hex
  constructor(params: { nonce: number; hash: Hex; latestNonce: number }) {
    super(`Nonce ${params.nonce} was consumed by another transaction; ${params.hash} can never be mined`, {
      metaMessages: [`latest nonce on chain: ${params.latestNonce}`],
      retryable: false,
    })
    this.nonce = params.nonce
    this.hash = params.hash
  }
}

/** The transaction was mined and reverted; the receipt is attached. */
export class TxRevertedError extends BaseError {
  override name = 'Executor.TxRevertedError' as const
  readonly receipt: SubmittedTx
  constructor(params: { receipt: SubmittedTx }) {
    super(`Transaction ${params.receipt.hash} reverted in block ${params.receipt.blockNumber}`, { retryable: false })
    this.receipt = params.receipt
  }
}

/** No receipt within the chain's timeout; submitting the same PreparedTx again is safe. */
export class ReceiptTimeoutError extends BaseError {
  override name = 'Executor.ReceiptTimeoutError' as const
  constructor(params: { hash: Hex; timeoutMs: number; cause?: unknown }) {
    super(`No receipt for ${params.hash} within ${params.timeoutMs} ms`, {
      cause: params.cause,
      details: rawDetails(params.cause),
      retryable: true,
    })
  }
}

/**
 * A nonce below this transaction's is neither mined nor pending: the transaction would sit queued
 * behind the gap forever. Nothing was broadcast; the gap must be settled (mined or cancelled) first.
 */
export class NonceGapError extends BaseError {
  override name = 'Executor.NonceGapError' as const
  readonly nonce: number
  readonly chainNonce: number
  constructor(params: { nonce: number; latestNonce: number; pendingNonce: number }) {
    super(
      `Nonce ${params.nonce} cannot be mined: the chain's next nonce is ${params.latestNonce} and nothing of ours is pending below ours`,
      {
        metaMessages: [`latest nonce ${params.latestNonce}, pending nonce ${params.pendingNonce}`],
        retryable: false,
      },
    )
    this.nonce = params.nonce
    this.chainNonce = params.latestNonce
  }
}

/** The wait for a receipt was abandoned (worker shutdown, activity cancelled); submitting again is safe. */
export class SubmitAbortedError extends BaseError {
  override name = 'Executor.SubmitAbortedError' as const
  constructor(params: { hash: Hex }) {
    super(`Stopped waiting for ${params.hash}: the submit was cancelled`, { retryable: true })
  }
}

/** The RPC endpoint timed out, was unreachable or rate-limited us. */
export class RpcUnavailableError extends BaseError {
  override name = 'Executor.RpcUnavailableError' as const
  constructor(params: { cause: unknown }) {
    super('RPC endpoint unavailable', { cause: params.cause, details: rawDetails(params.cause), retryable: true })
  }
}

/** The signer cannot pay for gas and value. */
export class InsufficientFundsError extends BaseError {
  override name = 'Executor.InsufficientFundsError' as const
  constructor(params: { cause: unknown }) {
    super('Signer has insufficient funds for gas * fee + value', {
      cause: params.cause,
      details: rawDetails(params.cause),
      retryable: false,
    })
  }
}

/** The node says the nonce is already used: either our transaction was mined or another one was. */
export class NonceTooLowError extends BaseError {
  override name = 'Executor.NonceTooLowError' as const
  constructor(params: { cause: unknown }) {
    super('Nonce too low', { cause: params.cause, details: rawDetails(params.cause), retryable: false })
  }
}

/** The node already holds this exact transaction in its pool. */
export class AlreadyKnownError extends BaseError {
  override name = 'Executor.AlreadyKnownError' as const
  constructor(params: { cause: unknown }) {
    super('Transaction already known to the node', { cause: params.cause, details: rawDetails(params.cause), retryable: false })
  }
}

/** Another transaction with the same nonce sits in the pool; once it is mined, submit reports NonceConsumed. */
export class NonceConflictError extends BaseError {
  override name = 'Executor.NonceConflictError' as const
  constructor(params: { cause: unknown }) {
    super('Another pending transaction holds this nonce', { cause: params.cause, details: rawDetails(params.cause), retryable: true })
  }
}

/** maxFeePerGas is below the current base fee or the node's floor: prepare again with fresh fees. */
export class FeeTooLowError extends BaseError {
  override name = 'Executor.FeeTooLowError' as const
  constructor(params: { cause: unknown }) {
    super('Fee cap too low for the current base fee', { cause: params.cause, details: rawDetails(params.cause), retryable: false })
  }
}

/** A revert reported by the node outside of a batch simulation (e.g. by eth_estimateGas). */
export class ExecutionRevertedError extends BaseError {
  override name = 'Executor.ExecutionRevertedError' as const
  readonly reason: string
  constructor(params: { reason: string; cause: unknown }) {
    super(`Execution reverted: ${params.reason}`, { cause: params.cause, details: params.reason, retryable: false })
    this.reason = params.reason
  }
}

/** A PreparedTx or a call does not belong to this executor (other chain or signer) or is malformed. */
export class InvalidTransactionError extends BaseError {
  override name = 'Executor.InvalidTransactionError' as const
  constructor(params: { reason: string }) {
    super(`Invalid transaction for this executor: ${params.reason}`, { retryable: false })
  }
}

/** The same idempotency key was used for a different batch of calls. */
export class IdempotencyConflictError extends BaseError {
  override name = 'Executor.IdempotencyConflictError' as const
  constructor(params: { idempotencyKey: string }) {
    super(`Idempotency key "${params.idempotencyKey}" was already used for a different batch of calls`, { retryable: false })
  }
}

/**
 * No attempt of a bundle was included by its deadline block, and the route's fallback is to stop:
 * nothing of it was mined (the signer's nonce is where it was), and nothing was sent publicly.
 */
export class BundleNotIncludedError extends BaseError {
  override name = 'Executor.BundleNotIncludedError' as const
  constructor(p: { attempts: number; startBlock: bigint; deadlineBlock: bigint }) {
    super(`Bundle not included: ${p.attempts} attempt(s) for blocks ${p.startBlock + 1n}..${p.deadlineBlock}, none landed`, {
      metaMessages: ["the mandate's bundle fallback is stop: nothing was sent to the public mempool"],
      retryable: false,
    })
  }
}

/** An error we cannot classify: fail closed, a retry is not assumed to be safe or useful. */
export class UnknownRpcError extends BaseError {
  override name = 'Executor.UnknownRpcError' as const
  constructor(params: { cause: unknown }) {
    super('Unclassified RPC error', { cause: params.cause, details: rawDetails(params.cause), retryable: false })
  }
}

export type ExecutorError =
  | SimulationRevertedError
  | NonceConsumedError
  | TxRevertedError
  | ReceiptTimeoutError
  | NonceGapError
  | SubmitAbortedError
  | RpcUnavailableError
  | InsufficientFundsError
  | NonceTooLowError
  | AlreadyKnownError
  | NonceConflictError
  | FeeTooLowError
  | ExecutionRevertedError
  | InvalidTransactionError
  | IdempotencyConflictError
  | BundleNotIncludedError
  | UnknownRpcError

/**
 * A call the treasury's role does not allow: refused before signing, either by keel's own check of
 * the compiled permissions or by the Roles module in simulation. Nothing was signed or sent.
 */
export class PermissionDeniedError extends BaseError {
  override name = 'Executor.PermissionDeniedError' as const
  readonly index: number
  readonly reason: string
  /** `not-a-member` when keel's key has lost its role: every later call will fail too. */
  readonly kind: 'condition' | 'not-a-member' | 'module-disabled'
  constructor(params: { index: number; description: string; reason: string; kind: PermissionDeniedError['kind']; cause?: unknown }) {
    super(`Permission denied for call ${params.index} (${params.description}): ${params.reason}`, {
      cause: params.cause,
      details: params.reason,
      retryable: false,
    })
    this.index = params.index
    this.reason = params.reason
    this.kind = params.kind
  }
}
