import type { Address } from 'viem'
import { listSeries, readVaults, type Series } from '../../adapters/opyn-gamma/gamma.ts'
import type { Mandate } from '../../agent/mandate/schema.ts'
import type { ChainOptionsJson, OptionLegJson } from '../../agent/options/mark.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { ActivityDeps } from './createActivities.ts'

const erc20BalanceAbi = [
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const

const leg = (s: Series, amountE8: bigint): OptionLegJson => ({
  otoken: s.otoken,
  isPut: s.isPut,
  strikeE8: s.strikeE8.toString(),
  expirySec: s.expirySec.toString(),
  amountE8: amountE8.toString(),
})

/**
 * The treasury's option book on one chain, for the observation: its Gamma vaults (shorts and
 * collateral) and the oTokens it holds, with the mandate's mark smile. Nothing when the mandate has
 * no book on this chain or the worker knows no Gamma there.
 */
export async function observeOptions(
  deps: ActivityDeps,
  mandate: Mandate,
  chain: ChainKey,
  treasury: Address,
): Promise<{ options?: ChainOptionsJson }> {
  const book = mandate.options
  const d = deps.gamma?.[chain]
  const client = deps.chains[chain]?.clients.publicClient
  if (!book?.chains.includes(chain) || !d || !client) return {}
  const [vaults, series] = await Promise.all([readVaults(client, d, treasury), listSeries(client, d, 0n)])
  const byToken = new Map(series.map((s) => [s.otoken.toLowerCase(), s]))
  const held = await Promise.all(
    series.map((s) => client.readContract({ address: s.otoken, abi: erc20BalanceAbi, functionName: 'balanceOf', args: [treasury] })),
  )
  return {
    options: {
      vaults: vaults.map((v) => {
        const s = v.short ? byToken.get(v.short.otoken.toLowerCase()) : undefined
        return {
          id: v.id.toString(),
          type: v.type,
          short: v.short && s ? leg(s, v.short.amountE8) : null,
          collateral: v.collateral ? { asset: v.collateral.asset, amount: v.collateral.amount.toString() } : null,
        }
      }),
      longs: series.flatMap((s, i) => (held[i]! > 0n ? [leg(s, held[i]!)] : [])),
      mark: book.mark.svi,
    },
  }
}
