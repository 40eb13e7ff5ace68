import type { PreparedTx } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import { type ChainHoldings, mandateFeasibility } from '../mandate/feasibility.ts'
import { type MandateInput, parseMandate, safeParseMandate } from '../mandate/schema.ts'
import { mandateUpdateConsequences, type UpdateConsequences } from '../mandate/updateConsequences.ts'
import type { PnlDay } from '../options/attribution.ts'
import type { RollRecord } from '../options/rolls.ts'
import type { TransferRequestJson } from '../plan/planCycle.ts'
import type { TransferRecord } from '../plan/types.ts'
import type { HedgeRecord, HedgeTotals, ObservationJson } from './ledger.ts'
import type { MarketMark, MarketMove } from './marketMove.ts'

/**
 * The portfolio entity's state, as data that lives in workflow history and crosses
 * continue-as-new, and the pure reads and checks over it that the workflow's handlers use.
 * Fields added after the first release are optional: a state carried over from an older run
 * lacks them.
 */

/** A chain where a send ended in doubt (or nonces were left open): no new risk there until settled. */
export type BlockedChain = {
  chain: ChainKey
  chainId?: number
  reason: string
  hedgeId?: string | null
  /** Signed transactions whose fate is unknown; `keel unblock` settles them before new work. */
  unsettled?: PreparedTx[]
  swap?: { hash: `0x${string}`; tokenOut: `0x${string}`; recipient: `0x${string}` } | null
  settling?: boolean
}

/** What the loop is doing right now, for operators: a hedge or a settlement under way. */
export type InFlight =
  | {
      kind: 'hedge'
      id: string
      chain: ChainKey
      direction: 'sell-eth' | 'buy-eth'
      sizeWei: string
      slice: boolean
      startedAtMs: number
    }
  | { kind: 'settlement'; id: string; chain: ChainKey; startedAtMs: number }

export type PortfolioState = {
  mandate: MandateInput
  paused: boolean
  cycles: number
  /** Cycles that ran to the end (observation, decision and any hedge). */
  cyclesCompleted: number
  hedgeSeq: number
  lastObservation: ObservationJson | null
  lastDecision: string
  /** When `lastDecision` was taken: chain time of the observation it read, and workflow time. */
  lastDecisionAt?: { chainTimeSec: string | null; workflowTimeMs: number }
  lastError: string | null
  hedges: HedgeRecord[]
  blockedChains: BlockedChain[]
  inFlight?: InFlight[]
  /** Set by `keel stop`: the loop ends after the step in flight. */
  stopping?: { reason: string; requestedAtMs: number } | null
  settlementSeq?: number
  /** Transfers between chains: the ones in flight, and the last ones settled. */
  transfers?: TransferRecord[]
  transferSeq?: number
  /** Transfers operators asked for (`keel transfer`), for the next plan. */
  transferRequests?: TransferRequestJson[]
  /** What the last plan did, one line. */
  lastPlan?: string
  /** Per chain, the block of the first observation: where the scan for untracked transfers starts. */
  scanFromBlocks?: Partial<Record<ChainKey, string>>
  /** Chain time spent outside the band after keel had acted, in seconds. */
  outsideBandSec: number
  /** Per chain, the block and pool price of the last observation: what a market move is measured from. */
  marketMarks?: MarketMark[]
  /** The last market move that woke the loop before its interval. */
  lastWake?: MarketMove
  /** The option book's rolls, from proposal to settlement (the book's ledger). */
  rolls?: RollRecord[]
  rollSeq?: number
  /** Settlement steps run (expiry prices posted, vaults settled, oTokens redeemed). */
  optionSeq?: number
  /** Why the last plan wrote nothing for a leg, when it did not. */
  lastOptionNote?: string
  /** The last gamma floor breach and what was done about it (buy-back or hedge more often, by cost). */
  lastGammaFloor?: {
    atChainTimeSec: string
    bookGamma: number
    floor: number
    decision: Record<string, string | number | null>
    /** The buy-back it ran, when it chose one. */
    outcome?: {
      id: string
      status: string
      maker: string | null
      paidUsdc: string
      burntE8: string
      reason: string | null
      rejected: { maker: string; reason: string }[]
    }
  }
  /** The mark smile fitted to the makers' last bids (agent/options/fitSmile.ts); the mandate's until there is one. */
  markFit?: {
    svi: { a: number; b: number; rho: number; m: number; sigma: number }
    atChainTimeSec: string
    used: number
    method: string
    rmseVol: number
  }
  /**
   * A gamma-floor breach met by hedging more often: until the nearest expiry the loop observes every
   * `intervalSec` instead of the mandate's interval.
   */
  hedgeMore?: { untilChainTimeSec: string; intervalSec: number }
  /** Every hedge since the start, summed (the record list keeps only the newest). */
  hedgeTotals?: HedgeTotals
  /** P&L attributed to delta, gamma, theta and vega per chain-time day (agent/options/attribution.ts). */
  pnl?: PnlDay[]
}

