import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import { InvalidInputError } from '../agent/errors.ts'
import { type Mandate, type MandateInput, parseMandate, safeParseMandate } from '../agent/mandate/schema.ts'
import { type BandDecision, decideBandHedge } from '../agent/policy/bandPolicy.ts'
import { portfolioExposure } from '../agent/portfolio/exposure.ts'
import { wethIsToken0, wethToUsdcAtMid } from '../agent/portfolio/poolPrice.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../agent/portfolio/types.ts'
import { type CostedVenue, chooseVenue, remainingSlippageBps, type VenueCandidate } from '../agent/venue/chooseVenue.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ReadActivities } from '../temporal/activities/types.ts'
import { type RebalanceInput, type RebalanceResult, rebalanceWorkflow } from './rebalanceWorkflow.ts'

const read = proxyActivities<ReadActivities>({
  startToCloseTimeout: '60s',
  retry: { maximumAttempts: 4, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
})

/** Hedges kept in status and carried across continue-as-new. */
const MAX_HEDGE_RECORDS = 50
/** Further hedges in one cycle when a hedge was cut short and delta is still outside the band. */
const MAX_FOLLOW_UP_HEDGES = 3
/** Fractions of the wanted hedge tried, largest first, when the full size is over budget. */
const SIZE_STEPS = [1n, 2n, 4n] as const

export type HedgeRecord = {
  id: string
  chain: ChainKey
  direction: 'sell-eth' | 'buy-eth'
  status: RebalanceResult['status']
  amountIn: string
  amountOut: string
  /** Estimated at decision time: gas + pool fee and impact, USDC base units. */
  estimatedCostUsdc: string
  gasCostWei: string
  /** Gas paid, valued at the chain's pre-trade mid price, USDC base units (rounded up). */
  gasCostUsdc: string
  /** What the fill gave up vs the pre-trade mid price (pool fee + impact + drift), USDC base units. */
  slippageCostUsdc: string
  deltaBeforeWei: string
  deltaAfterWei: string | null
  atChainTimeSec: string
  reason: string | null
  txHashes: string[]
}

export type ObservationJson = {
  atChainTimeSec: string
  deltaWei: string
  targetWei: string
  bandWei: string
  gamma: number
  insideBand: boolean
  chains: {
    chain: ChainKey
    priceUsdc: number
    spotWethWei: string
    spotUsdc: string
    lpWethWei: string
    lpUsdc: string
    deltaWei: string
    gamma: number
  }[]
}

export type PortfolioState = {
  mandate: MandateInput
  paused: boolean
  cycles: number
  /** Cycles that ran to the end (observation, decision and any hedge). */
  cyclesCompleted: number
  hedgeSeq: number
  lastObservation: ObservationJson | null
  lastDecision: string
  lastError: string | null
  hedges: HedgeRecord[]
  /** Chains where a send ended in doubt: no new risk there until an operator clears it. */
  blockedChains: { chain: ChainKey; reason: string }[]
  /** Chain time spent outside the band after keel had acted, in seconds. */
  outsideBandSec: number
}

export type PortfolioStatus = PortfolioState & { portfolio: string; workflowTimeMs: number }

export type PortfolioWorkflowInput = {
  mandate: MandateInput
  taskQueuePrefix?: string
  /** Cycles per run before continuing as new even if the server has not suggested it (default 1000). */
  continueAsNewAfterCycles?: number
  /** Carried over by continue-as-new. */
  state?: PortfolioState
}

export const statusQuery = defineQuery<PortfolioStatus>('status')
export const pauseUpdate = defineUpdate<PortfolioStatus, [{ reason?: string }]>('pause')
export const resumeUpdate = defineUpdate<PortfolioStatus, []>('resume')
export const updateMandateUpdate = defineUpdate<PortfolioStatus, [MandateInput]>('updateMandate')
export const clearBlockedChainUpdate = defineUpdate<PortfolioStatus, [{ chain: ChainKey }]>('clearBlockedChain')
/** Asks the loop to observe now instead of at its next interval. */
export const wakeSignal = defineSignal('wake')

/**
 * The portfolio entity: observe every chain → compute exposure → decide by the mandate's band →
 * hedge on the cheapest chain through a child saga → wait → continue-as-new when suggested.
 */
export async function portfolioWorkflow(input: PortfolioWorkflowInput): Promise<void> {
  const initial = parseMandate(input.mandate)
  const state: PortfolioState = input.state ?? {
    mandate: input.mandate,
    paused: initial.paused,
    cycles: 0,
    cyclesCompleted: 0,
    hedgeSeq: 0,
    lastObservation: null,
    lastDecision: 'not observed yet',
    lastError: null,
    hedges: [],
    blockedChains: [],
    outsideBandSec: 0,
  }
  const prefix = input.taskQueuePrefix ?? ''
  let wake = false
  let cyclesThisRun = 0
  const status = (): PortfolioStatus => ({ ...state, portfolio: initial.portfolio, workflowTimeMs: Date.now() })

  setHandler(statusQuery, status)
  setHandler(pauseUpdate, (args) => {
    state.paused = true
    state.lastDecision = `paused by operator${args.reason ? `: ${args.reason}` : ''}`
    return status()
  })
  setHandler(resumeUpdate, () => {
    state.paused = false
    wake = true
    return status()
  })
  setHandler(
    updateMandateUpdate,
    (next) => {
      state.mandate = next
      state.paused = parseMandate(next).paused
      wake = true
      return status()
    },
    { validator: (next) => validateMandateUpdate(initial.portfolio, next) },
  )
  setHandler(
    clearBlockedChainUpdate,
    ({ chain }) => {
      state.blockedChains = state.blockedChains.filter((b) => b.chain !== chain)
      wake = true
      return status()
    },
    {
      validator: ({ chain }) => {
        if (!state.blockedChains.some((b) => b.chain === chain))
          throw refused(
            new InvalidInputError({ what: 'clearBlockedChain', issues: [{ path: 'chain', message: `${chain} is not blocked` }] }),
          )
      },
    },
  )
  setHandler(wakeSignal, () => {
    wake = true
  })

  for (;;) {
    wake = false
    if (!state.paused) {
      let next = await runCycle(state, prefix)
      // A hedge cut short (size cap, one chain's balance, a budget) is followed at once by another
      // on whichever chain is then cheapest, instead of leaving delta outside the band a full interval.
      for (let extra = 0; next === 'again' && extra < MAX_FOLLOW_UP_HEDGES && !state.paused && patched('follow-up-hedges'); extra++) {
        next = await runCycle(state, prefix)
      }
      state.cyclesCompleted += 1
      cyclesThisRun += 1
    }
    if (workflowInfo().continueAsNewSuggested || cyclesThisRun >= (input.continueAsNewAfterCycles ?? 1000)) {
      await condition(allHandlersFinished)
      return continueAsNew<typeof portfolioWorkflow>({ ...input, mandate: state.mandate, taskQueuePrefix: prefix, state })
    }
    const intervalMs = parseMandate(state.mandate).loop.intervalSec * 1000
    if (state.paused) await condition(() => !state.paused || wake)
    else await condition(() => wake, intervalMs)
  }
}

function validateMandateUpdate(portfolio: string, next: MandateInput): void {
  const parsed = safeParseMandate(next)
  if (!parsed.ok) throw refused(new InvalidInputError({ what: 'mandate update', issues: parsed.issues }))
  if (parsed.mandate.portfolio !== portfolio) {
    throw refused(
      new InvalidInputError({
        what: 'mandate update',
        issues: [
          {
            path: 'portfolio',
            message: `cannot change the portfolio id of a running workflow (running ${portfolio}, got "${parsed.mandate.portfolio}")`,
          },
        ],
      }),
    )
  }
}

/** A validator's refusal, typed by the error's literal name so clients match on it, never on text. */
function refused(err: InvalidInputError): ApplicationFailure {
  return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, details: [err.issues] })
}

