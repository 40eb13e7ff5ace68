import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, encodeAbiParameters, getCreate2Address, http, keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chainKeys, type DevnetManifest } from '../types.ts'
import { erc20Abi, positionManagerAbi, priceFeedAbi, uniswapV3FactoryAbi, uniswapV3PoolAbi } from './abis.ts'
import { peripheryPoolInitCodeHash } from './artifacts.ts'
import { treasuryHoldings } from './constants.ts'
import { startDevnet, stopDevnet, withDevnet } from './devnet.ts'
import { isProcessAlive } from './localProcess.ts'
import { readManifest } from './manifest.ts'
import { rfqMakerPids } from './rfq/deploy.ts'
import { priceE8FromSqrtPriceX96 } from './uniswapMath.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'keel-devnet-'))
let devnet: Awaited<ReturnType<typeof withDevnet>> | undefined
let manifest: DevnetManifest

const clientFor = (rpcUrl: string) => createPublicClient({ transport: http(rpcUrl) })

beforeAll(async () => {
  devnet = await withDevnet({ stateDir, initialEthPriceUsd: 3000, seed: 7, treasury: 'signer' })
  manifest = devnet.manifest
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('startDevnet', () => {
  test('writes the manifest it returns and serves the real chain ids', async () => {
    expect(readManifest(stateDir)).toEqual(manifest)
    const ids = await Promise.all(chainKeys.map((k) => clientFor(manifest.chains[k].rpcUrl).getChainId()))
    expect(ids).toEqual([1, 42161, 8453])
    expect(chainKeys.map((k) => manifest.chains[k].chainId)).toEqual([1, 42161, 8453])
  })

  test('leaves code at every contract of the manifest on every chain', async () => {
    for (const key of chainKeys) {
      const client = clientFor(manifest.chains[key].rpcUrl)
      for (const [name, address] of Object.entries(manifest.chains[key].contracts)) {
        const code = await client.getCode({ address })
        expect(code?.length ?? 0, `${key}.${name}`).toBeGreaterThan(2)
      }
    }
  })

  test('records the pool the factory returns, at the address the periphery computes', async () => {
    for (const key of chainKeys) {
      const { contracts, poolFee, rpcUrl } = manifest.chains[key]
      const pool = await clientFor(rpcUrl).readContract({
        address: contracts.uniswapV3Factory,
        abi: uniswapV3FactoryAbi,
        functionName: 'getPool',
        args: [contracts.weth, contracts.usdc, poolFee],
      })
      expect(pool).toBe(contracts.wethUsdcPool)
      const [token0, token1] =
        BigInt(contracts.weth) < BigInt(contracts.usdc) ? [contracts.weth, contracts.usdc] : [contracts.usdc, contracts.weth]
      const salt = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint24' }], [token0, token1, poolFee]))
      expect(getCreate2Address({ from: contracts.uniswapV3Factory, salt, bytecodeHash: peripheryPoolInitCodeHash() })).toBe(pool)
    }
  })

  test('initialises every pool within 0.1 % of the configured price, with liquidity', async () => {
    for (const key of chainKeys) {
      const { contracts, rpcUrl } = manifest.chains[key]
      const client = clientFor(rpcUrl)
      const [sqrtPriceX96] = await client.readContract({ address: contracts.wethUsdcPool, abi: uniswapV3PoolAbi, functionName: 'slot0' })
      const priceE8 = priceE8FromSqrtPriceX96({ sqrtPriceX96, wethIsToken0: BigInt(contracts.weth) < BigInt(contracts.usdc) })
      const diff = priceE8 > 3000_00000000n ? priceE8 - 3000_00000000n : 3000_00000000n - priceE8
      expect(diff * 1000n).toBeLessThanOrEqual(3000_00000000n)
      const liquidity = await client.readContract({ address: contracts.wethUsdcPool, abi: uniswapV3PoolAbi, functionName: 'liquidity' })
      expect(liquidity).toBeGreaterThan(0n)
    }
  })

  test('makes every feed answer latestRoundData with the configured price at 8 decimals', async () => {
    for (const key of chainKeys) {
      const client = clientFor(manifest.chains[key].rpcUrl)
      const feed = manifest.chains[key].contracts.ethUsdFeed
      const [roundId, answer, startedAt, updatedAt, answeredInRound] = await client.readContract({
        address: feed,
        abi: priceFeedAbi,
        functionName: 'latestRoundData',
      })
      expect(await client.readContract({ address: feed, abi: priceFeedAbi, functionName: 'decimals' })).toBe(8)
      expect(answer).toBe(3000_00000000n)
      expect(roundId).toBe(1n)
      expect(answeredInRound).toBe(roundId)
      expect(updatedAt).toBe(startedAt)
      expect(updatedAt).toBeGreaterThan(0n)
    }
  })

  test('gives the treasury its two LP NFTs and its spot balances to the wei', async () => {
    for (const key of chainKeys) {
      const { contracts, accounts, rpcUrl, treasuryLpTokenIds } = manifest.chains[key]
      const client = clientFor(rpcUrl)
      expect(treasuryLpTokenIds).toHaveLength(2)
      const ranges: number[][] = []
      for (const id of treasuryLpTokenIds) {
        const owner = await client.readContract({
          address: contracts.nonfungiblePositionManager,
          abi: positionManagerAbi,
          functionName: 'ownerOf',
          args: [BigInt(id)],
        })
        expect(owner).toBe(accounts.treasury)
        const position = await client.readContract({
          address: contracts.nonfungiblePositionManager,
          abi: positionManagerAbi,
          functionName: 'positions',
          args: [BigInt(id)],
        })
        expect(position[7]).toBeGreaterThan(0n)
        ranges.push([position[5], position[6]])
      }
      expect(ranges[0]).not.toEqual(ranges[1])
      const balance = (token: `0x${string}`) =>
        client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [accounts.treasury] })
      expect(await balance(contracts.weth)).toBe(treasuryHoldings.spotWeth)
      expect(await balance(contracts.usdc)).toBe(treasuryHoldings.spotUsdc)
    }
  })

  test('deploys to the same addresses and token ids when started a second time', async () => {
    const secondDir = mkdtempSync(join(tmpdir(), 'keel-devnet-'))
    let second: DevnetManifest | undefined
    try {
      second = await startDevnet({ stateDir: secondDir, initialEthPriceUsd: 3000, seed: 7, treasury: 'signer' })
      for (const key of chainKeys) {
        expect(second.chains[key].contracts).toEqual(manifest.chains[key].contracts)
        expect(second.chains[key].treasuryLpTokenIds).toEqual(manifest.chains[key].treasuryLpTokenIds)
        expect(second.chains[key].rpcUrl).not.toBe(manifest.chains[key].rpcUrl)
      }
    } finally {
      await stopDevnet(secondDir)
      rmSync(secondDir, { recursive: true, force: true })
    }
    expect(second).toBeDefined()
  })
})

describe('stopDevnet', () => {
  test('leaves no anvil process, no bridge stand-in and no manifest behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-devnet-'))
    try {
      const started = await startDevnet({ stateDir: dir })
      // The anvil nodes, every bridge's off-chain stand-ins (LayerZero's delivery service, Across's relayer), the two RFQ makers and the relay building Ethereum's blocks.
      const pids = [
        ...chainKeys.map((k) => started.chains[k].pid),
        ...Object.values(started.bridges ?? {}).flatMap((b) => b?.services ?? []),
        ...rfqMakerPids(started),
        ...(started.relay ? [started.relay.pid] : []),
      ]
      expect(pids.length).toBe(chainKeys.length + 2 + 2 + 1)
      expect(pids.every(isProcessAlive)).toBe(true)
      const { stoppedPids } = await stopDevnet(dir)
      expect(stoppedPids.sort()).toEqual([...pids].sort())
      expect(pids.some(isProcessAlive)).toBe(false)
      expect(readManifest(dir)).toBeNull()
    } finally {
      await stopDevnet(dir)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
