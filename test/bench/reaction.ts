import { pathToFileURL } from 'node:url'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import { portfolioExposure } from '../../agent/portfolio/exposure.ts'
import type { PortfolioStatus } from '../../agent/portfolio/state.ts'
import type { DevnetClients } from '../../chains/devnet/devnetClients.ts'
import { createMarketSimulator, type TickResult } from '../../chains/devnet/market/marketSimulator.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { createReadActivities } from '../../temporal/activities/createActivities.ts'
import type { ReadActivities } from '../../temporal/activities/types.ts'
import { portfolioControls, waitForStatus } from '../../temporal/client.ts'
import { createActivityDeps } from '../../temporal/worker.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from '../fixtures/stack.ts'
import type { Benchmark } from './benchmark.ts'

/**
 * How fast the portfolio loop reacts to a price move, in blocks, on a devnet whose chains mine at
 * the real chains' block times compressed tenfold (Ethereum 12 s → 1.2 s by the devnet's builder,
 * Base 2 s → 200 ms, Arbitrum 250 ms → 25 ms by a miner here). Peer: the interval-only loop at the
 * shortest interval a mandate allows (1 s), measured in the same run on the same devnet.
 * Then: how many portfolios one worker keeps within one block of a move, doubling until it breaks.
 */

const COMPRESSION = 10
const SHOCKS = Number(process.env.KEEL_BENCH_SHOCKS ?? 20)
const IDLE_MS = 10_000
const MAX_PORTFOLIOS = Number(process.env.KEEL_BENCH_MAX_PORTFOLIOS ?? 128)
const realBlockMs: Record<ChainKey, number> = { ethereum: 12_000, base: 2_000, arbitrum: 250 }
const blockMs = Object.fromEntries(chainKeys.map((c) => [c, realBlockMs[c] / COMPRESSION])) as Record<ChainKey, number>

type Miner = { pause(): Promise<void>; resume(): void; stop(): Promise<void> }

/** Mines an empty-or-not block every `ms` (anvil's interval mining counts whole seconds only). */
async function startMiner(clients: DevnetClients, ms: number): Promise<Miner> {
  await clients.testClient.setAutomine(false)
  await clients.testClient.setIntervalMining({ interval: 0 })
  let paused = false
  let stopped = false
  let inflight: Promise<unknown> = Promise.resolve()
  void (async () => {
    while (!stopped) {
      if (!paused) {
        inflight = clients.testClient.mine({ blocks: 1 }).catch(() => undefined)
        await inflight
      }
      await new Promise((r) => setTimeout(r, ms))
    }
  })()
  return {
    async pause() {
      paused = true
      await inflight
    },
    resume() {
      paused = false
    },
    async stop() {
      stopped = true
      await inflight
    },
  }
}

const quantile = (xs: bigint[], q: number): bigint => {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? -1n
}

type Reaction = { chain: ChainKey; blocks: bigint; wallMs: number }

type Bench = { stack: Stack; read: ReadActivities; shock(pct: number): Promise<TickResult> }

async function setUp(): Promise<{ bench: Bench; tearDown: () => Promise<void> }> {
  const stack = await startStack({ name: 'bench-reaction', devnet: { ethereumBlockMs: blockMs.ethereum } })
  const miners = await Promise.all((['arbitrum', 'base'] as const).map((c) => startMiner(stack.chains[c], blockMs[c])))
  // Interval 0 after each move: the chains stay with the miners above (and Ethereum with its builder).
  const sim = await createMarketSimulator({
    manifest: { ...stack.manifest, params: { ...stack.manifest.params, blockTimeSec: 0 } },
    path: { stepSec: 3600 },
  })
  await stack.startWorkers()
  const bench: Bench = {
    stack,
    read: createReadActivities(createActivityDeps({ environment: stack.environment, signChains: [] })),
    async shock(pct) {
      // The simulator lands each chain's move in a block it mines itself at a chosen time.
      await Promise.all(miners.map((m) => m.pause()))
      try {
        return await sim.shock({ pct })
      } finally {
        for (const m of miners) m.resume()
      }
    },
  }
  return {
    bench,
    tearDown: async () => {
      await Promise.all(miners.map((m) => m.stop()))
      await stack.stop()
    },
  }
}