/** `again` when a hedge completed but left delta outside the band. */
async function runCycle(state: PortfolioState, prefix: string): Promise<'again' | 'done'> {
  state.cycles += 1
  const mandate = parseMandate(state.mandate)
  const observed = await observe(state, mandate)
  if (!observed) return 'done'
  const { snapshot, exposure } = observed
  const decision = decideBandHedge({ mandate: { ...mandate, paused: state.paused }, deltaWei: exposure.deltaWei })
  if (decision.action === 'hold') {
    state.lastDecision = decision.reason === 'paused' ? 'paused' : 'inside band: hold'
    return 'done'
  }
  const picked = await pickVenue({ state, mandate, snapshot, decision })
  if (!picked) return 'done'
  if (state.paused) {
    state.lastDecision = 'paused before the hedge was sent'
    return 'done'
  }
  state.hedgeSeq += 1
  const id = `hedge-${mandate.portfolio}-${state.hedgeSeq}`
  const obs = snapshot.chains.find((c) => c.chain === picked.venue.chain)!
  const quote = picked.quote
  const rebalanceInput: RebalanceInput = {
    portfolio: mandate.portfolio,
    idempotencyKey: id,
    chain: obs.chain,
    chainId: obs.chainId,
    direction: decision.direction,
    treasury: obs.treasury,
    quote,
    slippageBps: remainingSlippageBps(picked.venue, mandate.hedge.maxSlippageBps),
    deadlineSec: (BigInt(quote.blockTimestampSec) + BigInt(mandate.hedge.deadlineSec)).toString(),
    taskQueuePrefix: prefix,
  }
  const result = await executeChild(rebalanceWorkflow, { workflowId: id, args: [rebalanceInput] })
  const after = await observe(state, mandate)
  const costs =
    result.status === 'completed'
      ? realizedCosts({ result, obs, direction: decision.direction })
      : { gasCostUsdc: 0n, slippageCostUsdc: 0n }
  recordHedge(state, {
    id,
    chain: obs.chain,
    direction: decision.direction,
    status: result.status,
    amountIn: quote.amountIn,
    amountOut: result.status === 'completed' ? result.amountOut : '0',
    estimatedCostUsdc: picked.venue.totalCostUsdc.toString(),
    gasCostWei: result.status === 'completed' ? result.gasCostWei : '0',
    gasCostUsdc: costs.gasCostUsdc.toString(),
    slippageCostUsdc: costs.slippageCostUsdc.toString(),
    deltaBeforeWei: exposure.deltaWei.toString(),
    deltaAfterWei: after ? after.exposure.deltaWei.toString() : null,
    atChainTimeSec: chainTime(snapshot).toString(),
    reason: result.status === 'completed' ? null : `${result.failureType}: ${result.reason}`,
    txHashes: result.txHashes,
  })
  if (result.status === 'in-doubt') state.blockedChains.push({ chain: obs.chain, reason: `${id} in doubt: ${result.reason}` })
  state.lastDecision = result.status === 'completed' ? `hedged on ${obs.chain}` : `hedge ${result.status} on ${obs.chain}`
  return result.status === 'completed' && after !== null && state.lastObservation?.insideBand === false ? 'again' : 'done'
}

