import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { labOnLivePath } from '../../agent/backtest/labOnLivePath.ts'
import { BaseError, InvalidInputError } from '../../agent/errors.ts'
import { defaultChainCostParams } from '../../agent/hedging/constants.ts'
import { type Mandate, parseMandate } from '../../agent/mandate/schema.ts'
import { type LedgerPeriod, ledgerByPeriod } from '../../agent/options/attribution.ts'
import { bookSvg, type DeltaPoint } from '../../agent/options/bookSvg.ts'
import type { RollRecord } from '../../agent/options/rolls.ts'
import { addHedgeToTotals, emptyHedgeTotals } from '../../agent/portfolio/ledger.ts'
import { sviTotalVariance } from '../../agent/risk/svi.ts'
import { devnetReset, devnetUp } from '../../chains/devnet/devnet.ts'
import { createMarketSimulator } from '../../chains/devnet/market/marketSimulator.ts'
import { chainKeys } from '../../chains/types.ts'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { portfolioControls, portfolioWorkflowId, startPortfolio, waitForStatus } from '../../temporal/client.ts'
import { redactLogsFor } from '../../temporal/logging.ts'
import { loadMandateFile } from '../../temporal/mandateFile.ts'
import type { TemporalHandle } from '../../temporal/server.ts'
import { createKeelWorkers } from '../../temporal/worker.ts'
import type { PortfolioStatus } from '../../workflows/portfolioWorkflow.ts'
import { eth, formatHedge, formatRoll, formatRouteTotals, formatStatus, formatTransfer, usdc } from '../format.ts'
import { connectRuntime, progress, signalExitCode, stopSignals } from '../runtime.ts'
import { createStopList, type StopList, type Stoppable } from '../stopList.ts'

const flagsSchema = z.object({
  days: z.coerce.number().positive().max(60).default(28),
  seed: z.coerce.number().int().min(0).default(7),
  'step-minutes': z.coerce.number().int().min(1).max(1440).default(480),
  mandate: z.string().default('examples/mandate.yaml'),
  /** Overrides the option book's hedge policy (the WW-vs-band comparison runs the same path twice). */
  'hedge-policy': z.enum(['band', 'whalley-wilmott', 'time-or-price']).optional(),
  svg: z.string().default('keel-demo.svg'),
  keep: z.boolean().default(false),
})

