import { createWalletClient, erc20Abi, http } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { MandateInput } from '../agent/mandate/schema.ts'
import type { TransferRecord } from '../agent/plan/types.ts'
import { acrossSectionSchema } from '../chains/devnet/across/section.ts'
import { devnetAccounts } from '../chains/devnet/devnetClients.ts'
import { chainKeys } from '../chains/types.ts'
import { portfolioControls, waitForStatus } from '../temporal/client.ts'
import type { PortfolioStatus } from '../workflows/portfolioWorkflow.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

const ETH = 10n ** 18n
const PORTFOLIO = 'funded'
const ACROSS = 'across-v3'

let stack: Stack
/** Ethereum's WETH after the drain: the deepest pool, but not the capital for a 40 ETH hedge. */
const ETHEREUM_WETH = 5n * ETH

beforeAll(async () => {
  stack = await startStack({ name: 'funded' })
  // Before keel's workers hold the treasury key: send most of Ethereum's WETH away.
  const { publicClient } = stack.chains.ethereum
  const wallet = createWalletClient({
    account: devnetAccounts().treasury,
    chain: publicClient.chain,
    transport: http(stack.manifest.chains.ethereum.rpcUrl),
  })
  const weth = stack.manifest.chains.ethereum.contracts.weth
  const held = (await stack.balances('ethereum')).weth
  const hash = await wallet.writeContract({
    address: weth,
    abi: erc20Abi,
    functionName: 'transfer',
    args: ['0x000000000000000000000000000000000000dEaD', held - ETHEREUM_WETH],
  })
  expect((await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100 })).status).toBe('success')
  await stack.startWorkers()
})

afterAll(async () => {
  await stack?.stop()
})

const controls = () => portfolioControls(stack.client, PORTFOLIO)
const across = async (path: string, body: unknown) => {
  const url = acrossSectionSchema.parse(stack.manifest.bridges?.across).apiUrl
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
}
const blockOf = async (hash: string) =>
  (await stack.chains.ethereum.publicClient.getTransactionReceipt({ hash: hash as `0x${string}` })).blockNumber
const transferOf = (s: PortfolioStatus, id: string): TransferRecord => s.transfers!.find((t) => t.id === id)!

/** Sell 40 ETH: Ethereum's pool takes it whole within 30 bp, Arbitrum's and Base's only in slices. */
const mandateFor = async (): Promise<MandateInput & { portfolio: string }> => {
  const delta = (await stack.exposure()).deltaWei
  const m = testMandate({
    portfolio: PORTFOLIO,
    treasury: stack.treasury,
    targetEth: ethTarget(delta - 40n * ETH),
    bandEth: '5',
    capital: { chains: {}, maxCostBps: 30, bridges: [ACROSS], fundHedges: { maxDelaySec: 45 } },
  })
  m.hedge = { ...m.hedge, maxSlippageBps: 30 }
  return m
}

