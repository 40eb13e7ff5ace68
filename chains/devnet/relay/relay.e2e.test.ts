import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { FlashbotsBundleProvider, FlashbotsBundleResolution } from '@flashbots/ethers-provider-bundle'
import { providers, Wallet } from 'ethers'
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseGwei,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { mainnet } from 'viem/chains'
import { bytesToHex } from 'viem/utils'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { killProcessGroup, spawnAnvil } from '../anvil.ts'
import { anvilMnemonic } from '../constants.ts'
import { findFreePort } from '../localProcess.ts'
import { spawnRelay } from './spawnRelay.ts'

// One anvil (chain id 1, arrival-order pool, automine off) and the relay process building its
// blocks, driven through the real Flashbots client. A slow block (1 s) leaves room to send a
// bundle and a public transaction between two blocks without racing the builder.
const blockMs = 1_000
const chainId = 1
const reverter: Address = '0x00000000000000000000000000000000000bad00'
const sink: Address = '0x000000000000000000000000000000000000c0de'

type Bundle = {
  bundleHash: Hex
  replacementUuid: string | null
  signer: Address
  blockNumber: number
  status: string
  reason: string | null
  included: { blockNumber: number; txIndexes: number[] } | null
}

let stateDir: string
let anvilPid = 0
let relayPid = 0
let relayUrl = ''
let client: PublicClient
let flashbots: FlashbotsBundleProvider
let ethersProvider: providers.StaticJsonRpcProvider
const accounts = Array.from({ length: 12 }, (_, i) => mnemonicToAccount(anvilMnemonic, { addressIndex: i }))
const authKey = bytesToHex(mnemonicToAccount(anvilMnemonic, { addressIndex: 19 }).getHdKey().privateKey!)

const signTransfer = (p: { from: LocalAccount; nonce: number; to?: Address; value?: bigint; tipGwei?: string; gas?: bigint }) =>
  createWalletClient({ account: p.from, chain: mainnet, transport: http(client.transport.url) }).signTransaction({
    to: p.to ?? sink,
    value: p.value ?? 1n,
    nonce: p.nonce,
    gas: p.gas ?? 50_000n,
    maxFeePerGas: parseGwei('100'),
    maxPriorityFeePerGas: parseGwei(p.tipGwei ?? '1'),
    chainId,
  })

const nonceOf = (a: LocalAccount) => client.getTransactionCount({ address: a.address })

async function devnet<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(relayUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as { result: T }
  return body.result
}
/** The latest bundle received with this hash (the same transactions may be sent again for a later block). */
const bundleOf = async (hash: string): Promise<Bundle | undefined> =>
  (await devnet<Bundle[]>('devnet_bundles')).reverse().find((b) => b.bundleHash === hash)

/** The number of a block that was just mined: the builder's next block is a full `blockMs` away. */
async function freshBlock(): Promise<number> {
  const start = await client.getBlockNumber({ cacheTime: 0 })
  for (;;) {
    const n = await client.getBlockNumber({ cacheTime: 0 })
    if (n > start) return Number(n)
    await sleep(20)
  }
}
async function waitForBlock(n: number): Promise<void> {
  while ((await client.getBlockNumber({ cacheTime: 0 })) < BigInt(n)) await sleep(50)
}
/** Waits until the bundle has a terminal status (the builder settles it at its block). */
async function settled(hash: string): Promise<Bundle> {
  for (;;) {
    const b = await bundleOf(hash)
    if (b && b.status !== 'pending') return b
    await sleep(50)
  }
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'keel-relay-'))
  const node = await spawnAnvil({ chainId, port: await findFreePort(), blockTimeSec: null, baseFeeWei: parseGwei('1'), order: 'fifo' })
  anvilPid = node.pid
  client = createPublicClient({ chain: mainnet, transport: http(node.rpcUrl) })
  const test = createTestClient({ mode: 'anvil', chain: mainnet, transport: http(node.rpcUrl) })
  await test.setCode({ address: reverter, bytecode: '0x60006000fd' })
  // anvil funds the mnemonic's first ten accounts only.
  for (const a of accounts.slice(10)) await test.setBalance({ address: a.address, value: 10n ** 21n })
  await test.setAutomine(false)
  const relay = await spawnRelay({ config: { port: await findFreePort(), rpcUrl: node.rpcUrl, chainId, blockMs }, stateDir })
  relayPid = relay.pid
  relayUrl = relay.url
  ethersProvider = new providers.StaticJsonRpcProvider(node.rpcUrl, chainId)
  ethersProvider.pollingInterval = 100
  flashbots = await FlashbotsBundleProvider.create(ethersProvider, new Wallet(authKey), relayUrl, chainId)
})