/**
 * `keel demo`: a fresh devnet, Temporal, a worker and the example mandate, driven through a seeded
 * price path; prints each hedge and a summary, then stops what it started (unless --keep). On
 * SIGINT/SIGTERM it stops everything it started (a Temporal server it reused stays) and
 * terminates its workflow, one line each, and exits 130/143.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      days: { type: 'string' },
      seed: { type: 'string' },
      'step-minutes': { type: 'string' },
      mandate: { type: 'string' },
      'hedge-policy': { type: 'string' },
      svg: { type: 'string' },
      keep: { type: 'boolean' },
    },
  })
  const parsed = flagsSchema.safeParse(values)
  if (!parsed.success) {
    throw new InvalidInputError({
      what: 'arguments of keel demo',
      issues: parsed.error.issues.map((i) => ({
        path: `--${i.path.join('.')}`,
        message: `${i.message} (got ${JSON.stringify(values[i.path[0] as keyof typeof values])})`,
      })),
    })
  }
  const flags = parsed.data
  const loaded = await loadMandateFile(flags.mandate)
  const { mandate } = loaded
  const policy = flags['hedge-policy']
  const input =
    policy && loaded.input.options ? { ...loaded.input, options: { ...loaded.input.options, hedgePolicy: policy } } : loaded.input
  const stops = createStopList(progress)
  const signals = stopSignals({ again: () => progress('demo: already stopping what it started') })
  const run = runDemo({ flags, input, mandate, stops, abort: signals.signal })
  // Settled below, whichever way the race goes.
  run.catch(() => undefined)
  try {
    const outcome = await Promise.race([run.then(() => 'done' as const), signals.received])
    if (outcome === 'done') {
      await stops.runAll({ keep: flags.keep })
      return 0
    }
    progress(`demo: ${outcome} received; stopping what the demo started`)
    await stops.runAll()
    return signalExitCode(outcome)
  } catch (err) {
    await stops.runAll()
    throw err
  } finally {
    signals.dispose()
  }
}

type DemoParams = {
  flags: z.infer<typeof flagsSchema>
  input: Awaited<ReturnType<typeof loadMandateFile>>['input']
  mandate: Awaited<ReturnType<typeof loadMandateFile>>['mandate']
  stops: StopList
  abort: AbortSignal
}

async function runDemo(p: DemoParams): Promise<void> {
  const { flags, mandate, stops, abort } = p
  const { config, temporal, client } = await stops.starting(connectRuntime())
  stops.add(temporalStoppable(temporal))
  checkAborted(abort)

  // The demo's chains always start fresh: its price path and figures assume the seeded start.
  const { manifest } = await stops.starting(devnetUp({ stateDir: config.stateDir, seed: flags.seed, log: progress, fresh: true }))
  const pids = chainKeys.map((k) => manifest.chains[k].pid).join(', ')
  stops.add({
    stop: () =>
      saying(devnetReset({ stateDir: config.stateDir, log: () => {} }), `stopped the devnet (anvil pids ${pids}) and removed its state`),
    leave: () => `left the devnet running (anvil pids ${pids}); keel devnet down stops it`,
  })
  checkAborted(abort)

  progress('worker: bundling workflows and starting the portfolio and chain queues')
  redactLogsFor(chainKeys.map((k) => manifest.chains[k].rpcUrl))
  const workers = await stops.starting(
    createKeelWorkers({
      connectionOptions: temporal.connectionOptions,
      namespace: temporal.namespace,
      environment: fromManifest(manifest),
      signChains: ['ethereum', 'arbitrum', 'base'],
      shutdownGraceSec: config.worker.shutdownGraceSec,
    }),
  )
  checkAborted(abort)
  const running = workers.run()
  stops.add({
    stop: async () => {
      workers.shutdown()
      await running.catch(() => undefined)
      return 'stopped the worker'
    },
  })

  // A demo owns its portfolio id: a run left over from an earlier demo refers to a devnet that is gone.
  const workflowId = portfolioWorkflowId(mandate.portfolio)
  await client.workflow
    .getHandle(workflowId)
    .terminate('superseded by a new keel demo')
    .catch(() => undefined)
  // The demo's market jumps hours per tick, chain after chain, and the demo wakes the loop once per tick
  // itself; waking on each chain's move would observe half-moved markets. `npm run bench` measures block wake.
  const loop = { ...(p.input.loop ?? {}), wakeOnMoveBps: null }
  const { handle } = await stops.starting(startPortfolio({ client, mandate: { ...p.input, portfolio: mandate.portfolio, loop } }))
  stops.add({
    // Its devnet is about to go: a paused workflow would only be found "already running" by the next keel run.
    stop: () => saying(handle.terminate('keel demo stopped: its devnet is gone'), `terminated workflow ${workflowId}`),
    leave: () => `left workflow ${workflowId} running; keel pause ${mandate.portfolio} or terminate it in the Temporal UI`,
  })
  const controls = portfolioControls(client, mandate.portfolio)
  let status = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, what: 'the first observation' })
  console.log(`\n${formatStatus(status)}\n`)

  const sim = await createMarketSimulator({ manifest, path: { stepSec: flags['step-minutes'] * 60 } })
  const ticks = Math.round((flags.days * 24 * 60) / flags['step-minutes'])
  const startPrice = Number(sim.priceE8()) / 1e8
  let shown = status.hedges.length
  const printed = new Set<string>()
  const rollsSeen = new Map<string, string>()
  const points: DeltaPoint[] = []
  const prices: number[] = [startPrice]
  for (let i = 1; i <= ticks; i++) {
    checkAborted(abort)
    const tick = await sim.tick()
    const before = status.cyclesCompleted
    await controls.wake()
    status = await waitForStatus({
      status: controls.status,
      done: (s) =>
        s.cyclesCompleted > before && s.lastObservation !== null && BigInt(s.lastObservation.atChainTimeSec) >= tick.timestampSec,
      what: `the cycle after tick ${i}`,
    })
    // A tick is an hour of market; a transfer takes seconds to minutes: let what is in flight land first.
    if (inFlight(status)) {
      status = await waitForStatus({
        status: controls.status,
        done: (s) => !inFlight(s),
        timeoutMs: 60_000,
        what: `the transfers after tick ${i}`,
      }).catch(async () => {
        progress(`tick ${i}: a transfer is still in flight after 60 s; going on (keel status shows it)`)
        return controls.status()
      })
    }
    const price = (Number(tick.priceE8) / 1e8).toFixed(2)
    prices.push(Number(tick.priceE8) / 1e8)
    const o = status.lastObservation
    if (o)
      points.push({
        tSec: Number(o.atChainTimeSec),
        deltaEth: Number(BigInt(o.deltaWei)) / 1e18,
        targetEth: Number(BigInt(o.targetWei)) / 1e18,
        bandEth: Number(BigInt(o.bandWei)) / 1e18,
      })
    for (const r of status.rolls ?? []) {
      if (rollsSeen.get(r.id) === r.status || r.status === 'rolling') continue
      rollsSeen.set(r.id, r.status)
      console.log(`[t+${hours(i, flags['step-minutes'])}h ETH ${price}] roll ${formatRoll(r, status.workflowTimeMs)}`)
    }
    for (const h of status.hedges.slice(shown)) console.log(`[t+${hours(i, flags['step-minutes'])}h ETH ${price}] ${formatHedge(h)}`)
    shown = status.hedges.length
    for (const t of (status.transfers ?? []).filter((x) => !printed.has(x.id) && ['delivered', 'refunded', 'not-sent'].includes(x.state))) {
      printed.add(t.id)
      console.log(`[t+${hours(i, flags['step-minutes'])}h ETH ${price}] ${formatTransfer(t, status.workflowTimeMs)}`)
    }
    if ((i * flags['step-minutes']) % (24 * 60) === 0) {
      const o = status.lastObservation!
      console.log(
        `— day ${(i * flags['step-minutes']) / 1440}: ETH ${price}, delta ${eth(o.deltaWei, 2)} ETH (${o.insideBand ? 'inside' : 'outside'} band)`,
      )
    }
  }
  printSummary({ status, simulatedSec: ticks * flags['step-minutes'] * 60, startPrice, endPrice: Number(sim.priceE8()) / 1e8 })
  if ((status.rolls ?? []).length > 0) {
    const weeks = printBookLedger(status, points)
    printLabComparison({ status, prices, stepSec: flags['step-minutes'] * 60, mandate: parseMandate(p.input), weeks })
    const rollsAt = (status.rolls ?? [])
      .filter((r) => r.premiumUsdc && BigInt(r.premiumUsdc) > 0n)
      .map((r) => Number(r.proposedAtChainTimeSec))
    await writeFile(flags.svg, bookSvg({ title: `${mandate.portfolio}: delta vs band, P&L per week`, points, rollsAtSec: rollsAt, weeks }))
    console.log(`wrote ${flags.svg} (delta vs band over time, P&L attribution per week)`)
  }
  if (temporal.uiUrl) console.log(`Temporal UI: ${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${handle.workflowId}`)
}

/** Stops a dev server this demo started; one it reused or a remote service is left alone, and the line says how to stop it. */
function temporalStoppable(t: TemporalHandle): Stoppable {
  if (t.origin === 'started')
    return {
      stop: () => saying(t.stop(), `stopped the Temporal dev server pid ${t.pid} at ${t.address} (the demo started it)`),
      leave: () => `left the Temporal dev server pid ${t.pid} at ${t.address} running; keel temporal stop stops it`,
    }
  const left =
    t.origin === 'reused'
      ? `left the Temporal dev server pid ${t.pid} at ${t.address} running (it was running before the demo); keel temporal stop stops it`
      : `left Temporal at ${t.address} alone (TEMPORAL_ADDRESS: not keel's to stop)`
  return { stop: async () => left, leave: () => left }
}

