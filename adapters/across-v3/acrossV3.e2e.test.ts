import { setTimeout as sleep } from 'node:timers/promises'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { spokePoolStandInAbi } from '../../chains/devnet/across/abis.ts'
import { loadAcrossArtifact } from '../../chains/devnet/across/artifacts.ts'
import { usdc, weth } from '../../chains/devnet/constants.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { createExecutor } from '../executor/executor.ts'
import type { BridgeAsset, BridgeQuote, Call, TransferStatus } from '../types.ts'
import { spokePoolAbi } from './abis.ts'
import { type AcrossDevnetFixture, startAcrossDevnetFixture } from './devnetFixture.ts'
import { createAcrossV3Adapter } from './index.ts'
import { approveGas, depositGas } from './quote.ts'
import { relayHash, toBytes32 } from './relayData.ts'

let f: AcrossDevnetFixture
beforeAll(async () => {
  f = await startAcrossDevnetFixture()
})
afterAll(async () => {
  await f?.stop()
})

const treasury = () => f.manifest.chains.ethereum.accounts.treasury
const relayer = () => f.section.relayer

async function quoteOf(p: { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: bigint }): Promise<BridgeQuote> {
  const q = await f.adapter.quote({ ...p, sender: treasury(), recipient: treasury() })
  if (q.status !== 'ok') throw new Error(`no quote: ${q.reason}`)
  return q
}

/** Signs and sends calls on `chain` as the treasury, as keel's executor does; returns the receipts' hashes and gas. */
async function send(p: { chain: ChainKey; calls: Call[]; key: string }) {
  const executor = createExecutor({
    chain: p.chain,
    chainId: f.manifest.chains[p.chain].chainId,
    publicClient: f.clients[p.chain],
    account: privateKeyToAccount(f.manifest.devKeys.treasury),
  })
  const prepared = await executor.prepare({ calls: p.calls, idempotencyKey: p.key })
  const mined = []
  for (const tx of prepared) mined.push(await executor.submit(tx))
  return { executor, prepared, mined }
}

/** Moves every chain's clock by the same step until `chain`'s passes `deadlineSec` (real chains' clocks move together), mining a block on each. */
async function passDeadline(chain: ChainKey, deadlineSec: bigint) {
  const now = (await f.clients[chain].getBlock({ blockTag: 'latest' })).timestamp
  const step = now <= deadlineSec ? Number(deadlineSec - now + 1n) : 0
  for (const c of chainKeys) {
    if (step > 0) await f.testClients[c].increaseTime({ seconds: step })
    await f.testClients[c].mine({ blocks: 1 })
  }
}

/** The first block after everything sent so far: where a test's own deposits start. */
const nextBlock = async (chain: ChainKey) => (await f.clients[chain].getBlockNumber()) + 1n

const status = (from: ChainKey, to: ChainKey, transferId: string) => f.adapter.getStatus({ from, to, transferId })
const is = (state: TransferStatus['state']) => (s: TransferStatus) => s.state === state

