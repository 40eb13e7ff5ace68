import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Address,
  createPublicClient,
  createTestClient,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { withDevnet } from '../../chains/devnet/devnet.ts'
import type { DevnetManifest } from '../../chains/types.ts'
import { createFlashbotsRelay } from '../submit-flashbots/index.ts'
import { createPublicSubmitter } from '../submit-public/index.ts'
import type { BundleRelay, Call } from '../types.ts'
import { SimulationRevertedError, SubmitAbortedError } from './errors.ts'
import { type BundlePolicy, createExecutor, type Executor } from './executor.ts'

// Bundles and re-pricing against the devnet's own relay, which builds Ethereum's blocks: what
// lands is read from the chain (receipts, positions in the block, balances, nonces), and what was
// sent from the relay's record of every bundle it received.

let manifest: DevnetManifest
let stop: () => Promise<void>
let stateDir: string
let client: PublicClient
let relay: BundleRelay

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'keel-bundles-'))
  ;({ manifest, stop } = await withDevnet({ stateDir, treasury: 'signer' }))
  client = createPublicClient({ transport: http(manifest.chains.ethereum.rpcUrl) }) as PublicClient
  relay = createFlashbotsRelay({
    relayUrl: manifest.relay!.url,
    rpcUrl: manifest.chains.ethereum.rpcUrl,
    chainId: manifest.chains.ethereum.chainId,
    authKey: generatePrivateKey(),
  })
})

afterAll(async () => {
  await stop?.()
  if (stateDir) rmSync(stateDir, { recursive: true, force: true })
})

const executor = (over: { receiptPollMs?: number } = {}): Executor =>
  createExecutor({
    chain: 'ethereum',
    chainId: manifest.chains.ethereum.chainId,
    publicClient: client,
    account: privateKeyToAccount(manifest.devKeys.treasury),
    blockPollMs: 50,
    receiptPollMs: over.receiptPollMs ?? 200,
    log: (e) => process.env.DEBUG_BUNDLES && console.log(Date.now(), e.msg, String(e.targetBlock ?? '')),
  })

const treasury = () => manifest.chains.ethereum.accounts.treasury
const weth = () => manifest.chains.ethereum.contracts.weth
const wethOf = (owner: Address) => client.readContract({ address: weth(), abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const nonce = () => client.getTransactionCount({ address: treasury() })

/** approve + transfer of WETH to a fresh address: two calls that only make sense together. */
function approveAndSend(to: Address, amount: bigint): Call[] {
  const chainId = manifest.chains.ethereum.chainId
  return [
    {
      chainId,
      to: weth(),
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [to, amount] }),
      description: 'approve',
    },
    {
      chainId,
      to: weth(),
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, amount] }),
      description: 'transfer',
    },
  ]
}

type RelayBundle = { bundleHash: Hex; replacementUuid: string | null; status: string; blockNumber: number; txHashes: Hex[] }

async function relayCall<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(manifest.relay!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result: T }
  return body.result
}
const bundlesWith = async (hashes: Set<string>) =>
  (await relayCall<RelayBundle[]>('devnet_bundles')).filter((b) => b.txHashes.some((h) => hashes.has(h)))

const policy: BundlePolicy = { deadlineBlocks: 4, feeStepBps: 2_500, maxPriorityFeePerGas: 10n ** 10n }
const fresh = () => privateKeyToAccount(generatePrivateKey()).address

