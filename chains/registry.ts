import { arbitrum } from './arbitrum.ts'
import { base } from './base.ts'
import { UnknownChainError } from './errors.ts'
import { ethereum } from './ethereum.ts'
import type { ChainKey, ChainMeta } from './types.ts'

const metas: Readonly<Record<ChainKey, ChainMeta>> = Object.freeze({ ethereum, arbitrum, base })

/** The metadata of a chain keel knows. */
export function getChainMeta(key: ChainKey): ChainMeta {
  return metas[key]
}

/** The key of a chain id; throws `Chains.UnknownChainError` for a chain keel does not serve. */
export function chainKeyOf(chainId: number): ChainKey {
  const meta = Object.values(metas).find((m) => m.chain.id === chainId)
  if (!meta) throw new UnknownChainError({ chain: chainId })
  return meta.key
}
