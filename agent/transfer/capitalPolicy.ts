import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'
import { minBigint } from '../money.ts'

/** Capital of one asset on one chain, as the planner sees it: on the chain now, and on its way there. */
export type ChainCapital = { chain: ChainKey; weth: bigint; usdc: bigint }

/** A transfer on its way: counted where it goes, never spent before it arrives. */
export type CapitalInFlight = { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: bigint }

/** Capital one chain should receive from another, before any bridge is chosen. */
export type CapitalMove = { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: bigint; reason: string }

const assetKey = (a: BridgeAsset): 'weth' | 'usdc' => (a === 'WETH' ? 'weth' : 'usdc')
const assets: readonly BridgeAsset[] = ['WETH', 'USDC']

/**
 * The capital policy of a mandate: every chain below its minimum of an asset (counting what is
 * already on its way there) is brought back to its target, from the chains with the most capital
 * above their own targets. Chains without a policy for an asset are neither refilled nor drained;
 * a chain that already has a transfer of that asset coming gets no second one until it arrives.
 */
export function capitalMoves(p: {
  mandate: Mandate
  capital: readonly ChainCapital[]
  inFlight: readonly CapitalInFlight[]
}): CapitalMove[] {
  const policy = p.mandate.capital?.chains ?? {}
  const moves: CapitalMove[] = []
  for (const asset of assets) {
    const key = assetKey(asset)
    const held = (chain: ChainKey) => p.capital.find((c) => c.chain === chain)?.[key] ?? 0n
    const incoming = (chain: ChainKey) => p.inFlight.filter((t) => t.asset === asset && t.to === chain).reduce((s, t) => s + t.amount, 0n)
    const surplus = new Map<ChainKey, bigint>()
    for (const [chain, cap] of Object.entries(policy) as [ChainKey, NonNullable<(typeof policy)[ChainKey]>][]) {
      const c = cap[key]
      if (c && held(chain) > c.target) surplus.set(chain, held(chain) - c.target)
    }
    for (const [chain, cap] of Object.entries(policy) as [ChainKey, NonNullable<(typeof policy)[ChainKey]>][]) {
      const c = cap[key]
      if (!c || p.inFlight.some((t) => t.asset === asset && t.to === chain)) continue
      const have = held(chain) + incoming(chain)
      if (have >= c.min) continue
      let missing = c.target - have
      const donors = [...surplus.entries()].filter(([d]) => d !== chain).sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0))
      for (const [donor, extra] of donors) {
        if (missing <= 0n) break
        const amount = minBigint(extra, missing)
        if (amount <= 0n) continue
        moves.push({
          asset,
          from: donor,
          to: chain,
          amount,
          reason: `${chain} holds ${have} of ${asset} base units, below its minimum ${c.min}`,
        })
        surplus.set(donor, extra - amount)
        missing -= amount
      }
    }
  }
  return moves
}
