import type { ChainKey } from '../../chains/types.ts'
import { minBigint } from '../money.ts'
import type { HedgeDirection } from '../policy/bandPolicy.ts'
import { usdcToWethAtMid, wethIsToken0, wethToUsdcAtMid } from '../portfolio/poolPrice.ts'
import type { ChainObservation } from '../portfolio/types.ts'
import { type CostedVenue, costVenue, type VenueCandidate } from './chooseVenue.ts'

/**
 * Sizing a hedge that no venue can take whole. Price impact grows with size, so when the full
 * hedge breaks the slippage budget everywhere, some smaller slice usually fits; the loop trades
 * that slice and takes the rest in follow-ups and later cycles, on whichever chain is cheapest
 * then. The search is data: the workflow asks `sliceRequests` what to quote, feeds the answers to
 * `recordSliceQuotes`, and ends with `chooseSlice`; every step is pure and deterministic.
 */

/** What the search needs to know about one chain's market, from the snapshot. */
export type SliceMarket = {
  chain: ChainKey
  /** Fee per gas the executor expects to pay (base + priority). */
  gasPriceWei: bigint
  sqrtPriceX96: bigint
  wethIsToken0: boolean
  /** Pool fee in hundredths of a bip (500 = 0.05 %): no slice can cost less than this. */
  poolFee: number
  /** Treasury balance of the token paid in: WETH wei when selling ETH, USDC base units when buying. */
  balanceIn: bigint
}

/** A venue's answer for one chain, as it crosses Temporal (amounts as decimal strings); the search keeps it whole. */
export type SliceOk = {
  status: 'ok'
  chain: ChainKey
  amountIn: string
  amountOut: string
  gasEstimate: string
  /** L1 data fee of the swap transaction (L2s), wei; absent counts as 0 (Ethereum, or a quote made before it was read). */
  l1DataFeeWei?: string
}
export type SliceUnavailable = { status: 'unavailable'; chain: ChainKey; reason: string }
export type SliceQuote = SliceOk | SliceUnavailable

type Probe<Q> = { sizeWei: bigint; costed: CostedVenue; quote: Q }

type ChainSearch<Q> = {
  market: SliceMarket
  /** Largest hedge in ETH wei the treasury's balance on this chain can fund. */
  capWei: bigint
  probes: Probe<Q>[]
  /** Why this chain is out of the search, or null while it is still being probed. */
  stopped: null | string
}

export type SliceSearch<Q extends SliceOk = SliceOk> = {
  direction: HedgeDirection
  wantedWei: bigint
  budget: { maxGasCostUsdc: bigint; maxSlippageBps: number }
  /**
   * `secant`: per chain, aim each probe at the size whose shortfall meets the budget (shortfall
   * grows about linearly with size inside a tick range). `halving`: the first loop's fixed
   * 1, 1/2, 1/4 steps on every chain at once, kept only so that runs started before slicing replay.
   */
  strategy: 'secant' | 'halving'
  rounds: number
  chains: ChainSearch<Q>[]
}

/** Most quote rounds one decision may take (one quote activity per round, every open chain at once). */
export const MAX_SLICE_ROUNDS = 6
/** Stop refining once the largest fitting slice is within this fraction of the smallest one that does not fit. */
const CLOSE_ENOUGH_NUM = 7n
const CLOSE_ENOUGH_DEN = 8n
const HALVING_STEPS = [1n, 2n, 4n] as const

/** A search for the largest slice of `wantedWei` that fits the budgets on each chain. */
export function startSliceSearch<Q extends SliceOk = SliceOk>(p: {
  direction: HedgeDirection
  wantedWei: bigint
  budget: SliceSearch['budget']
  markets: readonly SliceMarket[]
}): SliceSearch<Q> {
  return {
    direction: p.direction,
    wantedWei: p.wantedWei,
    budget: p.budget,
    strategy: 'secant',
    rounds: 0,
    chains: p.markets.map((market) => {
      const capWei = balanceCapWei(p.direction, market)
      return { market, capWei, probes: [], stopped: capWei > 0n ? null : 'insufficient-balance' }
    }),
  }
}

