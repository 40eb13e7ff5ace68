import { describe, expect, test } from 'vitest'
import type { ChainKey } from '../../chains/types.ts'
import { parseMandate } from '../mandate/schema.ts'
import { decideBandHedge } from '../policy/bandPolicy.ts'
import type { ChainObservation, PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import type { RouteQuote } from '../transfer/routeChoice.ts'
import { costVenue } from '../venue/chooseVenue.ts'
import { recordSliceQuotes, type SliceChoice, startSliceSearch } from '../venue/sliceSearch.ts'
import { fundedSwapSize, fundedSwapStep, fundingOptions, fundingProbes } from './fundedHedge.ts'
import { planCycle } from './planCycle.ts'
import type { SwapQuoteJson, SwapStep } from './types.ts'

const ETH = 10n ** 18n
const USDC = 10n ** 6n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
// About 3,000 USDC per ETH, WETH token0 (6 vs 18 decimals).
const SQRT = 4339505179874779489431521n
const mid = { sqrtPriceX96: SQRT.toString(), wethIsToken0: true }
const weth = '0x00000000000000000000000000000000000000e1' as const
const usdc = '0x00000000000000000000000000000000000000c1' as const

const mandate = parseMandate({
  portfolio: 'funded',
  chains: { ethereum: { treasury }, arbitrum: { treasury }, base: { treasury } },
  delta: { targetEth: '500', bandEth: '5' },
  hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '60' },
  capital: {
    chains: { arbitrum: { weth: { min: '20', target: '50' } } },
    maxCostBps: 20,
    fundHedges: { maxDelaySec: 300 },
  },
})
const decision = decideBandHedge({ mandate, deltaWei: 540n * ETH }) // sell 40 ETH

const quote = (chain: ChainKey, amountIn: bigint, shortfallBps: bigint): SwapQuoteJson => {
  const valueUsdc = (amountIn * 3000n) / 10n ** 12n // 3,000 USDC per ETH
  return {
    status: 'ok',
    chain,
    tokenIn: weth,
    tokenOut: usdc,
    amountIn: amountIn.toString(),
    amountOut: ((valueUsdc * (10_000n - shortfallBps)) / 10_000n).toString(),
    gasEstimate: '150000',
    sqrtPriceX96After: SQRT.toString(),
    blockNumber: '10',
    blockTimestampSec: '1000',
  }
}
const market = (chain: ChainKey, balanceIn: bigint, gasPriceWei: bigint) => ({
  chain,
  gasPriceWei,
  sqrtPriceX96: SQRT,
  wethIsToken0: true,
  poolFee: 500,
  balanceIn,
})
const obs = (chain: ChainKey, wethBalance: bigint): ChainObservation =>
  ({
    chain,
    chainId: 1,
    blockNumber: '10',
    blockTimestampSec: '1000',
    baseFeePerGasWei: '15000000000',
    priorityFeePerGasWei: '1000000000',
    weth,
    pool: { token0: weth, sqrtPriceX96: SQRT.toString(), fee: 500 },
    balances: { weth: wethBalance.toString(), usdc: (100_000n * USDC).toString() },
  }) as unknown as ChainObservation
const route = (over: Partial<RouteQuote>): RouteQuote => ({
  bridge: 'across-v3',
  asset: 'WETH',
  from: 'arbitrum',
  to: 'ethereum',
  amount: '0',
  outputAmount: '0',
  assetFee: '0',
  nativeFeeWei: '0',
  gasEstimate: '100000',
  expectedSec: 10,
  maxAmount: null,
  originGasPriceWei: '100000000',
  originMid: mid,
  ...over,
})

