import { parseArgs } from 'node:util'
import { z } from 'zod'
import { InvalidInputError } from '../../agent/errors.ts'
import { devnetDown, devnetUp } from '../../chains/devnet/devnet.ts'
import { readManifest } from '../../chains/devnet/manifest.ts'
import { createMarketSimulator } from '../../chains/devnet/market/marketSimulator.ts'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { portfolioControls, portfolioWorkflowId, startPortfolio, waitForStatus } from '../../temporal/client.ts'
import { loadMandateFile } from '../../temporal/mandateFile.ts'
import { createKeelWorkers } from '../../temporal/worker.ts'
import type { PortfolioStatus } from '../../workflows/portfolioWorkflow.ts'
import { eth, formatHedge, formatStatus, usdc } from '../format.ts'
import { connectRuntime, progress } from '../runtime.ts'

const flagsSchema = z.object({
  days: z.coerce.number().positive().max(60).default(3),
  seed: z.coerce.number().int().min(0).default(7),
  'step-minutes': z.coerce.number().int().min(1).max(1440).default(60),
  mandate: z.string().default('examples/mandate.yaml'),
  keep: z.boolean().default(false),
})

/**
 * `keel demo`: a devnet, Temporal, a worker and the example mandate, driven through a seeded
 * price path; prints each hedge and a summary, then stops what it started (unless --keep).
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      days: { type: 'string' },
      seed: { type: 'string' },
      'step-minutes': { type: 'string' },
      mandate: { type: 'string' },
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
  const { input, mandate } = await loadMandateFile(flags.mandate)
  const { config, temporal, client } = await connectRuntime()
  const cleanups: (() => Promise<unknown>)[] = []
  try {
    if (readManifest(config.stateDir)) await devnetDown({ stateDir: config.stateDir, log: progress })
    const { manifest } = await devnetUp({ stateDir: config.stateDir, seed: flags.seed, log: progress })
    if (!flags.keep) cleanups.push(() => devnetDown({ stateDir: config.stateDir, log: progress }))

    progress('worker: bundling workflows and starting the portfolio and chain queues')
    const workers = await createKeelWorkers({
      connectionOptions: temporal.connectionOptions,
      namespace: temporal.namespace,
      environment: fromManifest(manifest),
      signChains: ['ethereum', 'arbitrum', 'base'],
    })
    const running = workers.run()
    cleanups.unshift(async () => {
      workers.shutdown()
      await running
    })

    // A demo owns its portfolio id: a run left over from an earlier demo refers to a devnet that is gone.
    await client.workflow
      .getHandle(portfolioWorkflowId(mandate.portfolio))
      .terminate('superseded by a new keel demo')
      .catch(() => undefined)
    const { handle } = await startPortfolio({ client, mandate: { ...input, portfolio: mandate.portfolio } })
    const controls = portfolioControls(client, mandate.portfolio)
    let status = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, what: 'the first observation' })
    console.log(`\n${formatStatus(status)}\n`)

    const sim = await createMarketSimulator({ manifest, path: { stepSec: flags['step-minutes'] * 60 } })
    const ticks = Math.round((flags.days * 24 * 60) / flags['step-minutes'])
    let shown = status.hedges.length
    const startPrice = Number(sim.priceE8()) / 1e8
    for (let i = 1; i <= ticks; i++) {
      const tick = await sim.tick()
      const before = status.cyclesCompleted
      await controls.wake()
      status = await waitForStatus({
        status: controls.status,
        done: (s) =>
          s.cyclesCompleted > before && s.lastObservation !== null && BigInt(s.lastObservation.atChainTimeSec) >= tick.timestampSec,
        what: `the cycle after tick ${i}`,
      })
      const price = (Number(tick.priceE8) / 1e8).toFixed(2)
      for (const h of status.hedges.slice(shown)) console.log(`[t+${hours(i, flags['step-minutes'])}h ETH ${price}] ${formatHedge(h)}`)
      shown = status.hedges.length
      if ((i * flags['step-minutes']) % (24 * 60) === 0) {
        const o = status.lastObservation!
        console.log(
          `— day ${(i * flags['step-minutes']) / 1440}: ETH ${price}, delta ${eth(o.deltaWei, 2)} ETH (${o.insideBand ? 'inside' : 'outside'} band)`,
        )
      }
    }
    printSummary({ status, simulatedSec: ticks * flags['step-minutes'] * 60, startPrice, endPrice: Number(sim.priceE8()) / 1e8 })
    if (temporal.uiUrl) console.log(`Temporal UI: ${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${handle.workflowId}`)
    if (flags.keep) {
      console.log('kept running: the worker stops with this process; devnet and Temporal stay up (keel devnet down to stop the chains).')
    } else {
      await controls.pause('demo finished')
      cleanups.push(() => temporal.stop())
    }
    return 0
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => progress(`cleanup failed: ${String(err)}`))
  }
}

const hours = (tick: number, stepMinutes: number) => ((tick * stepMinutes) / 60).toFixed(0)

function printSummary(p: { status: PortfolioStatus; simulatedSec: number; startPrice: number; endPrice: number }): void {
  const done = p.status.hedges.filter((h) => h.status === 'completed')
  const sum = (f: (h: (typeof done)[number]) => string) => done.reduce((s, h) => s + BigInt(f(h)), 0n)
  const counts = new Map<string, number>()
  for (const h of done) counts.set(h.chain, (counts.get(h.chain) ?? 0) + 1)
  const byChain = [...counts].map(([c, n]) => `${c} ${n}`)
  console.log('\nsummary')
  console.log(`  simulated ${(p.simulatedSec / 86400).toFixed(2)} days, ETH ${p.startPrice.toFixed(2)} → ${p.endPrice.toFixed(2)}`)
  console.log(
    `  hedges: ${done.length} completed${byChain.length ? ` (${byChain.join(', ')})` : ''}, ${p.status.hedges.length - done.length} not completed`,
  )
  console.log(
    `  gas: ${eth(
      sum((h) => h.gasCostWei),
      6,
    )} ETH = ${usdc(sum((h) => h.gasCostUsdc))} USDC`,
  )
  console.log(`  slippage (fee + impact vs mid): ${usdc(sum((h) => h.slippageCostUsdc))} USDC`)
  const pct = ((100 * p.status.outsideBandSec) / p.simulatedSec).toFixed(2)
  console.log(
    `  time outside the band after acting: ${(p.status.outsideBandSec / 3600).toFixed(2)} h of ${(p.simulatedSec / 3600).toFixed(0)} h (${pct} %)`,
  )
}
