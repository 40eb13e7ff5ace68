import { executeChild, proxyActivities } from '@temporalio/workflow'
import type { PreparedTx } from '../adapters/types.ts'
import type { Mandate } from '../agent/mandate/schema.ts'
import { bestAskPerOptionUsd, gasWeiToUsdc, refitMark, settlementPaid, spotOf, transfersArriving } from '../agent/options/bookPricing.ts'
import type { GammaFloorDecision } from '../agent/options/gammaFloor.ts'
import { buyBackAsks, marginBuyBackPrices, respondToGammaFloor } from '../agent/options/gammaFloorResponse.ts'
import {
  describeRoll,
  gammaFloorBreach,
  marginTopUps,
  planRolls,
  type RollFunding,
  type RollRecord,
  type SeriesJson,
  type SettlementStep,
  settlementSteps,
} from '../agent/options/rolls.ts'
import { chainTime } from '../agent/portfolio/ledger.ts'
import { blockForInDoubt } from '../agent/portfolio/state.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../agent/portfolio/types.ts'
import type { SviParams } from '../agent/risk/svi.ts'
import type { ReadActivities } from '../temporal/activities/types.ts'
import { failureMessage } from './failures.ts'
import { decide, type Run, sendOptions } from './portfolioCycle.ts'
import { buyBackWorkflow, optionSettlementWorkflow, rollWorkflow } from './rollWorkflow.ts'

/**
 * The option book's part of a cycle: settle what expired, then roll every leg that holds nothing
 * into the series the planner chose (`agent/options/rolls.ts`), through child sagas. A roll that
 * needs approval waits in the state (status shows it) for `approveRoll` until its deadline, then
 * does what the mandate says. Returns whether anything was sent, so the cycle observes again
 * before it hedges, and the transfers that would bring a roll's collateral to the chain where it
 * pays best (the cycle plans them with its capital moves).
 */