describe('Across V3 on the devnet', () => {
  test('the deposit id and relay hash keel computes are the SpokePool’s own', async () => {
    await f.setKnobs({ fill: true, fillDelayMs: 0, bundleIntervalMs: 0 })
    const q = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'base', amount: usdc('1000') })
    const built = await f.adapter.buildCalls({ quote: q })
    const { mined } = await send({ chain: 'ethereum', calls: built.calls, key: 'ids' })
    const sent = await f.adapter.readSent({ from: 'ethereum', txHash: mined.at(-1)!.hash })
    expect(sent.transferId).toBe(built.transferId)
    const [log] = await f.clients.ethereum.getContractEvents({
      address: f.section.chains.ethereum.spokePool,
      abi: spokePoolAbi,
      eventName: 'FundsDeposited',
      args: { depositId: BigInt(built.transferId!) },
      fromBlock: 0n,
      strict: true,
    })
    expect(log?.args.depositor).toBe(toBytes32(treasury()).toLowerCase())
    const onChainHash = await f.clients.base.readContract({
      address: f.section.chains.base.spokePool,
      abi: spokePoolStandInAbi,
      functionName: 'getV3RelayHash',
      args: [
        {
          ...log!.args,
          originChainId: 1n,
        },
      ],
    })
    expect(relayHash({ relayData: { ...log!.args, originChainId: 1n }, destinationChainId: 8453n })).toBe(onChainHash)
    await f.waitForStatus({ from: 'ethereum', to: 'base', transferId: sent.transferId, timeoutMs: 60_000, done: is('delivered') })
    // Its relayer is repaid now, so that the next test's bundle holds only that test's payments.
    expect((await f.runBundle()).payments.map((p) => p.kind)).toEqual(['relayer-repayment'])
  })

  test('a late fill: sent (pending) until the relayer’s delay passes, then delivered with the quoted output to the wei; the next bundle repays the relayer input − LP fee', async () => {
    await f.setKnobs({ fill: true, fillDelayMs: 6_000, bundleIntervalMs: 0 })
    const amount = usdc('10000')
    const q = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'arbitrum', amount })
    const [treasuryEth, treasuryArb, relayerEth, relayerArb] = await Promise.all([
      f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() }),
      f.balanceOf({ asset: 'USDC', chain: 'arbitrum', owner: treasury() }),
      f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: relayer() }),
      f.balanceOf({ asset: 'USDC', chain: 'arbitrum', owner: relayer() }),
    ])
    const fromBlock = await nextBlock('ethereum')
    const built = await f.adapter.buildCalls({ quote: q })
    const { mined } = await send({ chain: 'ethereum', calls: built.calls, key: 'late-fill' })
    const transferId = built.transferId!

    expect((await status('ethereum', 'arbitrum', transferId)).state).toBe('sent')
    const pending = await f.adapter.getPending({ sender: treasury(), fromBlocks: { ethereum: fromBlock } })
    expect(pending).toEqual([
      expect.objectContaining({
        transferId,
        asset: 'USDC',
        from: 'ethereum',
        to: 'arbitrum',
        amount,
        state: 'sent',
        deadlineSec: q.deadlineSec,
      }),
    ])
    // The quote's gas figures cover what the transactions used.
    expect(mined.at(-1)!.status).toBe('success')
    expect(BigInt(mined.at(-1)!.gasUsed)).toBeLessThanOrEqual(depositGas)
    if (mined.length === 2) expect(BigInt(mined[0]!.gasUsed)).toBeLessThanOrEqual(approveGas)

    const delivered = await f.waitForStatus({ from: 'ethereum', to: 'arbitrum', transferId, timeoutMs: 60_000, done: is('delivered') })
    expect(delivered.settledAmount).toBe(q.outputAmount)
    expect(q.outputAmount).toBe(amount - BigInt(q.params.lpFee!) - BigInt(q.params.relayerFee!))
    expect(await f.balanceOf({ asset: 'USDC', chain: 'arbitrum', owner: treasury() })).toBe(treasuryArb + q.outputAmount)
    expect(await f.balanceOf({ asset: 'USDC', chain: 'arbitrum', owner: relayer() })).toBe(relayerArb - q.outputAmount)
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })).toBe(treasuryEth - amount)
    expect(await f.adapter.getPending({ sender: treasury(), fromBlocks: { ethereum: fromBlock } })).toEqual([])

    const bundle = await f.runBundle()
    expect(bundle.payments.map((p) => [p.kind, p.amount])).toEqual([['relayer-repayment', (amount - BigInt(q.params.lpFee!)).toString()]])
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: relayer() })).toBe(relayerEth + amount - BigInt(q.params.lpFee!))
  })

  test('no fill: sent, then expired once the destination’s clock passes the fill deadline, then refunded on the origin to the wei', async () => {
    await f.setKnobs({ fill: false, bundleIntervalMs: 0 })
    const amount = usdc('5000')
    const q = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'base', amount })
    const before = await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })
    const spokeBefore = await f.clients.ethereum.readContract({
      address: f.token('USDC', 'ethereum'),
      abi: [
        { type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ type: 'address' }], outputs: [{ type: 'uint256' }] },
      ],
      functionName: 'balanceOf',
      args: [f.section.chains.ethereum.spokePool],
    })
    const fromBlock = await nextBlock('ethereum')
    const built = await f.adapter.buildCalls({ quote: q })
    await send({ chain: 'ethereum', calls: built.calls, key: 'no-fill' })
    const transferId = built.transferId!
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })).toBe(before - amount)
    await sleep(1_500)
    expect((await status('ethereum', 'base', transferId)).state).toBe('sent')

    await passDeadline('base', q.deadlineSec!)
    const expired = await status('ethereum', 'base', transferId)
    expect(expired.state).toBe('expired')
    expect(expired.refundTxHash).toBeUndefined()
    const pending = await f.adapter.getPending({ sender: treasury(), fromBlocks: { ethereum: fromBlock } })
    expect(pending.map((t) => [t.transferId, t.state, t.amount])).toEqual([[transferId, 'expired', amount]])

    const bundle = await f.runBundle()
    expect(bundle.payments).toEqual([expect.objectContaining({ kind: 'deposit-refund', amount: amount.toString() })])
    const refunded = await status('ethereum', 'base', transferId)
    expect(refunded.state).toBe('refunded')
    expect(refunded.settledAmount).toBe(amount)
    expect(refunded.refundTxHash).toBe(bundle.payments[0]!.txHash)
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })).toBe(before)
    expect(
      await f.clients.ethereum.readContract({
        address: f.token('USDC', 'ethereum'),
        abi: [
          { type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ type: 'address' }], outputs: [{ type: 'uint256' }] },
        ],
        functionName: 'balanceOf',
        args: [f.section.chains.ethereum.spokePool],
      }),
    ).toBe(spokeBefore)
    expect(await f.adapter.getPending({ sender: treasury(), fromBlocks: { ethereum: fromBlock } })).toEqual([])
    // A second run finds nothing more to pay: the refund is recorded as settled.
    expect((await f.runBundle()).payments).toEqual([])
  })

  test('a retried deposit is recognised, not repeated; a deposit forced again under the same id is never filled and comes back as a refund', async () => {
    await f.setKnobs({ fill: true, fillDelayMs: 0, bundleIntervalMs: 0 })
    const amount = usdc('2000')
    const q = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'arbitrum', amount })
    const before = await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })
    const built = await f.adapter.buildCalls({ quote: q })
    const { executor, prepared } = await send({ chain: 'ethereum', calls: built.calls, key: 'retry' })
    const transferId = built.transferId!

    // The same signed transactions again (a retried submit) and the same quote built again (a retried build): nothing new.
    for (const tx of prepared) await executor.submit(tx)
    expect(await f.adapter.buildCalls({ quote: q })).toEqual({ transferId, calls: [] })
    const deposits = await f.clients.ethereum.getContractEvents({
      address: f.section.chains.ethereum.spokePool,
      abi: spokePoolAbi,
      eventName: 'FundsDeposited',
      args: { depositId: BigInt(transferId) },
      fromBlock: 0n,
    })
    expect(deposits).toHaveLength(1)
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })).toBe(before - amount)
    await f.waitForStatus({ from: 'ethereum', to: 'arbitrum', transferId, timeoutMs: 60_000, done: is('delivered') })

    // Newly signed transactions of the same calls do deposit again under the same id: a second transfer, numbered.
    const again = await send({ chain: 'ethereum', calls: built.calls, key: 'retry-forced' })
    const repeat = await f.adapter.readSent({ from: 'ethereum', txHash: again.mined.at(-1)!.hash })
    expect(repeat.transferId).toBe(`${transferId}-1`)
    await sleep(2_000)
    expect((await status('ethereum', 'arbitrum', repeat.transferId)).state).toBe('sent')
    expect((await status('ethereum', 'arbitrum', transferId)).state).toBe('delivered')
    await passDeadline('arbitrum', q.deadlineSec!)
    expect((await status('ethereum', 'arbitrum', repeat.transferId)).state).toBe('expired')
    await f.runBundle()
    const refunded = await status('ethereum', 'arbitrum', repeat.transferId)
    expect(refunded).toMatchObject({ state: 'refunded', settledAmount: amount })
    expect(await f.balanceOf({ asset: 'USDC', chain: 'ethereum', owner: treasury() })).toBe(before - amount)
  })

  test('exclusivity is honoured: another relayer’s window blocks the fill until it ends; a window offered to the relayer itself fills at once', async () => {
    await f.setKnobs({ fill: true, fillDelayMs: 0, bundleIntervalMs: 0, exclusivitySec: 0 })
    const other = f.manifest.chains.base.accounts.arbitrageur
    const q0 = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'base', amount: usdc('3000') })
    expect(q0.params.exclusiveRelayer).toBe('0x0000000000000000000000000000000000000000')
    const q: BridgeQuote = { ...q0, params: { ...q0.params, exclusiveRelayer: other, exclusivityParameter: '600' } }
    const before = await f.balanceOf({ asset: 'USDC', chain: 'base', owner: treasury() })
    const built = await f.adapter.buildCalls({ quote: q })
    await send({ chain: 'ethereum', calls: built.calls, key: 'exclusive-other' })
    const transferId = built.transferId!
    await sleep(2_500)
    expect((await status('ethereum', 'base', transferId)).state).toBe('sent')

    // The SpokePool itself refuses our relayer inside the window.
    const [log] = await f.clients.ethereum.getContractEvents({
      address: f.section.chains.ethereum.spokePool,
      abi: spokePoolAbi,
      eventName: 'FundsDeposited',
      args: { depositId: BigInt(transferId) },
      fromBlock: 0n,
      strict: true,
    })
    const refused = f.clients.base.simulateContract({
      account: relayer(),
      address: f.section.chains.base.spokePool,
      abi: loadAcrossArtifact('Ethereum_SpokePool').abi,
      functionName: 'fillRelay',
      args: [{ ...log!.args, originChainId: 1n }, 1n, toBytes32(relayer())],
    })
    await expect(refused).rejects.toThrow(/NotExclusiveRelayer/)

    await passDeadline('base', BigInt(log!.args.exclusivityDeadline))
    const delivered = await f.waitForStatus({ from: 'ethereum', to: 'base', transferId, timeoutMs: 60_000, done: is('delivered') })
    expect(await f.balanceOf({ asset: 'USDC', chain: 'base', owner: treasury() })).toBe(before + q.outputAmount)
    expect(delivered.settledAmount).toBe(q.outputAmount)

    await f.setKnobs({ exclusivitySec: 300 })
    const mine = await quoteOf({ asset: 'USDC', from: 'ethereum', to: 'base', amount: usdc('3000') })
    expect([mine.params.exclusiveRelayer, mine.params.exclusivityParameter]).toEqual([relayer(), '300'])
    const builtMine = await f.adapter.buildCalls({ quote: mine })
    await send({ chain: 'ethereum', calls: builtMine.calls, key: 'exclusive-self' })
    await f.waitForStatus({ from: 'ethereum', to: 'base', transferId: builtMine.transferId!, timeoutMs: 60_000, done: is('delivered') })
    await f.setKnobs({ exclusivitySec: 0 })
  })

  test('WETH arrives as native ETH: the SpokePool unwraps its wrapped native token for the recipient', async () => {
    await f.setKnobs({ fill: true, fillDelayMs: 0 })
    const amount = weth('2')
    const q = await quoteOf({ asset: 'WETH', from: 'base', to: 'ethereum', amount })
    const [ethBefore, wethBefore] = await Promise.all([
      f.clients.ethereum.getBalance({ address: treasury() }),
      f.balanceOf({ asset: 'WETH', chain: 'ethereum', owner: treasury() }),
    ])
    const built = await f.adapter.buildCalls({ quote: q })
    await send({ chain: 'base', calls: built.calls, key: 'weth' })
    const s = await f.waitForStatus({
      from: 'base',
      to: 'ethereum',
      transferId: built.transferId!,
      timeoutMs: 60_000,
      done: is('delivered'),
    })
    expect(s.settledAmount).toBe(q.outputAmount)
    expect(await f.clients.ethereum.getBalance({ address: treasury() })).toBe(ethBefore + q.outputAmount)
    expect(await f.balanceOf({ asset: 'WETH', chain: 'ethereum', owner: treasury() })).toBe(wethBefore)
  })

  test('answers as data an amount above what the relayer can fill, and a zero amount', async () => {
    const inventory = await f.balanceOf({ asset: 'USDC', chain: 'base', owner: relayer() })
    const tooBig = await f.adapter.quote({
      asset: 'USDC',
      from: 'ethereum',
      to: 'base',
      amount: inventory + 1n,
      sender: treasury(),
      recipient: treasury(),
    })
    expect(tooBig).toMatchObject({ status: 'unavailable' })
    expect(
      (await f.adapter.quote({ asset: 'USDC', from: 'ethereum', to: 'base', amount: 0n, sender: treasury(), recipient: treasury() }))
        .status,
    ).toBe('unavailable')
    expect(await f.adapter.remediation({ from: 'ethereum', to: 'base', transferId: '1', gasLimit: 1n })).toBeNull()
  })

  test('a route the quote API refuses is data; an API that does not answer is a retryable QuoteApiError', async () => {
    const chains = (usdcOn: 'usdc' | 'weth') =>
      Object.fromEntries(
        chainKeys.map((k) => [
          k,
          {
            chainId: f.manifest.chains[k].chainId,
            spokePool: f.section.chains[k].spokePool,
            // On base, "USDC" is mapped to WETH: a pair the relayer does not serve.
            tokens: {
              USDC: k === 'base' ? f.manifest.chains[k].contracts[usdcOn] : f.manifest.chains[k].contracts.usdc,
              WETH: f.manifest.chains[k].contracts.weth,
            },
            fromBlock: f.section.chains[k].deployBlock,
          },
        ]),
      )
    const request = { asset: 'USDC', from: 'ethereum', to: 'base', amount: usdc('100'), sender: treasury(), recipient: treasury() } as const
    const refused = await createAcrossV3Adapter({
      clients: f.clients,
      chains: chains('weth'),
      apiUrl: f.section.apiUrl,
      fillDeadlineSec: 3_600,
    }).quote(request)
    expect(refused).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('Across API') })
    const silent = createAcrossV3Adapter({
      clients: f.clients,
      chains: chains('usdc'),
      apiUrl: 'http://127.0.0.1:9',
      fillDeadlineSec: 3_600,
    })
    await expect(silent.quote(request)).rejects.toMatchObject({ name: 'Across.QuoteApiError', retryable: true })
  })
})
