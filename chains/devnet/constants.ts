import { parseEther, parseUnits } from 'viem'
import type { ChainKey } from '../types.ts'

/** Anvil's public test mnemonic: its keys are known to everyone and must never hold value. */
export const anvilMnemonic = 'test test test test test test test test test test test junk'

/** Which mnemonic index plays which role on every devnet chain. */
export const accountIndex = {
  deployer: 0,
  treasury: 1,
  arbitrageur: 2,
  liquidityProvider: 3,
  /** LayerZero's verifier and executor stand-in: verifies packets and calls lzReceive. */
  lzDelivery: 4,
  /** Across's relayer and dataworker stand-in: fills deposits from its inventory, relays refund bundles. */
  acrossRelayer: 5,
  /** Two RFQ market makers (AirSwap) that buy the options keel sells, each pricing from its own surface. */
  rfqMakerA: 6,
  rfqMakerB: 7,
  // 8 is the searcher's (chains/devnet/searcher/constants.ts), which trades on Ethereum only.
  /**
   * Deploys the Safe singletons and nothing else: its nonces 0-4 fix their addresses, the same on
   * every chain. Anvil prefunds indices 0-9, so it pays its own gas.
   */
  safeDeployer: 9,
  /** The treasury Safe's three owners: they only sign (EIP-712), never send, so they hold no ETH (anvil funds 0-9 only). */
  safeOwnerA: 10,
  safeOwnerB: 11,
  safeOwnerC: 12,
} as const

/** The WETH/USDC pool keel trades: 0.05 % fee tier, tick spacing 10. */
export const poolFee = 500
export const poolTickSpacing = 10

export const defaultInitialEthPriceUsd = 3000
export const defaultSeed = 1

/** Chainlink ETH/USD feeds answer with 8 decimals. */
export const feedDecimals = 8

/** Token amounts at 6 decimals (USDC) and 18 decimals (WETH) written as readable literals. */
export const usdc = (whole: string): bigint => parseUnits(whole, 6)
export const weth = (whole: string): bigint => parseEther(whole)

/** One LP position: a half-width in ticks around the start price ('full' = whole tick range) and its USD value. */
export type LpPositionSpec = { halfWidthTicks: number | 'full'; valueUsdc: bigint }

/** How a devnet chain looks: fees close to the real chain's, and pool depth to match. */
export type ChainProfile = {
  chainId: number
  baseFeeWei: bigint
  priorityFeeWei: bigint
  /** Third-party liquidity; the full-range slice keeps the pool priced even after large shocks. */
  lpPositions: readonly LpPositionSpec[]
}

// 6931 ticks is a factor of 2 in price, 488 ticks about 5 %.
export const chainProfiles: Readonly<Record<ChainKey, ChainProfile>> = {
  ethereum: {
    chainId: 1,
    baseFeeWei: 15_000_000_000n,
    priorityFeeWei: 1_000_000_000n,
    lpPositions: [
      { halfWidthTicks: 'full', valueUsdc: usdc('2000000') },
      { halfWidthTicks: 6931, valueUsdc: usdc('24000000') },
      { halfWidthTicks: 488, valueUsdc: usdc('12000000') },
    ],
  },
  arbitrum: {
    chainId: 42161,
    baseFeeWei: 10_000_000n,
    priorityFeeWei: 1_000_000n,
    lpPositions: [
      { halfWidthTicks: 'full', valueUsdc: usdc('500000') },
      { halfWidthTicks: 6931, valueUsdc: usdc('5000000') },
      { halfWidthTicks: 488, valueUsdc: usdc('2500000') },
    ],
  },
  base: {
    chainId: 8453,
    baseFeeWei: 30_000_000n,
    priorityFeeWei: 1_000_000n,
    lpPositions: [
      { halfWidthTicks: 'full', valueUsdc: usdc('300000') },
      { halfWidthTicks: 6931, valueUsdc: usdc('2500000') },
      { halfWidthTicks: 488, valueUsdc: usdc('1000000') },
    ],
  },
}

/** The treasury's holdings on every chain: spot balances exactly these, plus two LP positions. */
export const treasuryHoldings = {
  spotWeth: weth('100'),
  spotUsdc: usdc('250000'),
  // About ±10 % and ±25 % around the start price: delta and gamma from the LPs.
  lpPositions: [
    { halfWidthTicks: 953, valueUsdc: usdc('300000') },
    { halfWidthTicks: 2231, valueUsdc: usdc('200000') },
  ] satisfies LpPositionSpec[],
} as const

/** The arbitrageur's inventory: enough to walk every pool far past its concentrated ranges. */
export const arbitrageurHoldings = { weth: weth('200000'), usdc: usdc('1000000000') } as const

/** Native balance given to accounts that need more than anvil's default 10,000 ETH. */
export const richNativeBalance = weth('10000000')

/** How often each anvil dumps its state to disk (`--state-interval`): what a SIGKILLed node can lose at most. */
export const defaultStateIntervalSec = 2
