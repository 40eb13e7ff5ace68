import { BaseError } from '../errors.ts'

/**
 * A computation the on-chain library would revert on (overflow, division by zero, a failed
 * `require`). We throw instead of wrapping so that a number we return is always the number the
 * chain would return; `reason` names the check, mirroring the Solidity revert string or guard.
 */
export class UniswapMathError extends BaseError {
  override name = 'UniswapV3.MathError' as const
  readonly reason: string
  constructor(params: { reason: string; details?: string }) {
    super(
      `Uniswap V3 math reverted: ${params.reason}`,
      params.details === undefined ? { retryable: false } : { details: params.details, retryable: false },
    )
    this.reason = params.reason
  }
}