async function observe(
  state: PortfolioState,
  mandate: Mandate,
): Promise<{ snapshot: PortfolioSnapshot; exposure: PortfolioExposure } | null> {
  let snapshot: PortfolioSnapshot
  try {
    snapshot = await read.observePortfolio({ mandate: state.mandate })
  } catch (err) {
    // Fail closed: without a complete observation nothing is traded.
    state.lastError = failureMessage(err)
    state.lastDecision = 'observation failed: holding'
    return null
  }
  state.lastError = null
  const exposure = portfolioExposure(snapshot)
  const now = chainTime(snapshot)
  const prev = state.lastObservation
  if (prev && !prev.insideBand && now > BigInt(prev.atChainTimeSec)) state.outsideBandSec += Number(now - BigInt(prev.atChainTimeSec))
  const gap = exposure.deltaWei - mandate.delta.targetEth
  state.lastObservation = {
    atChainTimeSec: now.toString(),
    deltaWei: exposure.deltaWei.toString(),
    targetWei: mandate.delta.targetEth.toString(),
    bandWei: mandate.delta.bandEth.toString(),
    gamma: exposure.gamma,
    insideBand: (gap < 0n ? -gap : gap) <= mandate.delta.bandEth,
    chains: exposure.chains.map((c) => ({
      chain: c.chain,
      priceUsdc: c.priceUsdc,
      spotWethWei: c.spotWethWei.toString(),
      spotUsdc: c.spotUsdc.toString(),
      lpWethWei: c.lpWethWei.toString(),
      lpUsdc: c.lpUsdc.toString(),
      deltaWei: c.deltaWei.toString(),
      gamma: c.gamma,
    })),
  }
  return { snapshot, exposure }
}

type Picked = { venue: CostedVenue; quote: RebalanceInput['quote'] }

