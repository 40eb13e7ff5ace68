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
  return bandDecision({ mandate: p.mandate, deltaWei: p.deltaWei, bandWei: p.mandate.delta.bandEth, to: 'target' })
}

/**
 * A band decision for any band: hold inside target ± `bandWei`; outside it, trade back to the
 * target or only to the band's nearer edge (what Whalley–Wilmott prescribes), capped by the
 * mandate's max hedge size.
 */
/** Where a trade "to the edge" aims, in bps of the band from the target. */
export const EDGE_FRACTION_BPS = 9_000n

export function bandDecision(p: { mandate: Mandate; deltaWei: bigint; bandWei: bigint; to: 'target' | 'edge' }): BandDecision {
  const targetWei = p.mandate.delta.targetEth
  const base = { deltaWei: p.deltaWei, targetWei, bandWei: p.bandWei }
  if (p.mandate.paused) return { action: 'hold', reason: 'paused', ...base }
  const gap = p.deltaWei - targetWei
  const abs = gap < 0n ? -gap : gap
  if (abs <= p.bandWei) return { action: 'hold', reason: 'inside-band', ...base }
  // To the edge: a tenth of the band inside it, so that a fill a little short of its quote (impact moves
  // between quote and send, a hedge is sized in whole wei of the input) lands inside instead of just
  // outside, which would chase the edge with ever smaller hedges that each pay a full gas bill.
  const size = p.to === 'edge' ? abs - (p.bandWei * EDGE_FRACTION_BPS) / 10_000n : abs
  const cap = p.mandate.hedge.maxHedgeSizeEth
  return {
    action: 'hedge',
    direction: gap > 0n ? 'sell-eth' : 'buy-eth',
    sizeWei: size > cap ? cap : size,
    capped: size > cap,
    ...base,
  }
}