/** Shock → hedge included, in blocks of the chain the hedge landed on, over `SHOCKS` alternating ±3 % moves. */
async function measureReaction(
  b: Bench,
  p: { portfolio: string; loop: MandateInput['loop']; chains: readonly ChainKey[]; bandEth: string },
) {
  const { stack } = b
  const chains = Object.fromEntries(p.chains.map((c) => [c, { treasury: stack.treasury }]))
  const probe = testMandate({ portfolio: 'bench-probe', treasury: stack.treasury, targetEth: '0', bandEth: '1', chains })
  const delta = portfolioExposure(await b.read.observePortfolio({ mandate: probe })).deltaWei
  const mandate = testMandate({
    portfolio: p.portfolio,
    treasury: stack.treasury,
    targetEth: ethTarget(delta),
    bandEth: p.bandEth,
    loop: p.loop,
    chains,
  })
  const { controls } = await startAndObserve(stack, mandate)
  let status = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
  const reactions: Reaction[] = []
  for (let i = 0; i < SHOCKS; i++) {
    // The status keeps the newest 50 hedge records: new ones are told by id, not by count.
    const seen = new Set(status.hedges.map((h) => h.id))
    const hedges = status.hedges.length
    const cycles = status.cyclesCompleted
    const t0 = Date.now()
    const shock = await b.shock(i % 2 === 0 ? -3 : 3)
    status = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.some((h) => !seen.has(h.id)) && s.cyclesCompleted > cycles && s.inFlight?.length === 0,
      timeoutMs: 90_000,
      what: `${p.portfolio}: the hedge after shock ${i + 1}`,
    }).catch(async (err: unknown) => {
      const s = await controls.status()
      const pending = (await controls.handle.describe()).raw.pendingActivities?.map((a) => `${a.activityType?.name} ${a.state}`)
      console.log(
        JSON.stringify(
          {
            hedges,
            cycles,
            now: {
              hedges: s.hedges.length,
              cycles: s.cyclesCompleted,
              inFlight: s.inFlight,
              lastWake: s.lastWake,
              marks: s.marketMarks,
              decision: s.lastDecision,
            },
            shock: shock.chains,
            pending,
          },
          (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
        ),
      )
      throw err
    })
    // The first hedge of the reaction (a capped one may be followed by more in the same cycle).
    const hedge = status.hedges.find((h) => !seen.has(h.id))!
    const hash = hedge.txHashes[hedge.txHashes.length - 1]
    if (hedge.status !== 'completed' || !hash) throw new Error(`${p.portfolio}: hedge ${hedge.id} ended ${hedge.status}`)
    const receipt = await stack.chains[hedge.chain].publicClient.getTransactionReceipt({ hash: hash as `0x${string}` })
    reactions.push({ chain: hedge.chain, blocks: receipt.blockNumber - shock.chains[hedge.chain].blockNumber, wallMs: Date.now() - t0 })
  }
  // Then a quiet market (blocks, no moves) for a while: how often each loop observes for nothing.
  const idleFrom = (await controls.status()).cyclesCompleted
  await new Promise((r) => setTimeout(r, IDLE_MS))
  const idleCycles = (await controls.status()).cyclesCompleted - idleFrom
  await controls.handle.terminate('bench phase done')
  return { reactions, idleObservationsPerMinute: (idleCycles * 60_000) / IDLE_MS }
}

/** How many block-woken portfolios observe within one block of a move, doubling the count until some do not. */
async function measureCapacity(b: Bench) {
  const { stack } = b
  const rows: CapacityRow[] = []
  const running: string[] = []
  let pct = 1
  for (let n = 1; n <= MAX_PORTFOLIOS; n *= 2) {
    while (running.length < n) {
      const portfolio = `bench-cap-${running.length}`
      const mandate = testMandate({ portfolio, treasury: stack.treasury, targetEth: '0', bandEth: '100000', loop: { intervalSec: 3600 } })
      await startAndObserve(stack, mandate)
      running.push(portfolio)
    }
    const controls = running.map((id) => portfolioControls(stack.client, id))
    const before = await statuses(controls, (s) => s.cyclesCompleted >= 1 && s.marketMarks !== undefined, 120_000)
    const shock = await b.shock(pct)
    pct = -pct
    const after = await statuses(controls, (s, i) => s.cyclesCompleted > (before[i]?.cyclesCompleted ?? 0), 60_000)
    // A portfolio that did not observe within the wait counts as far behind.
    const blocksOn = (c: ChainKey) =>
      after.map((s) => (s ? BigInt(s.marketMarks!.find((m) => m.chain === c)!.blockNumber) - shock.chains[c].blockNumber : 1_000_000n))
    const withinOne = Object.fromEntries(chainKeys.map((c) => [c, blocksOn(c).filter((x) => x <= 1n).length])) as Record<ChainKey, number>
    const eth = blocksOn('ethereum')
    rows.push({ portfolios: n, withinOne, p50: quantile(eth, 0.5), p99: quantile(eth, 0.99) })
    printCapacityRow(rows[rows.length - 1]!)
    if (withinOne.ethereum < n) break
  }
  await Promise.all(
    running.map((id) =>
      portfolioControls(stack.client, id)
        .handle.terminate('bench done')
        .catch(() => undefined),
    ),
  )
  return rows
}

