import { type Hex, isHex } from 'viem'
import { z } from 'zod'
import { addressSchema, chainKeySchema } from '../uniswap-v3/schemas.ts'

export { parseInput } from '../uniswap-v3/schemas.ts'

const decimalString = z.string().regex(/^\d+$/, 'expected a non-negative decimal integer string')

/** A LayerZero GUID, keel's transfer id for this bridge: 32 bytes of hex, kept lowercase. */
export const guidSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hex GUID')
  .transform((s) => s.toLowerCase() as Hex)

export const transferRequestSchema = z.object({
  asset: z.enum(['USDC', 'WETH']),
  from: chainKeySchema,
  to: chainKeySchema,
  amount: z.bigint().nonnegative(),
  sender: addressSchema,
  recipient: addressSchema,
})

/** The bridge-specific part of a quote, as `quote` writes it and `buildCalls` reads it back. */
export const quoteParamsSchema = z.object({
  dstEid: z.string().regex(/^\d+$/),
  extraOptions: z.custom<Hex>((s) => typeof s === 'string' && isHex(s) && s.startsWith('0x0003'), 'expected type-3 options hex'),
  minAmountLD: decimalString,
  lzReceiveGas: decimalString,
})

export const bridgeQuoteSchema = z.object({
  status: z.literal('ok'),
  bridge: z.string(),
  request: transferRequestSchema,
  outputAmount: z.bigint().positive(),
  assetFee: z.bigint().nonnegative(),
  nativeFeeWei: z.bigint().nonnegative(),
  gasEstimate: z.bigint().nonnegative(),
  expectedSec: z.number().nonnegative(),
  deadlineSec: z.bigint().nullable(),
  blockNumber: z.bigint().nonnegative(),
  blockTimestampSec: z.bigint().nonnegative(),
  params: z.record(z.string(), z.string()),
})

export const readSentParamsSchema = z.object({ from: chainKeySchema, txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/) })
export const statusParamsSchema = z.object({ from: chainKeySchema, to: chainKeySchema, transferId: guidSchema })
export const pendingParamsSchema = z.object({
  sender: addressSchema,
  fromBlocks: z.partialRecord(chainKeySchema, z.bigint().nonnegative()),
})
export const remediationParamsSchema = statusParamsSchema.extend({ gasLimit: z.bigint().positive() })
