import { formatUnits } from 'viem'
import { formatAmount } from '../agent/money.ts'
import { describeRoll, type RollRecord } from '../agent/options/rolls.ts'
import type { TransferRecord } from '../agent/plan/types.ts'
import type { HedgeTotals } from '../agent/portfolio/ledger.ts'
import type { HedgeRecord, PortfolioStatus } from '../workflows/portfolioWorkflow.ts'

/** ETH with a fixed number of decimals, for humans (amounts stay exact underneath). */
export const eth = (wei: bigint | string, digits = 4): string => fixed(formatUnits(BigInt(wei), 18), digits)
export const usdc = (units: bigint | string, digits = 2): string => fixed(formatUnits(BigInt(units), 6), digits)

function fixed(decimal: string, digits: number): string {
  const [whole = '0', frac = ''] = decimal.split('.')
  return digits === 0 ? whole : `${whole}.${frac.padEnd(digits, '0').slice(0, digits)}`
}

/** One line per hedge: chain, size, cost, delta before → after. */
export function formatHedge(h: HedgeRecord): string {
  const size = `${h.direction === 'sell-eth' ? `sell ${eth(h.amountIn)} ETH` : `buy ETH for ${usdc(h.amountIn)} USDC`}${h.slice ? ' (slice)' : ''}${h.fundedBy?.length ? ` (funded by ${h.fundedBy.join(', ')})` : ''}`
  const got = h.direction === 'sell-eth' ? `${usdc(h.amountOut)} USDC` : `${eth(h.amountOut)} ETH`
  const after = h.deltaAfterWei === null ? '?' : eth(h.deltaAfterWei, 2)
  const tail =
    h.status === 'completed'
      ? `got ${got}${h.vsQuoteBps === undefined ? '' : ` (${h.vsQuoteBps >= 0 ? '+' : ''}${h.vsQuoteBps} bps vs quote)`}, est. cost ${usdc(h.estimatedCostUsdc)} USDC, gas ${eth(h.gasCostWei, 6)} ETH${formatSubmission(h)}`
      : `${h.status}: ${h.reason}`
  const settled = h.settled ? ` [in doubt, then ${h.settled.as}: ${h.settled.detail}]` : ''
  return `${h.id} ${h.chain.padEnd(8)} ${size} → ${tail}${settled}; delta ${eth(h.deltaBeforeWei, 2)} → ${after} ETH`
}

/** `via flashbots, 2 attempts, 2 blocks`: how a hedge went out. */
function formatSubmission(h: HedgeRecord): string {
  const s = h.submission
  if (!s) return ''
  return ` via ${s.route}, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${s.blocksWaited} block${s.blocksWaited === 1 ? '' : 's'}`
}

/** `flashbots: 12 hedges, 1.2 attempts and 1.1 blocks each (max 3)`, per route. */
export function formatRouteTotals(byRoute: NonNullable<HedgeTotals['byRoute']>): string[] {
  return Object.entries(byRoute).map(
    ([route, t]) =>
      `${route}: ${t.hedges} hedge${t.hedges === 1 ? '' : 's'}, ${(t.attempts / t.hedges).toFixed(1)} attempts and ${(t.blocksWaited / t.hedges).toFixed(1)} blocks to inclusion each (max ${t.maxBlocksWaited})`,
  )
}

