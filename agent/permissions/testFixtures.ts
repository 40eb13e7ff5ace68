import type { Address } from 'viem'
import { parseMandate } from '../mandate/schema.ts'
import { allowancesFromMandate } from './allowances.ts'
import type { PermissionContext } from './types.ts'

// Addresses of digits only are their own checksum, so the adapters' schemas take them as they are.
export const addr = (digit: number, n: number): Address => `0x${String(digit).repeat(36)}${String(n).padStart(4, '0')}`

export const safes = { ethereum: addr(1, 1), arbitrum: addr(1, 2), base: addr(1, 3) } as const
export const outsider = addr(9, 9999)

export const tokens = {
  base: { weth: addr(2, 1), usdc: addr(2, 2) },
  arbitrum: { weth: addr(2, 11), usdc: addr(2, 12) },
  ethereum: { weth: addr(2, 21), usdc: addr(2, 22) },
} as const

export const otoken = addr(2, 100)

export const venues = {
  swapRouter: addr(3, 1),
  positionManager: addr(3, 2),
  endpoint: addr(4, 1),
  oft: addr(4, 2),
  arbitrumOft: addr(4, 12),
  ethereumOft: addr(4, 22),
  spokePool: addr(5, 1),
  controller: addr(6, 1),
  marginPool: addr(6, 2),
  otokenFactory: addr(6, 3),
  pricer: addr(6, 4),
  swapErc20: addr(7, 1),
} as const

export const eids = { ethereum: 30101, arbitrum: 30110, base: 30184 } as const
/** LayerZero's bare type-3 options header: what keel's sends carry with no extra lzReceive gas. */
export const bareOptions = '0x0003'

export const mandate = parseMandate({
  portfolio: 'treasury-main',
  chains: { ethereum: { treasury: safes.ethereum }, arbitrum: { treasury: safes.arbitrum }, base: { treasury: safes.base } },
  delta: { targetEth: 0, bandEth: '5' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '25', maxHedgeSizeEth: '5' },
  capital: {
    chains: {
      ethereum: { weth: { min: '10', target: '20' }, usdc: { min: '10000', target: '50000' } },
      arbitrum: { weth: { min: '5', target: '8' }, usdc: { min: '1000', target: '20000' } },
      base: { weth: { min: '5', target: '8' }, usdc: { min: '1000', target: '20000' } },
    },
  },
})

/** USDC base units per ETH the sample deploy takes as the price ceiling. */
export const ethPriceCeilingUsdc = 10_000n * 10n ** 6n

/** Base, with every venue keel uses and one known oToken series. */
export const baseContext: PermissionContext = {
  chain: 'base',
  chainId: 8453,
  safe: safes.base,
  safes,
  tokens: { ...tokens.base, otokens: [otoken] },
  venues: {
    uniswapV3: { swapRouter: venues.swapRouter, nonfungiblePositionManager: venues.positionManager, poolFee: 500 },
    layerZero: {
      endpoint: venues.endpoint,
      oft: venues.oft,
      token: tokens.base.usdc,
      eid: eids.base,
      extraOptions: [bareOptions],
      peers: {
        ethereum: { eid: eids.ethereum, oft: venues.ethereumOft },
        arbitrum: { eid: eids.arbitrum, oft: venues.arbitrumOft },
        base: { eid: eids.base, oft: venues.oft },
      },
    },
    across: {
      spokePool: venues.spokePool,
      tokens: tokens.base,
      destinations: {
        ethereum: { chainId: 1, tokens: tokens.ethereum },
        arbitrum: { chainId: 42161, tokens: tokens.arbitrum },
      },
    },
    gamma: { controller: venues.controller, marginPool: venues.marginPool, otokenFactory: venues.otokenFactory, pricer: venues.pricer },
    airswap: { swapContract: venues.swapErc20 },
  },
  allowances: allowancesFromMandate({ mandate, chain: 'base', ethPriceCeilingUsdc }),
}
