import type { ChainCostParams } from './types.ts'

/**
 * Default per-chain cost inputs for the WETH/USDC 0.05 % pools (token0 = WETH, 18 decimals;
 * token1 = USDC, 6 decimals). Liquidity L is chosen so the virtual WETH reserve at 3,000 USDC is
 * about 100k (Ethereum), 10k (Arbitrum) and 5k (Base): L = x·√S·10^((18+6)/2).
 * The live solver replaces these with gas-oracle and pool reads.
 * L1 data fees are what the L2s' own formulas charge a 1 WETH exactInputSingle (chains/l1FeeFormulas.ts,
 * measured on the devnet by chains/l1DataFee.e2e.test.ts) at a 15 gwei L1 base fee and 1 wei blobs:
 * Base, Ecotone with Base's scalars 2269 / 1055762; Arbitrum, Nitro's padded estimate at 0.05 gwei per unit.
 */
export const defaultChainCostParams: readonly ChainCostParams[] = [
  {
    chain: 'ethereum',
    gasPriceWei: 15_000_000_000n,
    swapGasUsed: 130_000n,
    l1DataFeeWei: 0n,
    pool: { liquidity: 5_477_225_575_051_661_000n, baseDecimals: 18, quoteDecimals: 6 },
    venueFeeBps: 5,
  },
  {
    chain: 'arbitrum',
    gasPriceWei: 20_000_000n,
    swapGasUsed: 160_000n,
    l1DataFeeWei: 369_710_000_000n,
    pool: { liquidity: 547_722_557_505_166_100n, baseDecimals: 18, quoteDecimals: 6 },
    venueFeeBps: 5,
  },
  {
    chain: 'base',
    gasPriceWei: 10_000_000n,
    swapGasUsed: 150_000n,
    l1DataFeeWei: 130_966_680_253n,
    pool: { liquidity: 273_861_278_752_583_050n, baseDecimals: 18, quoteDecimals: 6 },
    venueFeeBps: 5,
  },
]
