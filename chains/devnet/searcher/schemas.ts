import { z } from 'zod'
import { addressSchema } from '../../schemas.ts'

/** What a searcher process (`main.ts <config.json>`) is started with; its key is derived in the process, never written. */
export const searcherProcessConfigSchema = z.object({
  port: z.number().int().positive(),
  rpcUrl: z.url(),
  relayUrl: z.url(),
  chainId: z.number().int().positive(),
  swapRouter: addressSchema,
  pool: addressSchema,
  poolFee: z.number().int().positive(),
  weth: addressSchema,
  usdc: addressSchema,
  pollMs: z.number().int().positive(),
})
export type SearcherProcessConfig = z.infer<typeof searcherProcessConfigSchema>