/** The line to print once `work` is done. */
async function saying(work: Promise<unknown>, line: string): Promise<string> {
  await work
  return line
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DemoInterruptedError()
}

/** The operator stopped the demo; only ever thrown inside it, to unwind what is under way. */
class DemoInterruptedError extends BaseError {
  override name = 'Keel.DemoInterruptedError' as const
  constructor() {
    super('keel demo was interrupted')
  }
}

const hours = (tick: number, stepMinutes: number) => ((tick * stepMinutes) / 60).toFixed(0)

/** Transfers whose funds are still between chains. */
const inFlight = (s: PortfolioStatus): boolean =>
  (s.transfers ?? []).some((t) => ['planned', 'sending', 'sent', 'verified', 'failed', 'expired'].includes(t.state))

function printSummary(p: { status: PortfolioStatus; simulatedSec: number; startPrice: number; endPrice: number }): void {
  // The totals count every hedge; the record list keeps only the newest.
  const t = p.status.hedgeTotals ?? p.status.hedges.reduce(addHedgeToTotals, emptyHedgeTotals())
  const byChain = Object.entries(t.byChain).map(([c, n]) => `${c} ${n}`)
  console.log('\nsummary')
  console.log(`  simulated ${(p.simulatedSec / 86400).toFixed(2)} days, ETH ${p.startPrice.toFixed(2)} → ${p.endPrice.toFixed(2)}`)
  console.log(`  hedges: ${t.completed} completed${byChain.length ? ` (${byChain.join(', ')})` : ''}, ${t.notCompleted} not completed`)
  console.log(`  gas: ${eth(BigInt(t.gasCostWei), 6)} ETH = ${usdc(BigInt(t.gasCostUsdc))} USDC`)
  console.log(`  slippage (fee + impact vs mid): ${usdc(BigInt(t.slippageCostUsdc))} USDC`)
  console.log(`  hedges cut short by the balance on their chain: ${t.cutShortByBalance}`)
  if (t.funded > 0) console.log(`  hedges funded by a transfer first: ${t.funded}`)
  for (const r of formatRouteTotals(t.byRoute ?? {})) console.log(`  sent ${r}`)
  const transfers = (p.status.transfers ?? []).filter((t) => t.state === 'delivered' || t.state === 'refunded')
  const bridgeCost = transfers.reduce((s, t) => s + BigInt(t.costUsdc), 0n)
  const inFlightSec = transfers.reduce(
    (s, t) =>
      s + (t.sentAtChainTimeSec && t.settledAtChainTimeSec ? Number(BigInt(t.settledAtChainTimeSec) - BigInt(t.sentAtChainTimeSec)) : 0),
    0,
  )
  const byBridge = new Map<string, number>()
  for (const t of transfers) byBridge.set(t.bridge, (byBridge.get(t.bridge) ?? 0) + 1)
  console.log(
    `  transfers: ${transfers.length} settled${byBridge.size ? ` (${[...byBridge].map(([b, n]) => `${b} ${n}`).join(', ')})` : ''}, bridge fees + gas ${usdc(bridgeCost)} USDC, ${(inFlightSec / 60).toFixed(1)} min in flight in all`,
  )
  console.log(`  total cost (gas + slippage + bridges): ${usdc(BigInt(t.gasCostUsdc) + BigInt(t.slippageCostUsdc) + bridgeCost)} USDC`)
  const pct = ((100 * p.status.outsideBandSec) / p.simulatedSec).toFixed(2)
  console.log(
    `  time outside the band after acting: ${(p.status.outsideBandSec / 3600).toFixed(2)} h of ${(p.simulatedSec / 3600).toFixed(0)} h (${pct} %)`,
  )
}