/** Ethereum holds 5 WETH of the 40 wanted and takes 40 at 8 bp; arbitrum holds 80 and takes a 25 ETH slice at 28 bp. */
function scenario(
  p: {
    arbitrumWeth?: bigint
    ethereumShortfallBps?: bigint
    sliceBps?: bigint
    inFlight?: { asset: 'WETH' | 'USDC'; to: ChainKey }[]
  } = {},
) {
  const sliceBps = p.sliceBps ?? 28n
  const arbitrumWeth = p.arbitrumWeth ?? 80n * ETH
  let search = startSliceSearch<SwapQuoteJson>({
    direction: 'sell-eth',
    wantedWei: 40n * ETH,
    budget: { maxGasCostUsdc: 30n * USDC, maxSlippageBps: 30 },
    markets: [market('ethereum', 5n * ETH, 16_000_000_000n), market('arbitrum', arbitrumWeth, 11_000_000n)],
  })
  search = recordSliceQuotes(search, {
    requests: [
      { chain: 'ethereum', sizeWei: 5n * ETH },
      { chain: 'arbitrum', sizeWei: 25n * ETH },
    ],
    quotes: [quote('ethereum', 5n * ETH, 6n), quote('arbitrum', 25n * ETH, sliceBps)],
  })
  const probes = fundingProbes(search)
  const chains = [obs('ethereum', 5n * ETH), obs('arbitrum', arbitrumWeth), obs('base', 0n)]
  const options = fundingOptions({
    search,
    probes,
    quotes: [quote('ethereum', 40n * ETH, p.ethereumShortfallBps ?? 8n)],
    chains,
    mandate,
    blocked: [],
    inFlight: p.inFlight ?? [],
  })
  const arbitrum = costVenue(
    {
      chain: 'arbitrum',
      direction: 'sell-eth',
      amountIn: 25n * ETH,
      amountOut: BigInt(quote('arbitrum', 25n * ETH, sliceBps).amountOut),
      gasEstimate: 150_000n,
      gasPriceWei: 11_000_000n,
      l1DataFeeWei: 0n,
      sqrtPriceX96: SQRT,
      wethIsToken0: true,
      balanceIn: arbitrumWeth,
    },
    { maxGasCostUsdc: 30n * USDC, maxSlippageBps: 30 },
  )
  const slice: SliceChoice<SwapQuoteJson> = {
    status: 'ok',
    chain: 'arbitrum',
    sizeWei: 25n * ETH,
    quote: quote('arbitrum', 25n * ETH, sliceBps),
    whole: false,
    limitedBy: 'budget',
    best: arbitrum,
    ranked: [],
  }
  return { search, probes, options, slice, chains }
}

const plan = (p: { options: ReturnType<typeof scenario>['options']; slice: SliceChoice<SwapQuoteJson>; routes: RouteQuote[] }) =>
  planCycle({
    portfolio: 'funded',
    snapshot: { portfolio: 'funded', chains: [{ blockTimestampSec: '1000' }] } as unknown as PortfolioSnapshot,
    exposure: { deltaWei: 540n * ETH } as PortfolioExposure,
    mandate,
    decision,
    slice: p.slice,
    capitalMoves: [],
    operatorRequests: [],
    routes: p.routes,
    funding: p.options,
    seq: { hedge: 3, transfer: 1 },
  })

