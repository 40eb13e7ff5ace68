import { formatUnits } from 'viem/utils'
import { rehedgeCostRate } from '../hedging/rehedgeCostRate.ts'
import { type TimeOrPriceTrigger, timeOrPriceTrigger } from '../hedging/timeOrPricePolicy.ts'
import type { ChainCostParams } from '../hedging/types.ts'
import { whalleyWilmottHalfWidth } from '../hedging/whalleyWilmottPolicy.ts'
import type { OptionsMandate } from '../mandate/optionsSchema.ts'
import type { Mandate } from '../mandate/schema.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import { type BandDecision, bandDecision, decideBandHedge } from './bandPolicy.ts'

const YEAR = 365 * 86_400
const WEI = 1e18
/** Gas of one hedge swap through the router, as the lab prices it. */
const SWAP_GAS = 130_000n

/** The lab's cost inputs, read from the live observation: each chain's fee per gas, its L1 data fee per swap and its pool's in-range liquidity. */
export function liveChainCosts(snapshot: PortfolioSnapshot): ChainCostParams[] {
  return snapshot.chains.map((c) => ({
    chain: c.chain,
    gasPriceWei: BigInt(c.baseFeePerGasWei) + BigInt(c.priorityFeePerGasWei),
    swapGasUsed: SWAP_GAS,
    l1DataFeeWei: BigInt(c.l1DataFeeWei ?? '0'),
    pool: { liquidity: BigInt(c.pool.liquidity), baseDecimals: 18, quoteDecimals: 6 },
    venueFeeBps: c.pool.fee / 100,
  }))
}

/** The live hedge policies: the mandate's band, or one of the lab's (agent/hedging/). */
export type LivePolicy = 'band' | 'whalley-wilmott' | 'time-or-price'

/** A band decision and the policy that made it; time-or-price also says what fired it, in words for the decision log. */
export type LiveHedgeDecision = BandDecision & {
  policy: LivePolicy
  /** time-or-price only: the mandate's band, the interval since the last hedge, or ETH's move since then. */
  trigger?: 'band' | TimeOrPriceTrigger
  /** time-or-price only: why it hedges or holds, one line. */
  why?: string
}

type TimeOrPriceBook = Extract<OptionsMandate, { hedgePolicy: 'time-or-price' }>

/** The latest block time of the observation: the clock every live policy reads. */
const chainNowSec = (snapshot: PortfolioSnapshot): bigint =>
  snapshot.chains.reduce((t, c) => (BigInt(c.blockTimestampSec) > t ? BigInt(c.blockTimestampSec) : t), 0n)
const meanSpot = (exposure: PortfolioExposure): number => exposure.chains.reduce((s, c) => s + c.priceUsdc, 0) / exposure.chains.length
const atmVol = (book: OptionsMandate): number => Math.sqrt(sviTotalVariance(book.mark.svi, 0))
const pct = (fraction: number): string => `${(fraction * 100).toFixed(2)}%`

/**
 * The live hedge decision with the lab's policy code. `band` (and any mandate without an option
 * book): the mandate's fixed band, back to the target. `whalley-wilmott`: the band's half-width
 * from the book's gamma, the mark smile's at-the-money vol and the real cost of the re-hedge it
 * implies on the cheapest chain (the lab's `rehedgeCostRate`), never wider than the mandate's band;
 * outside it, trade to the band's edge, not the centre. A book without gamma falls back to the
 * mandate's band. `time-or-price`: the lab's `timeOrPriceTrigger` (see `decideTimeOrPrice`).
 */
