import { describe, expect, test } from 'vitest'
import { parseMandate } from '../mandate/schema.ts'
import { decideBandHedge } from '../policy/bandPolicy.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import type { RouteQuote } from '../transfer/routeChoice.ts'
import { planCycle } from './planCycle.ts'

const ETH = 10n ** 18n
const USDC = 10n ** 6n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const mid = { sqrtPriceX96: '4339505179874779489431521', wethIsToken0: true }
const mandate = parseMandate({
  portfolio: 'plans',
  chains: { ethereum: { treasury }, arbitrum: { treasury } },
  delta: { targetEth: '500', bandEth: '5' },
  hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
  capital: {
    chains: { ethereum: { usdc: { min: '50000', target: '100000' } }, arbitrum: { usdc: { min: '0', target: '0' } } },
    maxCostBps: 20,
  },
})
const snapshot = {
  portfolio: 'plans',
  chains: [{ blockTimestampSec: '1000' }, { blockTimestampSec: '1002' }],
} as unknown as PortfolioSnapshot
const exposure = (deltaWei: bigint) => ({ deltaWei }) as PortfolioExposure
const route = (over: Partial<RouteQuote>): RouteQuote => ({
  bridge: 'across-v3',
  asset: 'USDC',
  from: 'arbitrum',
  to: 'ethereum',
  amount: (90_000n * USDC).toString(),
  outputAmount: (89_990n * USDC).toString(),
  assetFee: (10n * USDC).toString(),
  nativeFeeWei: '0',
  gasEstimate: '100000',
  expectedSec: 30,
  maxAmount: null,
  originGasPriceWei: '100000000',
  originMid: mid,
  ...over,
})

describe('planCycle', () => {
  test('holds inside the band and moves capital the policy asks for over the cheapest route', () => {
    const plan = planCycle({
      portfolio: 'plans',
      snapshot,
      exposure: exposure(500n * ETH),
      mandate,
      decision: decideBandHedge({ mandate, deltaWei: 500n * ETH }),
      slice: null,
      capitalMoves: [{ asset: 'USDC', from: 'arbitrum', to: 'ethereum', amount: 90_000n * USDC, reason: 'ethereum below its minimum' }],
      operatorRequests: [],
      routes: [
        route({}),
        route({
          bridge: 'layerzero-v2-oft',
          assetFee: '0',
          outputAmount: (90_000n * USDC).toString(),
          nativeFeeWei: (10n ** 15n).toString(),
        }),
      ],
      seq: { hedge: 7, transfer: 2 },
    })
    expect(plan.atChainTimeSec).toBe('1002')
    expect(plan.steps).toHaveLength(1)
    const step = plan.steps[0]!
    expect(step).toMatchObject({
      kind: 'transfer',
      id: 'transfer-plans-3',
      bridge: 'layerzero-v2-oft',
      amount: (90_000n * USDC).toString(),
      expectedOutput: (90_000n * USDC).toString(),
      maxCostBps: 20,
      origin: 'capital-policy',
      dependsOn: [],
      expectedDeltaAfterWei: (500n * ETH).toString(),
    })
    expect(plan.summary).toBe('move 90000.00 USDC arbitrum → ethereum over layerzero-v2-oft')
  })

  test('says why a move is not made when no route is within budget', () => {
    const plan = planCycle({
      portfolio: 'plans',
      snapshot,
      exposure: exposure(500n * ETH),
      mandate,
      decision: decideBandHedge({ mandate, deltaWei: 500n * ETH }),
      slice: null,
      capitalMoves: [],
      operatorRequests: [
        { asset: 'USDC', from: 'arbitrum', to: 'ethereum', amount: (90_000n * USDC).toString(), bridge: 'across-v3', maxCostBps: 1 },
      ],
      routes: [route({})],
      seq: { hedge: 0, transfer: 0 },
    })
    expect(plan.steps).toEqual([])
    expect(plan.summary).toBe('USDC arbitrum → ethereum not moved: no route within 1 bp (across-v3: 2 bp)')
  })

  test('keeps a WETH transfer out of the delta only by what the bridge keeps', () => {
    const plan = planCycle({
      portfolio: 'plans',
      snapshot,
      exposure: exposure(500n * ETH),
      mandate,
      decision: decideBandHedge({ mandate, deltaWei: 500n * ETH }),
      slice: null,
      capitalMoves: [{ asset: 'WETH', from: 'arbitrum', to: 'ethereum', amount: 30n * ETH, reason: 'test' }],
      operatorRequests: [],
      routes: [
        route({
          asset: 'WETH',
          amount: (30n * ETH).toString(),
          assetFee: (10n ** 16n).toString(),
          outputAmount: (30n * ETH - 10n ** 16n).toString(),
        }),
      ],
      seq: { hedge: 0, transfer: 0 },
    })
    expect(plan.steps[0]?.expectedDeltaAfterWei).toBe((500n * ETH - 10n ** 16n).toString())
  })
})
