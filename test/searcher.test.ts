import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, createPublicClient, erc20Abi, type Hex, http, type PublicClient, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { withDevnet } from '../chains/devnet/devnet.ts'
import type { SandwichRecord } from '../chains/devnet/searcher/searcher.ts'
import { type SearcherHandle, searcherLogPath, startSearcher } from '../chains/devnet/searcher/startSearcher.ts'
import type { DevnetManifest } from '../chains/types.ts'
import { createKeelSwapper, type KeelSwapper, topUpTreasuryWeth } from './fixtures/swapLoss.ts'

// A real adversary on the devnet's Ethereum: the searcher process watches the public pool and
// bundles [front-run, victim, back-run] through the devnet relay. Losses are measured against the
// same swap simulated alone on the state before its block, and the searcher's gain from its
// balances and receipts to the wei.
//
// Sizes: the devnet pool holds ~48,600 ETH of depth per 100 % price move at a 0.05 % fee, so a
// sandwich pays 0.1 % of its front-run in fees and earns the victim's own price impact on it: it
// pays only for victims above ~2 × 0.05 % × 48,600 ≈ 49 ETH. 90 ETH is sandwiched; 5 ETH is not.

let manifest: DevnetManifest
let stop: () => Promise<void>
let stateDir: string
let client: PublicClient
let searcher: SearcherHandle
let swapper: KeelSwapper

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'keel-searcher-'))
  // One-second blocks: the searcher has most of a block to react, as it has 12 s on mainnet.
  ;({ manifest, stop } = await withDevnet({ stateDir, treasury: 'signer', ethereumBlockMs: 1_000 }))
  client = createPublicClient({ transport: http(manifest.chains.ethereum.rpcUrl) }) as PublicClient
  await topUpTreasuryWeth({ manifest, amount: parseEther('100') })
  searcher = await startSearcher({ manifest, stateDir })
  swapper = createKeelSwapper({ manifest, adversary: searcher.address })
})

afterAll(async () => {
  if (process.env.KEEL_SEARCHER_LOG)
    console.log(readFileSync(searcherLogPath(stateDir), 'utf8'), readFileSync(join(stateDir, 'devnet', 'relay.log'), 'utf8').slice(-3000))
  await searcher?.stop()
  await stop?.()
  if (stateDir) rmSync(stateDir, { recursive: true, force: true })
})

const contracts = () => manifest.chains.ethereum.contracts
const tokenBalance = (token: Address, owner: Address, blockNumber: bigint) =>
  client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner], blockNumber })

/** The searcher's record of `victim` once it has one that is settled (not waiting for its block). */
async function recordOf(victim: Hex): Promise<SandwichRecord> {
  for (let i = 0; i < 50; i++) {
    const r = (await searcher.status()).records.findLast((x) => x.victimHash === victim)
    if (r && r.status !== 'sent') return r
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`the searcher has no settled record of ${victim}`)
}

const sell = (amountIn: bigint, route: 'public' | 'bundle', key: string) =>
  swapper.swap({ tokenIn: contracts().weth, tokenOut: contracts().usdc, amountIn, slippageBps: 100, route, idempotencyKey: key })

describe('searcher', () => {
  test('sandwiches a public swap whose 1 % floor leaves room: the victim gets less, the searcher gains to the wei', async () => {
    const r = await sell(parseEther('90'), 'public', 'searcher-e2e-public')
    expect(r.sandwich).not.toBeNull()
    const block = await client.getBlock({ blockNumber: r.blockNumber })
    expect(block.transactions[r.txIndex - 1]).toBe(r.sandwich?.front)
    expect(block.transactions[r.txIndex + 1]).toBe(r.sandwich?.back)
    // Worse than alone, but never below the 1 % floor the victim signed.
    expect(r.received).toBeLessThan(r.counterfactual)
    expect(r.received).toBeGreaterThanOrEqual((r.counterfactual * 9_900n) / 10_000n - 1_000_000n)

    const record = await recordOf(r.hash)
    expect(record.status).toBe('included')
    expect([record.frontHash, record.backHash]).toEqual([r.sandwich?.front, r.sandwich?.back])

    const { weth, usdc } = contracts()
    const who = searcher.address
    const [n, prev] = [r.blockNumber, r.blockNumber - 1n]
    const [wethAfter, wethBefore, usdcAfter, usdcBefore, ethAfter, ethBefore] = await Promise.all([
      tokenBalance(weth, who, n),
      tokenBalance(weth, who, prev),
      tokenBalance(usdc, who, n),
      tokenBalance(usdc, who, prev),
      client.getBalance({ address: who, blockNumber: n }),
      client.getBalance({ address: who, blockNumber: prev }),
    ])
    const legs = await Promise.all([r.sandwich!.front, r.sandwich!.back].map((hash) => client.getTransactionReceipt({ hash })))
    const gasWei = legs.reduce((sum, l) => sum + l.gasUsed * l.effectiveGasPrice, 0n)
    // The back-run sells exactly what the front-run bought: the gain is all in WETH, the cost all in ETH.
    expect(usdcAfter).toBe(usdcBefore)
    expect(ethBefore - ethAfter).toBe(gasWei)
    const gainWei = wethAfter - wethBefore - gasWei
    expect(gainWei).toBeGreaterThan(0n)
    expect(gainWei).toBeLessThanOrEqual(BigInt(record.expectedProfit ?? '0') + gasWei)
  })

  test('does not touch the same swap sent as a Flashbots bundle: it receives exactly its counterfactual', async () => {
    const r = await sell(parseEther('90'), 'bundle', 'searcher-e2e-bundle')
    expect(r.sandwich).toBeNull()
    expect(r.received).toBe(r.counterfactual)
    expect(r.loss).toBe(0n)
    // The devnet builder passes bundle transactions through the node's pool while it assembles a block, so the
    // searcher may glimpse one there; it can never land anything around it.
    expect((await searcher.status()).records.filter((x) => x.victimHash === r.hash && x.status === 'included')).toEqual([])
  })

  test('leaves a 5 ETH public swap alone when the pool fee on the front-run exceeds what it could take', async () => {
    const r = await sell(parseEther('5'), 'public', 'searcher-e2e-small')
    expect(r.sandwich).toBeNull()
    expect(r.loss).toBe(0n)
    const record = await recordOf(r.hash)
    expect(record.status).toBe('skipped')
    expect(record.reason).toMatch(/^unprofitable/)
  })
})
