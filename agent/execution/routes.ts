import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'

/** A fee per gas or an amount, as a decimal string: routes cross Temporal in workflow inputs. */
type WeiString = string

/** How a stuck public or private send is re-priced: same nonce, higher fees, never above `maxFeePerGas`. */
export type RepriceRoute = { afterBlocks: number; maxFeePerGas: WeiString }

/** Where and how one chain's signed transactions go; decided from the mandate, carried by the saga's input. */
export type SubmitRoute =
  | { kind: 'public'; reprice: RepriceRoute }
  | { kind: 'private-rpc'; reprice: RepriceRoute }
  | {
      kind: 'flashbots'
      deadlineBlocks: number
      feeStepBps: number
      maxPriorityFeePerGas: WeiString
      fallback: 'stop' | 'public'
      /** What the fallback's public send may be re-priced to. */
      reprice: RepriceRoute
    }

const defaultRoute: Record<ChainKey, SubmitRoute['kind']> = { ethereum: 'flashbots', arbitrum: 'public', base: 'public' }
const defaultMaxFeeWei: Record<ChainKey, bigint> = { ethereum: 200n * 10n ** 9n, arbitrum: 10n ** 9n, base: 10n ** 9n }

const defaults = {
  bundle: { deadlineBlocks: 6, feeStepBps: 2_500, maxPriorityFeeGwei: 5n * 10n ** 9n, fallback: 'stop' as const },
  reprice: { afterBlocks: 3, maxFeeGwei: {} as Partial<Record<ChainKey, bigint>> },
}

/** The route of `chain` under `mandate`: Ethereum goes out as Flashbots bundles unless the mandate says otherwise. */
export function routeFor(mandate: Pick<Mandate, 'execution'>, chain: ChainKey): SubmitRoute {
  const e = mandate.execution
  const kind = e?.routes[chain] ?? defaultRoute[chain]
  const r = e?.reprice ?? defaults.reprice
  const reprice: RepriceRoute = { afterBlocks: r.afterBlocks, maxFeePerGas: (r.maxFeeGwei[chain] ?? defaultMaxFeeWei[chain]).toString() }
  if (kind !== 'flashbots') return { kind, reprice }
  const b = e?.bundle ?? defaults.bundle
  return {
    kind,
    deadlineBlocks: b.deadlineBlocks,
    feeStepBps: b.feeStepBps,
    maxPriorityFeePerGas: b.maxPriorityFeeGwei.toString(),
    fallback: b.fallback,
    reprice,
  }
}

/** The route of every chain of the mandate: what a saga's input carries. */
export function routesFor(mandate: Pick<Mandate, 'execution' | 'chains'>): Partial<Record<ChainKey, SubmitRoute>> {
  return Object.fromEntries((Object.keys(mandate.chains) as ChainKey[]).map((c) => [c, routeFor(mandate, c)]))
}
