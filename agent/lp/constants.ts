/** 2^96: the fixed-point unit of sqrtPriceX96 (Uniswap's FixedPoint96.Q96). */
export const Q96 = 1n << 96n
/** 2^128 */
export const Q128 = 1n << 128n
export const MAX_UINT128 = (1n << 128n) - 1n
export const MAX_UINT160 = (1n << 160n) - 1n
export const MAX_UINT256 = (1n << 256n) - 1n
/** Largest positive int256; SafeCast.toInt256 reverts above it. */
export const MAX_INT256 = (1n << 255n) - 1n
