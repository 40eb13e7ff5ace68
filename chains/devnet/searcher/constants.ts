import { parseEther, parseUnits } from 'viem'

/** anvil's test-mnemonic index of the searcher: 0-7 play the devnet's roles (chains/devnet/constants.ts). */
export const searcherAccountIndex = 8

/** How often the searcher reads the node's public pool: well under a block, as a real searcher would. */
export const defaultPollMs = 25

/** What the searcher starts with on Ethereum: enough to move the devnet pool by several percent. */
export const searcherHoldings = { weth: parseEther('5000'), usdc: parseUnits('15000000', 6) } as const

/** Tip the searcher pays on its own transactions (the builder orders bundles by what they pay). */
export const searcherTipWei = 1_000_000_000n

/** Bisection steps when sizing a front-run: the size is found to within cap / 2^steps. */
export const sizingSteps = 14

/** How long a searcher process gets to answer its health check after it is spawned. */
export const searcherStartTimeoutMs = 15_000

/** How long the node may fail to answer before the searcher exits: nothing else stops it when its devnet is gone without it. */
export const nodeGoneMs = 15_000
