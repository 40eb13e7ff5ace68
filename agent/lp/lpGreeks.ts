import { InvalidInputError } from '../errors.ts'
import { clampBigInt } from './bigint.ts'
import { getSqrtRatioAtTick } from './tickMath.ts'
import { assertPositionInput } from './validate.ts'

export type LpGreeksInput = {
  liquidity: bigint
  tickLower: number
  tickUpper: number
  sqrtPriceX96: bigint
  decimals0: number
  decimals1: number
  /** true when the risky token (WETH) is token0 and the numeraire (USDC) token1; depends on address order per chain. */
  riskyIsToken0: boolean
}

/** Value and price sensitivities of a position; all in human units of the two tokens. */
export type LpGreeks = {
  /** dV/dP in risky units: the risky amount the position holds now. */
  delta: number
  /** d²V/dP² in risky units per numeraire unit: −L/(2P^{3/2}) scaled, in range; 0 outside. */
  gamma: number
  /** V = risky·P + numeraire, in numeraire units (fees not included). */
  value: number
  /** P: numeraire per 1 risky token, human units. */
  price: number
}

const Q96_NUMBER = 2 ** 96

/**
 * Delta and gamma of a V3 position with respect to P, the price of the risky token in the
 * numeraire (e.g. USDC per ETH), for either token order.
 *
 * With s = √p in raw units (p = token1 base units per token0 base unit), clamped to the range
 * [sA, sB], the position holds x = L(1/s − 1/sB) token0 and y = L(s − sA) token1. For
 * risky = token0, P = s²·10^(d0−d1), V = x·P + y, dV/dP = x (the y-term cancels it: dy = −P dx),
 * d²V/dP² = dx/dP = −L·10^(d1−2·d0)/(2s³). For risky = token1, the same holds in the inverted
 * price s' = 1/s: P = s'²·10^(d1−d0), dV/dP = y, d²V/dP² = −L·10^(d0−2·d1)/(2s'³). Outside the
 * range the holdings are one token only and constant, so gamma is 0. "In range" is sA < s < sB,
 * the convention of LiquidityAmounts.
 */
export function lpGreeks(p: LpGreeksInput): LpGreeks {
  assertPositionInput(p, 'Uniswap V3 position for Greeks')
  assertDecimals(p)
  const sA = getSqrtRatioAtTick(p.tickLower)
  const sB = getSqrtRatioAtTick(p.tickUpper)
  const s = clampBigInt({ x: p.sqrtPriceX96, lo: sA, hi: sB })
  const L = Number(p.liquidity)
  // Differences are taken in bigint before converting, so a price next to a bound loses no
  // precision to cancellation (delta must agree with the exact integer amounts).
  const amount0Raw = ((L * Number(sB - s)) / Number(s) / Number(sB)) * Q96_NUMBER
  const amount1Raw = (L * Number(s - sA)) / Q96_NUMBER
  const inRange = sA < p.sqrtPriceX96 && p.sqrtPriceX96 < sB
  const sNow = Number(p.sqrtPriceX96) / Q96_NUMBER
  const { decimals0: d0, decimals1: d1 } = p
  if (p.riskyIsToken0) {
    const price = sNow * sNow * 10 ** (d0 - d1)
    const delta = amount0Raw / 10 ** d0
    const gamma = inRange ? (-L * 10 ** (d1 - 2 * d0)) / (2 * sNow ** 3) : 0
    return { delta, gamma, value: delta * price + amount1Raw / 10 ** d1, price }
  }
  const sInv = 1 / sNow
  const price = sInv * sInv * 10 ** (d1 - d0)
  const delta = amount1Raw / 10 ** d1
  const gamma = inRange ? (-L * 10 ** (d0 - 2 * d1)) / (2 * sInv ** 3) : 0
  return { delta, gamma, value: delta * price + amount0Raw / 10 ** d0, price }
}

function assertDecimals(p: LpGreeksInput): void {
  const issues = (['decimals0', 'decimals1'] as const)
    .filter((k) => !Number.isInteger(p[k]) || p[k] < 0 || p[k] > 36)
    .map((k) => ({ path: k, message: `must be an integer in [0, 36], got ${p[k]}` }))
  if (issues.length > 0) throw new InvalidInputError({ what: 'Uniswap V3 position for Greeks', issues })
}
