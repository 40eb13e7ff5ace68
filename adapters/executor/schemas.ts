import { z } from 'zod'
import { nonNegativeAmountString } from '../../agent/money.ts'
import { addressSchema } from '../uniswap-v3/schemas.ts'

const hexSchema = z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x-prefixed hex')

export const callSchema = z.object({
  chainId: z.number().int().positive(),
  to: addressSchema,
  data: hexSchema.transform((s) => s as `0x${string}`),
  value: z.bigint().nonnegative(),
  description: z.string(),
})

export const prepareParamsSchema = z.object({
  calls: z.array(callSchema).min(1, 'expected at least one call'),
  idempotencyKey: z.string().min(1),
})

/** A PreparedTx as read back from workflow history. */
export const preparedTxSchema = z.object({
  idempotencyKey: z.string().min(1),
  index: z.number().int().nonnegative(),
  chainId: z.number().int().positive(),
  from: addressSchema,
  nonce: z.number().int().nonnegative(),
  hash: hexSchema.length(66).transform((s) => s as `0x${string}`),
  raw: hexSchema.min(4).transform((s) => s as `0x${string}`),
  gasLimit: nonNegativeAmountString,
  maxFeePerGas: nonNegativeAmountString,
  maxPriorityFeePerGas: nonNegativeAmountString,
  description: z.string(),
})