/** The status as operators read it: raw signed transactions are left out, their nonces and hashes kept. */
export type PortfolioStatus = Omit<PortfolioState, 'blockedChains'> & {
  portfolio: string
  workflowTimeMs: number
  blockedChains: (Omit<BlockedChain, 'unsettled' | 'swap'> & { unsettled: { nonce: number; hash: string; description: string }[] })[]
}

export type MandateUpdateOptions = { confirmed?: boolean }
export type MandateUpdatePreview =
  | ({ valid: true } & UpdateConsequences & { feasibility: { path: string; message: string }[] })
  | { valid: false; issues: { path: string; message: string }[] }

/** An operator request refused, with the field it is about. */
export type Issue = { path: string; message: string }

/** The state of a new portfolio. */
export function initialState(mandate: MandateInput, paused: boolean): PortfolioState {
  return {
    mandate,
    paused,
    cycles: 0,
    cyclesCompleted: 0,
    hedgeSeq: 0,
    lastObservation: null,
    lastDecision: 'not observed yet',
    lastError: null,
    hedges: [],
    blockedChains: [],
    inFlight: [],
    stopping: null,
    settlementSeq: 0,
    transfers: [],
    transferSeq: 0,
    transferRequests: [],
    outsideBandSec: 0,
  }
}

/** What `keel status` shows: the state without the raw signed bytes of unsettled transactions. */
export function statusView(state: PortfolioState, portfolio: string, nowMs: number): PortfolioStatus {
  return {
    ...state,
    portfolio,
    workflowTimeMs: nowMs,
    blockedChains: state.blockedChains.map(({ unsettled, swap: _swap, ...b }) => ({
      ...b,
      unsettled: (unsettled ?? []).map((t) => ({ nonce: t.nonce, hash: t.hash, description: t.description })),
    })),
  }
}

/** Each chain's whole value in ETH from the last observation (older observations lack it). */
export const holdingsOf = (o: ObservationJson | null): ChainHoldings[] =>
  (o?.chains ?? []).filter((c) => c.valueWei !== undefined).map((c) => ({ chain: c.chain, valueWei: BigInt(c.valueWei!) }))

const observedDelta = (o: ObservationJson | null): Partial<Record<ChainKey, bigint>> | null =>
  o ? Object.fromEntries(o.chains.map((c) => [c.chain, BigInt(c.deltaWei)])) : null

export const hasUnsettled = (state: PortfolioState): boolean => state.blockedChains.some((b) => (b.unsettled ?? []).length > 0)