/**
 * The option book's ledger: every roll (series, strike, delta, premium, what settlement paid), then
 * each week's P&L attributed to delta, gamma, theta and vega beside premiums, settlements and costs,
 * and the live loop's tracking: time outside the band and the RMS distance of delta from target.
 */
function printBookLedger(status: PortfolioStatus, points: readonly DeltaPoint[]): LedgerPeriod[] {
  const rolls = status.rolls ?? []
  console.log('\nrolls')
  console.log('  id                       status    chain     series                  delta   premium USDC   settlement paid USDC')
  for (const r of rolls) {
    const p = r.proposal
    const series = `${Number(BigInt(p.series.strikeE8) / 10n ** 8n)}${p.leg === 'call' ? 'C' : 'P'} ${new Date(Number(p.series.expirySec) * 1000).toISOString().slice(0, 10)}`
    console.log(
      [
        `  ${r.id.padEnd(24)}`,
        r.status.padEnd(9),
        p.chain.padEnd(9),
        `${eth(BigInt(p.amountE8) * 10n ** 10n, 1)} × ${series}`.padEnd(23),
        p.delta.toFixed(3).padStart(6),
        usdc(r.premiumUsdc ?? '0').padStart(14),
        (r.settlement ? usdc(r.settlement.paidOutUsdc) : '-').padStart(22),
      ].join(' '),
    )
  }
  const weeks = ledgerByPeriod({ pnl: status.pnl ?? [], hedges: status.hedges, rolls, periodDays: 7 })
  console.log('\nP&L per week, USD (attributed with the Greeks at the start of each step)')
  console.log('  week of       delta      gamma      theta   vega    premium  settlement  hedge costs  roll gas  rolls hedges')
  const f = (v: number, w: number) => v.toFixed(2).padStart(w)
  for (const w of weeks)
    console.log(
      `  ${w.day}  ${f(w.delta, 9)}  ${f(w.gamma, 9)}  ${f(w.theta, 9)}  ${f(w.vega, 5)}  ${f(w.premium, 9)}  ${f(-w.settlementPaid, 10)}  ${f(-w.hedgeCosts, 11)}  ${f(-w.rollGas, 8)}  ${String(w.rolls).padStart(5)} ${String(w.hedges).padStart(6)}`,
    )
  const total = (k: keyof LedgerPeriod) => weeks.reduce((s, w) => s + (w[k] as number), 0)
  console.log(
    `  total: theta ${total('theta').toFixed(2)}, premium ${total('premium').toFixed(2)}, settlement paid ${total('settlementPaid').toFixed(2)}, hedge costs ${total('hedgeCosts').toFixed(2)}, roll gas ${total('rollGas').toFixed(2)}`,
  )
  const deviations = points.map((p) => p.deltaEth - p.targetEth)
  const rms = Math.sqrt(deviations.reduce((s, d) => s + d * d, 0) / Math.max(1, deviations.length))
  console.log(`  tracking: RMS of delta − target over ${points.length} observations ${rms.toFixed(3)} ETH`)
  return weeks
}

