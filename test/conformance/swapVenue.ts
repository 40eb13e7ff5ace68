import { type Chain, erc20Abi, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createExecutor } from '../../adapters/executor/executor.ts'
import { createAdapterRegistry } from '../../adapters/registry.ts'
import type { SwapVenueAdapter } from '../../adapters/types.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'

export type SwapVenueUnderTest = {
  adapter: SwapVenueAdapter
  manifest: DevnetManifest
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  stop(): Promise<void>
}

/**
 * The shared suite every swap venue's test calls (a solver's adapter included): it checks the
 * contract keel relies on, on the real devnet — manifest, absence as data, quotes pinned to chain
 * time, calls that simulate from the treasury, and positions that match the chain.
 */
export function swapVenueConformance(p: { name: string; setup: () => Promise<SwapVenueUnderTest> }): void {
  describe(`swap venue conformance: ${p.name}`, () => {
    let v: SwapVenueUnderTest
    beforeAll(async () => {
      v = await p.setup()
    })
    afterAll(async () => {
      await v?.stop()
    })
    const served = () => v.adapter.manifest.chains.filter((c) => (chainKeys as readonly string[]).includes(c))
    const pair = (chain: ChainKey) => ({ weth: v.manifest.chains[chain].contracts.weth, usdc: v.manifest.chains[chain].contracts.usdc })

    test('has a manifest the registry accepts once and refuses twice', () => {
      const m = v.adapter.manifest
      expect(m.id).toMatch(/^[a-z0-9][a-z0-9-]*$/)
      expect(m.kind).toBe('amm')
      expect(m.version).toMatch(/^\d+\.\d+\.\d+/)
      expect(served().length).toBeGreaterThan(0)
      const registry = createAdapterRegistry()
      registry.register(v.adapter)
      expect(() => registry.register(v.adapter)).toThrow()
    })

    test('does not support a swap of a token for itself', () => {
      for (const chain of served()) {
        const { weth, usdc } = pair(chain)
        expect(v.adapter.supports({ chain, tokenIn: weth, tokenOut: weth, amountIn: 1n })).toBe(false)
        expect(v.adapter.supports({ chain, tokenIn: weth, tokenOut: usdc, amountIn: 1n })).toBe(true)
      }
    })

    test('answers a zero amount with unavailable and a reason, not an exception', async () => {
      for (const chain of served()) {
        const { weth, usdc } = pair(chain)
        const q = await v.adapter.quote({ chain, tokenIn: weth, tokenOut: usdc, amountIn: 0n })
        expect(q.status).toBe('unavailable')
        if (q.status === 'unavailable') expect(q.reason.length).toBeGreaterThan(0)
      }
    })

    test('quotes in chain time: block number and timestamp of a real block', async () => {
      for (const chain of served()) {
        const { weth, usdc } = pair(chain)
        const q = await v.adapter.quote({ chain, tokenIn: weth, tokenOut: usdc, amountIn: 10n ** 18n })
        expect(q.status).toBe('ok')
        if (q.status !== 'ok') continue
        expect(q.chain).toBe(chain)
        expect(q.amountIn).toBe(10n ** 18n)
        expect(q.amountOut).toBeGreaterThan(0n)
        expect(q.gasEstimate).toBeGreaterThan(0n)
        const block = await v.clients[chain].getBlock({ blockNumber: q.blockNumber })
        expect(q.blockTimestampSec).toBe(block.timestamp)
      }
    })

    test('builds calls for the right chain that simulate from the treasury', async () => {
      for (const chain of served()) {
        const { weth, usdc } = pair(chain)
        const q = await v.adapter.quote({ chain, tokenIn: weth, tokenOut: usdc, amountIn: 10n ** 17n })
        if (q.status !== 'ok') throw new Error(`no quote on ${chain}: ${q.reason}`)
        const treasury = v.manifest.chains[chain].accounts.treasury
        const calls = await v.adapter.buildCalls({
          quote: q,
          recipient: treasury,
          slippageBps: 50,
          deadlineSec: q.blockTimestampSec + 600n,
        })
        expect(calls.length).toBeGreaterThan(0)
        for (const c of calls) expect(c.chainId).toBe(v.manifest.chains[chain].chainId)
        const executor = createExecutor({
          chain,
          chainId: v.manifest.chains[chain].chainId,
          publicClient: v.clients[chain],
          account: privateKeyToAccount(v.manifest.devKeys.treasury),
        })
        const nonceBefore = await v.clients[chain].getTransactionCount({ address: treasury })
        // prepare() simulates every call in order and signs; nothing is sent.
        const prepared = await executor.prepare({ calls, idempotencyKey: `conformance-${p.name}-${chain}` })
        expect(prepared).toHaveLength(calls.length)
        expect(await v.clients[chain].getTransactionCount({ address: treasury })).toBe(nonceBefore)
      }
    })

    test('reads the treasury spot balances exactly as the tokens report them', async () => {
      for (const chain of served()) {
        const treasury = v.manifest.chains[chain].accounts.treasury
        const positions = await v.adapter.readPositions({ chain, owner: treasury })
        for (const token of Object.values(pair(chain))) {
          const onChain = await v.clients[chain].readContract({
            address: token,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [treasury],
          })
          const spot = positions.find((x) => x.kind === 'spot' && x.token.toLowerCase() === token.toLowerCase())
          expect(spot?.kind === 'spot' ? spot.amount : undefined).toBe(onChain)
        }
      }
    })
  })
}