describe('funded hedges', () => {
  test('probe only the chains whose balance cuts the hedge short, for the whole hedge', () => {
    const { probes } = scenario({ arbitrumWeth: 30n * ETH })
    expect(probes).toEqual([
      { chain: 'ethereum', sizeWei: 40n * ETH, amountIn: 40n * ETH },
      { chain: 'arbitrum', sizeWei: 40n * ETH, amountIn: 40n * ETH },
    ])
  })

  test('fund the shortfall plus the most a route may keep, from the chain with the most above its minimum', () => {
    const { options } = scenario()
    expect(options).toHaveLength(1)
    const shortfall = 35n * ETH
    expect(options[0]!.move).toEqual({
      asset: 'WETH',
      from: 'arbitrum',
      to: 'ethereum',
      amount: shortfall + (shortfall * 20n) / 10_000n,
      reason: 'funds a sell-eth hedge on ethereum',
    })
    // Arbitrum keeps its 20 WETH minimum: 50 WETH there cannot spare 35.07.
    expect(scenario({ arbitrumWeth: 50n * ETH }).options).toEqual([])
    // WETH already on its way to ethereum: not funded twice.
    expect(scenario({ inFlight: [{ asset: 'WETH', to: 'ethereum' }] }).options).toEqual([])
    expect(scenario({ inFlight: [{ asset: 'USDC', to: 'ethereum' }] }).options).toHaveLength(1)
    // A whole hedge that breaks the slippage budget even funded is no option.
    expect(scenario({ ethereumShortfallBps: 31n }).options).toEqual([])
  })

  test('a transfer, then the hedge it funds, when together they cost less per ETH than the slice now', () => {
    const { options, slice } = scenario()
    const amount = options[0]!.move.amount
    const p = plan({ options, slice, routes: [route({ amount: amount.toString(), assetFee: (ETH / 100n).toString() })] })
    expect(p.steps.map((s) => [s.kind, s.id, s.dependsOn])).toEqual([
      ['transfer', 'transfer-funded-2', []],
      ['swap', 'hedge-funded-4', ['transfer-funded-2']],
    ])
    const [transfer, swap] = p.steps as [Extract<(typeof p.steps)[0], { kind: 'transfer' }>, SwapStep]
    expect(transfer).toMatchObject({ asset: 'WETH', from: 'arbitrum', to: 'ethereum', amount: amount.toString(), bridge: 'across-v3' })
    expect(swap).toMatchObject({ chain: 'ethereum', sizeWei: (40n * ETH).toString(), slice: false, limitedBy: null })
    // The bridge keeps 0.01 WETH of delta; the hedge sells 40.
    expect(swap.expectedDeltaAfterWei).toBe((540n * ETH - ETH / 100n - 40n * ETH).toString())
    expect(p.summary).toContain('sell-eth 40.000 ETH on ethereum once transfer-funded-2 arrives')
  })

  test('the slice now, when the transfer makes the funded hedge dearer per ETH', () => {
    // The slice costs 12 bp (3.6 USDC per ETH); 0.19 % of 35 WETH in bridge fees (200 USDC) makes the funded hedge 7.6.
    const { options, slice } = scenario({ sliceBps: 12n })
    const amount = options[0]!.move.amount
    const fee = (amount * 19n) / 10_000n
    const p = plan({ options, slice, routes: [route({ amount: amount.toString(), assetFee: fee.toString() })] })
    expect(p.steps.map((s) => [s.kind, s.dependsOn])).toEqual([['swap', []]])
    expect(p.steps[0]).toMatchObject({ chain: 'arbitrum', sizeWei: (25n * ETH).toString() })
  })

  test('never waits on a route expected to take longer than the mandate allows', () => {
    const { options, slice } = scenario()
    const amount = options[0]!.move.amount
    const p = plan({ options, slice, routes: [route({ amount: amount.toString(), expectedSec: 301 })] })
    expect(p.steps.map((s) => s.kind)).toEqual(['swap'])
    expect(p.steps[0]).toMatchObject({ chain: 'arbitrum' })
  })

  test('the funded swap spends what the chain holds once the transfer arrived, no more than the band asks', () => {
    const base = { direction: 'sell-eth' as const, plannedSizeWei: 40n * ETH, plannedAmountIn: 40n * ETH }
    // 35.07 arrived on top of 5: the whole 40.
    expect(fundedSwapSize({ ...base, decision, chain: obs('ethereum', 40n * ETH + 7n * 10n ** 16n) })).toEqual({
      sizeWei: 40n * ETH,
      amountIn: 40n * ETH,
    })
    // Less arrived than planned: only what is there.
    expect(fundedSwapSize({ ...base, decision, chain: obs('ethereum', 39n * ETH) })).toEqual({ sizeWei: 39n * ETH, amountIn: 39n * ETH })
    // The market moved the delta meanwhile: only what the band asks for now.
    const smaller = decideBandHedge({ mandate, deltaWei: 530n * ETH })
    expect(fundedSwapSize({ ...base, decision: smaller, chain: obs('ethereum', 41n * ETH) })).toEqual({
      sizeWei: 30n * ETH,
      amountIn: 30n * ETH,
    })
    const inside = decideBandHedge({ mandate, deltaWei: 503n * ETH })
    expect(fundedSwapSize({ ...base, decision: inside, chain: obs('ethereum', 41n * ETH) })).toEqual({
      none: 'delta is back inside the band',
    })
    const flipped = decideBandHedge({ mandate, deltaWei: 480n * ETH })
    expect(fundedSwapSize({ ...base, decision: flipped, chain: obs('ethereum', 41n * ETH) })).toEqual({
      none: 'the band now asks to buy-eth',
    })
  })

  test('the resized swap is priced on the chain now and refused when it no longer fits the budgets', () => {
    const { options, slice } = scenario()
    const amount = options[0]!.move.amount
    const swap = plan({ options, slice, routes: [route({ amount: amount.toString() })] }).steps[1] as SwapStep
    const fits = fundedSwapStep({
      step: swap,
      quote: quote('ethereum', 39n * ETH, 9n),
      chain: obs('ethereum', 39n * ETH),
      mandate,
      sizeWei: 39n * ETH,
    })
    expect(fits).toMatchObject({ step: { id: swap.id, dependsOn: swap.dependsOn, sizeWei: (39n * ETH).toString(), slippageBps: 21 } })
    const tooDear = fundedSwapStep({
      step: swap,
      quote: quote('ethereum', 39n * ETH, 40n),
      chain: obs('ethereum', 39n * ETH),
      mandate,
      sizeWei: 39n * ETH,
    })
    expect(tooDear).toEqual({ none: 'slippage-over-budget on ethereum now' })
  })
})
