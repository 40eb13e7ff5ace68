import type { Address } from 'viem'
import { Clearance } from 'zodiac-roles-sdk'
import { readRoleTargets } from '../chains/devnet/roles/readRole.ts'
import { execAsOwners } from '../chains/devnet/treasurySafe.ts'
import { createChainClients } from '../chains/transport.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'
import { devnetAllowances, planRole } from './permissions.ts'

/** Extends keel's role on a chain to an option series (its oToken) before keel trades it. */
export type ExtendRole = (p: { chain: ChainKey; otoken: Address }) => Promise<'already' | 'extended'>

/**
 * The devnet's stand-in for the DAO's signers. Every option series is a new oToken contract, and a
 * Roles role names its targets one by one, so selling a new series needs the owners to extend the
 * role first (on real chains: `keel permissions apply --otoken`, signed by them). On the devnet
 * the owners' keys are local, and they sign that extension, and only that (the role's own
 * declarations for the series: its approval to SwapERC20 and the swap paid to the Safe), when keel
 * is about to trade a series its role does not cover yet. Absent off the devnet.
 */
export function devnetRoleExtender(environment: ChainEnvironment): ExtendRole | undefined {
  const manifest = environment.devnetManifest
  const safesSection = manifest?.safes
  if (environment.network !== 'devnet' || !manifest || !safesSection || !environment.treasuries) return undefined
  const safes = Object.fromEntries(Object.entries(safesSection.chains).map(([k, v]) => [k, v.safe])) as Record<ChainKey, Address>
  // One extension at a time per chain: two rolls extending at once would plan against the same state.
  const queues = new Map<ChainKey, Promise<unknown>>()
  return ({ chain, otoken }) => {
    const run = async (): Promise<'already' | 'extended'> => {
      const s = safesSection.chains[chain]
      const c = environment.chains[chain]
      if (!c) throw new Error(`no ${chain} in the environment`)
      const { publicClient } = createChainClients({ key: chain, rpcUrls: c.rpcUrls })
      const current = await readRoleTargets({
        publicClient,
        roles: s.roles,
        roleKey: safesSection.roleKey,
        fromBlock: BigInt(s.deployBlock),
      })
      const held = (t: { clearance: Clearance; functions: unknown[] }) => t.clearance !== Clearance.None || t.functions.length > 0
      if (current.role.targets.some((t) => t.address.toLowerCase() === otoken.toLowerCase() && held(t))) return 'already'
      const plan = (otokens: Address[]) =>
        planRole({
          environment,
          chain,
          safes,
          rolesMod: s.roles,
          roleName: safesSection.roleKey,
          allowances: devnetAllowances({ chain, initialEthPriceUsd: manifest.params.initialEthPriceUsd, safe: s.safe }),
          otokens,
          current: { targets: current.role.targets, allowances: current.allowances },
        })
      // The series the role already covers stay: the targets beyond what keel declares without any series, but SwapERC20.
      const base = new Set(plan([]).compiled.targets.map((t) => t.address.toLowerCase()))
      const swap = plan([otoken]).declarations.find((d) => d.adapter === 'airswap-rfq' && d.targetLabel === 'AirSwap SwapERC20')?.target
      const known = current.role.targets
        .filter((t) => held(t) && !base.has(t.address.toLowerCase()) && t.address.toLowerCase() !== swap?.toLowerCase())
        .map((t) => t.address as Address)
      const { diff } = plan([...known, otoken])
      if (diff.calls.length === 0) return 'already'
      await execAsOwners({
        manifest,
        chain,
        calls: diff.calls.map((call, i) => ({ ...call, description: diff.changes[i]?.text ?? 'extend the role' })),
        label: `extend keel's role to oToken ${otoken}`,
      })
      return 'extended'
    }
    const next = (queues.get(chain) ?? Promise.resolve()).catch(() => undefined).then(run)
    queues.set(chain, next)
    return next
  }
}