/** The operator's view of a portfolio. */
export function formatStatus(s: PortfolioStatus): string {
  const state = s.stopping ? `  [STOPPING: ${s.stopping.reason}]` : s.paused ? '  [PAUSED]' : ''
  const lines = [`portfolio ${s.portfolio}${state}  cycles ${s.cycles}`, `decision: ${s.lastDecision}${decidedAt(s)}`]
  for (const f of s.inFlight ?? []) {
    const age = `${((s.workflowTimeMs - f.startedAtMs) / 1000).toFixed(0)} s`
    lines.push(
      f.kind === 'hedge'
        ? `in flight: ${f.id} ${f.direction} ${eth(f.sizeWei)} ETH on ${f.chain}${f.slice ? ' (slice)' : ''}, for ${age}`
        : `in flight: ${f.id} settling ${f.chain}, for ${age}`,
    )
  }
  if (s.lastError) lines.push(`last error: ${s.lastError}`)
  const o = s.lastObservation
  if (o) {
    lines.push(
      `delta ${eth(o.deltaWei, 3)} ETH, target ${eth(o.targetWei, 3)} ± ${eth(o.bandWei, 3)} (${o.insideBand ? 'inside' : 'OUTSIDE'} band), gamma ${o.gamma.toExponential(3)} ETH/USDC, chain time ${o.atChainTimeSec}`,
    )
    lines.push('chain      price      spot WETH     spot USDC      LP WETH       LP USDC      delta')
    for (const c of o.chains) {
      lines.push(
        [
          c.chain.padEnd(9),
          c.priceUsdc.toFixed(2).padStart(9),
          eth(c.spotWethWei, 3).padStart(12),
          usdc(c.spotUsdc).padStart(13),
          eth(c.lpWethWei, 3).padStart(12),
          usdc(c.lpUsdc).padStart(13),
          eth(c.deltaWei, 3).padStart(10),
        ].join(' '),
      )
    }
    const books = o.chains.filter((c) => c.options)
    if (books.length > 0) {
      lines.push('options    delta ETH   gamma ETH/USD   vega USD/vol pt   theta USD/day')
      for (const c of books) {
        const g = c.options!
        lines.push(
          [
            c.chain.padEnd(9),
            eth(g.deltaWei, 3).padStart(11),
            g.gamma.toExponential(3).padStart(15),
            g.vega.toFixed(2).padStart(17),
            g.theta.toFixed(2).padStart(15),
          ].join(' '),
        )
      }
      const objectives = s.mandate.options?.objectives
      const goals = objectives ? ` (limit ${objectives.vegaLimitUsdc}; theta target ${objectives.thetaTargetUsdcPerDay})` : ''
      lines.push(
        `book: vega ${(o.vega ?? 0).toFixed(2)} USD per vol point, theta ${(o.theta ?? 0).toFixed(2)} USD per day${goals} (delta and gamma above include it)`,
      )
    }
  }
  for (const b of s.blockedChains) {
    lines.push(`blocked: ${b.chain}${b.settling ? ' (settling)' : ''}: ${b.reason}`)
    for (const t of b.unsettled)
      lines.push(`  unsettled nonce ${t.nonce} ${t.hash} (${t.description}); keel unblock ${s.portfolio} ${b.chain} settles it`)
  }
  if (s.lastPlan) lines.push(`plan: ${s.lastPlan}`)
  const transfers = s.transfers ?? []
  const open = transfers.filter((t) => !['delivered', 'refunded', 'not-sent'].includes(t.state))
  const done = transfers.filter((t) => ['delivered', 'refunded', 'not-sent'].includes(t.state))
  if (transfers.length > 0) lines.push(`transfers: ${open.length} in flight, ${done.length} settled${done.length ? ' (last 5 below)' : ''}`)
  for (const t of [...open, ...done.slice(-5)]) lines.push(`  ${formatTransfer(t, s.workflowTimeMs)}`)
  const rolls = s.rolls ?? []
  if (rolls.length > 0) lines.push(`rolls: ${rolls.length} (last 5 below)`)
  for (const r of rolls.slice(-5)) lines.push(`  ${formatRoll(r, s.workflowTimeMs)}`)
  if (s.lastGammaFloor) {
    const g = s.lastGammaFloor
    lines.push(
      `gamma floor: book gamma ${g.bookGamma.toExponential(3)} below ${g.floor} at ${g.atChainTimeSec}: ${g.decision.action}${g.outcome ? ` (${g.outcome.id} ${g.outcome.status})` : ''}`,
    )
  }
  if (s.hedgeMore)
    lines.push(`hedging more often: every ${s.hedgeMore.intervalSec} s until chain time ${s.hedgeMore.untilChainTimeSec} (gamma floor)`)
  if (s.lastOptionNote) lines.push(`options: ${s.lastOptionNote}`)
  lines.push(`hedges: ${s.hedges.length}${s.hedges.length ? ' (last 5 below)' : ''}`)
  for (const r of formatRouteTotals(s.hedgeTotals?.byRoute ?? {})) lines.push(`  sent ${r}`)
  for (const h of s.hedges.slice(-5)) lines.push(`  ${formatHedge(h)}`)
  return lines.join('\n')
}

