import type { Mandate } from '../mandate/schema.ts'

export type HedgeDirection = 'sell-eth' | 'buy-eth'

export type BandDecision =
  | { action: 'hold'; reason: 'paused' | 'inside-band'; deltaWei: bigint; targetWei: bigint; bandWei: bigint }
  | {
      action: 'hedge'
      direction: HedgeDirection
      /** ETH to remove (sell) or add (buy), in wei, after the size cap. */
      sizeWei: bigint
      /** True when the mandate's max hedge size cut the trade short of the target. */
      capped: boolean
      deltaWei: bigint
      targetWei: bigint
      bandWei: bigint
    }

/**
 * Band policy: act only when delta leaves target ± band, then trade back to the target, never
 * more than the mandate's max hedge size. Compared in wei, so the boundary is exact.
 */
export function decideBandHedge(p: { mandate: Mandate; deltaWei: bigint }): BandDecision {
  const { targetEth: targetWei, bandEth: bandWei } = p.mandate.delta
  const base = { deltaWei: p.deltaWei, targetWei, bandWei }
  if (p.mandate.paused) return { action: 'hold', reason: 'paused', ...base }
  const gap = p.deltaWei - targetWei
  const abs = gap < 0n ? -gap : gap
  if (abs <= bandWei) return { action: 'hold', reason: 'inside-band', ...base }
  const cap = p.mandate.hedge.maxHedgeSizeEth
  return {
    action: 'hedge',
    direction: gap > 0n ? 'sell-eth' : 'buy-eth',
    sizeWei: abs > cap ? cap : abs,
    capped: abs > cap,
    ...base,
  }
}
