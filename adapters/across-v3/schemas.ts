import { z } from 'zod'
import { chainKeySchema, addressSchema as checksummed } from '../uniswap-v3/schemas.ts'

export { parseInput } from '../uniswap-v3/schemas.ts'

export const bridgeAssetSchema = z.enum(['USDC', 'WETH'])

export const transferRequestSchema = z.object({
  asset: bridgeAssetSchema,
  from: chainKeySchema,
  to: chainKeySchema,
  amount: z.bigint().nonnegative(),
  sender: checksummed,
  recipient: checksummed,
})

const uintString = z.string().regex(/^\d+$/, 'expected a non-negative integer as a decimal string')
const uint32String = uintString.refine((s) => BigInt(s) < 2n ** 32n, 'expected a uint32')

/** The Across-specific part of a quote, carried to buildCalls as JSON-safe strings. */
export const acrossParamsSchema = z.object({
  spokePool: checksummed,
  inputToken: checksummed,
  outputToken: checksummed,
  destinationChainId: uintString,
  quoteTimestamp: uint32String,
  exclusiveRelayer: checksummed,
  exclusivityParameter: uint32String,
  lpFee: uintString,
  relayerFee: uintString,
})

export type AcrossParams = z.output<typeof acrossParamsSchema>

export const acrossQuoteSchema = z.object({
  status: z.literal('ok'),
  bridge: z.literal('across-v3'),
  request: transferRequestSchema,
  outputAmount: z.bigint().positive(),
  assetFee: z.bigint().nonnegative(),
  nativeFeeWei: z.literal(0n),
  gasEstimate: z.bigint().nonnegative(),
  expectedSec: z.number().nonnegative(),
  deadlineSec: z.bigint().positive(),
  blockNumber: z.bigint().nonnegative(),
  blockTimestampSec: z.bigint().nonnegative(),
  params: acrossParamsSchema,
})

const bigintish = z.bigint().nonnegative()

/** The fields keel reads from `@across-protocol/app-sdk`'s getSuggestedFees result (it does not validate the API's answer itself). */
export const suggestedFeesSchema = z.object({
  lpFee: z.object({ pct: bigintish }),
  relayerCapitalFee: z.object({ pct: bigintish }),
  relayerGasFee: z.object({ total: bigintish }),
  timestamp: z.number().int().nonnegative(),
  isAmountTooLow: z.boolean(),
  exclusiveRelayer: checksummed,
  exclusivityDeadline: z.number().int().nonnegative(),
  spokePoolAddress: checksummed,
  estimatedFillTimeSec: z.number().nonnegative(),
  limits: z.object({ maxDeposit: bigintish }),
})
