import { lpGreeks } from '../lp/lpGreeks.ts'
import { positionAmounts } from '../lp/positionAmounts.ts'
import { chainOptionGreeks } from '../options/mark.ts'
import { midPriceUsdc, wethIsToken0 } from './poolPrice.ts'
import type { ChainExposure, ChainObservation, PortfolioExposure, PortfolioSnapshot } from './types.ts'

const WETH_DECIMALS = 18
const USDC_DECIMALS = 6

/** ETH delta and gamma of one chain's holdings: spot WETH plus WETH inside the LP ranges. */
export function chainExposure(obs: ChainObservation): ChainExposure {
  const sqrtPriceX96 = BigInt(obs.pool.sqrtPriceX96)
  const riskyIsToken0 = wethIsToken0(obs.pool, obs.weth)
  let lpWethWei = 0n
  let lpUsdc = 0n
  let gamma = 0
  for (const lp of obs.lpPositions) {
    const liquidity = BigInt(lp.liquidity)
    const { amount0, amount1 } = positionAmounts({
      liquidity,
      tickLower: lp.tickLower,
      tickUpper: lp.tickUpper,
      sqrtPriceX96,
      tickCurrent: obs.pool.tick,
    })
    const owed0 = BigInt(lp.tokensOwed0)
    const owed1 = BigInt(lp.tokensOwed1)
    lpWethWei += riskyIsToken0 ? amount0 + owed0 : amount1 + owed1
    lpUsdc += riskyIsToken0 ? amount1 + owed1 : amount0 + owed0
    if (liquidity > 0n) {
      gamma += lpGreeks({
        liquidity,
        tickLower: lp.tickLower,
        tickUpper: lp.tickUpper,
        sqrtPriceX96,
        decimals0: riskyIsToken0 ? WETH_DECIMALS : USDC_DECIMALS,
        decimals1: riskyIsToken0 ? USDC_DECIMALS : WETH_DECIMALS,
        riskyIsToken0,
      }).gamma
    }
  }
  const spotWethWei = BigInt(obs.balances.weth)
  const priceUsdc = midPriceUsdc({ sqrtPriceX96, wethIsToken0: riskyIsToken0 })
  const options = obs.options
    ? chainOptionGreeks({ options: obs.options, weth: obs.weth, spotUsd: priceUsdc, nowSec: BigInt(obs.blockTimestampSec) })
    : undefined
  return {
    chain: obs.chain,
    blockTimestampSec: BigInt(obs.blockTimestampSec),
    priceUsdc,
    spotWethWei,
    spotUsdc: BigInt(obs.balances.usdc),
    lpWethWei,
    lpUsdc,
    deltaWei: spotWethWei + lpWethWei + (options?.deltaWei ?? 0n),
    gamma: gamma + (options?.gamma ?? 0),
    ...(options ? { options } : {}),
  }
}

/** Portfolio ETH exposure across every observed chain, plus the WETH on its way between them. */
export function portfolioExposure(snapshot: PortfolioSnapshot): PortfolioExposure {
  const chains = snapshot.chains.map(chainExposure)
  const inFlightWethWei = (snapshot.inFlight ?? []).filter((t) => t.asset === 'WETH').reduce((s, t) => s + BigInt(t.amount), 0n)
  return {
    portfolio: snapshot.portfolio,
    chains,
    inFlightWethWei,
    deltaWei: chains.reduce((s, c) => s + c.deltaWei, 0n) + inFlightWethWei,
    gamma: chains.reduce((s, c) => s + c.gamma, 0),
    vega: chains.reduce((s, c) => s + (c.options?.vega ?? 0), 0),
    theta: chains.reduce((s, c) => s + (c.options?.theta ?? 0), 0),
  }
}
