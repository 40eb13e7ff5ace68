import { ApplicationFailure } from '@temporalio/common'
import { MockActivityEnvironment } from '@temporalio/testing'
import { describe, expect, test } from 'vitest'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import { findFreePort } from '../../chains/devnet/localProcess.ts'
import type { ChainEnvironment } from '../chainEnvironment.ts'
import { Redacted } from '../config.ts'
import { createActivityDeps } from '../worker.ts'
import { createChainActivities, createReadActivities } from './createActivities.ts'

const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const mandate: MandateInput = {
  portfolio: 'unreachable',
  chains: { base: { treasury } },
  delta: { targetEth: '0', bandEth: '1' },
  hedge: { maxSlippageBps: 30, maxGasCostUsdc: '10', maxHedgeSizeEth: '1' },
}
const zero = '0x0000000000000000000000000000000000000001'
const contracts = {
  weth: zero,
  usdc: zero,
  uniswapV3Factory: zero,
  nonfungiblePositionManager: zero,
  swapRouter: zero,
  quoterV2: zero,
  wethUsdcPool: zero,
  ethUsdFeed: zero,
  poolFee: 500,
} as const

describe('observePortfolio', () => {
  test('fails with a typed error naming the chain and no secret when its RPC is unreachable', async () => {
    // Free a moment ago: nothing listens there.
    const port = await findFreePort()
    const secretUrl = `http://keel:hunter2@127.0.0.1:${port}/v3/0123456789abcdef0123456789abcdef?apikey=s3cr3t`
    const environment: ChainEnvironment = {
      network: 'live',
      chains: { base: { chainId: 8453, rpcUrls: [secretUrl], contracts } },
      signerKeys: {},
    }
    const activities = createReadActivities(createActivityDeps({ environment, signChains: [] }))
    const err = await new MockActivityEnvironment().run(activities.observePortfolio, { mandate }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ApplicationFailure)
    const failure = err as ApplicationFailure
    expect(failure.type).toBe('Chains.RpcUnreachableError')
    expect(failure.nonRetryable).toBe(false)
    expect(failure.message).toContain('base')
    const everything = JSON.stringify({ message: failure.message, details: failure.details, stack: failure.stack })
    for (const secret of ['hunter2', '0123456789abcdef0123456789abcdef', 's3cr3t']) expect(everything).not.toContain(secret)
  })

  test('refuses a mandate chain the worker has no RPC for, naming the chain', async () => {
    const environment: ChainEnvironment = { network: 'live', chains: {}, signerKeys: {} }
    const activities = createReadActivities(createActivityDeps({ environment, signChains: [] }))
    const err = await new MockActivityEnvironment().run(activities.observePortfolio, { mandate }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApplicationFailure)
    expect((err as ApplicationFailure).type).toBe('Keel.InvalidInputError')
    expect((err as ApplicationFailure).nonRetryable).toBe(true)
    expect((err as ApplicationFailure).message).toContain('chains.base')
  })
})

describe('chain activities', () => {
  const anvilKey1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
  const environment: ChainEnvironment = {
    network: 'live',
    chains: { base: { chainId: 8453, rpcUrls: ['http://127.0.0.1:1'], contracts } },
    signerKeys: { base: new Redacted(anvilKey1) },
  }
  const quote = {
    status: 'ok',
    chain: 'base',
    tokenIn: zero,
    tokenOut: zero,
    amountIn: '1',
    amountOut: '1',
    gasEstimate: '1',
    sqrtPriceX96After: '1',
    blockNumber: '1',
    blockTimestampSec: '1',
  } as const

  test('refuse to sign for a treasury that is not this chain signer, before any RPC call', async () => {
    const activities = createChainActivities(createActivityDeps({ environment, signChains: ['base'] }), 'base')
    const err = await new MockActivityEnvironment()
      .run(activities.prepareSwap, {
        chain: 'base' as const,
        idempotencyKey: 'k1',
        treasury: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as const,
        quote,
        slippageBps: 10,
        deadlineSec: '100',
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApplicationFailure)
    expect((err as ApplicationFailure).type).toBe('Keel.InvalidInputError')
    expect((err as ApplicationFailure).nonRetryable).toBe(true)
    expect((err as ApplicationFailure).message).toContain(treasury)
  })

  test('refuse work for another chain', async () => {
    const activities = createChainActivities(createActivityDeps({ environment, signChains: ['base'] }), 'base')
    const err = await new MockActivityEnvironment()
      .run(activities.prepareSwap, {
        chain: 'arbitrum' as const,
        idempotencyKey: 'k2',
        treasury,
        quote,
        slippageBps: 10,
        deadlineSec: '100',
      })
      .catch((e: unknown) => e)
    expect((err as ApplicationFailure).type).toBe('Keel.InvalidInputError')
    expect((err as ApplicationFailure).message).toContain('serves base, was asked for arbitrum')
  })

  test('cannot be created on a worker without the chain key', () => {
    expect(() =>
      createChainActivities(createActivityDeps({ environment: { ...environment, signerKeys: {} }, signChains: ['base'] }), 'base'),
    ).toThrow(/no signer key/)
  })
})