describe('a batch sent as a Flashbots bundle', () => {
  test('lands whole at the top of its target block, once', async () => {
    const to = fresh()
    const ex = executor()
    const [n0, w0] = await Promise.all([nonce(), wethOf(treasury())])
    const prepared = await ex.prepare({ calls: approveAndSend(to, parseEther('1')), idempotencyKey: 'bundle-lands' })
    const out = await ex.submitBundle(prepared, { relay, policy })
    if (out.status !== 'included')
      console.log('DEBUG', JSON.stringify(await relayCall('devnet_bundles'), null, 1), await client.getBlockNumber({ cacheTime: 0 }))
    expect(out.status).toBe('included')
    if (out.status !== 'included') return
    const [a, b] = out.outcomes
    expect(a!.blockNumber).toBe(b!.blockNumber)
    expect(out.outcomes.map((o) => o.route)).toEqual(['flashbots', 'flashbots'])
    const receipts = await Promise.all(out.outcomes.map((o) => client.getTransactionReceipt({ hash: o.hash })))
    expect(receipts.map((r) => r.transactionIndex)).toEqual([0, 1])
    expect(await nonce()).toBe(n0 + 2)
    expect(await wethOf(to)).toBe(parseEther('1'))
    expect(await wethOf(treasury())).toBe(w0 - parseEther('1'))
    // A missed block means another attempt (re-signed, same UUID); of all of them exactly one was included.
    const landed = await bundlesWith(new Set(out.outcomes.map((o) => o.hash)))
    expect(landed.map((b) => b.status)).toEqual(['included'])
    const all = (await relayCall<RelayBundle[]>('devnet_bundles')).filter((b) => b.replacementUuid === landed[0]!.replacementUuid)
    expect(all.filter((b) => b.status === 'included')).toHaveLength(1)
    expect(all).toHaveLength(out.attempts)
  })

  test('is refused before anything is sent when its simulation fails', async () => {
    const ex = executor()
    const n0 = await nonce()
    const balance = await wethOf(treasury())
    const prepared = await ex.prepare({ calls: approveAndSend(fresh(), balance), idempotencyKey: 'bundle-refused' })
    // After signing, the treasury's WETH is gone (the devnet's WETH keeps balances at slot 0): the transfer now reverts.
    const slot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [treasury(), 0n]))
    const test = createTestClient({ mode: 'anvil', transport: http(manifest.chains.ethereum.rpcUrl) })
    await test.setStorageAt({ address: weth(), index: slot, value: pad('0x0') })
    try {
      const err = await ex.submitBundle(prepared, { relay, policy }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SimulationRevertedError)
      expect((err as SimulationRevertedError).index).toBe(1)
      expect(await nonce()).toBe(n0)
      expect(await bundlesWith(new Set(prepared.map((p) => p.hash)))).toEqual([])
    } finally {
      await test.setStorageAt({ address: weth(), index: slot, value: pad(toHex(balance)) })
    }
    expect(await wethOf(treasury())).toBe(balance)
    await ex.resyncNonces()
  })

  test('refuses an empty bundle and one prepared for another chain', async () => {
    const ex = executor()
    await expect(ex.submitBundle([], { relay, policy })).rejects.toThrow(/empty bundle/)
    const arbitrum = createExecutor({
      chain: 'arbitrum',
      chainId: manifest.chains.arbitrum.chainId,
      publicClient: createPublicClient({ transport: http(manifest.chains.arbitrum.rpcUrl) }) as PublicClient,
      account: privateKeyToAccount(manifest.devKeys.treasury),
    })
    const calls = approveAndSend(fresh(), 1n).map((c) => ({
      ...c,
      chainId: manifest.chains.arbitrum.chainId,
      to: manifest.chains.arbitrum.contracts.weth,
    }))
    const other = await arbitrum.prepare({ calls, idempotencyKey: 'bundle-wrong-chain' })
    await expect(ex.submitBundle(other, { relay, policy })).rejects.toThrow(/prepared for chain/)
  })

  test('missed blocks: a tip rising within budget each block, the deadline, and a resumed send that lands exactly once', async () => {
    const to = fresh()
    const n0 = await nonce()
    const prepared = await executor().prepare({ calls: approveAndSend(to, parseEther('0.5')), idempotencyKey: 'bundle-resume' })
    await relayCall('devnet_setInclusion', [{ include: false }])
    try {
      // Nothing lands by the deadline: every attempt targeted a block that has passed.
      const missed = await executor().submitBundle(prepared, { relay, policy })
      expect(missed.status).toBe('deadline')
      if (missed.status !== 'deadline') return
      // One attempt per block the executor saw, at most one per block of the window.
      expect(missed.attempts).toBeGreaterThanOrEqual(1)
      expect(missed.attempts).toBeLessThanOrEqual(policy.deadlineBlocks)
      expect(await client.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(missed.deadlineBlock)
      if (missed.attempts > 1)
        expect(BigInt(missed.last[0]!.maxPriorityFeePerGas)).toBeGreaterThan(BigInt(prepared[0]!.maxPriorityFeePerGas))
      expect(BigInt(missed.last[0]!.maxPriorityFeePerGas)).toBeLessThanOrEqual(policy.maxPriorityFeePerGas)
      expect(await nonce()).toBe(n0)

      // A worker dies between attempts (its executor and memory with it)...
      const abort = new AbortController()
      let progress: { startBlock: bigint; attempt: number } | undefined
      const first = executor()
        .submitBundle(prepared, {
          relay,
          policy: { ...policy, deadlineBlocks: 40 },
          signal: abort.signal,
          onProgress: (p) => {
            progress = p
            if (p.attempt >= 2) abort.abort()
          },
        })
        .catch((e: unknown) => e)
      expect(await first).toBeInstanceOf(SubmitAbortedError)
      // ...and another resumes from the recorded start, once the relay lands bundles again.
      await relayCall('devnet_setInclusion', [{ include: true }])
      const resumed = await executor().submitBundle(prepared, {
        relay,
        policy: { ...policy, deadlineBlocks: 40 },
        startBlock: progress!.startBlock,
      })
      expect(resumed.status).toBe('included')
      if (resumed.status !== 'included') return
      expect(resumed.attempts).toBeGreaterThan(2)
      expect(await nonce()).toBe(n0 + 2)
      expect(await wethOf(to)).toBe(parseEther('0.5'))
      // Every attempt shared one replacement UUID and the same nonces: exactly one of them was included.
      const hashes = new Set(resumed.outcomes.map((o) => o.hash))
      const bundles = await relayCall<RelayBundle[]>('devnet_bundles')
      const uuid = bundles.find((b) => b.status === 'included' && b.txHashes.some((h) => hashes.has(h)))?.replacementUuid
      expect(uuid).toBeTruthy()
      const sameUuid = bundles.filter((b) => b.replacementUuid === uuid)
      expect(sameUuid.length).toBeGreaterThanOrEqual(missed.attempts + 3)
      expect(sameUuid.filter((b) => b.status === 'included')).toHaveLength(1)
    } finally {
      await relayCall('devnet_setInclusion', [{ include: true }])
    }
  })
})

