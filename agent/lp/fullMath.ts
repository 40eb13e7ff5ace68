import { MAX_UINT256 } from './constants.ts'
import { UniswapMathError } from './errors.ts'

function assertUint256(x: bigint, what: string): void {
  if (x < 0n || x > MAX_UINT256) throw new UniswapMathError({ reason: 'uint256 out of range', details: `${what} = ${x}` })
}

/**
 * floor(a·b / denominator) with a full-precision intermediate, as FullMath.mulDiv: reverts when
 * the denominator is zero or the result does not fit in uint256 (bigint makes the 512-bit
 * product exact, so only the guards need reproducing).
 */
export function mulDiv(a: bigint, b: bigint, denominator: bigint): bigint {
  assertUint256(a, 'a')
  assertUint256(b, 'b')
  assertUint256(denominator, 'denominator')
  if (denominator === 0n) throw new UniswapMathError({ reason: 'mulDiv: denominator is zero' })
  const result = (a * b) / denominator
  if (result > MAX_UINT256) throw new UniswapMathError({ reason: 'mulDiv: result overflows uint256' })
  return result
}

/** ceil(a·b / denominator) with the same guards as FullMath.mulDivRoundingUp. */
export function mulDivRoundingUp(a: bigint, b: bigint, denominator: bigint): bigint {
  const result = mulDiv(a, b, denominator)
  if ((a * b) % denominator === 0n) return result
  if (result >= MAX_UINT256) throw new UniswapMathError({ reason: 'mulDivRoundingUp: result overflows uint256' })
  return result + 1n
}

/** ceil(x / y) as UnsafeMath.divRoundingUp; callers guarantee y > 0 like the library does. */
export function divRoundingUp(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new UniswapMathError({ reason: 'divRoundingUp: division by zero' })
  const q = x / y
  return x % y === 0n ? q : q + 1n
}
