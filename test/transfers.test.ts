import { WorkflowUpdateFailedError } from '@temporalio/client'
import type { ApplicationFailure } from '@temporalio/common'
import { type Address, erc20Abi, parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TransferRecord } from '../agent/plan/types.ts'
import { acrossSectionSchema } from '../chains/devnet/across/section.ts'
import { createDeliveryControl, type DeliveryControl, readLayerZeroSection } from '../chains/devnet/layerzero/index.ts'
import { type ChainKey, chainKeys } from '../chains/types.ts'
import { portfolioControls, waitForStatus } from '../temporal/client.ts'
import type { PortfolioStatus } from '../workflows/portfolioWorkflow.ts'
import { runKeel } from './fixtures/cli.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

const USDC = 10n ** 6n
const LZ = 'layerzero-v2-oft'
const ACROSS = 'across-v3'
const PORTFOLIO = 'mover'

let stack: Stack
let lz: DeliveryControl
let env: NodeJS.ProcessEnv
const settled: TransferRecord[] = []
let startUsdc = 0n

beforeAll(async () => {
  stack = await startStack({ name: 'transfers', devnet: { treasury: 'safe' } })
  await stack.startWorkers()
  lz = createDeliveryControl(readLayerZeroSection(stack.manifest)!.control.url)
  env = { TEMPORAL_ADDRESS: stack.temporal.address, KEEL_STATE_DIR: stack.stateDir }
  const delta = (await stack.exposure()).deltaWei
  await startAndObserve(stack, testMandate({ portfolio: PORTFOLIO, treasury: stack.treasury, targetEth: ethTarget(delta), bandEth: '50' }))
  await waitForStatus({ status: controls().status, done: (s) => s.cyclesCompleted >= 1 })
  startUsdc = await totalUsdc()
})

afterAll(async () => {
  await stack?.stop()
})

const controls = () => portfolioControls(stack.client, PORTFOLIO)
const usdcOf = (chain: ChainKey) =>
  stack.chains[chain].publicClient.readContract({
    address: stack.manifest.chains[chain].contracts.usdc,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [stack.treasury],
  })
/** Turns the Across relayer stand-in's knobs, or runs its dataworker (`/bundle`). */
const across = async (path: string, body: unknown) => {
  const url = acrossSectionSchema.parse(stack.manifest.bridges?.across).apiUrl
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
}
const totalUsdc = async () => (await Promise.all(chainKeys.map(usdcOf))).reduce((s, b) => s + b, 0n)
/** What the bridges kept of the transfers settled so far: a refund returns the whole amount. */
const keptSoFar = () => settled.reduce((s, t) => s + (t.state === 'refunded' ? 0n : BigInt(t.amount) - BigInt(t.settledAmount!)), 0n)
/** Value on the chains + what the ledger says is in flight + what the bridges kept = the start, to the wei. */
async function expectConserved(): Promise<void> {
  const inFlight = ((await controls().status()).transfers ?? [])
    .filter((t) => t.asset === 'USDC' && ['sent', 'verified', 'failed', 'expired'].includes(t.state))
    .reduce((s, t) => s + BigInt(t.amount), 0n)
  expect(await totalUsdc()).toBe(startUsdc - keptSoFar() - inFlight)
}

/** Asks for a transfer and waits until the portfolio's ledger shows it in a state `until` accepts. */
async function transfer(p: { amount: bigint; from: ChainKey; to: ChainKey; bridge: string; until: (t: TransferRecord) => boolean }) {
  const before = new Set(((await controls().status()).transfers ?? []).map((t) => t.id))
  await controls().requestTransfer({ asset: 'USDC', from: p.from, to: p.to, amount: p.amount.toString(), bridge: p.bridge })
  const mine = (s: PortfolioStatus) => (s.transfers ?? []).find((t) => !before.has(t.id))
  const s = await waitForStatus({
    status: controls().status,
    done: (x) => mine(x) !== undefined && p.until(mine(x)!),
    what: `the ${p.bridge} transfer`,
  }).catch(async (err: Error) => {
    const now = await controls().status()
    throw new Error(
      `${err.message}; plan: ${now.lastPlan}; transfers: ${JSON.stringify(now.transfers?.map((t) => [t.id, t.state, t.reason]))}`,
    )
  })
  return mine(s)!
}

