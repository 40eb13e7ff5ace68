import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'
import { divCeil, minBigint } from '../money.ts'
import type { BandDecision, HedgeDirection } from '../policy/bandPolicy.ts'
import { wethToUsdcAtMid } from '../portfolio/poolPrice.ts'
import type { ChainObservation } from '../portfolio/types.ts'
import type { CapitalMove } from '../transfer/capitalPolicy.ts'
import { type CostedVenue, costVenue, remainingSlippageBps } from '../venue/chooseVenue.ts'
import { candidateOf, marketOf, type SliceOk, type SliceSearch, type SliceUnavailable } from '../venue/sliceSearch.ts'
import type { SwapQuoteJson, SwapStep } from './types.ts'

/**
 * A hedge funded by a transfer: when the chain where the hedge is cheapest lacks the capital to
 * take it, moving that capital there first can beat hedging elsewhere (a shallower pool, a slice
 * now and the rest later). These functions are the data side of that choice: which unfunded
 * hedges to quote, which transfer would fund each, and, once the transfer has arrived, the hedge
 * sized by what is on the chain then. `planCycle` weighs the options against the slice.
 */

const BPS = 10_000n

/** The whole hedge quoted on a chain whose balance cannot fund it. */
export type FundingProbe = { chain: ChainKey; sizeWei: bigint; amountIn: bigint }

/** What the balance-limited chains would charge for the whole hedge: one quote each, balance ignored. */
export function fundingProbes<Q extends SliceOk>(s: SliceSearch<Q>): FundingProbe[] {
  return s.chains
    .filter((c) => c.capWei < s.wantedWei && (c.stopped === null || c.stopped === 'insufficient-balance'))
    .map((c) => ({
      chain: c.market.chain,
      sizeWei: s.wantedWei,
      amountIn:
        s.direction === 'sell-eth'
          ? s.wantedWei
          : wethToUsdcAtMid({
              wethWei: s.wantedWei,
              sqrtPriceX96: c.market.sqrtPriceX96,
              wethIsToken0: c.market.wethIsToken0,
              roundUp: true,
            }),
    }))
}

/** A hedge on `chain` that a transfer of `move` would fund, priced from the venue's quote of the whole size. */
export type FundingOption<Q extends SliceOk = SliceOk> = {
  chain: ChainKey
  sizeWei: bigint
  quote: Q
  costed: CostedVenue
  move: CapitalMove
}

/**
 * The transfers that would fund each probe that fits the budgets once funded: the shortfall of
 * the token paid in, plus the most a route may keep (`maxCostBps`), from the one chain with the
 * most of that asset above its capital-policy minimum. A probe no single chain can fund, that
 * breaks the budgets even funded, or whose chain has that asset already on its way, is left out.
 */
export function fundingOptions<Q extends SliceOk>(p: {
  search: SliceSearch<Q>
  probes: readonly FundingProbe[]
  quotes: readonly (Q | SliceUnavailable)[]
  chains: readonly ChainObservation[]
  mandate: Mandate
  blocked: readonly ChainKey[]
  /** Transfers on their way: a chain with the asset already coming is not funded again until it arrives. */
  inFlight: readonly { asset: BridgeAsset; to: ChainKey }[]
}): FundingOption<Q>[] {
  const { search, mandate } = p
  const asset: BridgeAsset = search.direction === 'sell-eth' ? 'WETH' : 'USDC'
  const key = asset === 'WETH' ? 'weth' : 'usdc'
  const maxCostBps = BigInt(mandate.capital?.maxCostBps ?? 0)
  const options: FundingOption<Q>[] = []
  for (const probe of p.probes) {
    const quote = p.quotes.find((q): q is Q => q.status === 'ok' && q.chain === probe.chain)
    const c = search.chains.find((x) => x.market.chain === probe.chain)
    if (!quote || !c || p.inFlight.some((t) => t.asset === asset && t.to === probe.chain)) continue
    // Funded: the balance will be there when the swap is sent; the budgets still apply.
    const costed = costVenue({ ...candidateOf(search.direction, c.market, quote), balanceIn: BigInt(quote.amountIn) }, search.budget)
    if (costed.rejected !== null) continue
    const shortfall = BigInt(quote.amountIn) - c.market.balanceIn
    if (shortfall <= 0n) continue
    const amount = shortfall + divCeil(shortfall * maxCostBps, BPS)
    const donor = p.chains
      .filter((x) => x.chain !== probe.chain && !p.blocked.includes(x.chain))
      .map((x) => ({ chain: x.chain, spare: BigInt(x.balances[key]) - (mandate.capital?.chains[x.chain]?.[key]?.min ?? 0n) }))
      .filter((x) => x.spare >= amount)
      .sort((a, b) => (a.spare > b.spare ? -1 : a.spare < b.spare ? 1 : a.chain.localeCompare(b.chain)))[0]
    if (!donor) continue
    options.push({
      chain: probe.chain,
      sizeWei: probe.sizeWei,
      quote,
      costed,
      move: { asset, from: donor.chain, to: probe.chain, amount, reason: `funds a ${search.direction} hedge on ${probe.chain}` },
    })
  }
  return options
}

/**
 * The swap of a funded hedge once its transfer has arrived: the planned size, no more than the
 * band still asks for, and paid only from what the chain holds now (what arrived included, nothing
 * still on its way). Null when there is nothing left to do.
 */
export function fundedSwapSize(p: {
  direction: HedgeDirection
  plannedSizeWei: bigint
  plannedAmountIn: bigint
  decision: BandDecision
  chain: ChainObservation
}): { sizeWei: bigint; amountIn: bigint } | { none: string } {
  const d = p.decision
  if (d.action !== 'hedge') return { none: d.reason === 'paused' ? 'paused' : 'delta is back inside the band' }
  if (d.direction !== p.direction) return { none: `the band now asks to ${d.direction}` }
  const sizeWei = minBigint(p.plannedSizeWei, d.sizeWei)
  const wanted = (p.plannedAmountIn * sizeWei) / p.plannedSizeWei
  const held = BigInt(p.direction === 'sell-eth' ? p.chain.balances.weth : p.chain.balances.usdc)
  const amountIn = minBigint(wanted, held)
  if (amountIn <= 0n) return { none: `nothing to pay with on ${p.chain.chain}` }
  return { sizeWei: amountIn === wanted ? sizeWei : (sizeWei * amountIn) / wanted, amountIn }
}

/**
 * The funded swap step as it will be sent: the planned step with the fresh quote for the resized
 * amount, priced against the budgets on the chain's state now; refused when it no longer fits.
 */
export function fundedSwapStep(p: {
  step: SwapStep
  quote: SwapQuoteJson
  chain: ChainObservation
  mandate: Mandate
  sizeWei: bigint
}): { step: SwapStep } | { none: string } {
  const { step, quote, chain: obs, mandate } = p
  const costed = costVenue(candidateOf(step.direction, marketOf(obs, step.direction), quote), {
    maxGasCostUsdc: mandate.hedge.maxGasCostUsdc,
    maxSlippageBps: mandate.hedge.maxSlippageBps,
  })
  if (costed.rejected !== null) return { none: `${costed.rejected} on ${obs.chain} now` }
  return {
    step: {
      ...step,
      sizeWei: p.sizeWei.toString(),
      quote,
      slippageBps: remainingSlippageBps(costed, mandate.hedge.maxSlippageBps),
      deadlineSec: (BigInt(quote.blockTimestampSec) + BigInt(mandate.hedge.deadlineSec)).toString(),
      expectedCostUsdc: costed.totalCostUsdc.toString(),
    },
  }
}
