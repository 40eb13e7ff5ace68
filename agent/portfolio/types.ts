import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { ChainOptionsJson, OptionGreeks } from '../options/mark.ts'

/**
 * What one observation of one chain saw, at one block. JSON-safe (amounts as decimal strings)
 * because it crosses the Temporal boundary between the observe activity and the workflow.
 */
export type ChainObservation = {
  chain: ChainKey
  chainId: number
  blockNumber: string
  /** Market time is chain time: every market-related decision reads this, never the wall clock. */
  blockTimestampSec: string
  baseFeePerGasWei: string
  priorityFeePerGasWei: string
  /**
   * L1 data fee of one hedge swap transaction on this chain (an L2's charge for posting it to L1,
   * on top of execution gas), wei; '0' on Ethereum. Absent in observations made before it was read.
   */
  l1DataFeeWei?: string
  treasury: Address
  weth: Address
  usdc: Address
  pool: {
    address: Address
    token0: Address
    token1: Address
    fee: number
    sqrtPriceX96: string
    tick: number
    liquidity: string
  }
  balances: { weth: string; usdc: string }
  lpPositions: {
    tokenId: string
    tickLower: number
    tickUpper: number
    liquidity: string
    tokensOwed0: string
    tokensOwed1: string
  }[]
  /** The treasury's option book on this chain (Gamma vaults and oTokens), when the mandate has one. */
  options?: ChainOptionsJson
}

export type PortfolioSnapshot = {
  portfolio: string
  chains: ChainObservation[]
  /**
   * Capital on its way between chains (from the portfolio's ledger): counted where it is going,
   * so a transfer neither vanishes from the book nor gets spent before it arrives.
   */
  inFlight?: { asset: 'WETH' | 'USDC'; from: ChainKey; to: ChainKey; amount: string }[]
}

/** ETH exposure of one chain: exact amounts in base units, Greeks as statistics. */
export type ChainExposure = {
  chain: ChainKey
  blockTimestampSec: bigint
  /** Pool mid price, USDC per ETH (a statistic, for display and risk). */
  priceUsdc: number
  spotWethWei: bigint
  spotUsdc: bigint
  lpWethWei: bigint
  lpUsdc: bigint
  /** ETH delta = spot WETH + ETH held inside the LP ranges, exact in wei. */
  deltaWei: bigint
  /** d²V/dP² in ETH per USDC: concentrated liquidity is short gamma. */
  gamma: number
  /** The options' Greeks (their delta and gamma are inside deltaWei and gamma above). */
  options?: OptionGreeks
}

export type PortfolioExposure = {
  portfolio: string
  chains: ChainExposure[]
  /** WETH in flight between chains: ETH the book holds that no chain shows yet. */
  inFlightWethWei: bigint
  /** Sum over chains, WETH in flight included. */
  deltaWei: bigint
  gamma: number
  /** Of the option book, over every chain: USD per vol point and per day. */
  vega: number
  theta: number
}
