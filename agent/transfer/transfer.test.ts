import { describe, expect, test } from 'vitest'
import { parseMandate } from '../mandate/schema.ts'
import { capitalMoves } from './capitalPolicy.ts'
import { chooseRoute, costRoute, type RouteQuote } from './routeChoice.ts'
import { ImpossibleTransferStateError, nextTransferState } from './transferState.ts'

const ETH = 10n ** 18n
const USDC = 10n ** 6n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
// WETH token0, USDC token1 at 3000 USDC/ETH (see agent/venue/chooseVenue.test.ts).
const mid = { sqrtPriceX96: '4339505179874779489431521', wethIsToken0: true }

const mandate = (capital: unknown) =>
  parseMandate({
    portfolio: 'capital',
    chains: { ethereum: { treasury }, arbitrum: { treasury }, base: { treasury } },
    delta: { targetEth: '500', bandEth: '5' },
    hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
    capital,
  })

describe('capitalMoves', () => {
  const policy = {
    chains: {
      ethereum: { weth: { min: '20', target: '60' }, usdc: { min: '50000', target: '100000' } },
      arbitrum: { weth: { min: '10', target: '40' } },
      base: { weth: { min: '10', target: '30' } },
    },
  }

  test('refills a chain below its minimum to its target from the chains with most above target', () => {
    const moves = capitalMoves({
      mandate: mandate(policy),
      capital: [
        { chain: 'ethereum', weth: 5n * ETH, usdc: 200_000n * USDC },
        { chain: 'arbitrum', weth: 70n * ETH, usdc: 0n },
        { chain: 'base', weth: 60n * ETH, usdc: 0n },
      ],
      inFlight: [],
    })
    // Ethereum needs 55 WETH: 30 from arbitrum (70 − 40), then 25 of base's 30 over its target.
    expect(moves.map(({ reason: _r, ...m }) => m)).toEqual([
      { asset: 'WETH', from: 'arbitrum', to: 'ethereum', amount: 30n * ETH },
      { asset: 'WETH', from: 'base', to: 'ethereum', amount: 25n * ETH },
    ])
  })

  test('counts what is on its way and never sends a second transfer to the same chain meanwhile', () => {
    const capital = [
      { chain: 'ethereum' as const, weth: 5n * ETH, usdc: 200_000n * USDC },
      { chain: 'arbitrum' as const, weth: 70n * ETH, usdc: 0n },
      { chain: 'base' as const, weth: 60n * ETH, usdc: 0n },
    ]
    const inFlight = [{ asset: 'WETH' as const, from: 'arbitrum' as const, to: 'ethereum' as const, amount: 10n * ETH }]
    expect(capitalMoves({ mandate: mandate(policy), capital, inFlight })).toEqual([])
  })

  test('leaves chains without a policy for an asset alone, as donors and as recipients', () => {
    const moves = capitalMoves({
      mandate: mandate({ chains: { ethereum: { usdc: { min: '50000', target: '100000' } } } }),
      capital: [
        { chain: 'ethereum', weth: 0n, usdc: 10_000n * USDC },
        { chain: 'arbitrum', weth: 0n, usdc: 900_000n * USDC },
      ],
      inFlight: [],
    })
    expect(moves).toEqual([])
  })

  test('refuses a policy for a chain outside the mandate, and a min above the target, by name', () => {
    expect(() =>
      parseMandate({
        portfolio: 'capital',
        chains: { ethereum: { treasury } },
        delta: { targetEth: '1', bandEth: '1' },
        hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
        capital: { chains: { base: { weth: { min: '5', target: '1' } } } },
      }),
    ).toThrow(
      /capital\.chains\.base\.weth\.min: min must not exceed target[\s\S]*capital\.chains\.base: base is not one of the mandate's chains/,
    )
  })
})

const quote = (over: Partial<RouteQuote>): RouteQuote => ({
  bridge: 'across-v3',
  asset: 'USDC',
  from: 'arbitrum',
  to: 'ethereum',
  amount: (100_000n * USDC).toString(),
  outputAmount: (99_950n * USDC).toString(),
  assetFee: (50n * USDC).toString(),
  nativeFeeWei: '0',
  gasEstimate: '100000',
  expectedSec: 60,
  maxAmount: null,
  originGasPriceWei: '100000000', // 0.1 gwei
  originMid: mid,
  ...over,
})

