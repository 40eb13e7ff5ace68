/**
 * What the portfolio does about a gamma floor breach, given the makers' asks: which shorts to ask
 * about and for how much, the inputs of `decideGammaFloor`, and, for a buy-back, its size and
 * prices. The workflow reads the asks and runs the chosen step; every number is chosen here.
 */
import type { Mandate } from '../mandate/schema.ts'
import { hedgeMoreIntervalSec } from '../portfolio/state.ts'
import type { PortfolioSnapshot } from '../portfolio/types.ts'
import { type SviParams, sviTotalVariance } from '../risk/svi.ts'
import { buyBackGasUsd, buyBackToFloorE8, putModelUsd } from './bookPricing.ts'
import { decideGammaFloor, type GammaFloorDecision, observedCostRate } from './gammaFloor.ts'
import { gammaFullCollateral } from './gammaSettlement.ts'
import type { gammaFloorBreach, SeriesJson } from './rolls.ts'

const YEAR = 365 * 86_400

export type GammaFloorBreach = NonNullable<ReturnType<typeof gammaFloorBreach>>
type Short = GammaFloorBreach['shorts'][number]

/** The shorts worth asking about, each with what would reach the floor from it alone (a maker sells only what it holds). */
export function buyBackAsks(breach: GammaFloorBreach, gammaFloor: number): { short: Short; wantedE8: bigint }[] {
  const excess = gammaFloor - breach.bookGamma
  return breach.shorts
    .map((short) => ({ short, wantedE8: buyBackToFloorE8(excess, short.gammaPerOption) }))
    .filter((a) => a.wantedE8 <= a.short.amountE8)
}

export type GammaFloorResponse = {
  decision: GammaFloorDecision
  /** Hedge more often until the nearest expiry (chain time, seconds), every `intervalSec`. */
  hedgeMore: { untilChainTimeSec: bigint; intervalSec: number } | null
  /** The buy-back to run, sized and priced. */
  buyBack: {
    leg: Short & { askUsd: number }
    amountE8: bigint
    withdraw: bigint
    gasUsd: number
    /** keel's model value of the whole amount, USDC base units (rounded up). */
    modelPriceUsdc: bigint
    gasCostUsdc: bigint
  } | null
}

/** Decides between buying back part of a short and hedging more often, from the asks read. */
export function respondToGammaFloor(p: {
  mandate: Mandate
  breach: GammaFloorBreach
  legs: readonly (Short & { askUsd: number })[]
  chains: PortfolioSnapshot['chains']
  spotUsd: Record<string, number>
  markSvi: SviParams
  hedges: Parameters<typeof observedCostRate>[0]
  nowSec: bigint
}): GammaFloorResponse {
  const book = p.mandate.options!
  const { breach, legs } = p
  const nearest = breach.shorts.reduce((m, s) => Math.min(m, s.timeToExpiryYears), Number.POSITIVE_INFINITY)
  const spot = p.spotUsd[breach.shorts[0]?.chain ?? p.chains[0]!.chain] ?? 0
  const gasOf = (chain: string) => buyBackGasUsd(p.chains.find((c) => c.chain === chain)!, p.spotUsd[chain] ?? 0)
  const intervalSec = hedgeMoreIntervalSec(p.mandate.loop.intervalSec)
  const decision = decideGammaFloor({
    bookGamma: breach.bookGamma,
    gammaFloor: book.objectives.gammaFloor,
    legs,
    spot,
    vol: Math.sqrt(sviTotalVariance(p.markSvi, 0)),
    costRate: observedCostRate(p.hedges, 0.0005),
    // Hedging more often means looking HEDGE_MORE_FACTOR times as often until the nearest expiry.
    checkIntervalYears: intervalSec / YEAR,
    timeToExpiryYears: Number.isFinite(nearest) ? nearest : 0,
    buyBackGasUsd: legs.length > 0 ? Math.min(...legs.map((l) => gasOf(l.chain))) : 0,
  })
  const hedgeMore =
    decision.action === 'hedge-more' && Number.isFinite(nearest)
      ? { untilChainTimeSec: p.nowSec + BigInt(Math.ceil(nearest * YEAR)), intervalSec }
      : null
  if (decision.action !== 'buy-back') return { decision, hedgeMore, buyBack: null }
  const leg = legs.find((l) => l.otoken === decision.otoken)!
  const spec = { isPut: leg.series.isPut, strikeE8: BigInt(leg.series.strikeE8), collateralDecimals: leg.series.isPut ? 6 : 18 }
  const gasUsd = gasOf(leg.chain)
  return {
    decision,
    hedgeMore,
    buyBack: {
      leg,
      amountE8: decision.amountE8,
      withdraw: gammaFullCollateral({ ...spec, amountE8: decision.amountE8 }),
      gasUsd,
      ...buyBackPrices({ modelUsdPerOption: leg.modelUsd, amountE8: decision.amountE8, gasUsd }),
    },
  }
}

/** A buy-back's limits in USDC base units: keel's model value of the whole amount and its gas, both rounded up. */
export function buyBackPrices(p: { modelUsdPerOption: number; amountE8: bigint; gasUsd: number }): {
  modelPriceUsdc: bigint
  gasCostUsdc: bigint
} {
  return {
    modelPriceUsdc: BigInt(Math.ceil(p.modelUsdPerOption * (Number(p.amountE8) / 1e8) * 1e6)),
    gasCostUsdc: BigInt(Math.ceil(p.gasUsd * 1e6)),
  }
}

/** The prices of a margined put's buy-back (the chain's USDC cannot pay its top-up), at the mark. */
export function marginBuyBackPrices(p: {
  series: SeriesJson
  amountE8: bigint
  chain: PortfolioSnapshot['chains'][number]
  spotUsd: number
  markSvi: SviParams
}): { modelPriceUsdc: bigint; gasCostUsdc: bigint } {
  const model = putModelUsd({ series: p.series, spot: p.spotUsd, nowSec: BigInt(p.chain.blockTimestampSec), svi: p.markSvi })
  return buyBackPrices({ modelUsdPerOption: model, amountE8: p.amountE8, gasUsd: buyBackGasUsd(p.chain, p.spotUsd) })
}