/** The quotes the next round needs: one size per chain still searching; empty when the search is over. */
export function sliceRequests<Q extends SliceOk>(s: SliceSearch<Q>): { chain: ChainKey; sizeWei: bigint; amountIn: bigint }[] {
  if (s.rounds >= MAX_SLICE_ROUNDS || s.chains.some((c) => fitsWhole(c, s.wantedWei))) return []
  if (s.strategy === 'halving') {
    const step = HALVING_STEPS[s.rounds]
    if (step === undefined || s.chains.some((c) => bestFit(c) !== undefined)) return []
    const sizeWei = s.wantedWei / step
    return s.chains.filter((c) => c.stopped === null).map((c) => ({ chain: c.market.chain, sizeWei, amountIn: amountInFor(s, c, sizeWei) }))
  }
  const out: { chain: ChainKey; sizeWei: bigint; amountIn: bigint }[] = []
  for (const c of s.chains) {
    if (c.stopped !== null) continue
    const sizeWei = nextSize(s, c)
    if (sizeWei !== null && sizeWei > 0n) out.push({ chain: c.market.chain, sizeWei, amountIn: amountInFor(s, c, sizeWei) })
  }
  return out
}

/** Folds one round's quotes into the search; `requests` are the ones this round asked for. */
export function recordSliceQuotes<Q extends SliceOk>(
  s: SliceSearch<Q>,
  round: { requests: readonly { chain: ChainKey; sizeWei: bigint }[]; quotes: readonly (Q | SliceUnavailable)[] },
): SliceSearch<Q> {
  const chains = s.chains.map((c) => {
    const req = round.requests.find((r) => r.chain === c.market.chain)
    if (!req) return c
    const q = round.quotes.find((x) => x.chain === c.market.chain)
    if (q?.status !== 'ok') return { ...c, stopped: q ? `unavailable: ${q.reason}` : 'no quote' }
    const costed = costVenue(candidateOf(s.direction, c.market, q), s.budget)
    const probes = [...c.probes, { sizeWei: req.sizeWei, costed, quote: q }]
    // Gas does not shrink with size and a venue that pays nothing will not start paying: no slice helps.
    const stopped = costed.rejected === 'gas-over-budget' || costed.rejected === 'no-output' ? costed.rejected : null
    return { ...c, probes, stopped }
  })
  return { ...s, rounds: s.rounds + 1, chains }
}

export type SliceChoice<Q extends SliceOk = SliceOk> =
  | {
      status: 'ok'
      chain: ChainKey
      sizeWei: bigint
      /** The venue's quote for exactly this slice. */
      quote: Q
      /** Whether this is the whole hedge wanted, or a slice of it. */
      whole: boolean
      /** For a slice: what cut it short, the treasury's balance on that chain or the venue's budgets. */
      limitedBy: 'balance' | 'budget' | null
      best: CostedVenue
      /** Every chain's best fitting slice, cheapest per ETH first. */
      ranked: { chain: ChainKey; sizeWei: bigint; costed: CostedVenue }[]
    }
  | { status: 'unavailable'; reason: string }

/** The fitting slice with the lowest total cost per ETH hedged (ties: the larger slice), or why none fits. */
export function chooseSlice<Q extends SliceOk>(s: SliceSearch<Q>): SliceChoice<Q> {
  const ranked = s.chains
    .map((c) => ({ c, fit: bestFit(c) }))
    .filter((x): x is { c: ChainSearch<Q>; fit: Probe<Q> } => x.fit !== undefined)
    .map(({ c, fit }) => ({ chain: c.market.chain, sizeWei: fit.sizeWei, costed: fit.costed, quote: fit.quote }))
    .sort((a, b) => {
      const lhs = a.costed.totalCostUsdc * b.sizeWei
      const rhs = b.costed.totalCostUsdc * a.sizeWei
      if (lhs !== rhs) return lhs < rhs ? -1 : 1
      if (a.sizeWei !== b.sizeWei) return a.sizeWei > b.sizeWei ? -1 : 1
      return a.chain.localeCompare(b.chain)
    })
  const best = ranked[0]
  if (!best) {
    const why = s.chains.map((c) => `${c.market.chain}: ${c.stopped ?? c.probes.at(-1)?.costed.rejected ?? 'not quoted'}`)
    return { status: 'unavailable', reason: why.length ? why.join(', ') : 'every chain is blocked' }
  }
  return {
    status: 'ok',
    chain: best.chain,
    sizeWei: best.sizeWei,
    quote: best.quote,
    whole: best.sizeWei >= s.wantedWei,
    limitedBy:
      best.sizeWei >= s.wantedWei
        ? null
        : best.sizeWei >= (s.chains.find((c) => c.market.chain === best.chain)?.capWei ?? 0n)
          ? 'balance'
          : 'budget',
    best: best.costed,
    ranked: ranked.map(({ quote: _q, ...r }) => r),
  }
}

