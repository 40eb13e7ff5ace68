import type { Address } from 'viem'

const Q192 = 2n ** 192n

/** Orientation of a WETH/USDC pool: on-chain token order depends on the addresses. */
export const wethIsToken0 = (pool: { token0: Address }, weth: Address): boolean => pool.token0.toLowerCase() === weth.toLowerCase()

/**
 * USDC base units worth `wethWei` at the pool's mid price, exact integer math on sqrtPriceX96.
 * `roundUp` for amounts we pay (rounding against us).
 */
export function wethToUsdcAtMid(p: { wethWei: bigint; sqrtPriceX96: bigint; wethIsToken0: boolean; roundUp?: boolean }): bigint {
  const sq = p.sqrtPriceX96 * p.sqrtPriceX96
  const [num, den] = p.wethIsToken0 ? [p.wethWei * sq, Q192] : [p.wethWei * Q192, sq]
  return p.roundUp ? (num + den - 1n) / den : num / den
}

/** WETH wei worth `usdc` base units at the pool's mid price. */
export function usdcToWethAtMid(p: { usdc: bigint; sqrtPriceX96: bigint; wethIsToken0: boolean; roundUp?: boolean }): bigint {
  const sq = p.sqrtPriceX96 * p.sqrtPriceX96
  const [num, den] = p.wethIsToken0 ? [p.usdc * Q192, sq] : [p.usdc * sq, Q192]
  return p.roundUp ? (num + den - 1n) / den : num / den
}

/** Mid price in USDC per ETH as a number, for statistics and display only. */
export function midPriceUsdc(p: { sqrtPriceX96: bigint; wethIsToken0: boolean }): number {
  const oneEthInUsdc = wethToUsdcAtMid({ wethWei: 10n ** 18n, sqrtPriceX96: p.sqrtPriceX96, wethIsToken0: p.wethIsToken0 })
  return Number(oneEthInUsdc) / 1e6
}
