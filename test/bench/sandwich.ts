import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatUnits, parseEther } from 'viem'
import { maxBigint } from '../../agent/money.ts'
import { withDevnet } from '../../chains/devnet/devnet.ts'
import { readManifest } from '../../chains/devnet/manifest.ts'
import { startSearcher } from '../../chains/devnet/searcher/startSearcher.ts'
import type { DevnetManifest } from '../../chains/types.ts'
import { createKeelSwapper, type SwapLoss, type SwapRoute, topUpTreasuryWeth } from '../fixtures/swapLoss.ts'
import type { Benchmark } from './benchmark.ts'

// What the public mempool costs a keel swap on the devnet's Ethereum with a sandwich searcher
// running, against the same swap sent as a Flashbots bundle in the same run. Each swap goes through
// keel's production path (Uniswap V3 adapter, executor prepare, then submit or submitBundle through
// the Flashbots client); its loss is the same swap simulated alone on the state before its block
// minus what it received. Needs anvil and ~1 minute: `npm run bench:sandwich`, not part of
// `npm run bench`. KEEL_BENCH_STATE_DIR=<dir> runs on a devnet already up there instead of a fresh one.

const ROUNDS = 3
const SLIPPAGE_BPS = 100
/** A keel hedge on the devnet, and a swap large enough to pay for a sandwich in a 0.05 % pool ~48,600 ETH deep. */
const SIZES_ETH = ['5', '90'] as const
const ROUTES: readonly SwapRoute[] = ['public', 'bundle']

type Row = { sizeEth: string; route: SwapRoute; losses: SwapLoss[] }

async function withBenchDevnet<T>(fn: (manifest: DevnetManifest, stateDir: string) => Promise<T>): Promise<T> {
  const given = process.env.KEEL_BENCH_STATE_DIR
  if (given) {
    const manifest = readManifest(given)
    if (!manifest) throw new Error(`no devnet manifest in ${given}`)
    return fn(manifest, given)
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'keel-bench-sandwich-'))
  // One-second blocks: the searcher gets most of a block to react (12 s on mainnet).
  const devnet = await withDevnet({ stateDir, treasury: 'signer', ethereumBlockMs: 1_000 })
  try {
    return await fn(devnet.manifest, stateDir)
  } finally {
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

async function measureAll(): Promise<{ rows: Row[]; searcherGain: string }> {
  return withBenchDevnet(async (manifest, stateDir) => {
    const need = SIZES_ETH.reduce((sum, s) => sum + parseEther(s), 0n) * BigInt(ROUNDS * ROUTES.length)
    await topUpTreasuryWeth({ manifest, amount: need })
    const searcher = await startSearcher({ manifest, stateDir })
    try {
      const swapper = createKeelSwapper({ manifest, adversary: searcher.address })
      const { weth, usdc } = manifest.chains.ethereum.contracts
      const rows: Row[] = SIZES_ETH.flatMap((sizeEth) => ROUTES.map((route) => ({ sizeEth, route, losses: [] as SwapLoss[] })))
      const run = `${Date.now()}`
      // Interleaved, so the pool's drift (every sale lowers the price) falls on both routes alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const row of rows) {
          row.losses.push(
            await swapper.swap({
              tokenIn: weth,
              tokenOut: usdc,
              amountIn: parseEther(row.sizeEth),
              slippageBps: SLIPPAGE_BPS,
              route: row.route,
              idempotencyKey: `bench-sandwich-${run}-${row.sizeEth}-${row.route}-${round}`,
            }),
          )
        }
      }
      const status = await searcher.status()
      const gain = status.records.filter((r) => r.status === 'included').reduce((sum, r) => sum + BigInt(r.expectedProfit ?? '0'), 0n)
      const count = (s: string) => status.records.filter((r) => r.status === s).length
      const verdicts = `bundles included ${count('included')}, missed ${count('missed')}; victims skipped ${count('skipped')}`
      return { rows, searcherGain: `${formatUnits(gain, 18)} WETH (net of gas); ${verdicts}` }
    } finally {
      await searcher.stop()
    }
  })
}

const usdc = (amount: bigint) => Number(formatUnits(amount, 6)).toFixed(2)

function printTable(rows: readonly Row[]): void {
  console.log(`${ROUNDS} swaps per row, WETH → USDC at ${SLIPPAGE_BPS} bps slippage; loss = counterfactual − received, in USDC`)
  console.log('| size | route | sandwiched | mean loss | max loss | mean loss (bps of counterfactual) |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    const n = BigInt(r.losses.length)
    const total = r.losses.reduce((s, l) => s + l.loss, 0n)
    const max = r.losses.reduce((m, l) => maxBigint(m, l.loss), 0n)
    const cf = r.losses.reduce((s, l) => s + l.counterfactual, 0n)
    const bps = cf === 0n ? 0 : Number((total * 1_000_000n) / cf) / 100
    const sandwiched = r.losses.filter((l) => l.sandwich).length
    console.log(
      `| ${r.sizeEth} ETH | ${r.route} | ${sandwiched}/${r.losses.length} | ${usdc(total / n)} | ${usdc(max)} | ${bps.toFixed(2)} |`,
    )
  }
  for (const sizeEth of SIZES_ETH) {
    const mean = (route: SwapRoute) => {
      const ls = rows.find((r) => r.sizeEth === sizeEth && r.route === route)?.losses ?? []
      return ls.reduce((s, l) => s + l.loss, 0n) / BigInt(Math.max(1, ls.length))
    }
    console.log(`${sizeEth} ETH: public loses ${usdc(mean('public'))} USDC per swap more than the bundle (bundle: ${usdc(mean('bundle'))})`)
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sandwich loss: public mempool vs Flashbots bundle (devnet searcher running)',
    async run() {
      const { rows, searcherGain } = await measureAll()
      printTable(rows)
      console.log(`searcher: simulated gain over the included sandwiches ${searcherGain}`)
    },
  },
]

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const b of benchmarks) {
    console.log(`## ${b.name}`)
    await b.run()
  }
}
