import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'
import { formatAmount } from '../money.ts'
import type { BandDecision } from '../policy/bandPolicy.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import type { CapitalMove } from '../transfer/capitalPolicy.ts'
import { chooseRoute, type RouteQuote } from '../transfer/routeChoice.ts'
import { remainingSlippageBps } from '../venue/chooseVenue.ts'
import type { SliceChoice } from '../venue/sliceSearch.ts'
import type { Plan, PlanStep, SwapQuoteJson, TransferStep } from './types.ts'

/** A transfer an operator asked for (`keel transfer`), waiting for the next plan. */
export type TransferRequestJson = { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: string; bridge?: string; maxCostBps?: number }

/** When no capital policy sets one, what an operator's transfer may cost per unit moved. */
export const DEFAULT_OPERATOR_MAX_COST_BPS = 50

/**
 * The greedy planner: the hedge the band asks for (the cheapest slice that fits, see
 * `agent/venue/sliceSearch.ts`) as a swap step, and the capital moves of the mandate's policy and
 * of operators as transfer steps over the cheapest route within budget. Transfers never fund this
 * plan's hedge: capital counts only once it has arrived. The central solver replaces this function;
 * its input and the Plan it returns stay.
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
  /** Last ids used, so the new steps' ids follow them. */
  seq: { hedge: number; transfer: number }
}): Plan {
  const atChainTimeSec = p.snapshot.chains.reduce((m, c) => (BigInt(c.blockTimestampSec) > m ? BigInt(c.blockTimestampSec) : m), 0n)
  const steps: PlanStep[] = []
  const notes: string[] = []
  let delta = p.exposure.deltaWei
  let hedgeSeq = p.seq.hedge
  let transferSeq = p.seq.transfer

  if (p.decision.action === 'hedge' && p.slice?.status === 'ok') {
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

  const capital = p.mandate.capital
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
      const step: TransferStep = {
        kind: 'transfer',
        id: `transfer-${p.portfolio}-${transferSeq}`,
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
        expectedDeltaAfterWei: delta.toString(),
        reason: move.reason,
      }
      steps.push(step)
    }
  }
  const summary =
    steps.length === 0
      ? notes.join('; ') || (p.decision.action === 'hold' ? 'inside band: hold' : 'nothing to do')
      : [...steps.map(describeStep), ...notes].join('; ')
  return { atChainTimeSec: atChainTimeSec.toString(), steps, summary }
}

function describeStep(s: PlanStep): string {
  if (s.kind === 'swap') return `${s.direction} ${eth(BigInt(s.sizeWei))} ETH on ${s.chain}${s.slice ? ' (a slice)' : ''}`
  const units = s.asset === 'WETH' ? formatAmount(BigInt(s.amount), 18, 3) : formatAmount(BigInt(s.amount), 6, 2)
  return `move ${units} ${s.asset} ${s.from} → ${s.to} over ${s.bridge}`
}

const eth = (wei: bigint): string => formatAmount(wei, 18, 3)