/** What replacing the mandate would do, checked against the schema, the portfolio id and the holdings. */
export function previewMandateUpdate(state: PortfolioState, portfolio: string, next: unknown): MandateUpdatePreview {
  const parsed = safeParseMandate(next)
  if (!parsed.ok) return { valid: false, issues: parsed.issues }
  if (parsed.mandate.portfolio !== portfolio) {
    const message = `cannot change the portfolio id of a running workflow (running ${portfolio}, got "${parsed.mandate.portfolio}")`
    return { valid: false, issues: [{ path: 'portfolio', message }] }
  }
  const consequences = mandateUpdateConsequences({
    current: parseMandate(state.mandate),
    next: parsed.mandate,
    paused: state.paused,
    observedDeltaWei: observedDelta(state.lastObservation),
  })
  return { valid: true, ...consequences, feasibility: mandateFeasibility(parsed.mandate, holdingsOf(state.lastObservation)) }
}

/** Why `keel unblock <chain>` cannot run now, or null. */
export function unblockIssue(state: PortfolioState, chain: ChainKey): Issue | null {
  const entry = state.blockedChains.find((b) => b.chain === chain)
  if (!entry) return { path: 'chain', message: `${chain} is not blocked` }
  if (entry.settling) return { path: 'chain', message: `${chain} is being settled already` }
  return null
}

/** Why `keel stop` cannot run now (transactions would be left unsettled), or null. */
export function stopIssue(state: PortfolioState): Issue | null {
  const open = state.blockedChains.filter((b) => (b.unsettled ?? []).length > 0)
  if (open.length === 0) return null
  const which = open.map((b) => `${b.chain} (nonces ${(b.unsettled ?? []).map((t) => t.nonce).join(', ')})`).join('; ')
  return { path: 'blockedChains', message: `transactions are unsettled on ${which}: run keel unblock first, or stop --force to leave them` }
}

/** Why a change of course cannot be taken while the portfolio is stopping, or null. */
export function stoppingIssue(state: PortfolioState): Issue | null {
  return state.stopping ? { path: 'stopping', message: `the portfolio is stopping (${state.stopping.reason})` } : null
}

/** The block a hedge that ended in doubt puts on its chain: what must be settled before new work there. */
export function blockForInDoubt(p: {
  hedgeId: string
  chain: ChainKey
  chainId: number
  reason: string
  unsettled: PreparedTx[]
  /** For a hedge: the swap's output token, so that a swap found mined is recorded with what it paid. */
  tokenOut: `0x${string}` | null
  treasury: `0x${string}`
}): BlockedChain {
  // The swap is the last transaction of its batch (approve first when one was needed).
  const swapTx = p.tokenOut === null ? undefined : p.unsettled.at(-1)
  return {
    chain: p.chain,
    chainId: p.chainId,
    reason: `${p.hedgeId} in doubt: ${p.reason}`,
    hedgeId: p.hedgeId,
    unsettled: p.unsettled,
    swap: swapTx && p.tokenOut ? { hash: swapTx.hash, tokenOut: p.tokenOut, recipient: p.treasury } : null,
    settling: false,
  }
}

/** Transfers whose funds are between chains: counted where they are going (an expired one, back where it came from). */
export function transfersInFlight(state: PortfolioState): { asset: 'WETH' | 'USDC'; from: ChainKey; to: ChainKey; amount: string }[] {
  return (state.transfers ?? [])
    .filter((t) => ['sent', 'verified', 'failed', 'expired', 'in-doubt'].includes(t.state))
    .map((t) =>
      t.state === 'expired'
        ? { asset: t.asset, from: t.to, to: t.from, amount: t.amount }
        : { asset: t.asset, from: t.from, to: t.to, amount: t.expectedOutput },
    )
}

/** Transfer records kept: every one not settled yet, and the newest settled ones. */
export const MAX_SETTLED_TRANSFERS = 50

export function upsertTransfer(state: PortfolioState, patch: Partial<TransferRecord> & { id: string }): void {
  const all = state.transfers ?? []
  const i = all.findIndex((t) => t.id === patch.id)
  const merged = i >= 0 ? { ...all[i]!, ...patch } : (patch as TransferRecord)
  const next = i >= 0 ? all.map((t, j) => (j === i ? merged : t)) : [...all, merged]
  const settled = next.filter((t) => ['delivered', 'refunded', 'not-sent'].includes(t.state))
  const drop = new Set(settled.slice(0, Math.max(0, settled.length - MAX_SETTLED_TRANSFERS)).map((t) => t.id))
  state.transfers = next.filter((t) => !drop.has(t.id))
}

