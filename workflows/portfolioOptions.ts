import { executeChild } from '@temporalio/workflow'
import type { Mandate } from '../agent/mandate/schema.ts'
import { describeRoll, planRolls, type RollRecord, settlementSteps } from '../agent/options/rolls.ts'
import { chainTime } from '../agent/portfolio/ledger.ts'
import { blockForInDoubt } from '../agent/portfolio/state.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../agent/portfolio/types.ts'
import { decide, type Run } from './portfolioCycle.ts'
import { optionSettlementWorkflow, rollWorkflow } from './rollWorkflow.ts'

/**
 * The option book's part of a cycle: settle what expired, then roll every leg that holds nothing
 * into the series the planner chose (`agent/options/rolls.ts`), through child sagas. A roll that
 * needs approval waits in the state (status shows it) for `approveRoll` until its deadline, then
 * does what the mandate says. Returns whether anything was sent, so the cycle observes again
 * before it hedges.
 */
export async function runOptionBook(
  run: Run,
  p: { mandate: Mandate; snapshot: PortfolioSnapshot; exposure: PortfolioExposure },
): Promise<boolean> {
  const book = p.mandate.options
  if (!book) return false
  const { state } = run
  const blocked = new Set(state.blockedChains.map((b) => b.chain))
  const chains = p.snapshot.chains.filter((c) => !blocked.has(c.chain))
  const now = chainTime(p.snapshot)
  let acted = false

  // 1. Expired series: price, settle, redeem.
  for (const step of settlementSteps(chains)) {
    if (state.stopping) return acted
    const obs = chains.find((c) => c.chain === step.chain)!
    state.optionSeq = (state.optionSeq ?? 0) + 1
    const id = `${run.portfolio}-option-${state.optionSeq}-${step.kind}`
    const vault = step.kind === 'settle-vault' ? obs.options?.vaults.find((v) => v.id === step.vaultId) : undefined
    const paidIn = step.kind === 'post-expiry-price' ? null : step.kind === 'settle-vault' ? (vault?.collateral?.asset ?? null) : obs.usdc
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
          ...(run.submitAttempts === undefined ? {} : { submitAttempts: run.submitAttempts }),
        },
      ],
    })
    acted = true
    if (r.status === 'in-doubt') {
      state.blockedChains.push(
        blockForInDoubt({
          hedgeId: id,
          chain: obs.chain,
          chainId: obs.chainId,
          reason: r.reason ?? 'in doubt',
          unsettled: r.unsettled ?? [],
          tokenOut: null,
          treasury: obs.treasury,
        }),
      )
      return acted
    }
    if (r.status !== 'done') {
      state.lastError = `options: ${step.kind} on ${step.chain} failed: ${r.reason}`
      continue
    }
    if (step.kind === 'settle-vault' && vault?.short) {
      const price = obs.options?.expiries?.find((e) => e.expirySec === step.expirySec)?.priceE8
      const collateral = BigInt(vault.collateral?.amount ?? '0')
      const returned = BigInt(r.received)
      const isPut = vault.short.isPut
      const expiryPriceE8 = BigInt(price ?? '0')
      // What the series paid its holders, in collateral and in USDC at the expiry price.
      const paidOut = collateral - returned
      const paidOutUsdc = isPut ? paidOut : (paidOut * expiryPriceE8) / 10n ** 20n
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

  // 2. Rolls waiting for approval: approved, declined, or past their deadline.
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
    acted = (await roll(run, r.id, p.snapshot, spotOf(p.exposure))) || acted
  }

  // 3. Legs that hold nothing: the next series.
  for (const choice of planRolls({ book, chains, spotUsd: spotOf(p.exposure), records: state.rolls ?? [] })) {
    if (state.stopping || state.paused) break
    if (choice.status === 'none') {
      state.lastOptionNote = `strategy ${choice.strategy} ${choice.leg}: ${choice.reason}`
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
    acted = (await roll(run, id, p.snapshot, spotOf(p.exposure))) || acted
  }
  return acted
}

const spotOf = (exposure: PortfolioExposure): Record<string, number> =>
  Object.fromEntries(exposure.chains.map((c) => [c.chain, c.priceUsdc]))

function setRoll(run: Run, id: string, patch: Partial<RollRecord>): void {
  run.state.rolls = (run.state.rolls ?? []).map((r) => (r.id === id ? { ...r, ...patch } : r))
}

/** Runs one roll's saga and records what it did; a send in doubt blocks its chain. */
async function roll(run: Run, id: string, snapshot: PortfolioSnapshot, spotUsd: Record<string, number>): Promise<boolean> {
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
        ...(run.submitAttempts === undefined ? {} : { submitAttempts: run.submitAttempts }),
      },
    ],
  })
  const spot = spotUsd[record.proposal.chain] ?? 0
  const gasCostUsdc = BigInt(Math.round((Number(r.gasCostWei) * spot) / 1e12))
  setRoll(run, id, {
    status: r.status === 'in-doubt' ? 'failed' : r.status,
    ...(r.otoken ? { otoken: r.otoken } : {}),
    ...(r.vaultId ? { vaultId: r.vaultId } : {}),
    ...(r.maker ? { maker: r.maker } : {}),
    premiumUsdc: r.premiumUsdc,
    gasCostWei: r.gasCostWei,
    gasCostUsdc: gasCostUsdc.toString(),
    rejected: r.rejected,
    burntE8: r.burntE8,
    txHashes: r.txHashes,
    ...(r.reason ? { error: r.reason } : {}),
  })
  if (r.status === 'in-doubt')
    state.blockedChains.push(
      blockForInDoubt({
        hedgeId: id,
        chain: obs.chain,
        chainId: obs.chainId,
        reason: r.reason ?? 'in doubt',
        unsettled: r.unsettled ?? [],
        tokenOut: null,
        treasury: obs.treasury,
      }),
    )
  decide(run, `options: ${id} ${r.status}${r.reason ? ` (${r.reason})` : ''}`, chainTime(snapshot))
  return r.txHashes.length > 0
}
