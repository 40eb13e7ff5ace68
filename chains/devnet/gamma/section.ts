import { z } from 'zod'
import type { DevnetManifest } from '../../types.ts'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`>

export const gammaChainSchema = z
  .object({
    addressBook: address,
    /** The Controller's proxy (created by the AddressBook); every vault operation goes here. */
    controller: address,
    otokenFactory: address,
    otokenImpl: address,
    whitelist: address,
    oracle: address,
    marginPool: address,
    marginCalculator: address,
    /** ChainLinkPricer for WETH over the chain's ETH/USD feed. */
    pricer: address,
  })
  .strict()
export type GammaChain = z.infer<typeof gammaChainSchema>

const nakedPutSchema = z
  .object({
    spotShockE27: z.string(),
    upperBounds: z.array(z.object({ timeToExpirySec: z.number().int().positive(), valueE27: z.string() }).strict()),
    oracleDeviationE27: z.string(),
    usdcDust: z.string(),
    usdcNakedCap: z.string(),
  })
  .strict()

export const gammaSectionSchema = z
  .object({
    /** The Oracle's periods for the WETH pricer: no expiry price before `locking` after expiry, none final before `dispute` after it is set. */
    lockingPeriodSec: z.number().int().nonnegative(),
    disputePeriodSec: z.number().int().nonnegative(),
    nakedPut: nakedPutSchema,
    chains: z.partialRecord(z.enum(['ethereum', 'arbitrum', 'base']), gammaChainSchema),
  })
  .strict()
export type GammaSection = z.infer<typeof gammaSectionSchema>

const E27 = 10n ** 27n
const e27 = (num: bigint, den: bigint) => ((num * E27) / den).toString()
const DAY = 86_400

/**
 * The devnet's Gamma parameters. Periods as short as keep a weekly roll testable on warped chain
 * time; naked-margin values in the shape Opyn set for ETH puts (a spot shock, and upper bounds that
 * grow with time to expiry), rounded.
 */
export const gammaParams: Omit<GammaSection, 'chains'> = {
  lockingPeriodSec: 300,
  disputePeriodSec: 1_800,
  nakedPut: {
    spotShockE27: e27(75n, 100n),
    upperBounds: [
      { timeToExpirySec: DAY, valueE27: e27(10n, 100n) },
      { timeToExpirySec: 7 * DAY, valueE27: e27(20n, 100n) },
      { timeToExpirySec: 14 * DAY, valueE27: e27(28n, 100n) },
      { timeToExpirySec: 35 * DAY, valueE27: e27(40n, 100n) },
    ],
    oracleDeviationE27: e27(5n, 100n),
    usdcDust: 1_000_000n.toString(),
    usdcNakedCap: (10_000_000n * 10n ** 6n).toString(),
  },
}

/** The manifest's Gamma section, checked; null on a devnet started before options. */
export function readGammaSection(manifest: DevnetManifest): GammaSection | null {
  const raw = manifest.options?.gamma
  return raw === undefined ? null : gammaSectionSchema.parse(raw)
}