/**
 * The lab's prediction for this run: the same price path (one price per observation), the option
 * legs the first rolls wrote (moneyness and size), rolled weekly from the start at the mark's ATM
 * vol, hedged by the lab's policy of the same kind with the lab's cost model. The live book also
 * holds the treasury's spot and two Uniswap LPs, whose gamma the live loop hedges too; the lab's
 * book is the options alone, so the two hedge costs bracket what the options cost to hedge.
 */
function printLabComparison(p: {
  status: PortfolioStatus
  prices: number[]
  stepSec: number
  mandate: Mandate
  weeks: readonly LedgerPeriod[]
}): void {
  const book = p.mandate.options
  if (!book) return
  const first = new Map<string, RollRecord>()
  for (const r of p.status.rolls ?? []) {
    const key = `${r.proposal.strategy}:${r.proposal.leg}`
    if (!first.has(key) && r.premiumUsdc && BigInt(r.premiumUsdc) > 0n) first.set(key, r)
  }
  const spot0 = p.prices[0]!
  const legs = [...first.values()].map((r) => ({
    kind: r.proposal.leg,
    moneyness: Number(BigInt(r.proposal.series.strikeE8)) / 1e8 / spot0,
    quantity: -Number(BigInt(r.proposal.amountE8)) / 1e8,
  }))
  if (legs.length === 0) return
  const vol = Math.sqrt(sviTotalVariance(book.mark.svi, 0))
  const policy =
    book.hedgePolicy === 'whalley-wilmott'
      ? ({ kind: 'whalley-wilmott', riskAversion: book.riskAversion } as const)
      : ({ kind: 'band', bandEth: Number(p.mandate.delta.bandEth) / 1e18 } as const)
  const lab = labOnLivePath({ prices: p.prices, stepSec: p.stepSec, legs, tenorDays: 7, vol, chains: defaultChainCostParams, policy })
  const t = p.status.hedgeTotals ?? p.status.hedges.reduce(addHedgeToTotals, emptyHedgeTotals())
  const liveCost = (Number(t.gasCostUsdc) + Number(t.slippageCostUsdc)) / 1e6
  const theta = p.weeks.reduce((s, w) => s + w.theta, 0)
  const premium = p.weeks.reduce((s, w) => s + w.premium, 0)
  console.log(`\nlive vs lab on this path (${book.hedgePolicy})`)
  console.log(
    `  live: theta ${theta.toFixed(2)} USD, premium ${premium.toFixed(2)} USD, hedge cost ${liveCost.toFixed(2)} USD over ${t.completed} hedges (options + spot + LPs)`,
  )
  console.log(
    `  lab:  option legs ${legs.map((l) => `${l.quantity} ${l.kind} @ ${l.moneyness.toFixed(3)}`).join(', ')} at ${(vol * 100).toFixed(1)} % vol: book P&L ${lab.bookPnl.toFixed(2)} USD, hedge cost ${lab.cost.toFixed(2)} USD over ${lab.trades} trades`,
  )
}