/** Every status once `done` holds for each (polled once a second, so the queries do not load the worker much). */
async function statuses(
  controls: ReturnType<typeof portfolioControls>[],
  done: (s: PortfolioStatus, i: number) => boolean,
  waitMs: number,
): Promise<(PortfolioStatus | null)[]> {
  const out: (PortfolioStatus | null)[] = controls.map(() => null)
  const deadline = Date.now() + waitMs
  for (;;) {
    await Promise.all(
      controls.map(async (c, i) => {
        if (out[i]) return
        const s = await c.status().catch(() => null)
        if (s && done(s, i)) out[i] = s
      }),
    )
    // Past the deadline the ones still missing count as not having reacted.
    if (out.every((s) => s !== null) || Date.now() > deadline) return out
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

const fmt = (x: bigint | number | string) => String(x).padStart(8)

type CapacityRow = { portfolios: number; withinOne: Record<ChainKey, number>; p50: bigint; p99: bigint }

const printCapacityRow = (row: CapacityRow) =>
  console.log(
    `${String(row.portfolios).padEnd(12)}${String(row.withinOne.ethereum).padStart(12)}${String(row.withinOne.base).padStart(12)}${String(row.withinOne.arbitrum).padStart(12)}${fmt(row.p50)}${fmt(row.p99)}`,
  )

function reactionTable(rows: { name: string; r: Awaited<ReturnType<typeof measureReaction>> }[]) {
  console.log(`shock → hedge included, blocks of the chain hedged on, ${SHOCKS} shocks of ±3 % each`)
  console.log(`${'loop'.padEnd(34)}${fmt('p50')}${fmt('p99')}${fmt('max')}  ${'hedged on'.padEnd(28)}  wall p50  obs/min idle`)
  for (const { name, r } of rows) {
    const blocks = r.reactions.map((x) => x.blocks)
    const byChain = chainKeys.map((c) => `${c} ${r.reactions.filter((x) => x.chain === c).length}`).join(', ')
    const wall = quantile(
      r.reactions.map((x) => BigInt(x.wallMs)),
      0.5,
    )
    console.log(
      `${name.padEnd(34)}${fmt(quantile(blocks, 0.5))}${fmt(quantile(blocks, 0.99))}${fmt(quantile(blocks, 1))}  ${byChain.padEnd(28)}  ${`${wall} ms`.padStart(8)}  ${r.idleObservationsPerMinute.toFixed(1).padStart(12)}`,
    )
  }
  for (const c of chainKeys) {
    const per = rows.map(({ name, r }) => ({ name, xs: r.reactions.filter((x) => x.chain === c).map((x) => x.blocks) }))
    if (per.some((p) => p.xs.length === 0)) continue
    const [woken, peer] = per
    const ratio = Number(quantile(peer!.xs, 0.5)) / Math.max(1, Number(quantile(woken!.xs, 0.5)))
    console.log(
      `on ${c} (${blockMs[c]} ms blocks): p50 ${quantile(woken!.xs, 0.5)} vs ${quantile(peer!.xs, 0.5)} blocks, interval-only / block-woken = ${ratio.toFixed(2)}×`,
    )
  }
}

async function run(): Promise<void> {
  const { bench, tearDown } = await setUp()
  try {
    console.log(`devnet blocks: ${chainKeys.map((c) => `${c} ${blockMs[c]} ms`).join(', ')} (real block times / ${COMPRESSION})`)
    // All three chains (the hedge goes where it is cheapest), then Base alone (its own 200 ms blocks).
    const phases = [
      { label: 'all chains', chains: chainKeys, bandEth: '10' },
      { label: 'base only', chains: ['base'] as const, bandEth: '1' },
    ].filter((ph) => !process.env.KEEL_BENCH_PHASE || ph.label === process.env.KEEL_BENCH_PHASE)
    for (const { label, chains, bandEth } of phases) {
      const id = label.replace(' ', '-')
      const woken = await measureReaction(bench, {
        portfolio: `bench-woken-${id}`,
        loop: { intervalSec: 3600, wakeOnMoveBps: 50 },
        chains,
        bandEth,
      })
      const interval = await measureReaction(bench, {
        portfolio: `bench-interval-${id}`,
        loop: { intervalSec: 1, wakeOnMoveBps: null },
        chains,
        bandEth,
      })
      console.log(`\n### mandate on ${label}, band ${bandEth} ETH`)
      reactionTable([
        { name: 'block-woken (50 bps, interval 1 h)', r: woken },
        { name: 'interval-only (1 s)', r: interval },
      ])
    }
    console.log('\nportfolios on one worker, observation block − move block after a ±1 % move (ethereum 1.2 s blocks)')
    console.log(
      `${'portfolios'.padEnd(12)}${'≤1 blk eth'.padStart(12)}${'≤1 blk base'.padStart(12)}${'≤1 blk arb'.padStart(12)}${fmt('eth p50')}${fmt('eth p99')}`,
    )
    const capacity = await measureCapacity(bench)
    const last = capacity[capacity.length - 1]!
    if (last.withinOne.ethereum < last.portfolios) {
      const kept = capacity.length > 1 ? capacity[capacity.length - 2]!.portfolios : 0
      console.log(`breaks at ${last.portfolios} portfolios (${last.withinOne.ethereum} within one Ethereum block); keeps ${kept}`)
    } else console.log(`did not break up to ${last.portfolios} portfolios (KEEL_BENCH_MAX_PORTFOLIOS)`)
  } finally {
    await tearDown()
  }
}

export const benchmarks: Benchmark[] = [{ name: 'loop reaction to price moves (devnet, blocks)', run }]

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run()
