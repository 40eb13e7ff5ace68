import type { Address } from 'viem'
import type { Allowance, Target } from 'zodiac-roles-sdk'
import { declarePermissions as across } from '../adapters/across-v3/permissions.ts'
import { declarePermissions as airswap } from '../adapters/airswap-rfq/permissions.ts'
import { buildExtraOptions } from '../adapters/layerzero-v2/options.ts'
import { declarePermissions as layerZero } from '../adapters/layerzero-v2/permissions.ts'
import { declarePermissions as gamma } from '../adapters/opyn-gamma/permissions.ts'
import { declarePermissions as uniswap } from '../adapters/uniswap-v3/permissions.ts'
import { InvalidInputError } from '../agent/errors.ts'
import { parseMandate } from '../agent/mandate/schema.ts'
import { allowancesFromMandate } from '../agent/permissions/allowances.ts'
import { type CompiledRole, compilePermissions } from '../agent/permissions/compile.ts'
import { declareTreasuryPermissions } from '../agent/permissions/declareTreasuryPermissions.ts'
import { diffRole, type RoleDiff } from '../agent/permissions/diff.ts'
import type { AllowanceSetting, CallDeclaration, PermissionContext } from '../agent/permissions/types.ts'
import { acrossSectionSchema } from '../chains/devnet/across/section.ts'
import { readLayerZeroSection } from '../chains/devnet/layerzero/schemas.ts'
import { type ChainKey, chainKeys } from '../chains/types.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'
import { gammaDeployments, rfqVenues } from './optionVenues.ts'

/** Every call keel may make on the context's chain: its own (a wrap) and each adapter's. */
export function declareChainPermissions(ctx: PermissionContext): CallDeclaration[] {
  return [...declareTreasuryPermissions(ctx), ...uniswap(ctx), ...layerZero(ctx), ...across(ctx), ...gamma(ctx), ...airswap(ctx)]
}

/**
 * The permission context of one chain from a worker's chain environment: Uniswap from the chain's
 * contracts; on the devnet, LayerZero, Across, Gamma and AirSwap from the manifest's sections
 * (live chains name none yet, so none is declared). The Safes, the allowances and the oTokens
 * known so far come from the deploy, which knows them.
 */
export function permissionContextFromEnvironment(p: {
  environment: ChainEnvironment
  chain: ChainKey
  safes: Partial<Record<ChainKey, Address>>
  allowances: readonly AllowanceSetting[]
  otokens?: readonly Address[]
  /** The LayerZero adapter's `extraLzReceiveGas` (0 by default): its options are the only ones a send may carry. */
  extraLzReceiveGas?: bigint
}): PermissionContext {
  const { environment, chain } = p
  const here = environment.chains[chain]
  const safe = p.safes[chain]
  if (!here || !safe) {
    throw new InvalidInputError({
      what: 'permission context',
      issues: [{ path: chain, message: !here ? 'the environment has no such chain' : 'no treasury Safe is given for it' }],
    })
  }
  const c = here.contracts
  const manifest = environment.devnetManifest
  const venues: PermissionContext['venues'] = {
    uniswapV3: { swapRouter: c.swapRouter, nonfungiblePositionManager: c.nonfungiblePositionManager, poolFee: c.poolFee },
  }
  const lz = manifest ? readLayerZeroSection(manifest) : null
  if (lz) {
    const own = lz.chains[chain]
    venues.layerZero = {
      endpoint: own.endpoint,
      oft: own.oft,
      token: own.token,
      eid: own.eid,
      extraOptions: [buildExtraOptions(p.extraLzReceiveGas ?? 0n)],
      peers: Object.fromEntries(chainKeys.map((k) => [k, { eid: lz.chains[k].eid, oft: lz.chains[k].oft }])),
    }
  }
  if (manifest?.bridges?.across) {
    const section = acrossSectionSchema.parse(manifest.bridges.across)
    const tokensOf = (k: ChainKey) => ({ weth: manifest.chains[k].contracts.weth, usdc: manifest.chains[k].contracts.usdc })
    venues.across = {
      spokePool: section.chains[chain].spokePool,
      tokens: tokensOf(chain),
      destinations: Object.fromEntries(chainKeys.map((k) => [k, { chainId: manifest.chains[k].chainId, tokens: tokensOf(k) }])),
    }
  }
  const g = gammaDeployments(environment)[chain]
  if (g) venues.gamma = { controller: g.controller, marginPool: g.marginPool, otokenFactory: g.otokenFactory, pricer: g.pricer }
  const rfq = rfqVenues(environment)[chain]
  if (rfq) venues.airswap = { swapContract: rfq.swapContract }
  return {
    chain,
    chainId: here.chainId,
    safe,
    safes: p.safes,
    tokens: { weth: c.weth, usdc: c.usdc, otokens: p.otokens ?? [] },
    venues,
    allowances: p.allowances,
  }
}

/** One chain's role: what keel's declarations compile to, and what must change on chain to get there. */
export type RolePlan = { declarations: CallDeclaration[]; compiled: CompiledRole; diff: RoleDiff }

/**
 * Plans one chain's role: the declarations of every adapter for this chain, compiled into Roles
 * targets and allowances, diffed against the role as read from chain (`current`; empty for a
 * fresh modifier). The diff's calls are what the Safe's owners sign.
 */
export function planRole(p: {
  environment: ChainEnvironment
  chain: ChainKey
  safes: Partial<Record<ChainKey, Address>>
  rolesMod: Address
  /** The role's name as `encodeKey` takes it (`keel`). */
  roleName: string
  allowances: readonly AllowanceSetting[]
  otokens?: readonly Address[]
  current: { targets: readonly Target[]; allowances: readonly Allowance[] }
}): RolePlan {
  const ctx = permissionContextFromEnvironment({
    environment: p.environment,
    chain: p.chain,
    safes: p.safes,
    allowances: p.allowances,
    ...(p.otokens ? { otokens: p.otokens } : {}),
  })
  const declarations = declareChainPermissions(ctx)
  const compiled = compilePermissions({ declarations, allowances: p.allowances })
  const diff = diffRole({
    roleKey: p.roleName,
    rolesMod: p.rolesMod,
    current: p.current.targets,
    desired: compiled.targets,
    allowances: { current: p.current.allowances, desired: compiled.allowances },
    declarations,
  })
  return { declarations, compiled, diff }
}

const DEVNET_CAPITAL_TARGET = { weth: { min: '0', target: '500' }, usdc: { min: '0', target: '2000000' } }

/**
 * The devnet role's allowances: the daily caps a mandate like the tests' (150 ETH hedges) and a
 * capital target of 500 WETH and 2M USDC on every chain would give, with USDC priced at twice the
 * devnet's starting ETH price.
 */
export function devnetAllowances(p: { chain: ChainKey; initialEthPriceUsd: number; safe: Address }): AllowanceSetting[] {
  const mandate = parseMandate({
    portfolio: 'devnet-role',
    chains: Object.fromEntries(chainKeys.map((k) => [k, { treasury: p.safe }])),
    delta: { targetEth: '0', bandEth: '1' },
    hedge: { maxSlippageBps: 50, maxGasCostUsdc: '50', maxHedgeSizeEth: '150' },
    capital: { chains: Object.fromEntries(chainKeys.map((k) => [k, DEVNET_CAPITAL_TARGET])) },
  })
  const ethPriceCeilingUsdc = BigInt(Math.ceil(p.initialEthPriceUsd * 2)) * 10n ** 6n
  return allowancesFromMandate({ mandate, chain: p.chain, ethPriceCeilingUsdc })
}
