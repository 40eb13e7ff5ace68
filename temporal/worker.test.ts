import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import type { ChainEnvironment } from './chainEnvironment.ts'
import { Redacted } from './config.ts'
import { planWorkerChains, shutdownTimes } from './worker.ts'

const key = `0x${'11'.repeat(32)}` as const
const contracts = {
  weth: '0x0000000000000000000000000000000000000001',
  usdc: '0x0000000000000000000000000000000000000002',
  uniswapV3Factory: '0x0000000000000000000000000000000000000003',
  nonfungiblePositionManager: '0x0000000000000000000000000000000000000004',
  swapRouter: '0x0000000000000000000000000000000000000005',
  quoterV2: '0x0000000000000000000000000000000000000006',
  wethUsdcPool: '0x0000000000000000000000000000000000000007',
  ethUsdFeed: '0x0000000000000000000000000000000000000008',
  poolFee: 500,
} as const

// Live: ethereum has an RPC and a key, arbitrum an RPC only, base nothing.
const live: ChainEnvironment = {
  network: 'live',
  chains: {
    ethereum: { chainId: 1, rpcUrls: ['https://eth.example'], contracts },
    arbitrum: { chainId: 42161, rpcUrls: ['https://arb.example'], contracts },
  },
  signerKeys: { ethereum: new Redacted(key), base: new Redacted(key) },
}

describe('planWorkerChains', () => {
  test('serves a chain with an RPC and a key, naming its queue and signer address', () => {
    const { served } = planWorkerChains({ environment: live, signChains: ['ethereum'], taskQueuePrefix: 'p-' })
    expect(served).toEqual([{ chain: 'ethereum', chainId: 1, taskQueue: 'p-chain-1', signer: privateKeyToAccount(key).address }])
  })

  test('skips a chain without a key or without an RPC and names the variable that is missing', () => {
    const { served, skipped } = planWorkerChains({ environment: live, signChains: ['ethereum', 'arbitrum', 'base'] })
    expect(served.map((s) => s.chain)).toEqual(['ethereum'])
    expect(skipped).toEqual([
      { chain: 'arbitrum', reason: 'no-key', variable: 'KEEL_SIGNER_KEY_ARBITRUM' },
      { chain: 'base', reason: 'no-rpc', variable: 'KEEL_RPC_BASE' },
    ])
  })
})

describe('shutdownTimes', () => {
  test('gives activities the grace time, then 5 s more before the worker gives up on them', () => {
    expect(shutdownTimes(10)).toEqual({ shutdownGraceTime: 10_000, shutdownForceTime: 15_000 })
  })
})