/** Quotes the hedge on every unblocked chain, shrinking it when no venue fits the budget. */
async function pickVenue(p: {
  state: PortfolioState
  mandate: Mandate
  snapshot: PortfolioSnapshot
  decision: Extract<BandDecision, { action: 'hedge' }>
}): Promise<Picked | null> {
  const { state, mandate, snapshot, decision } = p
  const chains = snapshot.chains.filter((c) => !state.blockedChains.some((b) => b.chain === c.chain))
  let lastReason = 'every chain is blocked'
  for (const step of SIZE_STEPS) {
    const sizeWei = decision.sizeWei / step
    const requests = chains.map((c) => ({
      chain: c.chain,
      amountIn: (decision.direction === 'sell-eth'
        ? sizeWei
        : wethToUsdcAtMid({
            wethWei: sizeWei,
            sqrtPriceX96: BigInt(c.pool.sqrtPriceX96),
            wethIsToken0: wethIsToken0(c.pool, c.weth),
            roundUp: true,
          })
      ).toString(),
    }))
    if (requests.length === 0) break
    let quotes: Awaited<ReturnType<ReadActivities['quoteHedge']>>
    try {
      quotes = await read.quoteHedge({ mandate: state.mandate, direction: decision.direction, requests })
    } catch (err) {
      state.lastError = failureMessage(err)
      state.lastDecision = 'quoting failed: holding'
      return null
    }
    const candidates: VenueCandidate[] = []
    const byChain = new Map<ChainKey, Extract<(typeof quotes)[number], { status: 'ok' }>>()
    for (const q of quotes) {
      if (q.status !== 'ok') continue
      const obs = chains.find((c) => c.chain === q.chain)!
      byChain.set(q.chain, q)
      candidates.push({
        chain: q.chain,
        direction: decision.direction,
        amountIn: BigInt(q.amountIn),
        amountOut: BigInt(q.amountOut),
        gasEstimate: BigInt(q.gasEstimate),
        gasPriceWei: BigInt(obs.baseFeePerGasWei) + BigInt(obs.priorityFeePerGasWei),
        sqrtPriceX96: BigInt(obs.pool.sqrtPriceX96),
        wethIsToken0: wethIsToken0(obs.pool, obs.weth),
        balanceIn: BigInt(decision.direction === 'sell-eth' ? obs.balances.weth : obs.balances.usdc),
      })
    }
    const choice = chooseVenue({ candidates, maxGasCostUsdc: mandate.hedge.maxGasCostUsdc, maxSlippageBps: mandate.hedge.maxSlippageBps })
    if (choice.status === 'ok') return { venue: choice.best, quote: byChain.get(choice.best.chain)! }
    lastReason = choice.reason
  }
  state.lastDecision = `outside band but no venue within budget (${lastReason})`
  return null
}

/** What a completed hedge cost, valued at the mid price observed before it. */
function realizedCosts(p: {
  result: Extract<RebalanceResult, { status: 'completed' }>
  obs: PortfolioSnapshot['chains'][number]
  direction: 'sell-eth' | 'buy-eth'
}): { gasCostUsdc: bigint; slippageCostUsdc: bigint } {
  const mid = { sqrtPriceX96: BigInt(p.obs.pool.sqrtPriceX96), wethIsToken0: wethIsToken0(p.obs.pool, p.obs.weth) }
  const amountIn = BigInt(p.result.amountIn)
  const amountOut = BigInt(p.result.amountOut)
  const valueIn = p.direction === 'sell-eth' ? wethToUsdcAtMid({ wethWei: amountIn, ...mid }) : amountIn
  const valueOut = p.direction === 'sell-eth' ? amountOut : wethToUsdcAtMid({ wethWei: amountOut, ...mid })
  return {
    gasCostUsdc: wethToUsdcAtMid({ wethWei: BigInt(p.result.gasCostWei), ...mid, roundUp: true }),
    slippageCostUsdc: valueIn - valueOut,
  }
}

function recordHedge(state: PortfolioState, record: HedgeRecord): void {
  state.hedges = [...state.hedges, record].slice(-MAX_HEDGE_RECORDS)
}

const chainTime = (snapshot: PortfolioSnapshot): bigint =>
  snapshot.chains.reduce((max, c) => (BigInt(c.blockTimestampSec) > max ? BigInt(c.blockTimestampSec) : max), 0n)

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'ApplicationFailure'}: ${cause.message}`
  return cause instanceof Error ? cause.message : String(cause)
}
