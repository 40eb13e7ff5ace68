import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { InvalidInputError } from '../../agent/errors.ts'
import type { DevnetManifest } from '../types.ts'
import { manifestPath, readManifest, writeManifest } from './manifest.ts'

const dirs: string[] = []
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-manifest-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as const
const entry = (chainId: number, pid: number): DevnetManifest['chains']['ethereum'] => ({
  chainId,
  rpcUrl: `http://127.0.0.1:${40000 + pid}`,
  pid,
  contracts: {
    weth: address(1),
    usdc: address(2),
    uniswapV3Factory: address(3),
    nonfungiblePositionManager: address(4),
    swapRouter: address(5),
    quoterV2: address(6),
    wethUsdcPool: address(7),
    ethUsdFeed: address(8),
  },
  poolFee: 500,
  accounts: { deployer: address(9), treasury: address(10), arbitrageur: address(11) },
  treasuryLpTokenIds: ['4', '5'],
})
const sample: DevnetManifest = {
  version: 1,
  params: { seed: 1, blockTimeSec: null, initialEthPriceUsd: 3000 },
  chains: { ethereum: entry(1, 11), arbitrum: entry(42161, 12), base: entry(8453, 13) },
  devKeys: { deployer: '0x01', treasury: '0x02', arbitrageur: '0x03' },
}

describe('readManifest', () => {
  test('returns null when no devnet was started in the state dir', () => {
    expect(readManifest(freshDir())).toBeNull()
  })

  test('returns what writeManifest wrote', () => {
    const dir = freshDir()
    writeManifest(dir, sample)
    expect(readManifest(dir)).toEqual(sample)
  })

  test('throws InvalidInputError naming the path when a field is malformed', () => {
    const dir = freshDir()
    mkdirSync(join(dir, 'devnet'), { recursive: true })
    const broken = { ...sample, chains: { ...sample.chains, base: { ...sample.chains.base, pid: -3 } } }
    writeFileSync(manifestPath(dir), JSON.stringify(broken))
    const err = (() => {
      try {
        readManifest(dir)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as InvalidInputError).issues.map((i) => i.path)).toEqual(['chains.base.pid'])
  })
})