afterAll(async () => {
  if (relayPid) await killProcessGroup(relayPid)
  if (anvilPid) await killProcessGroup(anvilPid)
  rmSync(stateDir, { recursive: true, force: true })
})

describe('devnet relay', () => {
  test('lands a 2-tx bundle at indexes 0 and 1 of its block, ahead of a public tx sent before it', async () => {
    const [searcher, publicSender] = [accounts[1]!, accounts[2]!]
    const n0 = await nonceOf(searcher)
    const txs = [
      await signTransfer({ from: searcher, nonce: n0, value: 11n }),
      await signTransfer({ from: searcher, nonce: n0 + 1, value: 12n }),
    ]
    const latest = await freshBlock()
    const publicHash = await client.sendRawTransaction({
      serializedTransaction: await signTransfer({ from: publicSender, nonce: await nonceOf(publicSender) }),
    })
    const sent = await flashbots.sendRawBundle(txs, latest + 1)
    if ('error' in sent) throw new Error(sent.error.message)
    expect(sent.bundleHash).toBe(FlashbotsBundleProvider.generateBundleHash(txs.map((t) => keccak256(t))))
    expect(await sent.wait()).toBe(FlashbotsBundleResolution.BundleIncluded)
    const block = await client.getBlock({ blockNumber: BigInt(latest + 1) })
    expect(block.transactions).toEqual([keccak256(txs[0]!), keccak256(txs[1]!), publicHash])
    expect(await nonceOf(searcher)).toBe(n0 + 2)
    expect(await bundleOf(sent.bundleHash)).toMatchObject({ status: 'included', included: { blockNumber: latest + 1, txIndexes: [0, 1] } })
    const stats = await flashbots.getBundleStatsV2(sent.bundleHash, latest + 1)
    expect(stats).toMatchObject({
      isSimulated: true,
      isHighPriority: true,
      sealedByBuildersAt: [expect.objectContaining({ pubkey: expect.any(String) })],
    })
  })

  test('puts the bundle paying more per gas first when two target the same block', async () => {
    const [low, high] = [accounts[3]!, accounts[4]!]
    const lowTx = await signTransfer({ from: low, nonce: await nonceOf(low), tipGwei: '1' })
    const highTx = await signTransfer({ from: high, nonce: await nonceOf(high), tipGwei: '3' })
    const latest = await freshBlock()
    await flashbots.sendRawBundle([lowTx], latest + 1)
    await flashbots.sendRawBundle([highTx], latest + 1)
    await waitForBlock(latest + 1)
    const block = await client.getBlock({ blockNumber: BigInt(latest + 1) })
    expect(block.transactions).toEqual([keccak256(highTx), keccak256(lowTx)])
  })

  test('drops a bundle whose tx reverts unless revertingTxHashes lists it', async () => {
    const searcher = accounts[5]!
    const n0 = await nonceOf(searcher)
    const ok = await signTransfer({ from: searcher, nonce: n0 })
    const bad = await signTransfer({ from: searcher, nonce: n0 + 1, to: reverter, value: 0n })
    let latest = await freshBlock()
    const refused = await flashbots.sendRawBundle([ok, bad], latest + 1)
    if ('error' in refused) throw new Error(refused.error.message)
    expect(await settled(refused.bundleHash)).toMatchObject({
      status: 'dropped',
      reason: expect.stringContaining('not in revertingTxHashes'),
    })
    await waitForBlock(latest + 2)
    expect(await nonceOf(searcher)).toBe(n0)

    latest = await freshBlock()
    const allowed = await flashbots.sendRawBundle([ok, bad], latest + 1, { revertingTxHashes: [keccak256(bad)] })
    if ('error' in allowed) throw new Error(allowed.error.message)
    expect(await settled(allowed.bundleHash)).toMatchObject({
      reason: null,
      status: 'included',
      included: { blockNumber: latest + 1, txIndexes: [0, 1] },
    })
    expect(await nonceOf(searcher)).toBe(n0 + 2)
    expect((await client.getTransactionReceipt({ hash: keccak256(bad) })).status).toBe('reverted')
  })

  test('never lands a bundle for a block that has passed', async () => {
    const searcher = accounts[6]!
    const n0 = await nonceOf(searcher)
    const latest = await freshBlock()
    const sent = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0 })], latest)
    if ('error' in sent) throw new Error(sent.error.message)
    expect(await settled(sent.bundleHash)).toMatchObject({ status: 'expired' })
    await waitForBlock(latest + 2)
    expect(await nonceOf(searcher)).toBe(n0)
  })

  test('drops a bundle whose maxTimestamp is before its block, and nothing of it lands', async () => {
    const searcher = accounts[6]!
    const n0 = await nonceOf(searcher)
    const latest = await freshBlock()
    const { timestamp } = await client.getBlock({ blockNumber: BigInt(latest) })
    const sent = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0 })], latest + 1, {
      maxTimestamp: Number(timestamp) - 1,
    })
    if ('error' in sent) throw new Error(sent.error.message)
    expect(await settled(sent.bundleHash)).toMatchObject({ status: 'dropped', reason: expect.stringContaining('after maxTimestamp') })
    await waitForBlock(latest + 1)
    expect(await nonceOf(searcher)).toBe(n0)
  })

  test('refuses a bad or missing signature with 403 and stores nothing', async () => {
    const before = (await devnet<Bundle[]>('devnet_bundles')).length
    const tx = await signTransfer({ from: accounts[7]!, nonce: await nonceOf(accounts[7]!) })
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendBundle', params: [{ txs: [tx], blockNumber: '0xffff' }] })
    const impostor = accounts[8]!
    const signature = await accounts[9]!.signMessage({ message: keccak256(new TextEncoder().encode(body)) })
    const mismatch = await fetch(relayUrl, {
      method: 'POST',
      body,
      headers: { 'X-Flashbots-Signature': `${impostor.address}:${signature}` },
    })
    expect(mismatch.status).toBe(403)
    expect(((await mismatch.json()) as { error: { message: string } }).error.message).toContain('signer mismatch')
    const missing = await fetch(relayUrl, { method: 'POST', body })
    expect(missing.status).toBe(403)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('missing X-Flashbots-Signature')
    const forged = await FlashbotsBundleProvider.create(
      ethersProvider,
      new Wallet(authKey),
      { url: relayUrl, headers: { 'X-Flashbots-Signature': `${impostor.address}:${signature}` } },
      chainId,
    )
    await expect(forged.sendRawBundle([tx], 0xffff)).rejects.toThrow(/403/)
    expect((await devnet<Bundle[]>('devnet_bundles')).length).toBe(before)
  })

  test('answers malformed params with -32602 naming the field', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'eth_sendBundle', params: [{ txs: ['0x02'], blockNumber: 12 }] })
    const signature = await accounts[9]!.signMessage({ message: keccak256(new TextEncoder().encode(body)) })
    const res = await fetch(relayUrl, {
      method: 'POST',
      body,
      headers: { 'X-Flashbots-Signature': `${accounts[9]!.address}:${signature}` },
    })
    const answer = (await res.json()) as { id: number; error: { code: number; message: string } }
    expect(answer).toMatchObject({ id: 7, error: { code: -32602, message: expect.stringContaining('params[0].blockNumber') } })
  })

  test('simulate returns the full result shape with the revert on the reverting tx', async () => {
    const searcher = accounts[10]!
    const n0 = await nonceOf(searcher)
    const ok = await signTransfer({ from: searcher, nonce: n0 })
    const bad = await signTransfer({ from: searcher, nonce: n0 + 1, to: reverter, value: 0n })
    const latest = Number(await client.getBlockNumber({ cacheTime: 0 }))
    const sim = await flashbots.simulate([ok, bad], latest + 1)
    if ('error' in sim) throw new Error(sim.error.message)
    const tipWei = parseGwei('1')
    expect(sim.results).toHaveLength(2)
    expect(sim.results[0]).toMatchObject({
      txHash: keccak256(ok),
      gasUsed: 21_000,
      fromAddress: searcher.address,
      toAddress: getAddress(sink),
      value: '0x',
    })
    expect(sim.results[0]).not.toHaveProperty('error')
    expect(sim.results[0]?.coinbaseDiff).toBe((21_000n * tipWei).toString())
    expect(sim.results[1]).toMatchObject({ txHash: keccak256(bad), gasUsed: 21_006, error: 'execution reverted', revert: '0x' })
    expect(sim.firstRevert?.txHash).toBe(keccak256(bad))
    expect(sim.totalGasUsed).toBe(42_006)
    expect(sim.bundleHash).toBe(FlashbotsBundleProvider.generateBundleHash([keccak256(ok), keccak256(bad)]))
    expect(sim.coinbaseDiff.toBigInt()).toBe(42_006n * tipWei)
    expect(sim.gasFees.toBigInt()).toBe(42_006n * tipWei)
    expect(sim.bundleGasPrice.toBigInt()).toBe(tipWei)
    expect(sim.ethSentToCoinbase.toBigInt()).toBe(0n)
    expect(sim.stateBlockNumber).toBeGreaterThanOrEqual(latest)
    expect(await nonceOf(searcher)).toBe(n0)
  })

  test('cancels by replacementUuid, and a newer bundle with the same uuid replaces the older', async () => {
    const searcher = accounts[11]!
    const n0 = await nonceOf(searcher)
    let latest = await freshBlock()
    const far = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0, value: 5n })], latest + 3, {
      replacementUuid: 'cancel-me',
    })
    if ('error' in far) throw new Error(far.error.message)
    const cancelled = await flashbots.cancelBundles('cancel-me')
    expect(cancelled).toEqual({ bundleHashes: [far.bundleHash] })
    expect(await bundleOf(far.bundleHash)).toMatchObject({ status: 'cancelled' })

    latest = await freshBlock()
    const sinkBefore = await client.getBalance({ address: sink })
    const first = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0, value: 100n })], latest + 1, {
      replacementUuid: 'swap-1',
    })
    const second = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0, value: 200n })], latest + 1, {
      replacementUuid: 'swap-1',
    })
    if ('error' in first || 'error' in second) throw new Error('send failed')
    expect(await settled(second.bundleHash)).toMatchObject({ status: 'included' })
    expect(await bundleOf(first.bundleHash)).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('replaced by') })
    expect((await client.getBalance({ address: sink })) - sinkBefore).toBe(200n)
  })

  test('mines nothing while paused, and again once the pause lapses', async () => {
    const paused = await freshBlock()
    await devnet('devnet_pauseMining', [{ ms: 2 * blockMs + 500 }])
    await sleep(2 * blockMs)
    // At most the block that was being built when the pause came.
    expect(Number(await client.getBlockNumber({ cacheTime: 0 }))).toBeLessThanOrEqual(paused + 1)
    await waitForBlock(paused + 2)
  })

  test('lands nothing while inclusion is off', async () => {
    const searcher = accounts[0]!
    const n0 = await nonceOf(searcher)
    await devnet('devnet_setInclusion', [{ include: false }])
    try {
      const latest = await freshBlock()
      const sent = await flashbots.sendRawBundle([await signTransfer({ from: searcher, nonce: n0 })], latest + 1)
      if ('error' in sent) throw new Error(sent.error.message)
      expect(await sent.wait()).toBe(FlashbotsBundleResolution.BlockPassedWithoutInclusion)
      expect(await settled(sent.bundleHash)).toMatchObject({ status: 'expired' })
      expect(await nonceOf(searcher)).toBe(n0)
    } finally {
      await devnet('devnet_setInclusion', [{ include: true }])
    }
  })
})