describe('costRoute', () => {
  test('adds the asset fee, the native fee, the origin gas and the time value, in USDC', () => {
    const lz = costRoute(
      quote({
        bridge: 'layerzero-v2-oft',
        outputAmount: (100_000n * USDC).toString(),
        assetFee: '0',
        nativeFeeWei: (10n ** 15n).toString(),
      }),
      { timeValueBpsPerYear: 500 },
    )
    // 0.001 ETH native fee = 3 USDC; 1e5 gas × 0.1 gwei = 1e-5 ETH = 0.03 USDC; 100k USDC × 5 %/yr × 60 s ≈ 0.0095 USDC.
    expect(lz.breakdown).toEqual({ assetFeeUsdc: 0n, nativeFeeUsdc: 3_000_000n, gasUsdc: 30_000n, timeValueUsdc: 9_513n })
    expect(lz.costUsdc).toBe(3_039_513n)
    expect(lz.costBps).toBe(1n)
  })

  test('adds the origin L2’s L1 data fee to the origin gas', () => {
    const q = { bridge: 'layerzero-v2-oft', outputAmount: (100_000n * USDC).toString(), assetFee: '0', nativeFeeWei: '0' }
    const without = costRoute(quote(q), { timeValueBpsPerYear: 0 })
    // 1e-4 ETH of L1 data fee = 0.30 USDC on top of the 0.03 USDC of execution.
    const withFee = costRoute(quote({ ...q, originL1DataFeeWei: (10n ** 14n).toString() }), { timeValueBpsPerYear: 0 })
    expect([without.breakdown.gasUsdc, withFee.breakdown.gasUsdc]).toEqual([30_000n, 330_000n])
  })
})

describe('chooseRoute', () => {
  const move = { asset: 'USDC' as const, from: 'arbitrum' as const, to: 'ethereum' as const, amount: 100_000n * USDC, reason: 'test' }

  test('takes the cheapest route per unit moved within budget', () => {
    const r = chooseRoute({
      move,
      quotes: [
        quote({}),
        quote({ bridge: 'layerzero-v2-oft', assetFee: '0', outputAmount: move.amount.toString(), nativeFeeWei: (10n ** 15n).toString() }),
      ],
      maxCostBps: 30,
      timeValueBpsPerYear: 500,
    })
    expect(r.status).toBe('ok')
    if (r.status !== 'ok') return
    expect(r.legs).toEqual([
      { bridge: 'layerzero-v2-oft', amount: move.amount, expectedOutput: move.amount, expectedCostUsdc: 3_039_513n, costBps: 1n },
    ])
  })

  test('splits over the next route when the cheapest one takes less than the whole amount', () => {
    const r = chooseRoute({
      move,
      quotes: [
        quote({}),
        quote({ bridge: 'layerzero-v2-oft', assetFee: '0', nativeFeeWei: (10n ** 15n).toString(), maxAmount: (40_000n * USDC).toString() }),
      ],
      maxCostBps: 30,
      timeValueBpsPerYear: 500,
    })
    expect(r.status === 'ok' && r.legs.map((l) => [l.bridge, l.amount])).toEqual([
      ['layerzero-v2-oft', 40_000n * USDC],
      ['across-v3', 60_000n * USDC],
    ])
  })

  test('says why when every route is over budget', () => {
    const r = chooseRoute({ move, quotes: [quote({ assetFee: (1_000n * USDC).toString() })], maxCostBps: 30, timeValueBpsPerYear: 500 })
    expect(r.status).toBe('unavailable')
    if (r.status === 'unavailable') expect(r.reason).toBe('no route within 30 bp (across-v3: 101 bp)')
  })
})

describe('nextTransferState', () => {
  test('moves forward along the bridge states', () => {
    expect(nextTransferState({ transferId: 't', recorded: 'sent', observed: 'verified' })).toBe('verified')
    expect(nextTransferState({ transferId: 't', recorded: 'failed', observed: 'delivered' })).toBe('delivered')
    expect(nextTransferState({ transferId: 't', recorded: 'expired', observed: 'refunded' })).toBe('refunded')
    // A poll that missed the expiry sees the refund straight after the send.
    expect(nextTransferState({ transferId: 't', recorded: 'sent', observed: 'refunded' })).toBe('refunded')
  })

  test('keeps a later state when a lagging node reports an earlier one', () => {
    expect(nextTransferState({ transferId: 't', recorded: 'delivered', observed: 'sent' })).toBe('delivered')
    expect(nextTransferState({ transferId: 't', recorded: 'failed', observed: 'verified' })).toBe('failed')
  })

  test('refuses a move no bridge can make, typed', () => {
    expect(() => nextTransferState({ transferId: 't', recorded: 'delivered', observed: 'refunded' })).toThrow(ImpossibleTransferStateError)
    expect(() => nextTransferState({ transferId: 't', recorded: 'refunded', observed: 'delivered' })).toThrow(ImpossibleTransferStateError)
  })
})
