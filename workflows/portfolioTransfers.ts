import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow'
import type { Mandate } from '../agent/mandate/schema.ts'
import type { TransferRequestJson as OperatorRequest } from '../agent/plan/planCycle.ts'
import type { TransferRecord, TransferStep } from '../agent/plan/types.ts'
import { blockForInDoubt, type PortfolioState, transfersInFlight, upsertTransfer } from '../agent/portfolio/state.ts'
import type { PortfolioSnapshot } from '../agent/portfolio/types.ts'
import { type CapitalMove, capitalMoves } from '../agent/transfer/capitalPolicy.ts'
import type { RouteQuote } from '../agent/transfer/routeChoice.ts'
import { newTransferRecord } from '../agent/transfer/transferState.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ReadActivities, TransferRequestJson } from '../temporal/activities/types.ts'
import { failureMessage } from './failures.ts'
import { sendOptions } from './portfolioCycle.ts'
import { type TransferInput, type TransferResult, transferWorkflow } from './transferWorkflow.ts'

/**
 * The portfolio's transfers: what the plan needs to decide them (the capital policy's moves,
 * operators' requests, bridge quotes), starting them as children that run on their own while the
 * loop goes on, and folding their progress into the ledger. Part of `portfolioWorkflow`.
 */

const read = proxyActivities<ReadActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 4, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
})

type Run = { state: PortfolioState; portfolio: string; prefix: string; submitAttempts: number | undefined }

export type TransferInputs = { moves: CapitalMove[]; requests: OperatorRequest[]; routes: RouteQuote[] }

/**
 * The moves the capital policy wants and the operators asked for, quoted on every bridge that
 * serves their route. Fails closed: a transfer of the treasury's found on-chain that the ledger does
 * not know is recorded (and counted in flight) and no new move is planned in that cycle; when the
 * bridges cannot be read, none is planned either.
 */
export async function transferInputs(
  run: Run,
  p: {
    mandate: Mandate
    snapshot: PortfolioSnapshot
    fundingMoves?: readonly CapitalMove[]
    /** Moves decided elsewhere that run like the capital policy's own (a roll's collateral). */
    capitalMoves?: readonly CapitalMove[]
  },
): Promise<TransferInputs> {
  const { state } = run
  const none: TransferInputs = { moves: [], requests: [], routes: [] }
  const requests = state.transferRequests ?? []
  const capital = p.snapshot.chains.map((c) => ({ chain: c.chain, weth: BigInt(c.balances.weth), usdc: BigInt(c.balances.usdc) }))
  const inFlight = transfersInFlight(state).map((t) => ({ ...t, amount: BigInt(t.amount) }))
  const moves = [...(p.mandate.capital ? capitalMoves({ mandate: p.mandate, capital, inFlight }) : []), ...(p.capitalMoves ?? [])]
  const funding = p.fundingMoves ?? []
  const discoveredOpen = (state.transfers ?? []).filter((t) => t.origin === 'discovered' && !['delivered', 'refunded'].includes(t.state))
  if (moves.length === 0 && requests.length === 0 && funding.length === 0 && discoveredOpen.length === 0) return none
  state.transferRequests = []
  try {
    const treasury = Object.values(p.mandate.chains)[0]!.treasury as `0x${string}`
    const pending = await read.pendingTransfers({ sender: treasury, fromBlocks: state.scanFromBlocks ?? {} })
    // A transfer found on-chain earlier that no longer shows as pending has settled on its own.
    for (const t of discoveredOpen)
      if (!pending.some((x) => x.transferId === t.transferId && x.bridge === t.bridge))
        upsertTransfer(state, { id: t.id, state: 'delivered' })
    const untracked = pending.filter((t) => !(state.transfers ?? []).some((r) => r.transferId === t.transferId && r.bridge === t.bridge))
    for (const t of untracked) upsertTransfer(state, discovered(t))
    if (untracked.length > 0) {
      state.transferRequests = requests
      state.lastError = `${untracked.length} transfer(s) of the treasury found on-chain that keel did not send: counted in flight, no new transfer this cycle`
      return none
    }
    const bridges = await read.listBridges({})
    // Funding moves are quoted here and become steps only if the planner picks their hedge.
    const wanted = [...moves, ...funding, ...requests.map((r) => ({ ...r, amount: BigInt(r.amount) }))]
    const asks: TransferRequestJson[] = wanted.flatMap((m) =>
      bridges
        .filter((b) => b.chains.includes(m.from) && b.chains.includes(m.to) && (!('bridge' in m) || !m.bridge || m.bridge === b.id))
        .map((b) => ({
          bridge: b.id,
          asset: m.asset,
          from: m.from,
          to: m.to,
          amount: m.amount.toString(),
          sender: p.mandate.chains[m.from]!.treasury as `0x${string}`,
          recipient: p.mandate.chains[m.to]!.treasury as `0x${string}`,
        })),
    )
    const quotes = asks.length ? await read.quoteTransfers({ requests: asks }) : []
    return { moves, requests, routes: quotes.filter((q): q is Extract<typeof q, { status: 'ok' }> => q.status === 'ok') }
  } catch (err) {
    state.transferRequests = requests
    state.lastError = `transfers not planned: ${failureMessage(err)}`
    return none
  }
}

