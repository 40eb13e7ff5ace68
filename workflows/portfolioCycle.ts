import { condition, executeChild, patched, proxyActivities } from '@temporalio/workflow'
import { routesFor } from '../agent/execution/routes.ts'
import { mandateFeasibility } from '../agent/mandate/feasibility.ts'
import { type Mandate, parseMandate } from '../agent/mandate/schema.ts'
import { formatAmount } from '../agent/money.ts'
import { accrueHedgeCost, accruePnl } from '../agent/options/attribution.ts'
import type { RollFunding } from '../agent/options/rolls.ts'
import { type FundingOption, fundedSwapSize, fundedSwapStep, fundingOptions, fundingProbes } from '../agent/plan/fundedHedge.ts'
import { planCycle } from '../agent/plan/planCycle.ts'
import type { Plan, SwapStep } from '../agent/plan/types.ts'
import type { BandDecision } from '../agent/policy/bandPolicy.ts'
import { decideHedge } from '../agent/policy/livePolicy.ts'
import { portfolioExposure } from '../agent/portfolio/exposure.ts'
import { addHedgeToTotals, appendHedge, chainTime, emptyHedgeTotals, hedgeRecord, observationView } from '../agent/portfolio/ledger.ts'
import { marketMarks } from '../agent/portfolio/marketMove.ts'
import { midPriceUsdc } from '../agent/portfolio/poolPrice.ts'
import { blockForInDoubt, holdingsOf, type InFlight, type PortfolioState, transfersInFlight } from '../agent/portfolio/state.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../agent/portfolio/types.ts'
import {
  chooseSlice,
  marketOf,
  recordSliceQuotes,
  type SliceChoice,
  type SliceSearch,
  sliceRequests,
  startSliceSearch,
} from '../agent/venue/sliceSearch.ts'
import type { QuoteJson, ReadActivities } from '../temporal/activities/types.ts'
import { failureMessage } from './failures.ts'
import { runOptionBook } from './portfolioOptions.ts'
import { startTransfer, transferInputs } from './portfolioTransfers.ts'
import { type RebalanceInput, rebalanceWorkflow } from './rebalanceWorkflow.ts'

/**
 * One cycle of the portfolio loop: observe every chain, decide by the mandate's band, find the
 * cheapest hedge (or slice of it) and run it as a child saga. Part of `portfolioWorkflow`, in its
 * own file so that the entity (handlers, loop, continue-as-new) reads on its own.
 */

type OkQuote = Extract<QuoteJson, { status: 'ok' }>