describe('transfers through the portfolio over LayerZero V2', () => {
  test('arrive to the wei: the origin loses the amount, the destination gains what was quoted', async () => {
    const [fromBefore, toBefore] = await Promise.all([usdcOf('arbitrum'), usdcOf('base')])
    const t = await transfer({ amount: 1_000n * USDC, from: 'arbitrum', to: 'base', bridge: LZ, until: (x) => x.state === 'delivered' })
    settled.push(t)
    expect(t.transferId).toMatch(/^0x[0-9a-f]{64}$/)
    expect(t.settledAmount).toBe(t.expectedOutput)
    expect(t.settledAmount).toBe((1_000n * USDC).toString())
    expect(t.originTxHash).toMatch(/^0x/)
    expect(t.deliveryTxHash).toMatch(/^0x/)
    expect(BigInt(t.nativeFeeWei)).toBeGreaterThan(0n)
    expect(await usdcOf('arbitrum')).toBe(fromBefore - 1_000n * USDC)
    expect(await usdcOf('base')).toBe(toBefore + BigInt(t.settledAmount!))
  })

  test('a delivery that runs out of gas is re-executed with more gas by the transfer, and arrives once', async () => {
    const toBefore = await usdcOf('ethereum')
    await lz.addFault('out-of-gas')
    const states: string[] = []
    const t = await transfer({
      amount: 250n * USDC,
      from: 'base',
      to: 'ethereum',
      bridge: LZ,
      until: (x) => {
        if (states.at(-1) !== x.state) states.push(x.state)
        return x.state === 'delivered'
      },
    })
    settled.push(t)
    expect(states).toContain('failed')
    expect(await usdcOf('ethereum')).toBe(toBefore + 250n * USDC)
    const received = await stack.chains.ethereum.publicClient.getLogs({
      address: readLayerZeroSection(stack.manifest)!.chains.ethereum.oft as Address,
      event: parseAbiItem('event OFTReceived(bytes32 indexed guid, uint32 srcEid, address indexed toAddress, uint256 amountReceivedLD)'),
      args: { guid: t.transferId as `0x${string}` },
      fromBlock: 0n,
    })
    expect(received).toHaveLength(1)
  })

  test('a dropped packet keeps the transfer in flight, shown in status, until it is delivered', async () => {
    await lz.addFault('drop')
    // Ethereum's gas makes small moves dear per unit: 20,000 USDC stays within the 50 bp budget.
    const t = await transfer({ amount: 20_000n * USDC, from: 'ethereum', to: 'arbitrum', bridge: LZ, until: (x) => x.state === 'sent' })
    const cli = await runKeel(['status', PORTFOLIO], env)
    expect(cli.stdout).toContain(`${t.id} ${LZ} 20000.00 USDC ethereum → arbitrum: sent`)
    expect(cli.stdout).toContain('transfers: 1 in flight')
    await expectConserved()
    await new Promise((r) => setTimeout(r, 2_000))
    expect((await controls().status()).transfers?.find((x) => x.id === t.id)?.state).toBe('sent')
    await lz.deliver()
    const done = await waitForStatus({
      status: controls().status,
      done: (s) => s.transfers?.find((x) => x.id === t.id)?.state === 'delivered',
    })
    settled.push(done.transfers!.find((x) => x.id === t.id)!)
  })

  test('refuses bad requests by name before anything is quoted or sent', async () => {
    const nonce = await stack.chains.arbitrum.publicClient.getTransactionCount({ address: stack.treasury })
    const bad = [
      [{ asset: 'USDC', from: 'arbitrum', to: 'arbitrum', amount: '1' }, 'to'],
      [{ asset: 'USDC', from: 'arbitrum', to: 'base', amount: '0' }, 'amount'],
      [{ asset: 'USDC', from: 'arbitrum', to: 'base', amount: (10n ** 30n).toString() }, 'amount'],
      [{ asset: 'DAI', from: 'arbitrum', to: 'base', amount: '1' }, 'asset'],
      [{ asset: 'USDC', from: 'solana', to: 'base', amount: '1' }, 'from'],
    ] as const
    for (const [req, path] of bad) {
      const err = await controls()
        .requestTransfer(req as never)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError)
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure
      expect(cause.type).toBe('Keel.InvalidInputError')
      expect(((cause.details?.[0] ?? []) as { path: string }[]).map((i) => i.path)).toContain(path)
    }
    const cli = await runKeel(['transfer', '0', 'DAI', 'arbitrum', 'arbitrum', '--portfolio', PORTFOLIO], env)
    expect(cli.code).toBe(1)
    for (const path of ['asset', 'to']) expect(cli.stderr).toContain(`- ${path}:`)
    expect(await stack.chains.arbitrum.publicClient.getTransactionCount({ address: stack.treasury })).toBe(nonce)
  })
})

