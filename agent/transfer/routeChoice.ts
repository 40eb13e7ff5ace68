import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import { divCeil, minBigint } from '../money.ts'
import { wethToUsdcAtMid } from '../portfolio/poolPrice.ts'
import type { CapitalMove } from './capitalPolicy.ts'

const BPS = 10_000n
const SECONDS_PER_YEAR = 365n * 86_400n

/** A bridge quote as it crosses Temporal (amounts as decimal strings), with what pricing it needs from the origin chain. */
export type RouteQuote = {
  bridge: string
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  amount: string
  outputAmount: string
  assetFee: string
  nativeFeeWei: string
  gasEstimate: string
  expectedSec: number
  maxAmount: string | null
  /** Origin chain's fee per gas (base + priority) and WETH/USDC mid, read with the quote. */
  originGasPriceWei: string
  /** L1 data fee of the origin transactions when the origin is an L2, wei; absent counts as 0 (Ethereum, older quotes). */
  originL1DataFeeWei?: string
  originMid: { sqrtPriceX96: string; wethIsToken0: boolean }
}

export type CostedRoute = {
  quote: RouteQuote
  /** Value of the amount moved, in USDC base units at the origin mid. */
  valueUsdc: bigint
  /** Fee in the asset + native fee + origin gas + time value of capital in flight, USDC base units (rounded up). */
  costUsdc: bigint
  costBps: bigint
  breakdown: { assetFeeUsdc: bigint; nativeFeeUsdc: bigint; gasUsdc: bigint; timeValueUsdc: bigint }
}

/** Prices a transfer route in USDC: every fee it takes, the gas it burns and what waiting for it costs. */
export function costRoute(q: RouteQuote, p: { timeValueBpsPerYear: number }): CostedRoute {
  const mid = { sqrtPriceX96: BigInt(q.originMid.sqrtPriceX96), wethIsToken0: q.originMid.wethIsToken0 }
  const toUsdc = (asset: BridgeAsset, amount: bigint, roundUp: boolean) =>
    asset === 'USDC' ? amount : wethToUsdcAtMid({ wethWei: amount, ...mid, roundUp })
  const valueUsdc = toUsdc(q.asset, BigInt(q.amount), false)
  const assetFeeUsdc = toUsdc(q.asset, BigInt(q.assetFee), true)
  const nativeFeeUsdc = wethToUsdcAtMid({ wethWei: BigInt(q.nativeFeeWei), ...mid, roundUp: true })
  const gasWei = BigInt(q.gasEstimate) * BigInt(q.originGasPriceWei) + BigInt(q.originL1DataFeeWei ?? '0')
  const gasUsdc = wethToUsdcAtMid({ wethWei: gasWei, ...mid, roundUp: true })
  const timeValueUsdc = divCeil(valueUsdc * BigInt(p.timeValueBpsPerYear) * BigInt(Math.ceil(q.expectedSec)), BPS * SECONDS_PER_YEAR)
  const costUsdc = assetFeeUsdc + nativeFeeUsdc + gasUsdc + timeValueUsdc
  return {
    quote: q,
    valueUsdc,
    costUsdc,
    costBps: valueUsdc === 0n ? BPS : divCeil(costUsdc * BPS, valueUsdc),
    breakdown: { assetFeeUsdc, nativeFeeUsdc, gasUsdc, timeValueUsdc },
  }
}

/** One leg of a move: `amount` over `bridge`, priced from that bridge's quote. */
export type RouteLeg = { bridge: string; amount: bigint; expectedOutput: bigint; expectedCostUsdc: bigint; costBps: bigint }

export type RouteChoice =
  | { status: 'ok'; legs: RouteLeg[]; ranked: CostedRoute[] }
  | { status: 'unavailable'; reason: string; ranked: CostedRoute[] }

/**
 * Chooses how to carry a capital move: the cheapest route per unit moved within `maxCostBps`; when
 * that route takes less than the whole amount (a rate limit, a relayer's inventory), the rest goes
 * over the next cheapest, and so on. A leg's cost is scaled from its route's quote: fees in the
 * asset in proportion, native fee and gas whole (each leg pays its own).
 */
export function chooseRoute(p: {
  move: CapitalMove
  quotes: readonly RouteQuote[]
  maxCostBps: number
  timeValueBpsPerYear: number
}): RouteChoice {
  const ranked = p.quotes
    .filter((q) => q.asset === p.move.asset && q.from === p.move.from && q.to === p.move.to)
    .map((q) => costRoute(q, p))
    .sort((a, b) => (a.costBps < b.costBps ? -1 : a.costBps > b.costBps ? 1 : a.quote.bridge.localeCompare(b.quote.bridge)))
  const legs: RouteLeg[] = []
  let left = p.move.amount
  for (const r of ranked) {
    if (left <= 0n) break
    const cap = r.quote.maxAmount === null ? left : BigInt(r.quote.maxAmount)
    const amount = minBigint(cap, left)
    if (amount <= 0n) continue
    const quoted = BigInt(r.quote.amount)
    const fixed = r.breakdown.nativeFeeUsdc + r.breakdown.gasUsdc
    const proportional = divCeil((r.breakdown.assetFeeUsdc + r.breakdown.timeValueUsdc) * amount, quoted)
    const value = (r.valueUsdc * amount) / quoted
    const expectedCostUsdc = fixed + proportional
    const costBps = value === 0n ? BPS : divCeil(expectedCostUsdc * BPS, value)
    if (costBps > BigInt(p.maxCostBps)) continue
    const expectedOutput = amount - divCeil(BigInt(r.quote.assetFee) * amount, quoted)
    legs.push({ bridge: r.quote.bridge, amount, expectedOutput, expectedCostUsdc, costBps })
    left -= amount
  }
  if (legs.length === 0) {
    const why = ranked.length === 0 ? 'no bridge quoted this route' : ranked.map((r) => `${r.quote.bridge}: ${r.costBps} bp`).join(', ')
    return { status: 'unavailable', reason: `no route within ${p.maxCostBps} bp (${why})`, ranked }
  }
  return { status: 'ok', legs, ranked }
}

/**
 * What a transfer cost once sent, USDC base units at the origin mid it was quoted at: the fee the
 * bridge kept in the asset (amount − what arrived, or the quoted fee before it arrives), the native
 * fee and the gas actually paid. Time in flight is reported apart, not as a cost.
 */
export function realizedTransferCostUsdc(p: { quote: RouteQuote; gasCostWei: bigint; settledAmount: bigint | null }): bigint {
  const mid = { sqrtPriceX96: BigInt(p.quote.originMid.sqrtPriceX96), wethIsToken0: p.quote.originMid.wethIsToken0 }
  const kept = p.settledAmount === null ? BigInt(p.quote.assetFee) : BigInt(p.quote.amount) - p.settledAmount
  const keptUsdc = p.quote.asset === 'USDC' ? kept : wethToUsdcAtMid({ wethWei: kept, ...mid, roundUp: true })
  const native = wethToUsdcAtMid({ wethWei: BigInt(p.quote.nativeFeeWei) + p.gasCostWei, ...mid, roundUp: true })
  return keptUsdc + native
}
