import { type Address, ContractFunctionRevertedError, type Hex, BaseError as ViemBaseError } from 'viem'
import { BaseError } from '../../../agent/errors.ts'

/** Safe 1.5.0's revert codes (`revertWithError("GSxxx")` in its contracts) and what each means. */
export const safeErrorCodes = {
  GS000: 'could not finish initialization',
  GS001: 'threshold needs to be defined',
  GS002: 'setup modules target is not a contract',
  GS010: 'not enough gas to execute the Safe transaction',
  GS011: 'could not pay gas costs with ether',
  GS012: 'could not pay gas costs with token',
  GS020: 'signatures data too short',
  GS021: 'invalid contract signature location: inside static part',
  GS022: 'invalid contract signature location: length not present',
  GS023: 'invalid contract signature location: data not complete',
  GS024: 'invalid contract signature provided',
  GS025: 'hash has not been approved',
  GS026: 'invalid owner provided',
  GS030: 'only owners can approve a hash',
  GS031: 'method can only be called from this contract',
  GS100: 'modules have already been initialized',
  GS101: 'invalid module address provided',
  GS102: 'module has already been added',
  GS103: 'invalid prevModule, module pair provided',
  GS104: 'method can only be called from an enabled module',
  GS105: 'invalid starting point for fetching paginated modules',
  GS106: 'invalid page size for fetching paginated modules',
  GS200: 'owners have already been set up',
  GS201: 'threshold cannot exceed owner count',
  GS202: 'threshold needs to be greater than 0',
  GS203: 'invalid owner address provided',
  GS204: 'address is already an owner',
  GS205: 'invalid prevOwner, owner pair provided',
  GS300: 'guard does not implement IERC165',
  GS301: 'module guard does not implement IERC165',
  GS400: 'fallback handler cannot be set to self',
} as const

export type SafeErrorCode = keyof typeof safeErrorCodes

/** A revert as the node decoded it: a Safe code when the Safe itself refused, else the inner call's reason if any. */
export type SafeRevert = { code: SafeErrorCode | null; reason: string | null }

const isSafeErrorCode = (s: string): s is SafeErrorCode => Object.hasOwn(safeErrorCodes, s)

/**
 * The revert inside a viem contract error, or null when `err` is no revert (a transport failure).
 * Safe 1.5.0 bubbles an inner call's revert data up unchanged when safeTxGas and gasPrice are 0.
 */
export function decodeSafeRevert(err: unknown): SafeRevert | null {
  if (!(err instanceof ViemBaseError)) return null
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError)) return null
  const reason = reverted.reason ?? reverted.data?.errorName ?? reverted.signature ?? null
  return { code: reason !== null && isSafeErrorCode(reason) ? reason : null, reason }
}

/** `execTransaction` reverted (in simulation or on chain): the Safe nonce did not move, nothing happened. */
export class SafeTransactionRevertedError extends BaseError {
  override name = 'Safe.TransactionRevertedError' as const
  readonly code: SafeErrorCode | null
  readonly safe: Address
  readonly safeTxHash: Hex
  constructor(params: { safe: Address; safeTxHash: Hex; revert: SafeRevert; txHash?: Hex; cause?: unknown }) {
    const { code, reason } = params.revert
    const why = code ? `${code} (${safeErrorCodes[code]})` : reason ? `inner call reverted: ${reason}` : 'reverted without a reason'
    super(`Safe transaction ${params.safeTxHash} on ${params.safe} reverted: ${why}`, {
      cause: params.cause,
      // The node's decoded reason only: viem's messages quote the RPC URL.
      details: reason ?? 'no revert data',
      metaMessages: params.txHash ? [`transaction: ${params.txHash}`] : [],
      // Only running out of gas can pass on a second try; signatures, owners and inner calls fail the same way again.
      retryable: code === 'GS010',
    })
    this.code = code
    this.safe = params.safe
    this.safeTxHash = params.safeTxHash
  }
}

/** The Safe ran its transaction and the inner call failed (`ExecutionFailure`): the nonce is used, nothing else happened. */
export class SafeExecutionFailedError extends BaseError {
  override name = 'Safe.ExecutionFailedError' as const
  readonly safe: Address
  readonly safeTxHash: Hex
  readonly txHash: Hex
  constructor(params: { safe: Address; safeTxHash: Hex; txHash: Hex; reason: string }) {
    super(`Safe transaction ${params.safeTxHash} on ${params.safe} failed: ${params.reason}`, {
      details: params.reason,
      metaMessages: [`transaction: ${params.txHash}`],
      retryable: false,
    })
    this.safe = params.safe
    this.safeTxHash = params.safeTxHash
    this.txHash = params.txHash
  }
}
