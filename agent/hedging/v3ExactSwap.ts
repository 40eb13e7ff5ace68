import { InvalidInputError } from '../errors.ts'
import { divCeil } from '../money.ts'

const Q96 = 1n << 96n

const mulDivDown = (a: bigint, b: bigint, d: bigint): bigint => (a * b) / d
const mulDivUp = (a: bigint, b: bigint, d: bigint): bigint => divCeil(a * b, d)

/**
 * Exact fill of a swap inside one Uniswap V3 tick range, in raw base units, following the
 * whitepaper's in-range formulas (Δ(1/√P) = Δx/L, Δ√P = Δy/L) in Q64.96 with the pool's rounding
 * (the price moves against the trader, amounts round in the pool's favour). token0 = base,
 * token1 = quote. Pool fee excluded: it is charged separately as the venue fee.
 * `side: 'sellBase'` takes `amount` base in (exact input) and returns the quote out;
 * `side: 'buyBase'` takes `amount` base out (exact output) and returns the quote in.
 */
export function v3ExactSwap(params: { sqrtPriceX96: bigint; liquidity: bigint; side: 'sellBase' | 'buyBase'; amount: bigint }): {
  quoteAmount: bigint
  sqrtPriceAfterX96: bigint
} {
  const { sqrtPriceX96: sqrtP, liquidity, side, amount } = params
  if (liquidity <= 0n || sqrtP <= 0n || amount < 0n) {
    throw new InvalidInputError({
      what: 'v3 swap',
      issues: [{ path: 'liquidity', message: 'expected liquidity, price > 0 and amount >= 0' }],
    })
  }
  const lShifted = liquidity << 96n
  if (side === 'sellBase') {
    // Adding base lowers √P: √P' = L·√P / (L + Δx·√P), rounded up (less favourable to the seller).
    const sqrtNext = mulDivUp(lShifted, sqrtP, lShifted + amount * sqrtP)
    return { quoteAmount: mulDivDown(liquidity, sqrtP - sqrtNext, Q96), sqrtPriceAfterX96: sqrtNext }
  }
  const product = amount * sqrtP
  if (product >= lShifted) {
    throw new InvalidInputError({
      what: 'v3 swap',
      issues: [{ path: 'amount', message: 'buy exceeds the virtual base reserve of the range' }],
    })
  }
  const sqrtNext = mulDivUp(lShifted, sqrtP, lShifted - product)
  return { quoteAmount: mulDivUp(liquidity, sqrtNext - sqrtP, Q96), sqrtPriceAfterX96: sqrtNext }
}
