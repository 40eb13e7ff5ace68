import { z } from 'zod'
import { addressSchema } from '../../schemas.ts'
import { chainKeys } from '../../types.ts'

/** A partial set of a maker's knobs, as POST /control takes them. */
export const knobsPatchSchema = z
  .object({
    refuse: z.boolean(),
    delayMs: z.number().int().nonnegative(),
    stale: z.boolean(),
    offMarketBps: z.number().int().min(0).max(10_000),
    renege: z.boolean(),
  })
  .partial()
  .strict()

/** The devnet roles whose keys a maker process may sign with: it gets a role name, never a key. */
export const makerRoles = ['rfqMakerA', 'rfqMakerB'] as const
export type MakerRole = (typeof makerRoles)[number]

const makerChainSchema = z.object({
  key: z.enum(chainKeys),
  chainId: z.number().int().positive(),
  rpcUrl: z.url(),
  swapContract: addressSchema,
  usdc: addressSchema,
  feed: addressSchema,
})

/** What a maker process (`main.ts <config.json>`) is started with. */
export const makerProcessConfigSchema = z
  .object({
    id: z.string().min(1),
    role: z.enum(makerRoles),
    port: z.number().int().min(1).max(65_535),
    chains: z.array(makerChainSchema).min(1),
    svi: z.object({
      a: z.number(),
      b: z.number().nonnegative(),
      rho: z.number().min(-1).max(1),
      m: z.number(),
      sigma: z.number().positive(),
    }),
    spreadBps: z.number().int().min(0).max(10_000),
    skewBpsPerOption: z.number().nonnegative(),
    validitySec: z.number().int().positive(),
  })
  .strict()
export type MakerProcessConfig = z.infer<typeof makerProcessConfigSchema>

const makerEntrySchema = z.object({
  id: z.string().min(1),
  url: z.url(),
  address: addressSchema,
  pid: z.number().int().positive(),
})

/** The manifest's `options.rfq`: SwapERC20 per chain and the maker processes quoting on all of them. */
export const rfqSectionSchema = z.object({
  protocolFee: z.number().int().nonnegative(),
  chains: z.partialRecord(z.enum(chainKeys), z.object({ swapErc20: addressSchema })),
  // A devnet started before the makers were services has none recorded.
  makers: z.array(makerEntrySchema).default([]),
})
