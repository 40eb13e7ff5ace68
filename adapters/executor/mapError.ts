import type { Hex } from 'viem'
import {
  decodeErrorResult,
  HttpRequestError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  BaseError as ViemBaseError,
  ExecutionRevertedError as ViemExecutionRevertedError,
  FeeCapTooLowError as ViemFeeCapTooLowError,
  InsufficientFundsError as ViemInsufficientFundsError,
  NonceTooLowError as ViemNonceTooLowError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from 'viem'
import { getNodeError } from 'viem/utils'
import { BaseError } from '../../agent/errors.ts'
import {
  AlreadyKnownError,
  ExecutionRevertedError,
  type ExecutorError,
  FeeTooLowError,
  InsufficientFundsError,
  NonceConflictError,
  NonceTooLowError,
  ReceiptTimeoutError,
  RpcUnavailableError,
  UnknownRpcError,
} from './errors.ts'

// The one place where raw viem/RPC errors become typed keel errors. viem already classifies
// node messages (getNodeError); the two pool answers it does not know are matched here and
// nowhere else.
const alreadyKnownMessage = /already known|already imported|known transaction/i
const replacementUnderpricedMessage = /replacement transaction underpriced|replacement fee too low/i

/** Maps any error thrown by a viem client call to a typed executor error with `retryable` set. */
export function mapError(err: unknown, context: { hash?: Hex; timeoutMs?: number } = {}): ExecutorError | BaseError {
  if (err instanceof BaseError) return err
  if (!(err instanceof ViemBaseError)) return new UnknownRpcError({ cause: err })

  const timeout = err.walk((e) => e instanceof WaitForTransactionReceiptTimeoutError)
  if (timeout) return new ReceiptTimeoutError({ hash: context.hash ?? '0x', timeoutMs: context.timeoutMs ?? 0, cause: err })
  if (isTransportFailure(err)) return new RpcUnavailableError({ cause: err })

  const message = `${err.details ?? ''} ${err.shortMessage}`
  if (alreadyKnownMessage.test(message)) return new AlreadyKnownError({ cause: err })
  if (replacementUnderpricedMessage.test(message)) return new NonceConflictError({ cause: err })

  const node = err.walk((e) => e instanceof ViemInsufficientFundsError || e instanceof ViemNonceTooLowError) ?? getNodeError(err, {})
  if (node instanceof ViemInsufficientFundsError) return new InsufficientFundsError({ cause: err })
  if (node instanceof ViemNonceTooLowError) return new NonceTooLowError({ cause: err })
  if (node instanceof ViemFeeCapTooLowError) return new FeeTooLowError({ cause: err })
  if (node instanceof ViemExecutionRevertedError) {
    return new ExecutionRevertedError({ reason: decodeRevertReason(revertDataOf(err)) ?? node.details ?? 'execution reverted', cause: err })
  }
  return new UnknownRpcError({ cause: err })
}

function isTransportFailure(err: ViemBaseError): boolean {
  return Boolean(
    err.walk((e) => {
      if (e instanceof TimeoutError || e instanceof SocketClosedError || e instanceof WebSocketRequestError) return true
      if (e instanceof LimitExceededRpcError || e instanceof ResourceUnavailableRpcError) return true
      // HttpRequestError without a status is a connection failure; 408/429/5xx are transient.
      if (e instanceof HttpRequestError) return e.status === undefined || e.status === 408 || e.status === 429 || e.status >= 500
      return false
    }),
  )
}

/** Whether an error from a chain read is worth retrying (timeouts, connection errors, rate limits). */
export function isTransientRpcError(err: unknown): boolean {
  return mapError(err).retryable
}

function revertDataOf(err: ViemBaseError): Hex | undefined {
  const withData = err.walk((e) => e instanceof RpcRequestError && typeof (e as { data?: unknown }).data === 'string')
  const data = (withData as { data?: unknown } | null)?.data
  return typeof data === 'string' && data.startsWith('0x') ? (data as Hex) : undefined
}

/** Decodes Error(string) and Panic(uint256) revert data into a readable reason; undefined when it cannot. */
export function decodeRevertReason(data: Hex | undefined): string | undefined {
  if (!data || data === '0x') return undefined
  try {
    const decoded = decodeErrorResult({ data })
    if (decoded.errorName === 'Error') return String(decoded.args[0])
    if (decoded.errorName === 'Panic') return `panic ${String(decoded.args[0])}`
    return decoded.errorName
  } catch {
    return `unrecognised revert data ${data.slice(0, 10)}`
  }
}
