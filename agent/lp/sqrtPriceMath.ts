import { MAX_INT256, MAX_UINT128, MAX_UINT160, MAX_UINT256, Q96 } from './constants.ts'
import { UniswapMathError } from './errors.ts'
import { divRoundingUp, mulDiv, mulDivRoundingUp } from './fullMath.ts'

function assertUint(x: bigint, max: bigint, what: string): void {
  if (x < 0n || x > max) throw new UniswapMathError({ reason: `${what} out of range`, details: `${what} = ${x}` })
}

function sorted(a: bigint, b: bigint): [bigint, bigint] {
  return a > b ? [b, a] : [a, b]
}

function toUint160(x: bigint): bigint {
  if (x > MAX_UINT160) throw new UniswapMathError({ reason: 'SafeCast: uint160 overflow' })
  return x
}

function toInt256(x: bigint): bigint {
  if (x > MAX_INT256) throw new UniswapMathError({ reason: 'SafeCast: int256 overflow' })
  return x
}

type DeltaParams = { sqrtRatioAX96: bigint; sqrtRatioBX96: bigint; liquidity: bigint; roundUp: boolean }

/**
 * Token0 between two sqrt prices: L·(√B − √A)/(√A·√B), computed in the library's order of
 * operations (mulDiv by √B first, then divide by √A) because the order decides the rounding.
 */
export function getAmount0Delta(p: DeltaParams): bigint {
  assertUint(p.sqrtRatioAX96, MAX_UINT160, 'sqrtRatioAX96')
  assertUint(p.sqrtRatioBX96, MAX_UINT160, 'sqrtRatioBX96')
  assertUint(p.liquidity, MAX_UINT128, 'liquidity')
  const [a, b] = sorted(p.sqrtRatioAX96, p.sqrtRatioBX96)
  if (a === 0n) throw new UniswapMathError({ reason: 'getAmount0Delta: sqrtRatioAX96 is zero' })
  const numerator1 = p.liquidity << 96n
  const numerator2 = b - a
  return p.roundUp ? divRoundingUp(mulDivRoundingUp(numerator1, numerator2, b), a) : mulDiv(numerator1, numerator2, b) / a
}

/** Token1 between two sqrt prices: L·(√B − √A), rounded up or down as asked. */
export function getAmount1Delta(p: DeltaParams): bigint {
  assertUint(p.sqrtRatioAX96, MAX_UINT160, 'sqrtRatioAX96')
  assertUint(p.sqrtRatioBX96, MAX_UINT160, 'sqrtRatioBX96')
  assertUint(p.liquidity, MAX_UINT128, 'liquidity')
  const [a, b] = sorted(p.sqrtRatioAX96, p.sqrtRatioBX96)
  return p.roundUp ? mulDivRoundingUp(p.liquidity, b - a, Q96) : mulDiv(p.liquidity, b - a, Q96)
}

type SignedDeltaParams = { sqrtRatioAX96: bigint; sqrtRatioBX96: bigint; liquidity: bigint }

function signed(p: SignedDeltaParams, unsigned: (q: DeltaParams) => bigint): bigint {
  if (p.liquidity < -(1n << 127n) || p.liquidity >= 1n << 127n) {
    throw new UniswapMathError({ reason: 'liquidity out of int128 range', details: `liquidity = ${p.liquidity}` })
  }
  // Adding liquidity (the pool is paid) rounds up; removing (the pool pays) rounds down, so the
  // pool never loses a unit: the sign of the delta picks the rounding, as in the signed library overload.
  return p.liquidity < 0n
    ? -toInt256(unsigned({ ...p, liquidity: -p.liquidity, roundUp: false }))
    : toInt256(unsigned({ ...p, liquidity: p.liquidity, roundUp: true }))
}

/** Signed token0 delta for a signed liquidity delta (int128), as Pool._modifyPosition uses it. */
export function getAmount0DeltaSigned(p: SignedDeltaParams): bigint {
  return signed(p, getAmount0Delta)
}

/** Signed token1 delta for a signed liquidity delta (int128). */
export function getAmount1DeltaSigned(p: SignedDeltaParams): bigint {
  return signed(p, getAmount1Delta)
}

