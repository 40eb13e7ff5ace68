import { isHex } from 'viem'
import { z } from 'zod'
import { InvalidInputError } from '../../../agent/errors.ts'
import { addressSchema } from '../../schemas.ts'
import { chainKeys, type DevnetManifest } from '../../types.ts'

const decimal = z.string().regex(/^\d+$/, 'expected a non-negative decimal integer string')
const hex = z.custom<`0x${string}`>((s) => typeof s === 'string' && isHex(s), 'expected 0x-prefixed hex')
const bytes32 = z.custom<`0x${string}`>((s) => typeof s === 'string' && /^0x[0-9a-fA-F]{64}$/.test(s), 'expected 32 bytes of hex')
const chainKeySchema = z.enum(chainKeys)

const chainSection = z.object({
  eid: z.number().int().positive(),
  endpoint: addressSchema,
  /** SimpleMessageLib: the default send and receive library for every remote. */
  messageLib: addressSchema,
  /** The USDC OFT (a mint/burn adapter over `token`). */
  oft: addressSchema,
  token: addressSchema,
  /** Block before the first LayerZero deployment: where log scans start. */
  deployBlock: decimal,
})

/** LayerZero's section of the devnet manifest (`manifest.bridges.layerzero`). */
export const layerZeroSectionSchema = z.object({
  services: z.array(z.number().int().positive()),
  /** The delivery service's control endpoint (faults, latency, state). */
  control: z.object({ url: z.url() }),
  /** The account the message libraries accept `validatePacket` from, and that executes. */
  deliveryAccount: addressSchema,
  enforcedLzReceiveGas: decimal,
  chains: z.object({ ethereum: chainSection, arbitrum: chainSection, base: chainSection }),
})

export type LayerZeroSection = z.infer<typeof layerZeroSectionSchema>
export type LayerZeroChainSection = LayerZeroSection['chains']['ethereum']

/** The LayerZero section of a devnet manifest, or null when this devnet has none (started before it existed). */
export function readLayerZeroSection(manifest: DevnetManifest): LayerZeroSection | null {
  const raw = manifest.bridges?.layerzero
  if (raw === undefined) return null
  const parsed = layerZeroSectionSchema.safeParse(raw)
  if (!parsed.success) {
    throw new InvalidInputError({
      what: 'LayerZero section of the devnet manifest',
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  return parsed.data
}

/** What the delivery service does with a packet it sees: deliver it, or one of the faults. */
export const deliveryModeSchema = z.enum(['deliver', 'drop', 'duplicate', 'out-of-gas'])
export type DeliveryMode = z.infer<typeof deliveryModeSchema>
export type FaultKind = Exclude<DeliveryMode, 'deliver'>

/** Runtime knobs of the delivery service. */
export const deliveryConfigSchema = z.object({
  /** Wall-clock delay between seeing a packet and verifying it (DVN confirmations). */
  delayMs: z.number().int().min(0).max(3_600_000),
  /** Wall-clock delay between verification and execution (the executor's own latency). */
  executeDelayMs: z.number().int().min(0).max(3_600_000),
  /** Applied to every packet seen while no one-shot fault is queued. */
  mode: deliveryModeSchema,
})
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>

export const configPatchSchema = deliveryConfigSchema.partial().strict()
export const faultRequestSchema = z
  .object({ kind: z.enum(['drop', 'duplicate', 'out-of-gas']), count: z.number().int().min(1).max(100).default(1) })
  .strict()
export const deliverRequestSchema = z.object({ guid: bytes32.optional() }).strict()

export const packetStateSchema = z.enum(['waiting', 'dropped', 'verified', 'executed', 'failed'])
export type PacketState = z.infer<typeof packetStateSchema>

const txOutcome = z.object({
  txHash: bytes32,
  status: z.enum(['success', 'reverted']),
  /** The transaction's gas limit (for an execution: its intrinsic cost + what lzReceive ran with). */
  gas: decimal,
  gasUsed: decimal,
  /** The custom error the chain refused it with (from a simulation of the same call), if any. */
  refusedWith: z.string().optional(),
})
export type TxOutcome = z.infer<typeof txOutcome>

/** One packet as the delivery service tracks it; persisted and served as JSON. */
export const packetRecordSchema = z.object({
  guid: bytes32,
  from: chainKeySchema,
  to: chainKeySchema,
  nonce: decimal,
  encodedPacket: hex,
  options: hex,
  lzReceiveGas: decimal,
  lzReceiveValue: decimal,
  originTxHash: bytes32,
  fault: z.enum(['drop', 'duplicate', 'out-of-gas']).nullable(),
  state: packetStateSchema,
  seenAtMs: z.number(),
  dueAtMs: z.number(),
  verify: txOutcome.optional(),
  executions: z.array(txOutcome),
  alertTxHash: bytes32.optional(),
  /** The refused second verification and execution of a duplicate delivery. */
  duplicates: z.array(txOutcome.extend({ what: z.enum(['verify', 'execute']) })),
  deliveredAtMs: z.number().optional(),
  /** Why the last attempt did not go through (e.g. an earlier nonce not verified yet). */
  lastError: z.string().optional(),
})
export type PacketRecord = z.infer<typeof packetRecordSchema>

export const deliveryStateSchema = z.object({
  config: deliveryConfigSchema,
  faults: z.array(z.enum(['drop', 'duplicate', 'out-of-gas'])),
  packets: z.array(packetRecordSchema),
})
export type DeliveryState = z.infer<typeof deliveryStateSchema>

const serviceChain = chainSection.extend({ rpcUrl: z.url(), chainId: z.number().int().positive() })

/** What `startServices` hands the delivery process (a JSON file): no keys, it derives its own. */
export const deliveryServiceConfigSchema = z.object({
  stateDir: z.string().min(1),
  controlPort: z.number().int().min(1).max(65_535),
  pollMs: z.number().int().min(10).max(60_000),
  chains: z.object({ ethereum: serviceChain, arbitrum: serviceChain, base: serviceChain }),
})
export type DeliveryServiceConfig = z.infer<typeof deliveryServiceConfigSchema>
