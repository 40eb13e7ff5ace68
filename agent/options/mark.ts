import { bsmGreeks } from '../risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../risk/svi.ts'
import type { ExpiryJson } from './rolls.ts'

/**
 * The option book of one chain as an observation carries it (JSON: amounts as decimal strings),
 * and its Greeks marked with the risk engine: Black–Scholes at the mark smile's vol for each strike,
 * on the chain's pool price and block time. Short calls are covered by WETH in their vaults, which
 * stays the treasury's ETH: it counts in delta like WETH held.
 */

export type OptionLegJson = { otoken: `0x${string}`; isPut: boolean; strikeE8: string; expirySec: string; amountE8: string }

export type ChainOptionsJson = {
  /** The treasury's Gamma vaults: what each is short and the collateral it holds. */
  vaults: {
    id: string
    type: number
    short: OptionLegJson | null
    collateral: { asset: `0x${string}`; amount: string } | null
    /** A naked-margin vault's required collateral now (Gamma's MarginCalculator at the feed's price), USDC base units. */
    marginRequired?: string
  }[]
  /** oTokens the treasury holds (bought back, or not yet sold). */
  longs: OptionLegJson[]
  /** The smile keel marks on: SVI of annual variance on log-moneyness ln(K/S). */
  mark: SviParams
  /** Expiries of the book that have passed: what the Oracle and the feed say about each (settlement). */
  expiries?: ExpiryJson[]
}

export type OptionGreeks = {
  /** ETH delta of the options plus the WETH locked as their collateral, wei (rounded to the wei). */
  deltaWei: bigint
  collateralWethWei: bigint
  /** d(delta)/dS, ETH per USD. */
  gamma: number
  /** USD per vol point. */
  vega: number
  /** USD per day. */
  theta: number
}

const YEAR = 365 * 86_400

/** Greeks of one chain's options and their WETH collateral, at spot `spotUsd` and block time `nowSec`. */
export function chainOptionGreeks(p: { options: ChainOptionsJson; weth: `0x${string}`; spotUsd: number; nowSec: bigint }): OptionGreeks {
  let collateralWethWei = 0n
  let delta = 0
  let gamma = 0
  let vega = 0
  let theta = 0
  const legs: { leg: OptionLegJson; sign: number }[] = []
  for (const v of p.options.vaults) {
    if (v.collateral && v.collateral.asset.toLowerCase() === p.weth.toLowerCase()) collateralWethWei += BigInt(v.collateral.amount)
    if (v.short) legs.push({ leg: v.short, sign: -1 })
  }
  for (const l of p.options.longs) legs.push({ leg: l, sign: 1 })
  for (const { leg, sign } of legs) {
    const n = (sign * Number(leg.amountE8)) / 1e8
    const strike = Number(leg.strikeE8) / 1e8
    const timeYears = Number(BigInt(leg.expirySec) - p.nowSec) / YEAR
    if (timeYears <= 0) {
      // Expired, awaiting settlement: worth its intrinsic value, delta one if in the money.
      const itm = leg.isPut ? p.spotUsd < strike : p.spotUsd > strike
      delta += n * (itm ? (leg.isPut ? -1 : 1) : 0)
      continue
    }
    const vol = Math.sqrt(sviTotalVariance(p.options.mark, Math.log(strike / p.spotUsd)))
    const g = bsmGreeks({ kind: leg.isPut ? 'put' : 'call', spot: p.spotUsd, strike, timeYears, vol, rate: 0 })
    delta += n * g.delta
    gamma += n * g.gamma
    vega += (n * g.vega) / 100
    theta += (n * g.theta) / 365
  }
  return { deltaWei: collateralWethWei + BigInt(Math.round(delta * 1e18)), collateralWethWei, gamma, vega, theta }
}