export async function runOptionBook(
  run: Run,
  p: { mandate: Mandate; snapshot: PortfolioSnapshot; exposure: PortfolioExposure },
): Promise<{ acted: boolean; funding: RollFunding[] }> {
  const book = p.mandate.options
  const funding: RollFunding[] = []
  if (!book) return { acted: false, funding }
  const { state } = run
  const blocked = new Set(state.blockedChains.map((b) => b.chain))
  const chains = p.snapshot.chains.filter((c) => !blocked.has(c.chain))
  const now = chainTime(p.snapshot)
  let acted = false

  // 1. Expired series: price, settle, redeem; margined puts below their buffer: top up.
  const margin = marginTopUps(chains, state.rolls ?? [])
  for (const step of [...settlementSteps(chains), ...margin.filter((m): m is SettlementStep => m.kind !== 'margin-buy-back')]) {
    if (state.stopping) return { acted, funding }
    const obs = chains.find((c) => c.chain === step.chain)!
    state.optionSeq = (state.optionSeq ?? 0) + 1
    const id = `${run.portfolio}-option-${state.optionSeq}-${step.kind}`
    const vault = step.kind === 'settle-vault' ? obs.options?.vaults.find((v) => v.id === step.vaultId) : undefined
    const paidIn =
      step.kind === 'post-expiry-price' || step.kind === 'top-up'
        ? null
        : step.kind === 'settle-vault'
          ? (vault?.collateral?.asset ?? null)
          : obs.usdc
    decide(run, `options: ${step.kind} on ${step.chain} (expiry ${step.expirySec})`, now)
    const r = await executeChild(optionSettlementWorkflow, {
      workflowId: id,
      args: [
        {
          portfolio: run.portfolio,
          id,
          step,
          chainId: obs.chainId,
          treasury: obs.treasury,
          paidIn,
          taskQueuePrefix: run.prefix,
          ...sendOptions(run),
        },
      ],
    })
    acted = true
    if (r.status === 'in-doubt') {
      blockChain(run, { id, obs, reason: r.reason, unsettled: r.unsettled })
      return { acted, funding }
    }
    if (r.status !== 'done') {
      state.lastError = `options: ${step.kind} on ${step.chain} failed: ${r.reason}`
      continue
    }
    if (step.kind === 'settle-vault' && vault?.short) {
      const price = obs.options?.expiries?.find((e) => e.expirySec === step.expirySec)?.priceE8
      const collateral = BigInt(vault.collateral?.amount ?? '0')
      const returned = BigInt(r.received)
      const expiryPriceE8 = BigInt(price ?? '0')
      const { paidOut, paidOutUsdc } = settlementPaid({ isPut: vault.short.isPut, collateral, returned, expiryPriceE8 })
      state.rolls = (state.rolls ?? []).map((x) =>
        x.proposal.chain === step.chain && x.vaultId === step.vaultId && x.status === 'sold'
          ? {
              ...x,
              status: 'settled' as const,
              settlement: {
                expiryPriceE8: expiryPriceE8.toString(),
                collateralReturned: returned.toString(),
                paidOut: paidOut.toString(),
                paidOutUsdc: paidOutUsdc.toString(),
                atChainTimeSec: now.toString(),
              },
            }
          : x,
      )
    }
  }

  // A margined put whose top-up the chain's USDC cannot pay: part of it is bought back instead.
  for (const m of margin) {
    if (m.kind !== 'margin-buy-back' || state.stopping) continue
    const obs = chains.find((c) => c.chain === m.chain)!
    const spot = spotOf(p.exposure)[m.chain] ?? 0
    const prices = marginBuyBackPrices({
      series: m.series,
      amountE8: BigInt(m.amountE8),
      chain: obs,
      spotUsd: spot,
      markSvi: state.markFit?.svi ?? book.mark.svi,
    })
    decide(
      run,
      `options: ${m.chain} vault ${m.vaultId} short of margin and of USDC for a top-up: buying back ${Number(m.amountE8) / 1e8}`,
      now,
    )
    const r = await buyBack(run, {
      obs,
      rollId: m.rollId,
      vaultId: m.vaultId,
      otoken: m.otoken,
      series: m.series,
      amountE8: BigInt(m.amountE8),
      withdraw: 0n,
      maxDiscountBps: m.maxDiscountBps,
      ...prices,
      spotUsd: spot,
      now,
    })
    acted = r.txHashes.length > 0 || acted
  }

  // 2. The gamma floor: a breach is met by buying part of a short back or by hedging more often, by cost.
  if (!state.stopping) acted = (await meetGammaFloor(run, { ...p, chains })) || acted

  // 3. Rolls waiting for approval: approved, declined, or past their deadline.
  const approval = (r: RollRecord) => book.strategies[r.proposal.strategy]?.approval
  for (const r of state.rolls ?? []) {
    if (r.status !== 'awaiting-approval') continue
    if (r.approvedBy === undefined && Date.now() < (r.deadlineMs ?? 0)) continue
    const proceed = r.approvedBy !== undefined ? !r.approvedBy.startsWith('declined') : approval(r)?.onTimeout === 'proceed'
    if (!proceed) {
      setRoll(run, r.id, { status: 'skipped', error: r.approvedBy ?? 'no approval by the deadline: skipped as the mandate says' })
      continue
    }
    if (!chains.some((c) => c.chain === r.proposal.chain)) continue
    acted = (await roll(run, r.id, p.snapshot, spotOf(p.exposure), book.mark.svi)) || acted
  }

  // 4. Legs that hold nothing: the next series.
  const marked = state.markFit ? { ...book, mark: { svi: state.markFit.svi } } : book
  for (const choice of planRolls({
    book: marked,
    chains,
    spotUsd: spotOf(p.exposure),
    records: state.rolls ?? [],
    bookVega: p.exposure.vega,
    ...(p.mandate.capital ? { capital: { maxCostBps: p.mandate.capital.maxCostBps, inFlight: transfersArriving(state.transfers) } } : {}),
  })) {
    if (state.stopping || state.paused) break
    if (choice.status === 'none') {
      state.lastOptionNote = `strategy ${choice.strategy} ${choice.leg}: ${choice.reason}`
      continue
    }
    if (choice.status === 'fund') {
      state.lastOptionNote = `strategy ${choice.strategy} ${choice.leg}: ${choice.reason}`
      funding.push(choice.move)
      continue
    }
    state.rollSeq = (state.rollSeq ?? 0) + 1
    const id = `${run.portfolio}-roll-${state.rollSeq}`
    const needs = book.strategies[choice.proposal.strategy]!.approval
    const record: RollRecord = {
      id,
      proposal: choice.proposal,
      status: needs.required ? 'awaiting-approval' : 'rolling',
      proposedAtChainTimeSec: now.toString(),
      ...(needs.required ? { deadlineMs: Date.now() + needs.deadlineSec * 1000 } : {}),
    }
    state.rolls = [...(state.rolls ?? []), record]
    if (needs.required) {
      decide(run, `options: ${id} proposed (${describeRoll(record)}), waiting for approveRoll`, now)
      continue
    }
    acted = (await roll(run, id, p.snapshot, spotOf(p.exposure), book.mark.svi)) || acted
  }
  return { acted, funding }
}

const read = proxyActivities<Pick<ReadActivities, 'quoteOptions'>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 4, initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
})

/**
 * A gamma floor breach (agent/options/rolls.ts finds it, agent/options/gammaFloorResponse.ts
 * decides): the makers' asks for every sold short are read, and the cheaper of buying back part of
 * one or hedging the excess gamma more often wins. Hedging more often is what the Whalley–Wilmott
 * band already does with a larger gamma; the decision is recorded either way.
 */
