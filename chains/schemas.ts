import { type Address, isAddress } from 'viem'
import { z } from 'zod'
import type { ChainContracts } from './types.ts'

/**
 * A 0x-prefixed 20-byte hex address in any letter case, kept as given: the devnet manifest and the
 * live contracts file round-trip unchanged. Callers that compare addresses normalise on top
 * (the Uniswap adapter checksums them).
 */
export const addressSchema = z.custom<Address>(
  (value) => typeof value === 'string' && isAddress(value, { strict: false }),
  'expected a 0x-prefixed 20-byte hex address',
)

/** The protocol contracts of one chain, exactly `ChainContracts`; extend it for venue-specific fields. */
export const chainContractsSchema = z.object({
  weth: addressSchema,
  usdc: addressSchema,
  uniswapV3Factory: addressSchema,
  nonfungiblePositionManager: addressSchema,
  swapRouter: addressSchema,
  quoterV2: addressSchema,
  wethUsdcPool: addressSchema,
  ethUsdFeed: addressSchema,
}) satisfies z.ZodType<ChainContracts>