/** One roll: its series, premium and state; a roll awaiting approval says how long is left and how to answer. */
export function formatRoll(r: RollRecord, nowMs: number): string {
  const head = `${r.id} ${r.status}: ${describeRoll(r)}`
  const extra: string[] = []
  if (r.status === 'awaiting-approval') {
    const left = Math.max(0, Math.round(((r.deadlineMs ?? 0) - nowMs) / 1000))
    extra.push(`${left} s left; keel approve-roll <portfolio> ${r.id} [--decline]`)
  }
  if (r.maker) extra.push(`sold to ${r.maker}`)
  if (r.boughtBackE8) extra.push(`bought back ${formatAmount(BigInt(r.boughtBackE8), 8, 4)} for ${usdc(r.buyBackCostUsdc ?? '0')} USDC`)
  if (r.settlement)
    extra.push(`settled at ${(Number(r.settlement.expiryPriceE8) / 1e8).toFixed(2)}, paid ${usdc(r.settlement.paidOutUsdc)} USDC`)
  if (r.error && r.status !== 'sold' && r.status !== 'settled') extra.push(r.error)
  return extra.length ? `${head} (${extra.join('; ')})` : head
}

/** When the shown decision was taken, in chain time and how long ago (workflow clock). */
function decidedAt(s: PortfolioStatus): string {
  const at = s.lastDecisionAt
  if (!at) return ''
  const ago = `${Math.max(0, Math.round((s.workflowTimeMs - at.workflowTimeMs) / 1000))} s ago`
  return at.chainTimeSec ? ` (at chain time ${at.chainTimeSec}, ${ago})` : ` (${ago})`
}

/** One line per transfer: route, amount, where it is, what arrived and what it cost. */
export function formatTransfer(t: TransferRecord, _nowMs: number): string {
  const amount = (a: string) => (t.asset === 'WETH' ? `${eth(a)} WETH` : `${usdc(a)} USDC`)
  const arrived =
    t.settledAmount === null
      ? `expected ${amount(t.expectedOutput)}`
      : `${t.state === 'refunded' ? 'refunded' : 'arrived'} ${amount(t.settledAmount)}`
  const secs =
    t.sentAtChainTimeSec && t.settledAtChainTimeSec
      ? `, ${Number(BigInt(t.settledAtChainTimeSec) - BigInt(t.sentAtChainTimeSec))} s in flight`
      : ''
  const fees = `fees ${amount(t.assetFee)} + ${eth(t.nativeFeeWei, 6)} ETH, gas ${eth(t.gasCostWei, 6)} ETH`
  const why = t.reason && !['delivered', 'refunded'].includes(t.state) ? `; ${t.reason}` : ''
  const via = t.submission
    ? `, sent via ${t.submission.route} in ${t.submission.blocksWaited} block${t.submission.blocksWaited === 1 ? '' : 's'}`
    : ''
  return `${t.id} ${t.bridge} ${amount(t.amount)} ${t.from} → ${t.to}: ${t.state}${t.transferId ? ` (${t.transferId.slice(0, 18)})` : ''}${via}, ${arrived}${secs}, ${fees}${why}`
}
