import { InvalidInputError } from '../errors.ts'
import { MAX_UINT128 } from './constants.ts'
import { MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK } from './tickMath.ts'

type Issue = { path: string; message: string }

/** Checks the fields every position computation shares; throws one InvalidInputError naming each bad field. */
export function assertPositionInput(
  p: { liquidity: bigint; tickLower: number; tickUpper: number; sqrtPriceX96: bigint },
  what: string,
): void {
  const issues: Issue[] = []
  if (p.liquidity < 0n || p.liquidity > MAX_UINT128) issues.push({ path: 'liquidity', message: `must be a uint128, got ${p.liquidity}` })
  for (const key of ['tickLower', 'tickUpper'] as const) {
    const t = p[key]
    if (!Number.isInteger(t) || t < MIN_TICK || t > MAX_TICK)
      issues.push({ path: key, message: `must be an integer tick in [${MIN_TICK}, ${MAX_TICK}], got ${t}` })
  }
  if (!(p.tickLower < p.tickUpper))
    issues.push({ path: 'tickUpper', message: `must be above tickLower (${p.tickLower}), got ${p.tickUpper}` })
  if (p.sqrtPriceX96 < MIN_SQRT_RATIO || p.sqrtPriceX96 >= MAX_SQRT_RATIO) {
    issues.push({ path: 'sqrtPriceX96', message: `must be in [MIN_SQRT_RATIO, MAX_SQRT_RATIO), got ${p.sqrtPriceX96}` })
  }
  if (issues.length > 0) throw new InvalidInputError({ what, issues })
}