async function meetGammaFloor(
  run: Run,
  p: { mandate: Mandate; snapshot: PortfolioSnapshot; exposure: PortfolioExposure; chains: PortfolioSnapshot['chains'] },
): Promise<boolean> {
  const { state } = run
  const book = p.mandate.options!
  const spotUsd = spotOf(p.exposure)
  const marked = state.markFit ? { ...book, mark: { svi: state.markFit.svi } } : book
  const breach = gammaFloorBreach({ book: marked, chains: p.chains, spotUsd, records: state.rolls ?? [] })
  if (!breach) return false
  const now = chainTime(p.snapshot)
  const legs = []
  for (const { short: s, wantedE8 } of buyBackAsks(breach, book.objectives.gammaFloor)) {
    let askUsd = Number.POSITIVE_INFINITY
    try {
      const treasury = p.snapshot.chains.find((c) => c.chain === s.chain)!.treasury
      const q = await read.quoteOptions({ chain: s.chain, otoken: s.otoken, side: 'buy', amountE8: wantedE8.toString(), treasury })
      askUsd = bestAskPerOptionUsd(q.quotes, wantedE8)
      if (!Number.isFinite(askUsd))
        state.lastOptionNote = `gamma floor: no ask for ${s.rollId}: ${q.quotes.map((x) => (x.status === 'ok' ? '' : `${x.maker}: ${x.reason}`)).join('; ')}`
    } catch (err) {
      state.lastError = `gamma floor: asks not read on ${s.chain}: ${failureMessage(err)}`
    }
    if (Number.isFinite(askUsd)) legs.push({ ...s, askUsd })
  }
  const {
    decision,
    hedgeMore,
    buyBack: chosen,
  } = respondToGammaFloor({
    mandate: p.mandate,
    breach,
    legs,
    chains: p.chains,
    spotUsd,
    markSvi: marked.mark.svi,
    hedges: state.hedges,
    nowSec: now,
  })
  state.lastGammaFloor = {
    atChainTimeSec: now.toString(),
    bookGamma: breach.bookGamma,
    floor: book.objectives.gammaFloor,
    decision: jsonOf(decision),
  }
  if (hedgeMore) state.hedgeMore = { untilChainTimeSec: hedgeMore.untilChainTimeSec.toString(), intervalSec: hedgeMore.intervalSec }
  if (!chosen) {
    decide(
      run,
      `options: gamma ${breach.bookGamma.toExponential(3)} below the floor ${book.objectives.gammaFloor}: ${decision.action}`,
      now,
    )
    return false
  }
  const { leg } = chosen
  decide(run, `options: gamma below the floor: buying back ${Number(chosen.amountE8) / 1e8} of ${leg.rollId}`, now)
  const r = await buyBack(run, {
    obs: p.chains.find((c) => c.chain === leg.chain)!,
    rollId: leg.rollId,
    vaultId: leg.vaultId,
    otoken: leg.otoken,
    series: leg.series,
    amountE8: chosen.amountE8,
    withdraw: chosen.withdraw,
    modelPriceUsdc: chosen.modelPriceUsdc,
    maxDiscountBps: leg.maxDiscountBps,
    gasCostUsdc: chosen.gasCostUsdc,
    spotUsd: spotUsd[leg.chain] ?? 0,
    now,
  })
  state.lastGammaFloor = {
    ...state.lastGammaFloor!,
    outcome: {
      id: r.id,
      status: r.status,
      maker: r.maker,
      paidUsdc: r.paidUsdc,
      burntE8: r.burntE8,
      reason: r.reason,
      rejected: r.rejected,
    },
  }
  return r.txHashes.length > 0
}

