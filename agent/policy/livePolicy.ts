import { rehedgeCostRate } from '../hedging/rehedgeCostRate.ts'
import type { ChainCostParams } from '../hedging/types.ts'
import { whalleyWilmottHalfWidth } from '../hedging/whalleyWilmottPolicy.ts'
import type { Mandate } from '../mandate/schema.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import { type BandDecision, bandDecision, decideBandHedge } from './bandPolicy.ts'

const YEAR = 365 * 86_400
const WEI = 1e18
/** Gas of one hedge swap through the router, as the lab prices it. */
const SWAP_GAS = 130_000n

/** The lab's cost inputs, read from the live observation: each chain's fee per gas and its pool's in-range liquidity. */
export function liveChainCosts(snapshot: PortfolioSnapshot): ChainCostParams[] {
  return snapshot.chains.map((c) => ({
    chain: c.chain,
    gasPriceWei: BigInt(c.baseFeePerGasWei) + BigInt(c.priorityFeePerGasWei),
    swapGasUsed: SWAP_GAS,
    l1DataFeeWei: 0n,
    pool: { liquidity: BigInt(c.pool.liquidity), baseDecimals: 18, quoteDecimals: 6 },
    venueFeeBps: c.pool.fee / 100,
  }))
}

/**
 * The live hedge decision with the lab's policy code. `band` (and any mandate without an option
 * book): the mandate's fixed band, back to the target. `whalley-wilmott`: the band's half-width
 * from the book's gamma, the mark smile's at-the-money vol and the real cost of the re-hedge it
 * implies on the cheapest chain (the lab's `rehedgeCostRate`), never wider than the mandate's band;
 * outside it, trade to the band's edge, not the centre. A book without gamma falls back to the
 * mandate's band.
 */
export function decideHedge(p: {
  mandate: Mandate
  paused: boolean
  exposure: PortfolioExposure
  snapshot: PortfolioSnapshot
}): BandDecision & { policy: 'band' | 'whalley-wilmott' } {
  const m = { ...p.mandate, paused: p.paused }
  const book = m.options
  const band = decideBandHedge({ mandate: m, deltaWei: p.exposure.deltaWei })
  if (book?.hedgePolicy !== 'whalley-wilmott' || p.paused || p.exposure.gamma === 0) return { ...band, policy: 'band' }
  const spot = p.exposure.chains.reduce((s, c) => s + c.priceUsdc, 0) / p.exposure.chains.length
  const vol = Math.sqrt(sviTotalVariance(book.mark.svi, 0))
  const now = p.snapshot.chains.reduce((t, c) => (BigInt(c.blockTimestampSec) > t ? BigInt(c.blockTimestampSec) : t), 0n)
  const expiries = p.snapshot.chains.flatMap((c) => [
    ...(c.options?.vaults ?? []).flatMap((v) => (v.short ? [BigInt(v.short.expirySec)] : [])),
    ...(c.options?.longs ?? []).map((l) => BigInt(l.expirySec)),
  ])
  const nearest = expiries.filter((e) => e > now).reduce<bigint | null>((a, e) => (a === null || e < a ? e : a), null)
  const gap = p.exposure.deltaWei - m.delta.targetEth
  const side = gap > 0n ? -1 : 1
  const costRate = rehedgeCostRate({
    chains: liveChainCosts(p.snapshot),
    gamma: p.exposure.gamma,
    spot,
    vol,
    checkIntervalYears: m.loop.intervalSec / YEAR,
    side,
  })
  const h = whalleyWilmottHalfWidth({
    spot,
    gamma: p.exposure.gamma,
    costRate,
    riskAversion: book.riskAversion,
    rate: 0,
    timeToExpiryYears: nearest === null ? 0 : Number(nearest - now) / YEAR,
  })
  const hWei = Number.isFinite(h) ? BigInt(Math.floor(h * WEI)) : m.delta.bandEth
  const bandWei = hWei < m.delta.bandEth ? hWei : m.delta.bandEth
  return { ...bandDecision({ mandate: m, deltaWei: p.exposure.deltaWei, bandWei, to: 'edge' }), policy: 'whalley-wilmott' }
}
