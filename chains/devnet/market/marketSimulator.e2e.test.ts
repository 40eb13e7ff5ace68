import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chainKeys, type DevnetManifest } from '../../types.ts'
import { priceFeedAbi, uniswapV3PoolAbi } from '../abis.ts'
import { chainProfiles } from '../constants.ts'
import { toPriceE8, withDevnet } from '../devnet.ts'
import { priceE8FromSqrtPriceX96, sqrtPriceX96FromPriceE8 } from '../uniswapMath.ts'
import { createMarketSimulator, type MarketSimulator } from './marketSimulator.ts'
import { defaultPricePathParams, samplePricePath } from './pricePath.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'keel-market-'))
let devnet: Awaited<ReturnType<typeof withDevnet>> | undefined
let manifest: DevnetManifest
let sim: MarketSimulator
const seed = 11
const stepSec = 300

const clientFor = (rpcUrl: string) => createPublicClient({ transport: http(rpcUrl) })
const wethIsToken0 = (m: DevnetManifest) => BigInt(m.chains.ethereum.contracts.weth) < BigInt(m.chains.ethereum.contracts.usdc)

async function readChain(key: (typeof chainKeys)[number]) {
  const { rpcUrl, contracts } = manifest.chains[key]
  const client = clientFor(rpcUrl)
  const [slot0, round, block] = await Promise.all([
    client.readContract({ address: contracts.wethUsdcPool, abi: uniswapV3PoolAbi, functionName: 'slot0' }),
    client.readContract({ address: contracts.ethUsdFeed, abi: priceFeedAbi, functionName: 'latestRoundData' }),
    client.getBlock({ blockTag: 'latest' }),
  ])
  return { sqrtPriceX96: slot0[0], answer: round[1], updatedAt: round[3], block }
}

beforeAll(async () => {
  devnet = await withDevnet({ stateDir, treasury: 'signer', seed, initialEthPriceUsd: 3000 })
  manifest = devnet.manifest
  sim = await createMarketSimulator({ manifest, path: { stepSec } })
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('createMarketSimulator', () => {
  test('moves every pool exactly onto the seeded path price and posts it to every feed in one tick', async () => {
    const expected = samplePricePath({ ...defaultPricePathParams, seed, stepSec, startPriceUsd: 3000, steps: 2 })
    const first = await sim.tick()
    expect(first.priceE8).toBe(toPriceE8(expected[0] ?? 0))
    const target = sqrtPriceX96FromPriceE8({ priceE8: first.priceE8, wethIsToken0: wethIsToken0(manifest) })
    for (const key of chainKeys) {
      const state = await readChain(key)
      expect(state.sqrtPriceX96).toBe(target)
      expect(state.answer).toBe(first.priceE8)
      expect(state.updatedAt).toBe(first.timestampSec)
      expect(first.chains[key].sqrtPriceX96).toBe(target)
    }
    const second = await sim.tick()
    expect(second.priceE8).toBe(toPriceE8(expected[1] ?? 0))
    expect(second.timestampSec).toBe(first.timestampSec + BigInt(stepSec))
  })

  test('leaves the latest block timestamp equal on all chains after a tick', async () => {
    const result = await sim.tick()
    const blocks = await Promise.all(chainKeys.map(async (k) => (await readChain(k)).block))
    expect(blocks.map((b) => b.timestamp)).toEqual(chainKeys.map(() => result.timestampSec))
  })

  test('mines the tick block at each chain profile base fee', async () => {
    await sim.tick()
    for (const key of chainKeys) {
      const { block } = await readChain(key)
      expect(block.baseFeePerGas).toBe(chainProfiles[key].baseFeeWei)
    }
  })

  test('moves pools and feeds by the shock percentage when shocked', async () => {
    const before = sim.priceE8()
    const result = await sim.shock({ pct: -10 })
    const expectedE8 = (before * 9n) / 10n
    const off = result.priceE8 > expectedE8 ? result.priceE8 - expectedE8 : expectedE8 - result.priceE8
    expect(off).toBeLessThanOrEqual(1n)
    for (const key of chainKeys) {
      const state = await readChain(key)
      expect(state.answer).toBe(result.priceE8)
      const poolPrice = priceE8FromSqrtPriceX96({ sqrtPriceX96: state.sqrtPriceX96, wethIsToken0: wethIsToken0(manifest) })
      const poolOff = poolPrice > result.priceE8 ? poolPrice - result.priceE8 : result.priceE8 - poolPrice
      expect(poolOff).toBeLessThanOrEqual(1n)
      expect(result.chains[key].zeroForOne).toBe(wethIsToken0(manifest))
    }
  })

  test('rejects a shock that would take the price to zero', async () => {
    expect(() => sim.shock({ pct: -100 })).toThrow('zero or below')
  })
})
