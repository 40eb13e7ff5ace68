import { type Address, type Chain, erc20Abi, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createExecutor } from '../../adapters/executor/executor.ts'
import { createAdapterRegistry } from '../../adapters/registry.ts'
import type { BridgeAdapter, BridgeAsset, TransferRequest } from '../../adapters/types.ts'
import type { ChainKey, DevnetManifest } from '../../chains/types.ts'

export type BridgeUnderTest = {
  adapter: BridgeAdapter
  manifest: DevnetManifest
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  /** The asset's token on a chain (what the treasury holds and the balance checks read). */
  token(asset: BridgeAsset, chain: ChainKey): Address
  /** A route and asset this bridge serves on the devnet, with an amount it can carry. */
  route: { asset: BridgeAsset; from: ChainKey; to: ChainKey; amount: bigint }
  /** Lets the bridge's off-chain stand-in do its job (deliver, fill) and resolves once it has, or after `timeoutMs`. */
  settle(p: { transferId: string; timeoutMs: number }): Promise<void>
  stop(): Promise<void>
}

/**
 * The shared suite every bridge adapter's test calls (Hummingbot's shared connector suite, for
 * bridges): manifest, refusals as data, quotes whose fees add up, origin-only calls that simulate,
 * and a real transfer on the devnet whose status, pending list and balances agree to the wei.
 */
export function bridgeConformance(p: { name: string; setup: () => Promise<BridgeUnderTest> }): void {
  describe(`bridge conformance: ${p.name}`, () => {
    let b: BridgeUnderTest
    beforeAll(async () => {
      b = await p.setup()
    })
    afterAll(async () => {
      await b?.stop()
    })
    const treasury = () => b.manifest.chains[b.route.from].accounts.treasury
    const request = (over: Partial<TransferRequest> = {}): TransferRequest => ({
      ...b.route,
      sender: treasury(),
      recipient: b.manifest.chains[b.route.to].accounts.treasury,
      ...over,
    })
    const balance = (chain: ChainKey) =>
      b.clients[chain].readContract({
        address: b.token(b.route.asset, chain),
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [b.manifest.chains[chain].accounts.treasury],
      })

    test('has a bridge manifest the registry accepts once and refuses twice', () => {
      const m = b.adapter.manifest
      expect(m.id).toMatch(/^[a-z0-9][a-z0-9-]*$/)
      expect(m.kind).toBe('bridge')
      expect(m.chains).toContain(b.route.from)
      expect(m.chains).toContain(b.route.to)
      const registry = createAdapterRegistry()
      registry.register(b.adapter)
      expect(() => registry.register(b.adapter)).toThrow()
    })

    test('does not support a route to the same chain, and answers a zero amount as data', async () => {
      expect(b.adapter.supports(request({ to: b.route.from }))).toBe(false)
      expect(b.adapter.supports(request())).toBe(true)
      const q = await b.adapter.quote(request({ amount: 0n }))
      expect(q.status).toBe('unavailable')
      if (q.status === 'unavailable') expect(q.reason.length).toBeGreaterThan(0)
    })

    test('quotes in origin chain time, with output = amount − the fee taken in the asset', async () => {
      const q = await b.adapter.quote(request())
      expect(q.status).toBe('ok')
      if (q.status !== 'ok') return
      expect(q.bridge).toBe(b.adapter.manifest.id)
      expect(q.outputAmount).toBe(b.route.amount - q.assetFee)
      expect(q.outputAmount).toBeGreaterThan(0n)
      expect(q.assetFee).toBeGreaterThanOrEqual(0n)
      expect(q.nativeFeeWei).toBeGreaterThanOrEqual(0n)
      expect(q.gasEstimate).toBeGreaterThan(0n)
      const block = await b.clients[b.route.from].getBlock({ blockNumber: q.blockNumber })
      expect(q.blockTimestampSec).toBe(block.timestamp)
      if (q.deadlineSec !== null) expect(q.deadlineSec).toBeGreaterThan(q.blockTimestampSec)
    })

    test('moves the quoted output to the recipient: status, pending list and balances agree to the wei', async () => {
      const q = await b.adapter.quote(request())
      if (q.status !== 'ok') throw new Error(`no quote: ${q.reason}`)
      const built = await b.adapter.buildCalls({ quote: q })
      const chainId = b.manifest.chains[b.route.from].chainId
      expect(built.calls.length).toBeGreaterThan(0)
      for (const call of built.calls) expect(call.chainId).toBe(chainId)

      const fromBlock = await b.clients[b.route.from].getBlockNumber()
      const [fromBefore, toBefore] = await Promise.all([balance(b.route.from), balance(b.route.to)])
      const executor = createExecutor({
        chain: b.route.from,
        chainId,
        publicClient: b.clients[b.route.from],
        account: privateKeyToAccount(b.manifest.devKeys.treasury),
      })
      const prepared = await executor.prepare({ calls: built.calls, idempotencyKey: `conformance-${p.name}` })
      const mined = []
      for (const tx of prepared) mined.push(await executor.submit(tx))
      const sent = await b.adapter.readSent({ from: b.route.from, txHash: mined.at(-1)!.hash })
      if (built.transferId !== null) expect(sent.transferId).toBe(built.transferId)
      expect(sent.amount).toBe(b.route.amount)
      expect(sent.outputAmount).toBe(q.outputAmount)
      expect(await balance(b.route.from)).toBe(fromBefore - b.route.amount)

      // Pending until delivered: the devnet's stand-in may deliver within a block or two, before these reads,
      // so a transfer missing from the pending list must already be delivered (never neither).
      const pending = await b.adapter.getPending({ sender: treasury(), fromBlocks: { [b.route.from]: fromBlock } })
      const listed = pending.some((t) => t.transferId === sent.transferId)
      const early = (await b.adapter.getStatus({ from: b.route.from, to: b.route.to, transferId: sent.transferId })).state
      expect(listed || early === 'delivered', `pending list ${listed ? 'has' : 'lacks'} it, status ${early}`).toBe(true)

      await b.settle({ transferId: sent.transferId, timeoutMs: 60_000 })
      const status = await b.adapter.getStatus({ from: b.route.from, to: b.route.to, transferId: sent.transferId })
      expect(status.state).toBe('delivered')
      expect(status.settledAmount).toBe(q.outputAmount)
      expect(status.deliveryTxHash).toMatch(/^0x[0-9a-f]{64}$/)
      expect(await balance(b.route.to)).toBe(toBefore + q.outputAmount)
      const after = await b.adapter.getPending({ sender: treasury(), fromBlocks: { [b.route.from]: fromBlock } })
      expect(after.map((t) => t.transferId)).not.toContain(sent.transferId)
    })
  })
}
