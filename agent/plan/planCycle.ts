import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'
import { formatAmount } from '../money.ts'
import type { BandDecision } from '../policy/bandPolicy.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import type { CapitalMove } from '../transfer/capitalPolicy.ts'
import { chooseRoute, type RouteLeg, type RouteQuote } from '../transfer/routeChoice.ts'
import { remainingSlippageBps } from '../venue/chooseVenue.ts'
import type { SliceChoice } from '../venue/sliceSearch.ts'
import type { FundingOption } from './fundedHedge.ts'
import type { Plan, PlanStep, SwapQuoteJson, TransferStep } from './types.ts'

/** A transfer an operator asked for (`keel transfer`), waiting for the next plan. */
export type TransferRequestJson = { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: string; bridge?: string; maxCostBps?: number }

/** When no capital policy sets one, what an operator's transfer may cost per unit moved. */
export const DEFAULT_OPERATOR_MAX_COST_BPS = 50

/**
 * The greedy planner: the hedge the band asks for as a swap step, and the capital moves of the
 * mandate's policy and of operators as transfer steps over the cheapest route within budget.
 *
 * The hedge is the cheaper per ETH of two: the cheapest slice that fits the balances now (see
 * `agent/venue/sliceSearch.ts`), or, when the mandate allows funded hedges, the whole hedge on a
 * chain that lacks the capital for it, after a transfer that brings it (the transfer's cost counts
 * with the hedge's, and the route must deliver within the mandate's delay). A funded hedge is a
 * transfer step and a swap step that depends on it; the swap is sized again from what arrived
 * (`fundedSwapSize`), so capital counts only once it is on the chain. The central solver replaces
 * this function; its input and the Plan it returns stay.
 */
export function planCycle(p: {
  portfolio: string
  snapshot: PortfolioSnapshot
  exposure: PortfolioExposure
  mandate: Mandate
  decision: BandDecision
  slice: SliceChoice<SwapQuoteJson> | null
  capitalMoves: readonly CapitalMove[]
  operatorRequests: readonly TransferRequestJson[]
  routes: readonly RouteQuote[]
  /** Hedges a transfer would fund (`fundingOptions`), with their routes among `routes`. */
  funding?: readonly FundingOption<SwapQuoteJson>[]
  /** Last ids used, so the new steps' ids follow them. */
  seq: { hedge: number; transfer: number }
}): Plan {
  const atChainTimeSec = p.snapshot.chains.reduce((m, c) => (BigInt(c.blockTimestampSec) > m ? BigInt(c.blockTimestampSec) : m), 0n)
  const steps: PlanStep[] = []
  const notes: string[] = []
  let delta = p.exposure.deltaWei
  let hedgeSeq = p.seq.hedge
  let transferSeq = p.seq.transfer

  const capital = p.mandate.capital
  const funded = p.decision.action === 'hedge' ? bestFunding(p) : null
  if (p.decision.action === 'hedge' && funded) {
    const { option, leg } = funded
    transferSeq += 1
    const transferId = `transfer-${p.portfolio}-${transferSeq}`
    if (option.move.asset === 'WETH') delta -= leg.amount - leg.expectedOutput
    steps.push(
      transferStep({ id: transferId, move: { ...option.move, origin: 'capital-policy', maxCostBps: capital!.maxCostBps }, leg, delta }),
    )
    delta += p.decision.direction === 'sell-eth' ? -option.sizeWei : option.sizeWei
    hedgeSeq += 1
    steps.push({
      kind: 'swap',
      id: `hedge-${p.portfolio}-${hedgeSeq}`,
      dependsOn: [transferId],
      chain: option.chain,
      direction: p.decision.direction,
      sizeWei: option.sizeWei.toString(),
      slice: false,
      limitedBy: null,
      quote: option.quote,
      slippageBps: remainingSlippageBps(option.costed, p.mandate.hedge.maxSlippageBps),
      deadlineSec: (BigInt(option.quote.blockTimestampSec) + BigInt(p.mandate.hedge.deadlineSec)).toString(),
      expectedCostUsdc: option.costed.totalCostUsdc.toString(),
      expectedDeltaAfterWei: delta.toString(),
      reason: `delta ${eth(p.decision.deltaWei)} outside ${eth(p.decision.targetWei)} ± ${eth(p.decision.bandWei)} ETH; funded by ${transferId}: ${funded.why}`,
    })
  } else if (p.decision.action === 'hedge' && p.slice?.status === 'ok') {
    const choice = p.slice
    delta += p.decision.direction === 'sell-eth' ? -choice.sizeWei : choice.sizeWei
    hedgeSeq += 1
    steps.push({
      kind: 'swap',
      id: `hedge-${p.portfolio}-${hedgeSeq}`,
      dependsOn: [],
      chain: choice.chain,
      direction: p.decision.direction,
      sizeWei: choice.sizeWei.toString(),
      slice: !choice.whole,
      limitedBy: choice.limitedBy,
      quote: choice.quote,
      slippageBps: remainingSlippageBps(choice.best, p.mandate.hedge.maxSlippageBps),
      deadlineSec: (BigInt(choice.quote.blockTimestampSec) + BigInt(p.mandate.hedge.deadlineSec)).toString(),
      expectedCostUsdc: choice.best.totalCostUsdc.toString(),
      expectedDeltaAfterWei: delta.toString(),
      reason: `delta ${eth(p.decision.deltaWei)} outside ${eth(p.decision.targetWei)} ± ${eth(p.decision.bandWei)} ETH`,
    })
  } else if (p.decision.action === 'hedge' && p.slice?.status === 'unavailable') {
    notes.push(`outside band but no venue within budget (${p.slice.reason})`)
  }

  const wanted = [
    ...p.capitalMoves.map((m) => ({
      ...m,
      origin: 'capital-policy' as const,
      maxCostBps: capital?.maxCostBps ?? DEFAULT_OPERATOR_MAX_COST_BPS,
    })),
    ...p.operatorRequests.map((r) => ({
      asset: r.asset,
      from: r.from,
      to: r.to,
      amount: BigInt(r.amount),
      reason: 'requested by an operator',
      origin: 'operator' as const,
      maxCostBps: r.maxCostBps ?? capital?.maxCostBps ?? DEFAULT_OPERATOR_MAX_COST_BPS,
      bridge: r.bridge,
    })),
  ]
  for (const move of wanted) {
    const allowed = capital?.bridges
    const routes = p.routes.filter(
      (q) => (!('bridge' in move) || move.bridge === undefined || q.bridge === move.bridge) && (!allowed || allowed.includes(q.bridge)),
    )
    const choice = chooseRoute({
      move,
      quotes: routes,
      maxCostBps: move.maxCostBps,
      timeValueBpsPerYear: capital?.timeValueBpsPerYear ?? 500,
    })
    if (choice.status !== 'ok') {
      notes.push(`${move.asset} ${move.from} → ${move.to} not moved: ${choice.reason}`)
      continue
    }
    for (const leg of choice.legs) {
      transferSeq += 1
      // Moving WETH moves delta only by what the bridge keeps; the rest counts in flight.
      if (move.asset === 'WETH') delta -= leg.amount - leg.expectedOutput
      steps.push(transferStep({ id: `transfer-${p.portfolio}-${transferSeq}`, move, leg, delta }))
    }
  }
  const summary =
    steps.length === 0
      ? notes.join('; ') || (p.decision.action === 'hold' ? 'inside band: hold' : 'nothing to do')
      : [...steps.map(describeStep), ...notes].join('; ')
  return { atChainTimeSec: atChainTimeSec.toString(), steps, summary }
}

