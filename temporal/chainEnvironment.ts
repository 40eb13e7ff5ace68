import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getAddress, type Hex, isAddress } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { z } from 'zod'
import type { RoleTreasury } from '../adapters/safe-roles/index.ts'
import type { UniswapV3ChainContracts } from '../adapters/uniswap-v3/index.ts'
import { InvalidInputError } from '../agent/errors.ts'
import { getChainMeta } from '../chains/registry.ts'
import { chainContractsSchema } from '../chains/schemas.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../chains/types.ts'
import { Redacted } from './config.ts'

/** Where a worker's chains are and who signs on them: the devnet manifest, or env for live chains. */
export type ChainEnvironment = {
  network: 'devnet' | 'live'
  chains: Partial<Record<ChainKey, { chainId: number; rpcUrls: string[]; contracts: UniswapV3ChainContracts }>>
  /** Signing keys per chain; only workers serving a chain's task queue should have its key. */
  signerKeys: Partial<Record<ChainKey, Redacted>>
  /**
   * Per chain, the Safe that holds the treasury and the Roles module through which the signer acts
   * for it. A chain without one is a hot wallet: the signer holds the funds itself.
   */
  treasuries?: Partial<Record<ChainKey, RoleTreasury>>
  /** On the devnet: its manifest, where each bridge finds its contracts and stand-ins. */
  devnetManifest?: DevnetManifest
  /** Protected routes: the Flashbots relay on Ethereum (with the key that signs its requests) and private endpoints per chain. */
  routes?: {
    flashbots?: { relayUrl: string; authKey: Redacted }
    privateRpcUrls?: Partial<Record<ChainKey, string>>
  }
}

/** The default Flashbots relay on Ethereum mainnet. */
export const FLASHBOTS_MAINNET_RELAY = 'https://relay.flashbots.net'

/** Signs the devnet relay's `X-Flashbots-Signature`: a reputation key, public like the devnet's other keys, holding nothing. */
const devnetFlashbotsAuthKey = '0x6b65656c2d6465766e65742d666c617368626f74732d617574682d6b65792d31' as const

export const devnetManifestPath = (stateDir: string): string => join(stateDir, 'devnet', 'manifest.json')

// Strict: a misspelt key in a hand-written live contracts file must fail, not be dropped.
const contractsSchema = chainContractsSchema.extend({ poolFee: z.number().int() }).strict() satisfies z.ZodType<UniswapV3ChainContracts>
const contractsFileSchema = z.partialRecord(z.enum(chainKeys), contractsSchema)
const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hex private key (value not shown)')

/**
 * Reads the chain environment. `KEEL_NETWORK=live` (or no devnet manifest) means real chains:
 * RPC URL lists from `KEEL_RPC_<CHAIN>`, contract addresses from the JSON file named by
 * `KEEL_CONTRACTS_FILE`, keys from `KEEL_SIGNER_KEY_<CHAIN>`. Otherwise the devnet manifest.
 */
export function loadChainEnvironment(p: { stateDir: string; env?: NodeJS.ProcessEnv }): ChainEnvironment {
  const env = p.env ?? process.env
  const manifestPath = devnetManifestPath(p.stateDir)
  if (env.KEEL_NETWORK !== 'live') {
    if (!existsSync(manifestPath)) {
      throw new InvalidInputError({
        what: 'chain environment',
        issues: [{ path: 'KEEL_NETWORK', message: 'no devnet is running (run `keel devnet up`), and KEEL_NETWORK is not "live"' }],
      })
    }
    return fromManifest(JSON.parse(readFileSync(manifestPath, 'utf8')) as DevnetManifest)
  }
  return fromEnv(env)
}

/**
 * The devnet's chains; its keys are anvil's public test keys and only ever sign on the devnet.
 * Its treasuries are its Safes; `treasury: 'signer'` makes the signer the treasury instead (the
 * venues' own tests, which trade from the signer's account).
 */
export function fromManifest(manifest: DevnetManifest, opts: { treasury?: 'safe' | 'signer' } = {}): ChainEnvironment {
  const chains: ChainEnvironment['chains'] = {}
  const signerKeys: ChainEnvironment['signerKeys'] = {}
  for (const key of chainKeys) {
    const c = manifest.chains[key]
    chains[key] = { chainId: c.chainId, rpcUrls: [c.rpcUrl], contracts: { ...c.contracts, poolFee: c.poolFee } }
    signerKeys[key] = new Redacted(manifest.devKeys.treasury)
  }
  const relayUrl = (manifest as DevnetManifest & { relay?: { url?: string } }).relay?.url
  const safes = manifest.safes
  const treasuries =
    safes && opts.treasury !== 'signer'
      ? Object.fromEntries(
          chainKeys.map((k) => [
            k,
            { safe: safes.chains[k].safe, roles: safes.chains[k].roles, roleKey: safes.roleKey, multiSend: safes.infra.multiSendCallOnly },
          ]),
        )
      : undefined
  return {
    network: 'devnet',
    chains,
    signerKeys,
    ...(treasuries ? { treasuries } : {}),
    devnetManifest: manifest,
    routes: {
      ...(relayUrl ? { flashbots: { relayUrl, authKey: new Redacted(devnetFlashbotsAuthKey) } } : {}),
      // The devnet's L2 nodes are their own sequencers: sending to them directly is the private route.
      privateRpcUrls: Object.fromEntries(chainKeys.map((k) => [k, manifest.chains[k].rpcUrl])),
    },
  }
}

