import { type Address, getAddress } from 'viem'
import { z } from 'zod'
import { InvalidInputError } from '../../agent/errors.ts'
import { addressSchema as anyCaseAddressSchema, chainContractsSchema } from '../../chains/schemas.ts'
import { chainKeys } from '../../chains/types.ts'
import type { UniswapV3ChainContracts } from './chainContext.ts'

/** Any-case 20-byte hex address, normalised to its checksum form so that tokens compare with ===. */
export const addressSchema = anyCaseAddressSchema.transform((s): Address => getAddress(s))

export const chainKeySchema = z.enum(chainKeys)

/** Uniswap V3 fee tiers the factory enables by default, in hundredths of a bip. */
export const poolFeeSchema = z.union([z.literal(100), z.literal(500), z.literal(3000), z.literal(10000)])

/** A chain's contracts as this adapter needs them: the shared set plus the pool's fee tier. */
export const uniswapV3ChainContractsSchema = chainContractsSchema.extend({
  poolFee: poolFeeSchema,
}) satisfies z.ZodType<UniswapV3ChainContracts>

export const swapRequestSchema = z
  .object({ chain: chainKeySchema, tokenIn: addressSchema, tokenOut: addressSchema, amountIn: z.bigint().nonnegative() })
  .refine((r) => r.tokenIn !== r.tokenOut, { message: 'tokenIn and tokenOut must differ', path: ['tokenOut'] })

const okQuoteSchema = z.object({
  status: z.literal('ok'),
  venue: z.literal('uniswap-v3'),
  chain: chainKeySchema,
  tokenIn: addressSchema,
  tokenOut: addressSchema,
  amountIn: z.bigint().positive(),
  amountOut: z.bigint().positive(),
  gasEstimate: z.bigint().nonnegative(),
  sqrtPriceX96After: z.bigint().positive(),
  blockNumber: z.bigint().nonnegative(),
  blockTimestampSec: z.bigint().nonnegative(),
})

export const buildSwapParamsSchema = z.object({
  quote: okQuoteSchema,
  recipient: addressSchema,
  slippageBps: z.number().int().min(0).max(10_000),
  deadlineSec: z.bigint().positive(),
  owner: addressSchema.optional(),
})

export const readPositionsParamsSchema = z.object({ chain: chainKeySchema, owner: addressSchema })

/** Parses `value` or throws an InvalidInputError naming every offending path and value. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true })
  if (result.success) return result.data
  throw new InvalidInputError({
    what,
    issues: result.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: 'input' in i && i.input !== undefined ? `${i.message} (got ${formatValue(i.input)})` : i.message,
    })),
    cause: result.error,
  })
}

function formatValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  return typeof v
}
