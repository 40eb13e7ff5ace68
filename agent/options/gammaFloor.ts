/**
 * A gamma floor breach: short options near expiry and at the money make the book's gamma more
 * negative than the mandate allows. Two ways out, chosen by cost:
 * - buy back part of the shorts that carry the most gamma, paying the makers' ask over keel's model
 *   value (buying at model value changes nothing; the spread and the gas are the cost);
 * - keep the gamma and hedge delta as often as it needs. The excess gamma over the floor costs, in
 *   expectation, λ·S²·σ·√(2/(π·dt)) per unit of gamma per year of discrete re-hedging (Leland), for
 *   the time left to expiry.
 * Numbers here are risk statistics; the buy-back amount becomes oTokens (1e-8) rounded up.
 */

export type ShortLeg = {
  otoken: `0x${string}`
  /** Options short, in oToken units (1e-8). */
  amountE8: bigint
  /** Gamma of one option, d(delta)/dS per USD (positive for a long option). */
  gammaPerOption: number
  /** keel's model value of one option, USD. */
  modelUsd: number
  /** The best ask per option a maker quoted (or keel's estimate of it), USD. */
  askUsd: number
}

export type GammaFloorDecision =
  | { action: 'none'; reason: string }
  | { action: 'buy-back'; otoken: `0x${string}`; amountE8: bigint; costUsd: number; hedgeMoreCostUsd: number }
  | { action: 'hedge-more'; costUsd: number; buyBackCostUsd: number | null }

export function decideGammaFloor(p: {
  bookGamma: number
  gammaFloor: number
  legs: readonly ShortLeg[]
  spot: number
  vol: number
  /** Proportional cost of a re-hedge (the lab's rehedge cost rate), fraction of notional. */
  costRate: number
  /** How often the loop re-hedges, years. */
  checkIntervalYears: number
  /** Time to the nearest expiry of the shorts, years. */
  timeToExpiryYears: number
  /** Gas of the buy-back (approve, swap, burn), USD. */
  buyBackGasUsd: number
}): GammaFloorDecision {
  const excess = p.gammaFloor - p.bookGamma
  if (!(excess > 0)) return { action: 'none', reason: `gamma ${p.bookGamma.toExponential(3)} is above the floor ${p.gammaFloor}` }
  const hedgeMoreCostUsd =
    p.costRate * p.spot * p.spot * p.vol * Math.sqrt(2 / (Math.PI * p.checkIntervalYears)) * excess * Math.max(p.timeToExpiryYears, 0)
  // The leg whose gamma is cheapest to buy back (spread per unit of gamma), and enough of it to reach the floor.
  let best: { leg: ShortLeg; amountE8: bigint; costUsd: number } | null = null
  for (const leg of p.legs) {
    if (!(leg.gammaPerOption > 0)) continue
    const options = excess / leg.gammaPerOption
    const amountE8 = BigInt(Math.ceil(options * 1e8))
    if (amountE8 > leg.amountE8) continue
    const costUsd = (Number(amountE8) / 1e8) * Math.max(leg.askUsd - leg.modelUsd, 0) + p.buyBackGasUsd
    if (!best || costUsd < best.costUsd) best = { leg, amountE8, costUsd }
  }
  if (best && best.costUsd < hedgeMoreCostUsd)
    return { action: 'buy-back', otoken: best.leg.otoken, amountE8: best.amountE8, costUsd: best.costUsd, hedgeMoreCostUsd }
  return { action: 'hedge-more', costUsd: hedgeMoreCostUsd, buyBackCostUsd: best?.costUsd ?? null }
}

/**
 * What a re-hedge has cost as a fraction of what it traded, from the ledger's completed hedges
 * (gas + fee + impact over the USDC side), or `fallback` before there are any.
 */
export function observedCostRate(
  hedges: readonly {
    status: string
    direction: 'sell-eth' | 'buy-eth'
    amountIn: string
    amountOut?: string | null
    gasCostUsdc: string
    slippageCostUsdc: string
  }[],
  fallback: number,
): number {
  let cost = 0
  let notional = 0
  for (const h of hedges) {
    if (h.status !== 'completed') continue
    const usdc = h.direction === 'buy-eth' ? Number(h.amountIn) : Number(h.amountOut ?? 0)
    if (!(usdc > 0)) continue
    cost += Number(h.gasCostUsdc) + Number(h.slippageCostUsdc)
    notional += usdc
  }
  return notional > 0 ? cost / notional : fallback
}
