import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isHex } from 'viem'
import { z } from 'zod'
import { InvalidInputError } from '../../agent/errors.ts'
import { addressSchema, chainContractsSchema } from '../schemas.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../types.ts'

const hex = z.string().refine((s) => isHex(s), 'expected hex') as unknown as z.ZodType<`0x${string}`>

const chainEntry = z.object({
  chainId: z.number().int().positive(),
  rpcUrl: z.url(),
  pid: z.number().int().positive(),
  contracts: chainContractsSchema,
  poolFee: z.number().int().positive(),
  accounts: z.object({ deployer: addressSchema, treasury: addressSchema, arbitrageur: addressSchema }),
  treasuryLpTokenIds: z.array(z.string().regex(/^\d+$/)),
})

const safeEntry = z.object({
  safe: addressSchema,
  roles: addressSchema,
  rolesLibraries: z.object({ integrity: addressSchema, packer: addressSchema }),
  deployBlock: z.string().regex(/^\d+$/),
})

/** The manifest as read from disk; its shape is exactly `DevnetManifest`. */
export const devnetManifestSchema = z.object({
  version: z.literal(1),
  params: z.object({ seed: z.number().int(), blockTimeSec: z.number().positive().nullable(), initialEthPriceUsd: z.number().positive() }),
  chains: z.object({ ethereum: chainEntry, arbitrum: chainEntry, base: chainEntry }),
  devKeys: z.object({ deployer: hex, treasury: hex, arbitrageur: hex }),
  bridges: z.partialRecord(z.enum(['layerzero', 'across']), z.looseObject({ services: z.array(z.number().int().positive()) })).optional(),
  // Each venue checks its own section (chains/devnet/gamma/section.ts).
  options: z
    .object({ gamma: z.record(z.string(), z.unknown()).optional(), rfq: z.record(z.string(), z.unknown()).optional() })
    .strict()
    .optional(),
  relay: z.object({ url: z.url(), pid: z.number().int().positive(), blockMs: z.number().int().positive() }).optional(),
  safes: z
    .object({
      owners: z.array(addressSchema).min(1),
      threshold: z.number().int().positive(),
      infra: z.object({
        safeSingleton: addressSchema,
        proxyFactory: addressSchema,
        fallbackHandler: addressSchema,
        multiSend: addressSchema,
        multiSendCallOnly: addressSchema,
      }),
      roleKey: hex,
      chains: z.object({ ethereum: safeEntry, arbitrum: safeEntry, base: safeEntry }),
    })
    .optional(),
}) satisfies z.ZodType<DevnetManifest>

/** `<stateDir>/devnet`: the manifest, each chain's state file and anvil's output. */
export const devnetDir = (stateDir: string): string => join(stateDir, 'devnet')

/** `<stateDir>/devnet/<chain>.state.json`: anvil's `--state` file, what a restarted chain starts from. */
export const chainStatePath = (stateDir: string, chain: ChainKey): string => join(devnetDir(stateDir), `${chain}.state.json`)

/** `<stateDir>/devnet/<chain>.log`: anvil's stderr (why a node did not start). */
export const chainLogPath = (stateDir: string, chain: ChainKey): string => join(devnetDir(stateDir), `${chain}.log`)

/** `<stateDir>/devnet/manifest.json`. */
export const manifestPath = (stateDir: string): string => join(stateDir, 'devnet', 'manifest.json')

/** Writes the manifest atomically, so a reader never sees half a file. */
export function writeManifest(stateDir: string, manifest: DevnetManifest): string {
  const path = manifestPath(stateDir)
  mkdirSync(join(stateDir, 'devnet'), { recursive: true })
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
  return path
}

/** The manifest of the devnet in `stateDir`, or null when none is recorded; throws on a malformed file. */
export function readManifest(stateDir: string): DevnetManifest | null {
  let raw: string
  try {
    raw = readFileSync(manifestPath(stateDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  const parsed = devnetManifestSchema.safeParse(JSON.parse(raw))
  if (!parsed.success) {
    throw new InvalidInputError({
      what: `devnet manifest ${manifestPath(stateDir)}`,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  return parsed.data
}

/** Removes the manifest after the devnet is down. */
export function removeManifest(stateDir: string): void {
  rmSync(manifestPath(stateDir), { force: true })
}

/** Removes every chain's state file and log: the next start is a fresh chain. */
export function removeChainState(stateDir: string): void {
  for (const chain of chainKeys) {
    rmSync(chainStatePath(stateDir, chain), { force: true })
    rmSync(chainLogPath(stateDir, chain), { force: true })
  }
}

/** Pids recorded in a manifest, one per chain. */
export const manifestPids = (manifest: DevnetManifest): number[] => chainKeys.map((k) => manifest.chains[k].pid)