type Move = CapitalMove & { origin: TransferStep['origin']; maxCostBps: number }

function transferStep(p: { id: string; move: Move; leg: RouteLeg; delta: bigint }): TransferStep {
  const { move, leg } = p
  return {
    kind: 'transfer',
    id: p.id,
    dependsOn: [],
    asset: move.asset,
    from: move.from,
    to: move.to,
    amount: leg.amount.toString(),
    bridge: leg.bridge,
    expectedOutput: leg.expectedOutput.toString(),
    maxCostBps: move.maxCostBps,
    origin: move.origin,
    expectedCostUsdc: leg.expectedCostUsdc.toString(),
    expectedDeltaAfterWei: p.delta.toString(),
    reason: move.reason,
  }
}

/**
 * The funded hedge that costs least per ETH (its transfer included), if it beats the slice that
 * fits now: over a route that takes the whole move in one leg within the cost budget and is
 * expected to deliver within the mandate's delay.
 */
function bestFunding(p: Parameters<typeof planCycle>[0]): { option: FundingOption<SwapQuoteJson>; leg: RouteLeg; why: string } | null {
  const capital = p.mandate.capital
  const maxDelaySec = capital?.fundHedges?.maxDelaySec
  if (!capital || maxDelaySec === undefined || !p.funding?.length) return null
  let best: { option: FundingOption<SwapQuoteJson>; leg: RouteLeg; cost: bigint } | null = null
  for (const option of p.funding) {
    const quotes = p.routes.filter(
      (q) =>
        q.expectedSec <= maxDelaySec && BigInt(q.amount) === option.move.amount && (!capital.bridges || capital.bridges.includes(q.bridge)),
    )
    const route = chooseRoute({
      move: option.move,
      quotes,
      maxCostBps: capital.maxCostBps,
      timeValueBpsPerYear: capital.timeValueBpsPerYear,
    })
    if (route.status !== 'ok' || route.legs.length !== 1) continue
    const leg = route.legs[0]!
    const cost = leg.expectedCostUsdc + option.costed.totalCostUsdc
    // Per ETH hedged: cost / size, compared by cross-multiplying.
    if (!best || cost * best.option.sizeWei < best.cost * option.sizeWei) best = { option, leg, cost }
  }
  if (!best) return null
  const usdc = (x: bigint) => formatAmount(x, 6, 2)
  const perEth = (cost: bigint, size: bigint) => usdc((cost * 10n ** 18n) / size)
  const funded = `${perEth(best.cost, best.option.sizeWei)} USDC/ETH with the transfer`
  if (p.slice?.status === 'ok') {
    if (best.cost * p.slice.sizeWei >= p.slice.best.totalCostUsdc * best.option.sizeWei) return null
    return { ...best, why: `${funded} vs ${perEth(p.slice.best.totalCostUsdc, p.slice.sizeWei)} on ${p.slice.chain} now` }
  }
  return { ...best, why: `${funded}; no venue takes it now` }
}

function describeStep(s: PlanStep): string {
  if (s.kind === 'swap')
    return `${s.direction} ${eth(BigInt(s.sizeWei))} ETH on ${s.chain}${s.slice ? ' (a slice)' : ''}${s.dependsOn.length ? ` once ${s.dependsOn.join(', ')} arrives` : ''}`
  const units = s.asset === 'WETH' ? formatAmount(BigInt(s.amount), 18, 3) : formatAmount(BigInt(s.amount), 6, 2)
  return `move ${units} ${s.asset} ${s.from} → ${s.to} over ${s.bridge}`
}

const eth = (wei: bigint): string => formatAmount(wei, 18, 3)
