import type { Address } from 'viem'
import { z } from 'zod'
import { nonNegativeAmountString } from '../../../agent/money.ts'
import { addressSchema } from '../../schemas.ts'
import type { ChainKey } from '../../types.ts'

/**
 * The stand-in relayer's pricing, in Across's units: fee percentages are 1e18 fixed point (1e16 =
 * 1 %), as the Across API reports them; the gas fee is a flat amount of the asset per fill.
 */
export type AcrossFeePolicy = {
  lpFeePct: bigint
  capitalFeePct: bigint
  gasFee: { USDC: bigint; WETH: bigint }
}

/** What the relayer does, settable at run time through its control endpoint. */
export type AcrossKnobs = {
  /** Fill deposits at all; a deposit seen while this is false is never filled (it expires). */
  fill: boolean
  /** Wall-clock milliseconds between seeing a deposit and filling it. */
  fillDelayMs: number
  /** Wall-clock milliseconds between dataworker runs (relayer repayments, refunds of expired deposits); 0 = only on demand. */
  bundleIntervalMs: number
  /** Exclusivity the quote API offers to the relayer itself, in seconds; 0 = none. */
  exclusivitySec: number
}

const chainSchema = z.object({
  /** The ERC1967 proxy everyone calls. */
  spokePool: addressSchema,
  implementation: addressSchema,
  /** First block to scan for this spoke pool's events. */
  deployBlock: nonNegativeAmountString,
})

const bigintString = nonNegativeAmountString

/** The `across` section of the devnet manifest: spoke pools per chain, the relayer stand-in and where it listens. */
export const acrossSectionSchema = z.object({
  version: z.literal(1),
  /** The relayer and dataworker stand-in; also the spoke pools' owner, standing in for the HubPool. */
  relayer: addressSchema,
  /** Receives `amountToReturn` of refund leaves, as the HubPool would. */
  withdrawalRecipient: addressSchema,
  /** Control endpoint and Across-style quote API (`/suggested-fees`) of the stand-in. */
  apiUrl: z.url(),
  depositQuoteTimeBufferSec: z.number().int().positive(),
  fillDeadlineBufferSec: z.number().int().positive(),
  chains: z.object({ ethereum: chainSchema, arbitrum: chainSchema, base: chainSchema }),
  fees: z.object({
    lpFeePct: bigintString,
    capitalFeePct: bigintString,
    gasFee: z.object({ USDC: bigintString, WETH: bigintString }),
  }),
  knobs: z.object({
    fill: z.boolean(),
    fillDelayMs: z.number().int().nonnegative(),
    bundleIntervalMs: z.number().int().nonnegative(),
    exclusivitySec: z.number().int().nonnegative(),
  }),
  /** The stand-in's output and its settled-deposit record, for operators. */
  logPath: z.string(),
  statePath: z.string(),
})

export type AcrossSection = z.output<typeof acrossSectionSchema>
export type AcrossChainDeployment = { spokePool: Address; implementation: Address; deployBlock: bigint }

/** The section as JSON (amounts as decimal strings), the shape written into the manifest. */
export type AcrossSectionJson = z.input<typeof acrossSectionSchema>

/** Serialises a section for the manifest: bigints become decimal strings. */
export function acrossSectionToJson(s: AcrossSection): AcrossSectionJson {
  const chains = Object.fromEntries(
    Object.entries(s.chains).map(([k, c]) => [k, { ...c, deployBlock: c.deployBlock.toString() }]),
  ) as Record<ChainKey, z.input<typeof chainSchema>>
  return {
    ...s,
    chains: { ethereum: chains.ethereum, arbitrum: chains.arbitrum, base: chains.base },
    fees: {
      lpFeePct: s.fees.lpFeePct.toString(),
      capitalFeePct: s.fees.capitalFeePct.toString(),
      gasFee: { USDC: s.fees.gasFee.USDC.toString(), WETH: s.fees.gasFee.WETH.toString() },
    },
  }
}

// Ethereum_SpokePool on mainnet is deployed with a one-hour quote buffer and a six-hour fill deadline buffer.
export const depositQuoteTimeBufferSec = 3_600
export const fillDeadlineBufferSec = 21_600

/** 1e18 = 100 %: Across's fixed point for fee percentages. */
export const feePctScale = 10n ** 18n

/** The relayer's default pricing: 1 bp LP fee, 3 bp capital fee, and a flat gas fee per fill. */
export const defaultFeePolicy: AcrossFeePolicy = {
  lpFeePct: 10n ** 14n,
  capitalFeePct: 3n * 10n ** 14n,
  gasFee: { USDC: 50_000n, WETH: 20_000_000_000_000n },
}

export const defaultKnobs: AcrossKnobs = { fill: true, fillDelayMs: 1_000, bundleIntervalMs: 15_000, exclusivitySec: 0 }