function nextSize<Q extends SliceOk>(s: SliceSearch<Q>, c: ChainSearch<Q>): bigint | null {
  const full = minBigint(c.capWei, s.wantedWei)
  if (c.probes.length === 0) return full
  const lo = bestFit(c)
  const hi = smallestMiss(c)
  if (!hi) return null // the largest size asked for fits: nothing to refine
  if (lo && lo.sizeWei * CLOSE_ENOUGH_DEN >= hi.sizeWei * CLOSE_ENOUGH_NUM) return null
  const loSize = lo?.sizeWei ?? 0n
  const feeBps = BigInt(c.market.poolFee) / 100n
  const loBps = lo?.costed.shortfallBps ?? feeBps
  const target = BigInt(s.budget.maxSlippageBps)
  if (target <= feeBps) return null // the pool fee alone takes the whole budget
  if (loBps >= target) return null // the largest fitting slice already spends the budget
  const hiBps = hi.costed.shortfallBps
  // Secant on shortfall(size), about linear inside a tick range: aim where it meets the budget.
  const aimed = hiBps > loBps ? loSize + ((hi.sizeWei - loSize) * (target - loBps)) / (hiBps - loBps) : loSize
  // Keep every probe strictly inside the bracket, so each round narrows it by at least an eighth.
  const margin = (hi.sizeWei - loSize) / 8n
  const lower = loSize + margin
  const upper = hi.sizeWei - margin
  return aimed < lower ? lower : aimed > upper ? upper : aimed
}

/** Some chain takes the whole hedge: nothing smaller can be better. */
const fitsWhole = <Q>(c: ChainSearch<Q>, wantedWei: bigint): boolean =>
  c.probes.some((p) => p.costed.rejected === null && p.sizeWei >= wantedWei)

function bestFit<Q>(c: ChainSearch<Q>): Probe<Q> | undefined {
  let best: Probe<Q> | undefined
  for (const p of c.probes) if (p.costed.rejected === null && (!best || p.sizeWei > best.sizeWei)) best = p
  return best
}

function smallestMiss<Q>(c: ChainSearch<Q>): Probe<Q> | undefined {
  let miss: Probe<Q> | undefined
  for (const p of c.probes) if (p.costed.rejected !== null && (!miss || p.sizeWei < miss.sizeWei)) miss = p
  return miss
}

function balanceCapWei(direction: HedgeDirection, m: SliceMarket): bigint {
  if (direction === 'sell-eth') return m.balanceIn
  return usdcToWethAtMid({ usdc: m.balanceIn, sqrtPriceX96: m.sqrtPriceX96, wethIsToken0: m.wethIsToken0 })
}

function amountInFor<Q extends SliceOk>(s: SliceSearch<Q>, c: ChainSearch<Q>, sizeWei: bigint): bigint {
  if (s.direction === 'sell-eth') return sizeWei
  const usdc = wethToUsdcAtMid({
    wethWei: sizeWei,
    sqrtPriceX96: c.market.sqrtPriceX96,
    wethIsToken0: c.market.wethIsToken0,
    roundUp: true,
  })
  // Rounding up may ask for one unit more than the treasury holds; the cap was derived from that balance.
  return s.strategy === 'secant' && usdc > c.market.balanceIn ? c.market.balanceIn : usdc
}

/** One chain's market for a hedge in `direction`, from its observation. */
export function marketOf(obs: ChainObservation, direction: HedgeDirection): SliceMarket {
  return {
    chain: obs.chain,
    gasPriceWei: BigInt(obs.baseFeePerGasWei) + BigInt(obs.priorityFeePerGasWei),
    sqrtPriceX96: BigInt(obs.pool.sqrtPriceX96),
    wethIsToken0: wethIsToken0(obs.pool, obs.weth),
    poolFee: obs.pool.fee,
    balanceIn: BigInt(direction === 'sell-eth' ? obs.balances.weth : obs.balances.usdc),
  }
}

/** A venue's quote on a market, as `costVenue` prices it. */
export function candidateOf(
  direction: HedgeDirection,
  m: SliceMarket,
  q: Pick<SliceOk, 'amountIn' | 'amountOut' | 'gasEstimate' | 'l1DataFeeWei'>,
): VenueCandidate {
  return {
    chain: m.chain,
    direction,
    amountIn: BigInt(q.amountIn),
    amountOut: BigInt(q.amountOut),
    gasEstimate: BigInt(q.gasEstimate),
    gasPriceWei: m.gasPriceWei,
    l1DataFeeWei: BigInt(q.l1DataFeeWei ?? '0'),
    sqrtPriceX96: m.sqrtPriceX96,
    wethIsToken0: m.wethIsToken0,
    balanceIn: m.balanceIn,
  }
}
