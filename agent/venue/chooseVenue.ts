import type { ChainKey } from '../../chains/types.ts'
import type { HedgeDirection } from '../policy/bandPolicy.ts'
import { wethToUsdcAtMid } from '../portfolio/poolPrice.ts'

const BPS = 10_000n

/** One chain's quote for the same hedge, with what it takes to price it. */
export type VenueCandidate = {
  chain: ChainKey
  direction: HedgeDirection
  /** WETH wei when selling ETH, USDC base units when buying. */
  amountIn: bigint
  amountOut: bigint
  gasEstimate: bigint
  /** Fee per gas the executor expects to pay: base fee + priority fee. */
  gasPriceWei: bigint
  /** L1 data fee the swap transaction pays on an L2 on top of its execution gas, wei (0 on Ethereum). */
  l1DataFeeWei: bigint
  /** Pool mid price before the trade. */
  sqrtPriceX96: bigint
  wethIsToken0: boolean
  /** Treasury balance of the token paid in, on that chain. */
  balanceIn: bigint
}

export type CostedVenue = {
  chain: ChainKey
  candidate: VenueCandidate
  /** Gas in USDC base units at the chain's own mid price, rounded up: execution plus the L1 data fee. */
  gasCostUsdc: bigint
  /** The L1 data fee's part of `gasCostUsdc`, rounded up on its own. */
  l1DataFeeUsdc: bigint
  /** Value lost to the pool vs its mid price (fee + price impact), USDC base units. */
  impactCostUsdc: bigint
  totalCostUsdc: bigint
  /** Shortfall of amountOut vs the mid-price value of amountIn, in bps, rounded up. */
  shortfallBps: bigint
  rejected: null | 'insufficient-balance' | 'gas-over-budget' | 'slippage-over-budget' | 'no-output'
}

export type VenueChoice =
  | { status: 'ok'; best: CostedVenue; ranked: CostedVenue[] }
  | { status: 'unavailable'; reason: string; ranked: CostedVenue[] }

/** Prices one candidate's total cost in USDC and checks it against the mandate's budgets. */
export function costVenue(c: VenueCandidate, budget: { maxGasCostUsdc: bigint; maxSlippageBps: number }): CostedVenue {
  const gasWei = c.gasEstimate * c.gasPriceWei + c.l1DataFeeWei
  const gasCostUsdc = wethToUsdcAtMid({ wethWei: gasWei, sqrtPriceX96: c.sqrtPriceX96, wethIsToken0: c.wethIsToken0, roundUp: true })
  const l1DataFeeUsdc = wethToUsdcAtMid({
    wethWei: c.l1DataFeeWei,
    sqrtPriceX96: c.sqrtPriceX96,
    wethIsToken0: c.wethIsToken0,
    roundUp: true,
  })
  // Value of what goes in and what comes out, both in USDC at the pre-trade mid price.
  const valueIn =
    c.direction === 'sell-eth'
      ? wethToUsdcAtMid({ wethWei: c.amountIn, sqrtPriceX96: c.sqrtPriceX96, wethIsToken0: c.wethIsToken0 })
      : c.amountIn
  const valueOut =
    c.direction === 'sell-eth'
      ? c.amountOut
      : wethToUsdcAtMid({ wethWei: c.amountOut, sqrtPriceX96: c.sqrtPriceX96, wethIsToken0: c.wethIsToken0 })
  const impactCostUsdc = valueIn > valueOut ? valueIn - valueOut : 0n
  const shortfallBps = valueIn === 0n ? BPS : (impactCostUsdc * BPS + valueIn - 1n) / valueIn
  let rejected: CostedVenue['rejected'] = null
  if (c.amountOut === 0n) rejected = 'no-output'
  else if (c.balanceIn < c.amountIn) rejected = 'insufficient-balance'
  else if (gasCostUsdc > budget.maxGasCostUsdc) rejected = 'gas-over-budget'
  else if (shortfallBps > BigInt(budget.maxSlippageBps)) rejected = 'slippage-over-budget'
  return {
    chain: c.chain,
    candidate: c,
    gasCostUsdc,
    l1DataFeeUsdc,
    impactCostUsdc,
    totalCostUsdc: gasCostUsdc + impactCostUsdc,
    shortfallBps,
    rejected,
  }
}

/** Picks the chain where the hedge costs least in total (gas + fee + impact) within budget. */
export function chooseVenue(p: { candidates: VenueCandidate[]; maxGasCostUsdc: bigint; maxSlippageBps: number }): VenueChoice {
  const ranked = p.candidates
    .map((c) => costVenue(c, p))
    .sort((a, b) =>
      (a.rejected === null) !== (b.rejected === null)
        ? a.rejected === null
          ? -1
          : 1
        : a.totalCostUsdc < b.totalCostUsdc
          ? -1
          : a.totalCostUsdc > b.totalCostUsdc
            ? 1
            : a.chain.localeCompare(b.chain),
    )
  const best = ranked[0]
  if (best && best.rejected === null) return { status: 'ok', best, ranked }
  const reason = ranked.length === 0 ? 'no venue quoted this hedge' : ranked.map((r) => `${r.chain}: ${r.rejected}`).join(', ')
  return { status: 'unavailable', reason, ranked }
}

/** Slippage tolerance left for execution after what the quote already gives up, in bps. */
export const remainingSlippageBps = (v: CostedVenue, maxSlippageBps: number): number => Math.max(0, maxSlippageBps - Number(v.shortfallBps))