describe('a public send that sticks', () => {
  test('is replaced at the same nonce with higher fees, within the cap, and only the replacement is mined', async () => {
    const to = fresh()
    const ex = executor({ receiptPollMs: 100 })
    const n0 = await nonce()
    const [tx] = await ex.prepare({ calls: [approveAndSend(to, parseEther('0.25'))[1]!], idempotencyKey: 'stuck' })
    // The next block's base fee jumps to twice the transaction's fee cap and then decays 12.5 % a block:
    // the node drops the transaction (or refuses it), and only a replacement at a higher cap can be mined.
    const test = createTestClient({ mode: 'anvil', transport: http(manifest.chains.ethereum.rpcUrl) })
    await test.setNextBlockBaseFeePerGas({ baseFeePerGas: 2n * BigInt(tx!.maxFeePerGas) })
    const cap = 3n * BigInt(tx!.maxFeePerGas)
    const sent = await ex.submit(tx!, { via: createPublicSubmitter(client), reprice: { afterBlocks: 1, maxFeePerGas: cap } })
    expect(sent.hash).not.toBe(tx!.hash)
    expect(sent.attempts).toBeGreaterThan(1)
    const mined = await client.getTransaction({ hash: sent.hash })
    expect(mined.nonce).toBe(tx!.nonce)
    expect(mined.maxFeePerGas! > BigInt(tx!.maxFeePerGas)).toBe(true)
    expect(mined.maxFeePerGas! <= cap).toBe(true)
    await expect(client.getTransactionReceipt({ hash: tx!.hash })).rejects.toThrow()
    expect(await nonce()).toBe(n0 + 1)
    expect(await wethOf(to)).toBe(parseEther('0.25'))
  })
})