/** Starts a transfer step as a child that outlives a stop of the loop (its funds are on their way either way). */
export async function startTransfer(
  run: Run,
  p: { step: TransferStep; mandate: Mandate; snapshot: PortfolioSnapshot },
): Promise<() => boolean> {
  const { state } = run
  const { step, mandate, snapshot } = p
  const chainId = (chain: ChainKey) => snapshot.chains.find((c) => c.chain === chain)!.chainId
  state.transferSeq = Math.max(state.transferSeq ?? 0, Number(step.id.split('-').at(-1)))
  upsertTransfer(
    state,
    newTransferRecord({
      id: step.id,
      bridge: step.bridge,
      asset: step.asset,
      from: step.from,
      to: step.to,
      amount: step.amount,
      expectedOutput: step.expectedOutput,
      origin: step.origin,
      costUsdc: step.expectedCostUsdc,
      reason: step.reason,
    }),
  )
  const input: TransferInput = {
    portfolio: run.portfolio,
    idempotencyKey: step.id,
    request: {
      bridge: step.bridge,
      asset: step.asset,
      from: step.from,
      to: step.to,
      amount: step.amount,
      sender: mandate.chains[step.from]!.treasury as `0x${string}`,
      recipient: mandate.chains[step.to]!.treasury as `0x${string}`,
    },
    origin: step.origin,
    fromChainId: chainId(step.from),
    toChainId: chainId(step.to),
    maxCostBps: step.maxCostBps,
    timeValueBpsPerYear: mandate.capital?.timeValueBpsPerYear ?? 500,
    taskQueuePrefix: run.prefix,
    ...sendOptions(run),
  }
  const handle = await startChild(transferWorkflow, {
    workflowId: step.id,
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  })
  let done = false
  handle.result().then(
    (result) => {
      done = true
      applyTransferResult(run, result, input)
    },
    (err: unknown) => {
      done = true
      upsertTransfer(state, { id: step.id, reason: `transfer workflow ended without a result: ${failureMessage(err)}` })
    },
  )
  return () => done
}

function applyTransferResult(run: Run, result: TransferResult, input: TransferInput): void {
  const { state } = run
  upsertTransfer(state, result.record)
  if (result.status === 'in-doubt') {
    const { from } = input.request
    state.blockedChains.push(
      blockForInDoubt({
        hedgeId: input.idempotencyKey,
        chain: from,
        chainId: input.fromChainId,
        reason: result.record.reason ?? 'transfer send in doubt',
        unsettled: result.unsettled ?? [],
        tokenOut: null,
        treasury: input.request.sender,
      }),
    )
  }
}

function discovered(t: Awaited<ReturnType<ReadActivities['pendingTransfers']>>[number]): TransferRecord {
  return newTransferRecord({
    id: `discovered-${t.bridge}-${t.transferId}`,
    bridge: t.bridge,
    asset: t.asset,
    from: t.from,
    to: t.to,
    amount: t.amount,
    expectedOutput: t.amount,
    transferId: t.transferId,
    state: t.state === 'delivered' || t.state === 'refunded' ? 'sent' : t.state,
    origin: 'discovered',
    originTxHash: t.originTxHash,
    reason: 'found on-chain, not sent by this portfolio',
  })
}