/** Buys part of a short back from the makers and burns it (`buyBackWorkflow`), recorded on its roll. */
async function buyBack(
  run: Run,
  p: {
    obs: PortfolioSnapshot['chains'][number]
    rollId: string | null
    vaultId: string
    otoken: `0x${string}`
    series: SeriesJson
    amountE8: bigint
    withdraw: bigint
    modelPriceUsdc: bigint
    maxDiscountBps: number
    gasCostUsdc: bigint
    spotUsd: number
    now: bigint
  },
) {
  const { state } = run
  const { obs } = p
  state.optionSeq = (state.optionSeq ?? 0) + 1
  const id = `${run.portfolio}-option-${state.optionSeq}-buy-back`
  const r = await executeChild(buyBackWorkflow, {
    workflowId: id,
    args: [
      {
        portfolio: run.portfolio,
        id,
        chain: obs.chain,
        chainId: obs.chainId,
        treasury: obs.treasury,
        usdc: obs.usdc,
        otoken: p.otoken,
        series: p.series,
        vaultId: p.vaultId,
        amountE8: p.amountE8.toString(),
        withdraw: p.withdraw.toString(),
        modelPriceUsdc: p.modelPriceUsdc.toString(),
        maxDiscountBps: p.maxDiscountBps,
        gasCostUsdc: p.gasCostUsdc.toString(),
        taskQueuePrefix: run.prefix,
        ...sendOptions(run),
      },
    ],
  })
  const record = (state.rolls ?? []).find((x) => x.id === p.rollId)
  if (record) {
    const gasUsdc = gasWeiToUsdc(r.gasCostWei, p.spotUsd)
    setRoll(run, record.id, {
      boughtBackE8: (BigInt(record.boughtBackE8 ?? '0') + BigInt(r.burntE8)).toString(),
      buyBackCostUsdc: (BigInt(record.buyBackCostUsdc ?? '0') + BigInt(r.paidUsdc)).toString(),
      gasCostUsdc: (BigInt(record.gasCostUsdc ?? '0') + gasUsdc).toString(),
    })
  }
  if (r.status === 'in-doubt') blockChain(run, { id, obs, reason: r.reason, unsettled: r.unsettled })
  decide(run, `options: ${id} ${r.status}${r.reason ? ` (${r.reason})` : ''}`, p.now)
  return { ...r, id }
}

/** A decision with its bigints as decimal strings, for the state. */
const jsonOf = (d: GammaFloorDecision): Record<string, string | number | null> =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : (v as string | number | null)]))

/** A step that ended in doubt blocks its chain until `keel unblock` settles what it signed. */
function blockChain(
  run: Run,
  p: { id: string; obs: PortfolioSnapshot['chains'][number]; reason: string | null; unsettled: PreparedTx[] | undefined },
): void {
  const { obs } = p
  run.state.blockedChains.push(
    blockForInDoubt({
      hedgeId: p.id,
      chain: obs.chain,
      chainId: obs.chainId,
      reason: p.reason ?? 'in doubt',
      unsettled: p.unsettled ?? [],
      tokenOut: null,
      treasury: obs.treasury,
    }),
  )
}

function setRoll(run: Run, id: string, patch: Partial<RollRecord>): void {
  run.state.rolls = (run.state.rolls ?? []).map((r) => (r.id === id ? { ...r, ...patch } : r))
}

/** Runs one roll's saga and records what it did; a send in doubt blocks its chain. */
async function roll(
  run: Run,
  id: string,
  snapshot: PortfolioSnapshot,
  spotUsd: Record<string, number>,
  prior: SviParams,
): Promise<boolean> {
  const { state } = run
  const record = (state.rolls ?? []).find((r) => r.id === id)!
  const obs = snapshot.chains.find((c) => c.chain === record.proposal.chain)!
  setRoll(run, id, { status: 'rolling' })
  decide(run, `options: rolling ${id}: ${describeRoll(record)}`, chainTime(snapshot))
  const r = await executeChild(rollWorkflow, {
    workflowId: id,
    args: [
      {
        portfolio: run.portfolio,
        rollId: id,
        proposal: record.proposal,
        treasury: obs.treasury,
        chainId: obs.chainId,
        usdc: obs.usdc,
        taskQueuePrefix: run.prefix,
        ...sendOptions(run),
      },
    ],
  })
  const spot = spotUsd[record.proposal.chain] ?? 0
  const gasCostUsdc = gasWeiToUsdc(r.gasCostWei, spot)
  setRoll(run, id, {
    status: r.status === 'in-doubt' ? 'failed' : r.status,
    ...(r.otoken ? { otoken: r.otoken } : {}),
    ...(r.vaultId ? { vaultId: r.vaultId } : {}),
    ...(r.maker ? { maker: r.maker } : {}),
    premiumUsdc: r.premiumUsdc,
    ...(r.vaultId ? { collateralDeposited: r.collateral } : {}),
    gasCostWei: r.gasCostWei,
    gasCostUsdc: gasCostUsdc.toString(),
    rejected: r.rejected,
    burntE8: r.burntE8,
    txHashes: r.txHashes,
    ...(r.reason ? { error: r.reason } : {}),
  })
  if (r.bids && r.bids.length > 0) {
    const refit = refitMark({ record, bids: r.bids, spot, nowSec: chainTime(snapshot), current: state.markFit?.svi ?? prior })
    if ('markFit' in refit) state.markFit = refit.markFit
    else state.lastOptionNote = refit.note
  }
  if (r.status === 'in-doubt') blockChain(run, { id, obs, reason: r.reason, unsettled: r.unsettled })
  decide(run, `options: ${id} ${r.status}${r.reason ? ` (${r.reason})` : ''}`, chainTime(snapshot))
  return r.txHashes.length > 0
}