type NextPriceParams = { sqrtPX96: bigint; liquidity: bigint; amount: bigint; add: boolean }

/** Next sqrt price after adding/removing `amount` of token0, rounded up (SqrtPriceMath semantics). */
export function getNextSqrtPriceFromAmount0RoundingUp(p: NextPriceParams): bigint {
  const { sqrtPX96, liquidity, amount } = p
  if (amount === 0n) return sqrtPX96
  const numerator1 = liquidity << 96n
  const product = amount * sqrtPX96
  // The chain detects uint256 overflow of amount·√P and falls back to a formula that cannot overflow
  // but rounds differently; reproduce the branch, not just the math.
  const productFits = product <= MAX_UINT256
  if (p.add) {
    if (productFits) {
      const denominator = numerator1 + product
      if (denominator <= MAX_UINT256) return mulDivRoundingUp(numerator1, sqrtPX96, denominator)
    }
    const sum = numerator1 / sqrtPX96 + amount
    if (sum > MAX_UINT256) throw new UniswapMathError({ reason: 'LowGasSafeMath: add overflow' })
    return divRoundingUp(numerator1, sum)
  }
  if (!productFits || numerator1 <= product)
    throw new UniswapMathError({ reason: 'getNextSqrtPriceFromAmount0RoundingUp: insufficient reserves' })
  return toUint160(mulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product))
}

/** Next sqrt price after adding/removing `amount` of token1, rounded down (SqrtPriceMath semantics). */
export function getNextSqrtPriceFromAmount1RoundingDown(p: NextPriceParams): bigint {
  const { sqrtPX96, liquidity, amount } = p
  if (liquidity === 0n) throw new UniswapMathError({ reason: 'division by zero liquidity' })
  if (p.add) {
    // amount << 96 for amount ≤ uint160.max and mulDiv otherwise are both floor(amount·2^96/L).
    const quotient = amount <= MAX_UINT160 ? (amount << 96n) / liquidity : mulDiv(amount, Q96, liquidity)
    const next = sqrtPX96 + quotient
    if (next > MAX_UINT256) throw new UniswapMathError({ reason: 'LowGasSafeMath: add overflow' })
    return toUint160(next)
  }
  const quotient = amount <= MAX_UINT160 ? divRoundingUp(amount << 96n, liquidity) : mulDivRoundingUp(amount, Q96, liquidity)
  if (sqrtPX96 <= quotient) throw new UniswapMathError({ reason: 'getNextSqrtPriceFromAmount1RoundingDown: insufficient reserves' })
  return sqrtPX96 - quotient
}

type SwapStepParams = { sqrtPX96: bigint; liquidity: bigint; amount: bigint; zeroForOne: boolean }

function assertSwapInputs(p: SwapStepParams): void {
  assertUint(p.sqrtPX96, MAX_UINT160, 'sqrtPX96')
  assertUint(p.liquidity, MAX_UINT128, 'liquidity')
  assertUint(p.amount, MAX_UINT256, 'amount')
  if (p.sqrtPX96 === 0n) throw new UniswapMathError({ reason: 'sqrtPX96 is zero' })
  if (p.liquidity === 0n) throw new UniswapMathError({ reason: 'liquidity is zero' })
}

/** Sqrt price after swapping `amount` in; rounds so the price never moves past what the input pays for. */
export function getNextSqrtPriceFromInput(p: SwapStepParams): bigint {
  assertSwapInputs(p)
  const q = { sqrtPX96: p.sqrtPX96, liquidity: p.liquidity, amount: p.amount, add: true }
  return p.zeroForOne ? getNextSqrtPriceFromAmount0RoundingUp(q) : getNextSqrtPriceFromAmount1RoundingDown(q)
}

/** Sqrt price after swapping `amount` out; rounds so the price moves at least as far as the output needs. */
export function getNextSqrtPriceFromOutput(p: SwapStepParams): bigint {
  assertSwapInputs(p)
  const q = { sqrtPX96: p.sqrtPX96, liquidity: p.liquidity, amount: p.amount, add: false }
  return p.zeroForOne ? getNextSqrtPriceFromAmount1RoundingDown(q) : getNextSqrtPriceFromAmount0RoundingUp(q)
}