function fromEnv(env: NodeJS.ProcessEnv): ChainEnvironment {
  const issues: { path: string; message: string }[] = []
  const file = env.KEEL_CONTRACTS_FILE
  let contracts: z.output<typeof contractsFileSchema> = {}
  if (!file) issues.push({ path: 'KEEL_CONTRACTS_FILE', message: 'required when KEEL_NETWORK=live' })
  else {
    const parsed = contractsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (parsed.success) contracts = parsed.data
    else issues.push(...parsed.error.issues.map((i) => ({ path: `KEEL_CONTRACTS_FILE:${i.path.join('.')}`, message: i.message })))
  }
  const chains: ChainEnvironment['chains'] = {}
  const signerKeys: ChainEnvironment['signerKeys'] = {}
  for (const key of chainKeys) {
    const meta = getChainMeta(key)
    const urls = (env[meta.rpcEnvVar] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    const c = contracts[key]
    if (urls.length > 0 && c) chains[key] = { chainId: meta.chain.id, rpcUrls: urls, contracts: c }
    else if (urls.length > 0)
      issues.push({ path: `KEEL_CONTRACTS_FILE:${key}`, message: `${meta.rpcEnvVar} is set but no contracts are given for ${key}` })
    const keyVar = `KEEL_SIGNER_KEY_${key.toUpperCase()}`
    const raw = env[keyVar]
    if (raw !== undefined) {
      if (privateKey.safeParse(raw).success) signerKeys[key] = new Redacted(raw as Hex)
      else issues.push({ path: keyVar, message: 'expected a 32-byte hex private key (value not shown)' })
    }
  }
  const authVar = 'KEEL_FLASHBOTS_AUTH_KEY'
  const authRaw = env[authVar]
  let authKey: Redacted | undefined
  if (authRaw !== undefined) {
    if (privateKey.safeParse(authRaw).success) authKey = new Redacted(authRaw as Hex)
    else issues.push({ path: authVar, message: 'expected a 32-byte hex private key (value not shown)' })
  }
  // A Safe treasury: KEEL_SAFE_<CHAIN> and KEEL_ROLES_<CHAIN> name the Safe and its Roles module, KEEL_ROLE_KEY keel's role.
  const treasuries: NonNullable<ChainEnvironment['treasuries']> = {}
  const roleKeyRaw = env.KEEL_ROLE_KEY?.trim()
  // Batches as one MultiSendCallOnly transaction, where the owners registered Roles' MultiSendUnwrapper for it.
  const multiSendRaw = env.KEEL_MULTISEND_CALL_ONLY?.trim()
  const multiSend = multiSendRaw && isAddress(multiSendRaw, { strict: false }) ? getAddress(multiSendRaw) : undefined
  if (multiSendRaw && !multiSend)
    issues.push({ path: 'KEEL_MULTISEND_CALL_ONLY', message: 'expected the address of the Safe MultiSendCallOnly' })
  if (roleKeyRaw !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(roleKeyRaw))
    issues.push({ path: 'KEEL_ROLE_KEY', message: 'expected a 32-byte hex role key' })
  for (const key of chainKeys) {
    const safeVar = `KEEL_SAFE_${key.toUpperCase()}`
    const rolesVar = `KEEL_ROLES_${key.toUpperCase()}`
    const safe = env[safeVar]?.trim()
    const roles = env[rolesVar]?.trim()
    if (!safe && !roles) continue
    const bad = [
      [safeVar, safe],
      [rolesVar, roles],
    ].filter(([, v]) => !v || !isAddress(v, { strict: false }))
    for (const [name] of bad)
      issues.push({ path: name!, message: 'expected the address of the Safe and of its Roles module (both or neither)' })
    if (!roleKeyRaw) issues.push({ path: 'KEEL_ROLE_KEY', message: `required with ${safeVar}: the role keel's key holds` })
    if (bad.length === 0 && roleKeyRaw)
      treasuries[key] = {
        safe: getAddress(safe!),
        roles: getAddress(roles!),
        roleKey: roleKeyRaw.toLowerCase() as Hex,
        ...(multiSend ? { multiSend } : {}),
      }
  }
  const privateRpcUrls: Partial<Record<ChainKey, string>> = {}
  for (const key of chainKeys) {
    const url = env[`KEEL_PRIVATE_RPC_${key.toUpperCase()}`]?.trim()
    if (url) privateRpcUrls[key] = url
  }
  if (issues.length > 0) throw new InvalidInputError({ what: 'chain environment', issues })
  // Without a configured reputation key, each process signs relay requests with a fresh one (no funds, no history).
  const relayUrl = env.KEEL_FLASHBOTS_RELAY_URL?.trim() || FLASHBOTS_MAINNET_RELAY
  const flashbots = { relayUrl, authKey: authKey ?? new Redacted(generatePrivateKey()) }
  return {
    network: 'live',
    chains,
    signerKeys,
    ...(Object.keys(treasuries).length > 0 ? { treasuries } : {}),
    routes: { flashbots, privateRpcUrls },
  }
}