describe('transfers through the portfolio over Across V3', () => {
  test('arrive to the wei: the destination gains input − LP fee − relayer fee as keel quoted', async () => {
    const [fromBefore, toBefore] = await Promise.all([usdcOf('base'), usdcOf('ethereum')])
    const t = await transfer({
      amount: 10_000n * USDC,
      from: 'base',
      to: 'ethereum',
      bridge: ACROSS,
      until: (x) => x.state === 'delivered',
    })
    settled.push(t)
    expect(t.transferId).not.toBeNull()
    expect(BigInt(t.assetFee)).toBeGreaterThan(0n)
    expect(t.settledAmount).toBe(t.expectedOutput)
    expect(BigInt(t.settledAmount!)).toBe(10_000n * USDC - BigInt(t.assetFee))
    expect(await usdcOf('base')).toBe(fromBefore - 10_000n * USDC)
    expect(await usdcOf('ethereum')).toBe(toBefore + BigInt(t.settledAmount!))
  })

  test('a deposit nobody fills expires and is refunded on the origin to the wei', async () => {
    await across('/control', { fill: false })
    try {
      const fromBefore = await usdcOf('arbitrum')
      const t = await transfer({ amount: 3_000n * USDC, from: 'arbitrum', to: 'base', bridge: ACROSS, until: (x) => x.state === 'sent' })
      expect(await usdcOf('arbitrum')).toBe(fromBefore - 3_000n * USDC)
      await expectConserved()
      // Past the fill deadline on both chains (the destination's clock decides expiry).
      const deadline = BigInt(t.deadlineSec!)
      for (const c of chainKeys) {
        const now = (await stack.chains[c].publicClient.getBlock()).timestamp
        if (now <= deadline) await stack.chains[c].testClient.increaseTime({ seconds: Number(deadline - now) + 60 })
        await stack.chains[c].testClient.mine({ blocks: 1 })
      }
      await waitForStatus({
        status: controls().status,
        done: (s) => ['expired', 'refunded'].includes(s.transfers?.find((x) => x.id === t.id)?.state ?? ''),
      })
      await across('/bundle', {})
      const done = await waitForStatus({
        status: controls().status,
        done: (s) => s.transfers?.find((x) => x.id === t.id)?.state === 'refunded',
      })
      const refunded = done.transfers!.find((x) => x.id === t.id)!
      settled.push(refunded)
      expect(refunded.settledAmount).toBe((3_000n * USDC).toString())
      expect(await usdcOf('arbitrum')).toBe(fromBefore)
    } finally {
      await across('/control', { fill: true })
    }
  })

  test('WETH, which Across pays out as native ETH to an account, arrives as WETH: the transfer wraps it', async () => {
    const weth = (chain: ChainKey) =>
      stack.chains[chain].publicClient.readContract({
        address: stack.manifest.chains[chain].contracts.weth,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [stack.treasury],
      })
    const [fromBefore, toBefore] = await Promise.all([weth('arbitrum'), weth('ethereum')])
    const before = new Set(((await controls().status()).transfers ?? []).map((t) => t.id))
    await controls().requestTransfer({
      asset: 'WETH',
      from: 'arbitrum',
      to: 'ethereum',
      amount: (5n * 10n ** 18n).toString(),
      bridge: ACROSS,
    })
    const s = await waitForStatus({
      status: controls().status,
      done: (x) => (x.transfers ?? []).some((t) => !before.has(t.id) && t.state === 'delivered'),
    })
    const t = s.transfers!.find((x) => !before.has(x.id))!
    expect(await weth('arbitrum')).toBe(fromBefore - 5n * 10n ** 18n)
    expect(await weth('ethereum')).toBe(toBefore + BigInt(t.settledAmount!))
    expect(t.settledAmount).toBe(t.expectedOutput)
  })

  test('conserve the treasury USDC: across chains it is what it was, less what the bridges kept', async () => {
    expect(settled.map((t) => t.state).sort()).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'refunded'])
    expect(await totalUsdc()).toBe(startUsdc - keptSoFar())
  })
})