// Reads take a second or two; a read lost with a worker that stopped is retried after 20 s, not a minute.
const read = proxyActivities<ReadActivities>({
  startToCloseTimeout: '20s',
  retry: { maximumAttempts: 4, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
})

/** What a cycle works on: the entity's state and the settings of its run. */
export type Run = { state: PortfolioState; portfolio: string; prefix: string; submitAttempts: number | undefined }

/** What every saga this portfolio starts carries about sending: the mandate's route per chain, and the test knob on attempts. */
export function sendOptions(run: Run): { routes: ReturnType<typeof routesFor>; submitAttempts?: number } {
  return {
    routes: routesFor(parseMandate(run.state.mandate)),
    ...(run.submitAttempts === undefined ? {} : { submitAttempts: run.submitAttempts }),
  }
}

export function decide({ state }: Run, decision: string, chainTimeSec: bigint | null): void {
  state.lastDecision = decision
  state.lastDecisionAt = { chainTimeSec: chainTimeSec === null ? null : chainTimeSec.toString(), workflowTimeMs: Date.now() }
}

/** `again` when a hedge completed but left delta outside the band. */
export async function runCycle(run: Run): Promise<'again' | 'done'> {
  const { state } = run
  state.cycles += 1
  const mandate = parseMandate(state.mandate)
  const observed = await observe(run, mandate)
  if (!observed) return 'done'
  const { snapshot, exposure } = observed
  const now = chainTime(snapshot)
  // A target the holdings cannot reach is never traded towards; a band too wide to act is harmless here
  // (it is refused when a mandate is started or updated).
  const infeasible = mandateFeasibility(mandate, holdingsOf(state.lastObservation)).filter((i) => i.path === 'delta.targetEth')
  if (infeasible.length > 0) {
    // Fail closed: a mandate the holdings cannot meet is never traded towards.
    state.lastError = `mandate cannot be met: ${infeasible.map((i) => `${i.path}: ${i.message}`).join('; ')}`
    decide(run, 'mandate cannot be met with these holdings: holding', now)
    return 'done'
  }
  // The option book first (settle, roll): a roll changes the delta the hedge is sized against.
  let rollFunding: RollFunding[] = []
  if (mandate.options && !state.paused && patched('option-book')) {
    const book = await runOptionBook(run, { mandate, snapshot, exposure })
    if (book.acted) return 'again'
    rollFunding = book.funding
  }
  const decision = decideHedge({ mandate, paused: state.paused, exposure, snapshot, ...lastHedgeOf(state) })
  let slice: SliceChoice<OkQuote> | null = null
  let funding: FundingOption<OkQuote>[] = []
  if (decision.action === 'hedge') {
    const why = decision.why ?? `outside band by ${eth(decision.deltaWei - decision.targetWei)} ETH`
    decide(run, `${why}: quoting a ${eth(decision.sizeWei)} ETH hedge`, now)
    const found = await findSlice(run, { mandate, snapshot, decision })
    if (!found) return 'done'
    slice = found.choice
    // The hedge may be cheaper on a chain that lacks the capital for it, once a transfer funds it.
    if (mandate.capital?.fundHedges !== undefined && found.search !== null && patched('funded-hedges'))
      funding = await quoteFunding(run, { mandate, snapshot, search: found.search })
  }
  const transfers = await transferInputs(run, { mandate, snapshot, fundingMoves: funding.map((f) => f.move), capitalMoves: rollFunding })
  const plan = planCycle({
    portfolio: run.portfolio,
    snapshot,
    exposure,
    mandate,
    decision,
    slice,
    capitalMoves: transfers.moves,
    operatorRequests: transfers.requests,
    routes: transfers.routes,
    funding,
    seq: { hedge: state.hedgeSeq, transfer: state.transferSeq ?? 0 },
  })
  state.lastPlan = plan.summary
  const started = new Map<string, () => boolean>()
  for (const step of plan.steps) if (step.kind === 'transfer') started.set(step.id, await startTransfer(run, { step, mandate, snapshot }))
  const swap = plan.steps.find((s): s is SwapStep => s.kind === 'swap')
  if (!swap) {
    if (decision.action === 'hold') decide(run, decision.reason === 'paused' ? 'paused' : transfersNote('inside band: hold', plan), now)
    else if (slice?.status === 'unavailable')
      decide(run, transfersNote(`outside band but no venue within budget (${slice.reason})`, plan), now)
    return 'done'
  }
  if (state.paused || state.stopping) {
    decide(run, `${state.paused ? 'paused' : 'stopping'} before the hedge was sent`, now)
    return 'done'
  }
  if (swap.dependsOn.length > 0) return fundedHedge(run, { mandate, step: swap, finished: swap.dependsOn.map((id) => started.get(id)!) })
  return hedge(run, { mandate, snapshot, exposure, decision: decision as Extract<BandDecision, { action: 'hedge' }>, step: swap })
}

/**
 * The quotes a funded hedge needs: the whole hedge on each chain whose balance cut it short, and
 * the transfer that would fund each one that fits the budgets (its routes are quoted with the
 * other transfers). Quoting failures leave the plan to the slice.
 */
async function quoteFunding(
  run: Run,
  p: { mandate: Mandate; snapshot: PortfolioSnapshot; search: SliceSearch<OkQuote> },
): Promise<FundingOption<OkQuote>[]> {
  const probes = fundingProbes(p.search)
  if (probes.length === 0) return []
  try {
    const quotes = await read.quoteHedge({
      mandate: run.state.mandate,
      direction: p.search.direction,
      requests: probes.map((r) => ({ chain: r.chain, amountIn: r.amountIn.toString() })),
    })
    const blocked = run.state.blockedChains.map((b) => b.chain)
    const inFlight = transfersInFlight(run.state)
    return fundingOptions({ search: p.search, probes, quotes, chains: p.snapshot.chains, mandate: p.mandate, blocked, inFlight })
  } catch (err) {
    run.state.lastError = `funded hedges not quoted: ${failureMessage(err)}`
    return []
  }
}

/**
 * Runs the swap of a funded hedge once the transfers it depends on have finished: only when they
 * delivered, and sized again from the chain's balance then (what arrived, never what is on its
 * way) and from the band as it stands then. A transfer late past the mandate's delay leaves the
 * hedge to the next cycle; the transfer itself goes on.
 */
async function fundedHedge(run: Run, p: { mandate: Mandate; step: SwapStep; finished: (() => boolean)[] }): Promise<'again' | 'done'> {
  const { state } = run
  const { mandate, step } = p
  const deps = step.dependsOn.join(', ')
  decide(run, `waiting for ${deps} to fund a ${eth(BigInt(step.sizeWei))} ETH hedge on ${step.chain}`, null)
  const maxDelayMs = (mandate.capital?.fundHedges?.maxDelaySec ?? 0) * 1000
  await condition(() => p.finished.every((f) => f()) || Boolean(state.stopping), maxDelayMs)
  const notArrived = step.dependsOn
    .map((id) => (state.transfers ?? []).find((t) => t.id === id))
    .filter((t) => t?.state !== 'delivered')
    .map((t) => `${t?.id ?? 'a transfer'} is ${t?.state ?? 'unknown'}`)
  const skip = (why: string, at: bigint | null) => {
    decide(run, `funded hedge ${step.id} not sent: ${why}`, at)
    return 'done' as const
  }
  if (notArrived.length > 0) return skip(notArrived.join(', '), null)
  if (state.paused || state.stopping) return skip(state.paused ? 'paused' : 'stopping', null)
  const observed = await observe(run, mandate)
  if (!observed) return 'done'
  const { snapshot, exposure } = observed
  const now = chainTime(snapshot)
  const decision = decideHedge({ mandate, paused: state.paused, exposure, snapshot, ...lastHedgeOf(state) })
  const obs = snapshot.chains.find((c) => c.chain === step.chain)!
  const size = fundedSwapSize({
    direction: step.direction,
    plannedSizeWei: BigInt(step.sizeWei),
    plannedAmountIn: BigInt(step.quote.amountIn),
    decision,
    chain: obs,
  })
  if ('none' in size) return skip(size.none, now)
  let quote: QuoteJson | undefined
  try {
    ;[quote] = await read.quoteHedge({
      mandate: state.mandate,
      direction: step.direction,
      requests: [{ chain: step.chain, amountIn: size.amountIn.toString() }],
    })
  } catch (err) {
    state.lastError = failureMessage(err)
  }
  if (quote?.status !== 'ok') return skip(`no quote on ${step.chain}${quote ? `: ${quote.reason}` : ''}`, now)
  const sized = fundedSwapStep({ step, quote, chain: obs, mandate, sizeWei: size.sizeWei })
  if ('none' in sized) return skip(sized.none, now)
  return hedge(run, { mandate, snapshot, exposure, decision: decision as Extract<BandDecision, { action: 'hedge' }>, step: sized.step })
}

/** A decision line that also says which transfers the plan started. */
const transfersNote = (line: string, plan: Plan): string => {
  const moves = plan.steps.filter((s) => s.kind === 'transfer').length
  return moves === 0 ? line : `${line}; ${plan.summary}`
}

async function hedge(
  run: Run,
  p: {
    mandate: Mandate
    snapshot: PortfolioSnapshot
    exposure: PortfolioExposure
    decision: Extract<BandDecision, { action: 'hedge' }>
    step: SwapStep
  },
): Promise<'again' | 'done'> {
  const { state } = run
  const { mandate, snapshot, exposure, decision, step } = p
  state.hedgeSeq += 1
  const id = step.id
  const obs = snapshot.chains.find((c) => c.chain === step.chain)!
  const quote = step.quote
  const slice = step.slice
  const flight: InFlight = {
    kind: 'hedge',
    id,
    chain: obs.chain,
    direction: decision.direction,
    sizeWei: step.sizeWei,
    slice,
    startedAtMs: Date.now(),
  }
  state.inFlight = [...(state.inFlight ?? []), flight]
  decide(
    run,
    `hedging: ${decision.direction} ${eth(BigInt(step.sizeWei))} ETH on ${obs.chain}${slice ? ' (a slice)' : ''}, ${id} in flight`,
    chainTime(snapshot),
  )
  const rebalanceInput: RebalanceInput = {
    portfolio: mandate.portfolio,
    idempotencyKey: id,
    chain: obs.chain,
    chainId: obs.chainId,
    direction: decision.direction,
    treasury: obs.treasury,
    quote,
    slippageBps: step.slippageBps,
    deadlineSec: step.deadlineSec,
    taskQueuePrefix: run.prefix,
    ...sendOptions(run),
  }
  const result = await executeChild(rebalanceWorkflow, { workflowId: id, args: [rebalanceInput] })
  state.inFlight = (state.inFlight ?? []).filter((f) => f.id !== id)
  const after = await observe(run, mandate)
  const record = hedgeRecord({
    id,
    obs,
    direction: decision.direction,
    amountIn: quote.amountIn,
    slice,
    limitedBy: step.limitedBy,
    fundedBy: step.dependsOn,
    estimatedCostUsdc: BigInt(step.expectedCostUsdc),
    deltaBeforeWei: exposure.deltaWei,
    deltaAfterWei: after ? after.exposure.deltaWei : null,
    atChainTimeSec: chainTime(snapshot),
    outcome: result,
  })
  // A state from before the totals starts them from the records it still holds.
  const totals = state.hedgeTotals ?? state.hedges.reduce(addHedgeToTotals, emptyHedgeTotals())
  state.hedges = appendHedge(state.hedges, record)
  state.hedgeTotals = addHedgeToTotals(totals, record)
  state.pnl = accrueHedgeCost(state.pnl ?? [], record)

  if (result.status === 'in-doubt') {
    const { chain, chainId, treasury } = obs
    const unsettled = result.unsettled ?? []
    state.blockedChains.push(
      blockForInDoubt({ hedgeId: id, chain, chainId, reason: result.reason, unsettled, tokenOut: quote.tokenOut, treasury }),
    )
  }
  const completed = result.status === 'completed'
  decide(run, completed ? `hedged on ${obs.chain}` : `hedge ${result.status} on ${obs.chain}`, after ? chainTime(after.snapshot) : null)
  return completed && after !== null && state.lastObservation?.insideBand === false ? 'again' : 'done'
}

/**
 * Quotes the hedge on every unblocked chain; when no venue takes it whole, searches each chain
 * for the largest slice within the budgets (the search itself is `agent/venue/sliceSearch.ts`).
 */
async function findSlice(
  run: Run,
  p: { mandate: Mandate; snapshot: PortfolioSnapshot; decision: Extract<BandDecision, { action: 'hedge' }> },
): Promise<{ choice: SliceChoice<OkQuote>; search: SliceSearch<OkQuote> | null } | null> {
  const { state } = run
  const { mandate, snapshot, decision } = p
  const chains = snapshot.chains.filter((c) => !state.blockedChains.some((b) => b.chain === c.chain))
  if (chains.length === 0) return { choice: { status: 'unavailable', reason: 'every chain is blocked' }, search: null }
  let search = startSliceSearch<OkQuote>({
    direction: decision.direction,
    wantedWei: decision.sizeWei,
    budget: { maxGasCostUsdc: mandate.hedge.maxGasCostUsdc, maxSlippageBps: mandate.hedge.maxSlippageBps },
    markets: chains.map((c) => marketOf(c, decision.direction)),
  })
  for (;;) {
    // Runs started before slicing searched in fixed 1, 1/2, 1/4 steps; they replay that way.
    if (search.rounds === 1 && search.strategy === 'secant' && sliceRequests(search).length > 0 && !patched('sliced-hedges'))
      search = { ...search, strategy: 'halving' }
    const requests = sliceRequests(search)
    if (requests.length === 0) break
    let answers: QuoteJson[]
    try {
      answers = await read.quoteHedge({
        mandate: state.mandate,
        direction: decision.direction,
        requests: requests.map((r) => ({ chain: r.chain, amountIn: r.amountIn.toString() })),
      })
    } catch (err) {
      state.lastError = failureMessage(err)
      decide(run, 'quoting failed: holding', chainTime(snapshot))
      return null
    }
    search = recordSliceQuotes(search, { requests, quotes: answers })
  }
  return { choice: chooseSlice(search), search }
}

async function observe(run: Run, mandate: Mandate): Promise<{ snapshot: PortfolioSnapshot; exposure: PortfolioExposure } | null> {
  const { state } = run
  let snapshot: PortfolioSnapshot
  try {
    snapshot = await read.observePortfolio({ mandate: state.mandate })
  } catch (err) {
    // Fail closed: without a complete observation nothing is traded.
    state.lastError = failureMessage(err)
    decide(run, 'observation failed: holding', null)
    return null
  }
  state.lastError = null
  const inFlight = transfersInFlight(state)
  if (inFlight.length > 0) snapshot = { ...snapshot, inFlight }
  // The book is marked on the smile fitted to makers' bids once there is one.
  const fitted = state.markFit?.svi
  if (fitted)
    snapshot = { ...snapshot, chains: snapshot.chains.map((c) => (c.options ? { ...c, options: { ...c.options, mark: fitted } } : c)) }
  state.scanFromBlocks ??= Object.fromEntries(snapshot.chains.map((c) => [c.chain, c.blockNumber]))
  const exposure = portfolioExposure(snapshot)
  const now = chainTime(snapshot)
  const prev = state.lastObservation
  if (prev && !prev.insideBand && now > BigInt(prev.atChainTimeSec)) state.outsideBandSec += Number(now - BigInt(prev.atChainTimeSec))
  state.lastObservation = observationView({ snapshot, exposure, mandate })
  state.marketMarks = marketMarks(snapshot)
  state.pnl = accruePnl(state.pnl ?? [], prev, state.lastObservation)
  return { snapshot, exposure }
}

const eth = (wei: bigint): string => formatAmount(wei, 18, 3)

/** The last completed hedge's chain time and pre-trade mid: what time-or-price measures from (null: none yet). */
function lastHedgeOf(state: PortfolioState): { lastHedgeAtChainTimeSec: bigint | null; lastHedgeSpotUsdc: number | null } {
  const last = [...state.hedges].reverse().find((h) => h.status === 'completed')
  if (!last) return { lastHedgeAtChainTimeSec: null, lastHedgeSpotUsdc: null }
  const mid = last.preTradeMid
  return {
    lastHedgeAtChainTimeSec: BigInt(last.atChainTimeSec),
    lastHedgeSpotUsdc: mid ? midPriceUsdc({ sqrtPriceX96: BigInt(mid.sqrtPriceX96), wethIsToken0: mid.wethIsToken0 }) : null,
  }
}
