import { isHex } from 'viem'
import { z } from 'zod'
import { addressSchema } from '../../schemas.ts'

const hexSchema = z.custom<`0x${string}`>((v) => typeof v === 'string' && isHex(v, { strict: true }), 'expected 0x-prefixed hex')
const hash32Schema = z.custom<`0x${string}`>((v) => typeof v === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v), 'expected a 32-byte hash')
const quantitySchema = z.custom<`0x${string}`>((v) => typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v), 'expected a hex quantity')
const timestampSchema = z.number().int().nonnegative()

/** `eth_sendBundle` params[0], as the Flashbots client sends it (optional fields may be absent or null). */
export const sendBundleParamsSchema = z.object({
  txs: z.array(hexSchema).min(1),
  blockNumber: quantitySchema,
  minTimestamp: timestampSchema.nullish(),
  maxTimestamp: timestampSchema.nullish(),
  revertingTxHashes: z.array(hash32Schema).nullish(),
  replacementUuid: z.string().min(1).nullish(),
})
export type SendBundleParams = z.infer<typeof sendBundleParamsSchema>

/** `eth_callBundle` params[0]: `stateBlockNumber` is a hex number or a tag such as `latest`. */
export const callBundleParamsSchema = z.object({
  txs: z.array(hexSchema).min(1),
  blockNumber: quantitySchema,
  stateBlockNumber: z.union([quantitySchema, z.enum(['latest', 'pending'])]),
  timestamp: timestampSchema.nullish(),
  coinbase: addressSchema.nullish(),
})
export type CallBundleParams = z.infer<typeof callBundleParamsSchema>

export const cancelBundleParamsSchema = z.object({ replacementUuid: z.string().min(1) })

export const bundleStatsParamsSchema = z.object({ bundleHash: hash32Schema, blockNumber: quantitySchema })

export const setInclusionParamsSchema = z.object({ include: z.boolean() }).strict()

/** `devnet_pauseMining`: hold the builder for `ms` (at most a minute); 0 resumes at once. */
export const pauseMiningParamsSchema = z.object({ ms: z.number().int().min(0).max(60_000) }).strict()

/** One JSON-RPC request; `params` is checked per method. */
export const rpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number(), z.string(), z.null()]),
  method: z.string().min(1),
  params: z.array(z.unknown()).default([]),
})

/** What a relay process (`main.ts <config.json>`) is started with. */
export const relayProcessConfigSchema = z
  .object({
    port: z.number().int().min(1).max(65_535),
    rpcUrl: z.url(),
    chainId: z.number().int().positive(),
    blockMs: z.number().int().positive(),
  })
  .strict()
export type RelayProcessConfig = z.infer<typeof relayProcessConfigSchema>