/** Why an operator's transfer request is refused, before anything is quoted or sent; empty when it is fine. */
export function transferRequestIssues(state: PortfolioState, req: TransferRequestJson): Issue[] {
  const issues: Issue[] = []
  const chains = Object.keys(parseMandate(state.mandate).chains)
  if (req.asset !== 'USDC' && req.asset !== 'WETH')
    issues.push({ path: 'asset', message: `unsupported asset "${String(req.asset)}" (USDC or WETH)` })
  for (const [path, chain] of [
    ['from', req.from],
    ['to', req.to],
  ] as const) {
    if (!chains.includes(chain))
      issues.push({ path, message: `${String(chain)} is not one of the portfolio's chains (${chains.join(', ')})` })
  }
  if (req.from === req.to) issues.push({ path: 'to', message: `a transfer needs two different chains (got ${req.from} → ${req.to})` })
  if (!/^\d+$/.test(req.amount) || BigInt(req.amount) === 0n) {
    issues.push({ path: 'amount', message: `expected a positive amount in base units, got ${JSON.stringify(req.amount)}` })
  } else {
    const held = state.lastObservation?.chains.find((c) => c.chain === req.from)
    const balance = held ? BigInt(req.asset === 'WETH' ? held.spotWethWei : held.spotUsdc) : null
    if (balance !== null && BigInt(req.amount) > balance)
      issues.push({
        path: 'amount',
        message: `${req.amount} is more than the treasury holds on ${req.from} (${balance} base units of ${req.asset})`,
      })
  }
  if (req.maxCostBps !== undefined && !(Number.isInteger(req.maxCostBps) && req.maxCostBps >= 1 && req.maxCostBps <= 500))
    issues.push({ path: 'maxCostBps', message: `expected an integer from 1 to 500, got ${req.maxCostBps}` })
  return issues
}

/** Transfers whose child workflow is still following them (the loop does not continue as new under them). */
export const transfersRunning = (state: PortfolioState): boolean =>
  (state.transfers ?? []).some(
    (t) => t.origin !== 'discovered' && ['planned', 'sending', 'sent', 'verified', 'failed', 'expired'].includes(t.state),
  )

/** Why an `approveRoll` cannot be taken, or null: the roll must exist and be waiting for approval. */
export function approveRollIssue(state: PortfolioState, id: string): Issue | null {
  const r = (state.rolls ?? []).find((x) => x.id === id)
  if (!r) return { path: 'id', message: `no roll ${id}; waiting: ${waitingRolls(state).join(', ') || 'none'}` }
  if (r.status !== 'awaiting-approval') return { path: 'id', message: `${id} is ${r.status}, not awaiting approval` }
  return null
}

const waitingRolls = (state: PortfolioState): string[] =>
  (state.rolls ?? []).filter((r) => r.status === 'awaiting-approval').map((r) => r.id)

/** How much more often the loop looks while a gamma-floor breach is met by hedging more. */
export const HEDGE_MORE_FACTOR = 4

export const hedgeMoreIntervalSec = (intervalSec: number): number => Math.max(1, Math.floor(intervalSec / HEDGE_MORE_FACTOR))

/** Seconds the loop waits before its next cycle: the mandate's interval, shorter while hedging more often. */
export function loopIntervalSec(state: PortfolioState, mandateIntervalSec: number): number {
  const more = state.hedgeMore
  const now = state.lastObservation ? BigInt(state.lastObservation.atChainTimeSec) : null
  if (!more || now === null || now >= BigInt(more.untilChainTimeSec)) return mandateIntervalSec
  return Math.min(mandateIntervalSec, more.intervalSec)
}
