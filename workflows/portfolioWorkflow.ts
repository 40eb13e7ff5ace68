import {
  type ActivityOptions,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import { InvalidInputError } from '../agent/errors.ts'
import { type MandateInput, parseMandate } from '../agent/mandate/schema.ts'
import type { TransferRequestJson } from '../agent/plan/planCycle.ts'
import { settleHedgeRecord } from '../agent/portfolio/ledger.ts'
import type { MarketMark, MarketMove } from '../agent/portfolio/marketMove.ts'
import {
  approveRollIssue,
  hasUnsettled,
  type Issue,
  initialState,
  loopIntervalSec,
  type MandateUpdateOptions,
  type MandateUpdatePreview,
  type PortfolioState,
  type PortfolioStatus,
  previewMandateUpdate,
  statusView,
  stopIssue,
  stoppingIssue,
  transferRequestIssues,
  transfersRunning,
  unblockIssue,
  upsertTransfer,
} from '../agent/portfolio/state.ts'
import { marketWatchTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import type { WatchActivities } from '../temporal/activities/types.ts'
import { failureMessage } from './failures.ts'
import { decide, type Run, runCycle } from './portfolioCycle.ts'
import { settlementWorkflow } from './settlementWorkflow.ts'
import { transferProgressSignal } from './transferWorkflow.ts'

export type { HedgeRecord, ObservationJson } from '../agent/portfolio/ledger.ts'
export type {
  BlockedChain,
  InFlight,
  MandateUpdateOptions,
  MandateUpdatePreview,
  PortfolioState,
  PortfolioStatus,
} from '../agent/portfolio/state.ts'

/** Further hedges in one cycle when a hedge was cut short and delta is still outside the band. */
const MAX_FOLLOW_UP_HEDGES = 3

/** The market watch: a dead worker's watch is noticed by its heartbeat within seconds and restarted elsewhere. */
const WATCH_OPTIONS: Pick<ActivityOptions, 'heartbeatTimeout' | 'retry'> = {
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
}

export type PortfolioWorkflowInput = {
  mandate: MandateInput
  taskQueuePrefix?: string
  /** Cycles per run before continuing as new even if the server has not suggested it (default 1000). */
  continueAsNewAfterCycles?: number
  /** Attempts of each send before a hedge ends in doubt (default 20, about three minutes). */
  submitAttempts?: number
  /** Carried over by continue-as-new. */
  state?: PortfolioState
}

export const statusQuery = defineQuery<PortfolioStatus>('status')
/** What an update would change, without applying it (`keel update` shows it and asks). */
export const previewMandateUpdateQuery = defineQuery<MandateUpdatePreview, [MandateInput]>('previewMandateUpdate')
export const pauseUpdate = defineUpdate<PortfolioStatus, [{ reason?: string }]>('pause')
export const resumeUpdate = defineUpdate<PortfolioStatus, []>('resume')
export const updateMandateUpdate = defineUpdate<PortfolioStatus, [MandateInput, MandateUpdateOptions?]>('updateMandate')
/** Settles a blocked chain's open transactions, then lets the loop use it again. */
export const clearBlockedChainUpdate = defineUpdate<PortfolioStatus, [{ chain: ChainKey }]>('clearBlockedChain')
/** Ends the loop after the step in flight; the workflow then completes. */
export const stopUpdate = defineUpdate<PortfolioStatus, [{ reason?: string }]>('stop')
/**
 * An operator's answer to a roll that waits for approval (`keel approve-roll`): `approve` lets the
 * roll mint and sell at the next cycle; otherwise it is skipped for this expiry.
 */
export const approveRollUpdate = defineUpdate<PortfolioStatus, [{ id: string; approve: boolean; by?: string }]>('approveRoll')
/** Asks the loop to observe now instead of at its next interval. */
export const wakeSignal = defineSignal('wake')
/** An operator's transfer (`keel transfer`): validated now, planned at the next cycle. */
export const requestTransferUpdate = defineUpdate<PortfolioStatus, [TransferRequestJson]>('requestTransfer')

export type PortfolioResult = { stopped: string; cyclesCompleted: number; hedges: number }

/**
 * The portfolio entity: observe every chain → compute exposure → decide by the mandate's band →
 * hedge on the cheapest chain (a slice of it when no venue takes it whole) through a child saga →
 * wait → continue-as-new when suggested; until an operator stops it.
 */
export async function portfolioWorkflow(input: PortfolioWorkflowInput): Promise<PortfolioResult> {
  const initial = parseMandate(input.mandate)
  // A state carried over from an older run lacks the fields added since; they start empty.
  const fresh = initialState(input.mandate, initial.paused)
  const state: PortfolioState = input.state ? { ...fresh, ...input.state } : fresh
  const run: Run = { state, portfolio: initial.portfolio, prefix: input.taskQueuePrefix ?? '', submitAttempts: input.submitAttempts }
  let wake = false
  let cyclesThisRun = 0
  const status = (): PortfolioStatus => statusView(state, run.portfolio, Date.now())

  setHandler(statusQuery, status)
  setHandler(previewMandateUpdateQuery, (next) => previewMandateUpdate(state, run.portfolio, next))
  setHandler(pauseUpdate, (args) => {
    state.paused = true
    decide(run, `paused by operator${args.reason ? `: ${args.reason}` : ''}`, null)
    return status()
  })
  setHandler(
    resumeUpdate,
    () => {
      state.paused = false
      wake = true
      return status()
    },
    { validator: () => refuseIf('resume', stoppingIssue(state)) },
  )
  setHandler(
    updateMandateUpdate,
    (next: MandateInput, _options?: MandateUpdateOptions) => {
      // The pause state changes only through pause/resume; the file's value is reported, not applied.
      state.mandate = { ...next, paused: state.paused }
      wake = true
      return status()
    },
    { validator: (next: MandateInput, options?: MandateUpdateOptions) => validateMandateUpdate(run, next, options) },
  )
  setHandler(
    clearBlockedChainUpdate,
    async ({ chain }) => {
      await settleBlockedChain(run, chain)
      wake = true
      return status()
    },
    { validator: ({ chain }) => refuseIf('clearBlockedChain', unblockIssue(state, chain)) },
  )
  setHandler(
    stopUpdate,
    ({ reason }) => {
      state.stopping ??= { reason: reason ?? 'stopped by operator', requestedAtMs: Date.now() }
      wake = true
      return status()
    },
    { validator: (_args: { reason?: string }) => refuseIf('stop', stopIssue(state)) },
  )
  setHandler(
    approveRollUpdate,
    ({ id, approve, by }) => {
      state.rolls = (state.rolls ?? []).map((r) =>
        r.id === id ? { ...r, approvedBy: approve ? (by ?? 'operator') : `declined by ${by ?? 'operator'}` } : r,
      )
      wake = true
      return status()
    },
    { validator: ({ id }) => refuseIf('approveRoll', approveRollIssue(state, id)) },
  )
  setHandler(wakeSignal, () => {
    wake = true
  })
  setHandler(transferProgressSignal, (patch) => upsertTransfer(state, patch))
  setHandler(
    requestTransferUpdate,
    (req) => {
      state.transferRequests = [...(state.transferRequests ?? []), req]
      wake = true
      return status()
    },
    {
      validator: (req) => {
        refuseIf('requestTransfer', stoppingIssue(state))
        const issues = transferRequestIssues(state, req)
        if (issues.length > 0) throw refused(new InvalidInputError({ what: 'transfer request', issues }))
      },
    },
  )

  while (!state.stopping) {
    wake = false
    if (!state.paused) {
      let next = await runCycle(run)
      // A hedge cut short (size cap, one chain's balance, a budget) is followed at once by another
      // on whichever chain is then cheapest, instead of leaving delta outside the band a full interval.
      for (
        let extra = 0;
        next === 'again' && extra < MAX_FOLLOW_UP_HEDGES && !state.paused && !state.stopping && patched('follow-up-hedges');
        extra++
      ) {
        next = await runCycle(run)
      }
      state.cyclesCompleted += 1
      cyclesThisRun += 1
    }
    if (state.stopping) break
    // Transfers in flight are followed by children whose results this run awaits: continue once they settle.
    if ((workflowInfo().continueAsNewSuggested || cyclesThisRun >= (input.continueAsNewAfterCycles ?? 1000)) && !transfersRunning(state)) {
      await condition(allHandlersFinished)
      return continueAsNew<typeof portfolioWorkflow>({ ...input, mandate: state.mandate, taskQueuePrefix: run.prefix, state })
    }
    const loop = parseMandate(state.mandate).loop
    const intervalMs = loopIntervalSec(state, loop.intervalSec) * 1000
    if (state.paused) await condition(() => !state.paused || wake)
    // Runs started before the market watch wait on the interval alone; they replay that way.
    else if (loop.wakeOnMoveBps !== null && state.marketMarks && patched('block-wake'))
      await waitForMarketOrWake(run, { marks: state.marketMarks, intervalMs, woken: () => wake })
    else await condition(() => wake, intervalMs)
  }
  if (hasUnsettled(state)) {
    // A hedge that was in flight when the stop came ended in doubt: its nonces must be settled first.
    decide(run, 'stopping: waiting for unsettled transactions to be settled (keel unblock <portfolio> <chain>)', null)
    await condition(() => !hasUnsettled(state))
  }
  await condition(allHandlersFinished)
  decide(run, `stopped: ${state.stopping.reason}`, null)
  return { stopped: state.stopping.reason, cyclesCompleted: state.cyclesCompleted, hedges: state.hedges.length }
}

/**
 * Waits for whichever comes first: a signal or update (`woken`), the interval, or a block that
 * moves the market (the watch activity, cancelled when something else wins). A watch that fails
 * leaves the wait to the interval; what woke the loop is kept in `lastWake`.
 */
async function waitForMarketOrWake(run: Run, p: { marks: MarketMark[]; intervalMs: number; woken: () => boolean }): Promise<void> {
  const watch = proxyActivities<WatchActivities>({
    taskQueue: marketWatchTaskQueue(run.prefix),
    // Cancelled at the interval at the latest; the margin covers a retry started just before it.
    startToCloseTimeout: p.intervalMs + 60_000,
    ...WATCH_OPTIONS,
  })
  const seen: { move: MarketMove | null } = { move: null }
  const scope = new CancellationScope()
  await scope.run(async () => {
    void watch.awaitMarketMove({ mandate: run.state.mandate, marks: p.marks }).then(
      (move) => {
        seen.move = move
      },
      (err) => {
        if (!isCancellation(err)) run.state.lastError = `market watch failed, waking on the interval: ${failureMessage(err)}`
      },
    )
    await condition(() => p.woken() || seen.move !== null, p.intervalMs)
  })
  scope.cancel()
  if (seen.move) run.state.lastWake = seen.move
}

function validateMandateUpdate(run: Run, next: MandateInput, options: MandateUpdateOptions | undefined): void {
  refuseIf('update', stoppingIssue(run.state))
  const preview = previewMandateUpdate(run.state, run.portfolio, next)
  if (!preview.valid) throw refused(new InvalidInputError({ what: 'mandate update', issues: preview.issues }))
  if (preview.feasibility.length > 0) throw refused(new InvalidInputError({ what: 'mandate update', issues: preview.feasibility }))
  if (preview.needsConfirmation && !options?.confirmed) {
    throw ApplicationFailure.create({
      type: 'Keel.ConfirmationRequiredError',
      message: `this update needs confirmation:\n${preview.lines.map((l) => `- ${l}`).join('\n')}`,
      nonRetryable: true,
      details: [preview],
    })
  }
}

function refuseIf(what: string, issue: Issue | null): void {
  if (issue) throw refused(new InvalidInputError({ what, issues: [issue] }))
}

/**
 * Settles a blocked chain: cancels (or finds mined) every transaction left open, then unblocks it.
 * A swap that turns out mined is recorded as the completed hedge it was.
 */
async function settleBlockedChain(run: Run, chain: ChainKey): Promise<void> {
  const { state } = run
  const entry = state.blockedChains.find((b) => b.chain === chain)!
  const chainId = entry.chainId ?? entry.unsettled?.[0]?.chainId
  if (chainId === undefined) {
    // Blocked before transactions were recorded with the block: nothing known to settle.
    state.blockedChains = state.blockedChains.filter((b) => b.chain !== chain)
    return
  }
  entry.settling = true
  state.settlementSeq = (state.settlementSeq ?? 0) + 1
  const id = `settle-${run.portfolio}-${chain}-${state.settlementSeq}`
  state.inFlight = [...(state.inFlight ?? []), { kind: 'settlement', id, chain, startedAtMs: Date.now() }]
  const result = await executeChild(settlementWorkflow, {
    workflowId: id,
    args: [
      {
        chain,
        chainId,
        idempotencyKey: id,
        txs: entry.unsettled ?? [],
        taskQueuePrefix: run.prefix,
        ...(entry.swap ? { swap: entry.swap } : {}),
      },
    ],
  })
  state.inFlight = (state.inFlight ?? []).filter((f) => f.id !== id)
  entry.settling = false
  if (result.status !== 'settled') {
    entry.reason = `${entry.reason.split('; settling failed')[0]}; settling failed (${result.failureType}: ${result.reason})`
    return
  }
  state.blockedChains = state.blockedChains.filter((b) => b.chain !== chain)
  const swapHash = entry.swap?.hash ?? null
  state.hedges = state.hedges.map((h) => (h.id === entry.hedgeId ? settleHedgeRecord(h, { settlement: result, swapHash }) : h))
}

/** A validator's refusal, typed by the error's literal name so clients match on it, never on text. */
function refused(err: InvalidInputError): ApplicationFailure {
  return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, details: [err.issues] })
}