describe('a hedge funded by a transfer', () => {
  test('moves the WETH first, then hedges on the chain it arrived on with what arrived', async () => {
    const [eth0, arb0, base0] = await Promise.all([stack.balances('ethereum'), stack.balances('arbitrum'), stack.balances('base')])
    expect(eth0.weth).toBe(ETHEREUM_WETH)
    await startAndObserve(stack, await mandateFor())
    const s = await waitForStatus({
      status: controls().status,
      done: (x) => x.hedges.some((h) => h.status !== 'completed' || h.fundedBy?.length),
      what: 'a funded hedge',
    })
    const funded = s.hedges.find((h) => h.fundedBy?.length)
    expect(funded, `${s.lastPlan} / ${s.lastDecision}`).toMatchObject({ status: 'completed', chain: 'ethereum', slice: false })
    // Per ETH, Ethereum's own 5 WETH is the cheapest slice of all; the rest waits for the transfer
    // rather than going to Arbitrum's shallower pool (7 USDC per ETH there vs about 4 with the bridge).
    const before = s.hedges.slice(0, s.hedges.indexOf(funded!))
    expect(before.map((h) => [h.chain, h.status, h.limitedBy])).toEqual([['ethereum', 'completed', 'balance']])
    const t = transferOf(s, funded!.fundedBy![0]!)
    expect(t).toMatchObject({ state: 'delivered', asset: 'WETH', to: 'ethereum', bridge: ACROSS, origin: 'capital-policy' })
    const arrived = BigInt(t.settledAmount!)
    expect(arrived).toBe(BigInt(t.expectedOutput))
    // The funded hedge spent what arrived (the slice had spent the rest), never more.
    const spentBefore = before.reduce((sum, h) => sum + BigInt(h.amountIn), 0n)
    expect(spentBefore).toBe(ETHEREUM_WETH)
    expect(BigInt(funded!.amountIn)).toBeGreaterThan(34n * ETH)
    expect(BigInt(funded!.amountIn)).toBeLessThanOrEqual(ETHEREUM_WETH - spentBefore + arrived)
    // In that order on the chain: the swap is mined after the fill that delivered the WETH.
    expect(await blockOf(funded!.txHashes.at(-1)!)).toBeGreaterThan(await blockOf(t.deliveryTxHash!))
    // To the wei on both chains.
    const [eth1, origin1] = await Promise.all([stack.balances('ethereum'), stack.balances(t.from)])
    expect(eth1.weth).toBe(ETHEREUM_WETH + arrived - spentBefore - BigInt(funded!.amountIn))
    expect(eth1.usdc).toBe(eth0.usdc + s.hedges.reduce((sum, h) => sum + BigInt(h.amountOut), 0n))
    expect(origin1.weth).toBe((t.from === 'arbitrum' ? arb0 : base0).weth - BigInt(t.amount))
    const done = await waitForStatus({ status: controls().status, done: (x) => x.lastObservation?.insideBand === true })
    expect(done.hedges).toHaveLength(s.hedges.length)
  })

  test('a funding transfer that does not arrive in time leaves the hedge unsent and is never funded twice', async () => {
    await across('/control', { fill: false })
    const before = await controls().status()
    const eth0 = await stack.balances('ethereum')
    const origins = { arbitrum: await stack.balances('arbitrum'), base: await stack.balances('base') }
    const m = await mandateFor()
    // The update wakes the loop itself; a second wake here would queue another cycle right behind the
    // funded one and hide its decision.
    await controls().updateMandate(m, { confirmed: true })
    const waiting = await waitForStatus({
      status: controls().status,
      done: (x) => (x.transfers ?? []).length > before.transfers!.length && (x.lastDecision ?? '').startsWith('funded hedge'),
      what: 'the funded hedge to give up waiting',
      timeoutMs: 120_000,
    })
    const t = waiting.transfers!.at(-1)!
    expect(t).toMatchObject({ asset: 'WETH', to: 'ethereum', state: 'sent' })
    expect(waiting.lastDecision).toContain(`not sent: ${t.id} is sent`)
    // No hedge was funded by it, and Ethereum's WETH moved only by what hedges sold of what was there
    // (a slice of Ethereum's remainder may come first when it is cheaper per ETH): nothing on its way was spent.
    const since = waiting.hedges.slice(before.hedges.length)
    expect(since.filter((h) => h.fundedBy?.includes(t.id))).toEqual([])
    const soldOnEthereum = since
      .filter((h) => h.chain === 'ethereum' && h.status === 'completed')
      .reduce((sum, h) => sum + BigInt(h.amountIn), 0n)
    expect(soldOnEthereum).toBeLessThanOrEqual(eth0.weth)
    expect((await stack.balances('ethereum')).weth).toBe(eth0.weth - soldOnEthereum)
    // The next cycle does not fund Ethereum again while that WETH is on its way.
    await controls().wake()
    const next = await waitForStatus({
      status: controls().status,
      done: (x) => x.cyclesCompleted > waiting.cyclesCompleted,
      what: 'the next cycle',
    })
    expect(next.transfers!.filter((x) => x.asset === 'WETH' && x.to === 'ethereum' && x.state === 'sent')).toHaveLength(1)
    // Never filled: past its deadline it is refunded on the origin to the wei.
    const origin0Weth = origins[t.from as 'arbitrum' | 'base'].weth
    const deadline = BigInt(transferOf(next, t.id).deadlineSec!)
    for (const c of chainKeys) {
      const now = (await stack.chains[c].publicClient.getBlock()).timestamp
      if (now <= deadline) await stack.chains[c].testClient.increaseTime({ seconds: Number(deadline - now) + 60 })
      await stack.chains[c].testClient.mine({ blocks: 1 })
    }
    await waitForStatus({ status: controls().status, done: (x) => ['expired', 'refunded'].includes(transferOf(x, t.id).state) })
    await across('/bundle', {})
    const refunded = await waitForStatus({ status: controls().status, done: (x) => transferOf(x, t.id).state === 'refunded' })
    expect(transferOf(refunded, t.id).settledAmount).toBe(t.amount)
    // Hedges since then sold WETH where it was (Ethereum's remainder included), never what was on its way.
    const soldOn = (chain: string) =>
      refunded.hedges
        .slice(before.hedges.length)
        .filter((h) => h.chain === chain && h.status === 'completed')
        .reduce((sum, h) => sum + BigInt(h.amountIn), 0n)
    expect((await stack.balances(t.from)).weth).toBe(origin0Weth - soldOn(t.from))
    expect((await stack.balances('ethereum')).weth).toBe(eth0.weth - soldOn('ethereum'))
  })
})
