import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { poolAbi, positionManagerAbi } from '../adapters/uniswap-v3/abis.ts'
import { lpGreeks } from '../agent/lp/lpGreeks.ts'
import { positionAmounts } from '../agent/lp/positionAmounts.ts'
import { startDevnet, stopDevnet } from '../chains/devnet/devnet.ts'
import { createDevnetClients } from '../chains/devnet/devnetClients.ts'
import { createMarketSimulator } from '../chains/devnet/market/marketSimulator.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../chains/types.ts'

const require = createRequire(import.meta.url)
const npmAbi = (
  require('@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json') as { abi: Abi }
).abi

let manifest: DevnetManifest
let stateDir: string
beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'keel-lp-'))
  manifest = await startDevnet({ stateDir, seed: 5, treasury: 'signer' })
})
afterAll(async () => {
  await stopDevnet(stateDir)
  rmSync(stateDir, { recursive: true, force: true })
})

/** What the real NonfungiblePositionManager would pay for a full burn, vs agent/lp's math. */
async function compareChain(chain: ChainKey): Promise<number> {
  const m = manifest.chains[chain]
  const { publicClient } = createDevnetClients({ key: chain, rpcUrl: m.rpcUrl })
  const [sqrtPriceX96, tick] = await publicClient.readContract({ address: m.contracts.wethUsdcPool, abi: poolAbi, functionName: 'slot0' })
  const block = await publicClient.getBlock()
  let compared = 0
  for (const id of m.treasuryLpTokenIds) {
    const tokenId = BigInt(id)
    const pos = await publicClient.readContract({
      address: m.contracts.nonfungiblePositionManager,
      abi: positionManagerAbi,
      functionName: 'positions',
      args: [tokenId],
    })
    const [, , token0, , , tickLower, tickUpper, liquidity] = pos
    const { result } = await publicClient.simulateContract({
      account: m.accounts.treasury,
      address: m.contracts.nonfungiblePositionManager,
      abi: npmAbi,
      functionName: 'decreaseLiquidity',
      args: [{ tokenId, liquidity, amount0Min: 0n, amount1Min: 0n, deadline: block.timestamp + 3600n }],
    })
    const [onChain0, onChain1] = result as readonly [bigint, bigint]
    const ours = positionAmounts({ liquidity, tickLower, tickUpper, sqrtPriceX96, tickCurrent: tick })
    expect(ours.amount0).toBe(onChain0)
    expect(ours.amount1).toBe(onChain1)
    const wethIsToken0 = token0.toLowerCase() === m.contracts.weth.toLowerCase()
    const g = lpGreeks({
      liquidity,
      tickLower,
      tickUpper,
      sqrtPriceX96,
      decimals0: wethIsToken0 ? 18 : 6,
      decimals1: wethIsToken0 ? 6 : 18,
      riskyIsToken0: wethIsToken0,
    })
    const wethAmount = Number(wethIsToken0 ? onChain0 : onChain1) / 1e18
    // Delta of an LP is the ETH it holds; gamma is negative in range, zero outside.
    expect(g.delta).toBeCloseTo(wethAmount, 9)
    const inRange = tick >= tickLower && tick < tickUpper
    if (inRange) expect(g.gamma).toBeLessThan(0)
    else expect(g.gamma).toBe(0)
    compared += 1
  }
  return compared
}

describe('Uniswap V3 position amounts from agent/lp', () => {
  test('equal what the real position manager pays on a full burn, to the wei, at the start price', async () => {
    const n = await Promise.all(chainKeys.map(compareChain))
    expect(n).toEqual([2, 2, 2])
  })

  test('still equal after the market moves, including past the narrow range', async () => {
    const sim = await createMarketSimulator({ manifest, path: { stepSec: 3600 } })
    for (let i = 0; i < 5; i++) await sim.tick()
    await Promise.all(chainKeys.map(compareChain))
    // −14 % leaves the ±10 % position entirely in ETH (out of range) and the ±25 % one inside.
    await sim.shock({ pct: -14 })
    await Promise.all(chainKeys.map(compareChain))
    await sim.shock({ pct: 40 })
    await Promise.all(chainKeys.map(compareChain))
  })
})