export function decideHedge(p: {
  mandate: Mandate
  paused: boolean
  exposure: PortfolioExposure
  snapshot: PortfolioSnapshot
  /** Chain time of the last completed hedge, null when there was none; absent: time-or-price's triggers stay off. */
  lastHedgeAtChainTimeSec?: bigint | null
  /** ETH's price in USDC at that hedge, null when unknown; absent or null: time-or-price's price move stays off. */
  lastHedgeSpotUsdc?: number | null
}): LiveHedgeDecision {
  const m = { ...p.mandate, paused: p.paused }
  const book = m.options
  const band = decideBandHedge({ mandate: m, deltaWei: p.exposure.deltaWei })
  if (book?.hedgePolicy === 'time-or-price' && !p.paused) return decideTimeOrPrice({ ...p, mandate: m, book })
  if (book?.hedgePolicy !== 'whalley-wilmott' || p.paused || p.exposure.gamma === 0) return { ...band, policy: 'band' }
  const spot = meanSpot(p.exposure)
  const vol = atmVol(book)
  const now = chainNowSec(p.snapshot)
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

/**
 * The lab's time-or-price rule live: back to the target (capped by the mandate's max hedge size,
 * as the lab's limits cap it) when `intervalSec` of chain time passed since the last hedge or ETH
 * moved more than `priceMoveBps` since then, unless delta is within `minTradeEth` of the target.
 * The mandate's band still bounds delta in between, as it bounds Whalley–Wilmott's. Without the
 * last hedge's time the rule cannot run, so only the band acts (fail closed: no trades on a guess).
 */
function decideTimeOrPrice(p: {
  mandate: Mandate
  book: TimeOrPriceBook
  exposure: PortfolioExposure
  snapshot: PortfolioSnapshot
  lastHedgeAtChainTimeSec?: bigint | null
  lastHedgeSpotUsdc?: number | null
}): LiveHedgeDecision {
  const { mandate: m, exposure } = p
  const { intervalSec, priceMoveBps, minTradeEth } = p.book.timeOrPrice
  const policy = 'time-or-price'
  const band = decideBandHedge({ mandate: m, deltaWei: exposure.deltaWei })
  if (band.action === 'hedge')
    return { ...band, policy, trigger: 'band', why: 'time-or-price: outside the mandate’s band, back to the target' }
  const last = p.lastHedgeAtChainTimeSec
  if (last === undefined)
    return { ...band, policy, why: 'time-or-price: the last hedge’s time is unknown, so only the mandate’s band acts' }
  const now = chainNowSec(p.snapshot)
  const spot = meanSpot(exposure)
  const lastSpot = p.lastHedgeSpotUsdc ?? null
  // The lab sweeps the move as one standard deviation over the interval.
  const priceMoveFraction = priceMoveBps === undefined ? atmVol(p.book) * Math.sqrt(intervalSec / YEAR) : priceMoveBps / 10_000
  const trigger = timeOrPriceTrigger({
    now: Number(now),
    lastHedgeAt: last === null ? null : Number(last),
    interval: intervalSec,
    spot,
    lastHedgeSpot: lastSpot,
    priceMoveFraction,
  })
  const since = last === null ? 'no hedge yet' : `${now - last} s since the last hedge (interval ${intervalSec} s)`
  const moved = lastSpot === null ? 'no price of the last hedge' : `ETH moved ${pct(spot / lastSpot - 1)} since the last hedge`
  if (trigger === null) return { ...band, policy, why: `time-or-price: ${since}, ${moved} (trigger ${pct(priceMoveFraction)}): hold` }
  const fired = trigger === 'time' ? since : `${moved} (trigger ${pct(priceMoveFraction)})`
  const dustWei = minTradeEth ?? m.delta.bandEth / 10n
  const toTarget = bandDecision({ mandate: m, deltaWei: exposure.deltaWei, bandWei: dustWei, to: 'target' })
  if (toTarget.action === 'hold')
    return {
      ...band,
      policy,
      trigger,
      why: `time-or-price: ${fired}, but delta is within ${formatUnits(dustWei, 18)} ETH of the target: hold`,
    }
  return { ...toTarget, bandWei: m.delta.bandEth, policy, trigger, why: `time-or-price: ${fired}: back to the target` }
}
