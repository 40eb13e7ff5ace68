import { BaseError, InvalidInputError } from '../errors.ts'
import { lpGreeks } from '../lp/lpGreeks.ts'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from '../lp/tickMath.ts'
import { toApproxNumber } from '../money.ts'
import { bsmGreeks } from './blackScholes.ts'
import type { OptionKind } from './types.ts'
import type { VolSurface } from './volSurface.ts'

type PositionBase = { id: string; underlying: string; chain: string }

/** A European option; `quantity` is signed (short < 0), in base units of one contract with `decimals`. */
export type OptionRiskPosition = PositionBase & {
  kind: 'option'
  optionKind: OptionKind
  strike: number
  expirySec: number
  quantity: bigint
  decimals: number
  /** Flat vol for this position; otherwise the underlying's surface, then its flat vol in the market. */
  vol?: number
}

/** A spot holding of the underlying, in its base units. */
export type SpotRiskPosition = PositionBase & { kind: 'spot'; amount: bigint; decimals: number }

/**
 * A perpetual future, signed size in base units of the underlying. `fundingRatePerYear` is what
 * longs pay shorts per year as a fraction of notional (negative when shorts pay).
 */
export type PerpRiskPosition = PositionBase & {
  kind: 'perp'
  size: bigint
  decimals: number
  entryPrice: number
  fundingRatePerYear: number
}

/** A Uniswap V3 position of the underlying (risky token) against the numeraire, with the pool's current sqrt price. */
export type LpRiskPosition = PositionBase & {
  kind: 'uniswap-v3-lp'
  liquidity: bigint
  tickLower: number
  tickUpper: number
  sqrtPriceX96: bigint
  decimals0: number
  decimals1: number
  riskyIsToken0: boolean
}

/** The closed set of positions the risk engine values. */
export type RiskPosition = OptionRiskPosition | SpotRiskPosition | PerpRiskPosition | LpRiskPosition

/** Market inputs for valuation; prices in the numeraire (USD) per unit of underlying. */
export type RiskMarket = {
  nowSec: number
  spot: Readonly<Record<string, number>>
  /** Continuously compounded risk-free rate per year. */
  rate: number
  /** Carry yield per underlying (e.g. staking or funding), default 0. */
  yields?: Readonly<Record<string, number>>
  surfaces?: Readonly<Record<string, VolSurface>>
  flatVols?: Readonly<Record<string, number>>
}

/** A shift of the market for full revaluation: relative spot move, absolute vol shift (0.05 = +5 points), days forward. */
export type MarketShock = { spotShock: number; volShift: number; daysForward: number }

export const NO_SHOCK: MarketShock = { spotShock: 0, volShift: 0, daysForward: 0 }

/**
 * Value and Greeks of one position. delta in units of the underlying (dV/dS), gamma d²V/dS² per
 * unit, vega per 1.00 of vol, theta per year (value drift as time passes; funding for perps).
 */
export type PositionRisk = {
  id: string
  kind: RiskPosition['kind']
  underlying: string
  chain: string
  /** The price the Greeks refer to (the market spot, or the pool's own price for an LP). */
  spot: number
  value: number
  delta: number
  gamma: number
  vega: number
  theta: number
}

/** A position the engine could not value, e.g. a missing spot or vol; kept as data so totals can be marked incomplete. */
export type PositionRiskFailure = { id: string; underlying: string; chain: string; error: BaseError }

const SECONDS_PER_YEAR = 365 * 86_400
const MAX_MAGNITUDE = 1e60

/** Raised when a position cannot be valued; `field` names the missing or bad input. */
export class PositionValuationError extends BaseError {
  override name = 'Risk.PositionValuationError' as const
  readonly positionId: string
  readonly field: string
  constructor(params: { positionId: string; field: string; message: string; cause?: unknown }) {
    super(`Cannot value position ${params.positionId}: ${params.message}`, {
      cause: params.cause,
      metaMessages: [`- ${params.field}`],
      retryable: false,
    })
    this.positionId = params.positionId
    this.field = params.field
  }
}

function spotOf(p: RiskPosition, market: RiskMarket): number {
  const s = market.spot[p.underlying]
  if (s === undefined || !Number.isFinite(s) || s <= 0) {
    throw new PositionValuationError({
      positionId: p.id,
      field: `spot.${p.underlying}`,
      message: `no positive finite spot for ${p.underlying} (got ${s})`,
    })
  }
  return s
}

function volOf(p: OptionRiskPosition, market: RiskMarket, timeYears: number): number {
  if (p.vol !== undefined) return p.vol
  const surface = market.surfaces?.[p.underlying]
  if (surface !== undefined) return surface.vol({ strike: p.strike, timeYears })
  const flat = market.flatVols?.[p.underlying]
  if (flat !== undefined) return flat
  throw new PositionValuationError({
    positionId: p.id,
    field: `vol.${p.underlying}`,
    message: `no vol for ${p.underlying}: no position vol, surface or flat vol`,
  })
}

function riskOf(p: RiskPosition, spot: number, g: Omit<PositionRisk, 'id' | 'kind' | 'underlying' | 'chain' | 'spot'>): PositionRisk {
  return { id: p.id, kind: p.kind, underlying: p.underlying, chain: p.chain, spot, ...g }
}

function optionRisk(p: OptionRiskPosition, market: RiskMarket, shock: MarketShock): PositionRisk {
  const spot = spotOf(p, market) * (1 + shock.spotShock)
  const qty = toApproxNumber(p.quantity, p.decimals)
  const timeYears = (p.expirySec - market.nowSec) / SECONDS_PER_YEAR - shock.daysForward / 365
  if (timeYears <= 0) {
    // Expired (or expiring inside the scenario): it is worth its payoff and has no Greeks left.
    const intrinsic = p.optionKind === 'call' ? Math.max(spot - p.strike, 0) : Math.max(p.strike - spot, 0)
    return riskOf(p, spot, { value: qty * intrinsic, delta: 0, gamma: 0, vega: 0, theta: 0 })
  }
  // The vol is read at today's surface point and shifted; the shock is a parallel move of the surface.
  const vol = Math.max(0, volOf(p, market, timeYears) + shock.volShift)
  const y = market.yields?.[p.underlying]
  const g = bsmGreeks({
    kind: p.optionKind,
    spot,
    strike: p.strike,
    timeYears,
    vol,
    rate: market.rate,
    ...(y === undefined ? {} : { yield: y }),
  })
  return riskOf(p, spot, { value: qty * g.price, delta: qty * g.delta, gamma: qty * g.gamma, vega: qty * g.vega, theta: qty * g.theta })
}

function perpRisk(p: PerpRiskPosition, market: RiskMarket, shock: MarketShock): PositionRisk {
  const spot = spotOf(p, market) * (1 + shock.spotShock)
  const size = toApproxNumber(p.size, p.decimals)
  // Funding accrues on the notional: a long pays `fundingRatePerYear · notional` per year.
  const theta = -size * spot * p.fundingRatePerYear
  const funding = (theta * shock.daysForward) / 365
  return riskOf(p, spot, { value: size * (spot - p.entryPrice) + funding, delta: size, gamma: 0, vega: 0, theta })
}

const SHOCK_SCALE = 10n ** 12n

function lpRisk(p: LpRiskPosition, shock: MarketShock): PositionRisk {
  let sqrtPriceX96 = p.sqrtPriceX96
  if (shock.spotShock !== 0) {
    // P ∝ s² with the risky token as token0 and ∝ 1/s² otherwise; the scaled-integer factor keeps
    // 12 digits, far beyond what a scenario needs, and the result is clamped into the pool's domain.
    const f = Math.sqrt(1 + shock.spotShock)
    const factor = BigInt(Math.round((p.riskyIsToken0 ? f : 1 / f) * 1e12))
    sqrtPriceX96 = (p.sqrtPriceX96 * factor) / SHOCK_SCALE
    if (sqrtPriceX96 < MIN_SQRT_RATIO) sqrtPriceX96 = MIN_SQRT_RATIO
    if (sqrtPriceX96 >= MAX_SQRT_RATIO) sqrtPriceX96 = MAX_SQRT_RATIO - 1n
  }
  const g = lpGreeks({ ...p, sqrtPriceX96 })
  return riskOf(p, g.price, { value: g.value, delta: g.delta, gamma: g.gamma, vega: 0, theta: 0 })
}

function assertPosition(p: RiskPosition): void {
  const issues: { path: string; message: string }[] = []
  const need = (ok: boolean, path: string, message: string) => {
    if (!ok) issues.push({ path, message })
  }
  need(typeof p.id === 'string' && p.id.length > 0, 'id', 'must be a non-empty string')
  if (p.kind === 'option') {
    need(Number.isFinite(p.strike) && p.strike > 0, 'strike', `must be a finite number > 0, got ${p.strike}`)
    need(Number.isFinite(p.expirySec), 'expirySec', `must be finite, got ${p.expirySec}`)
    need(p.vol === undefined || (Number.isFinite(p.vol) && p.vol >= 0), 'vol', `must be a finite number ≥ 0, got ${p.vol}`)
  }
  if (p.kind === 'perp') {
    need(Number.isFinite(p.entryPrice) && p.entryPrice > 0, 'entryPrice', `must be a finite number > 0, got ${p.entryPrice}`)
    need(Number.isFinite(p.fundingRatePerYear), 'fundingRatePerYear', `must be finite, got ${p.fundingRatePerYear}`)
  }
  if (p.kind === 'option' || p.kind === 'spot' || p.kind === 'perp') {
    need(
      Number.isInteger(p.decimals) && p.decimals >= 0 && p.decimals <= 36,
      'decimals',
      `must be an integer in [0, 36], got ${p.decimals}`,
    )
  }
  if (issues.length > 0) throw new InvalidInputError({ what: `risk position ${p.id}`, issues })
}

/**
 * Value and Greeks of one position under the market, optionally shocked (full revaluation, used
 * by the scenario grid). Throws a typed error for bad input; never returns a non-finite number.
 */
export function positionRisk(p: RiskPosition, market: RiskMarket, shock: MarketShock = NO_SHOCK): PositionRisk {
  assertPosition(p)
  if (!Number.isFinite(market.nowSec) || !Number.isFinite(market.rate)) {
    throw new InvalidInputError({
      what: 'risk market',
      issues: [{ path: 'nowSec/rate', message: `must be finite, got ${market.nowSec}/${market.rate}` }],
    })
  }
  let r: PositionRisk
  switch (p.kind) {
    case 'option':
      r = optionRisk(p, market, shock)
      break
    case 'spot': {
      const spot = spotOf(p, market) * (1 + shock.spotShock)
      const amount = toApproxNumber(p.amount, p.decimals)
      r = riskOf(p, spot, { value: amount * spot, delta: amount, gamma: 0, vega: 0, theta: 0 })
      break
    }
    case 'perp':
      r = perpRisk(p, market, shock)
      break
    case 'uniswap-v3-lp':
      r = lpRisk(p, shock)
      break
  }
  // Beyond 1e60 a number is a unit error, not a position; the bound also keeps products such as
  // gamma·S² and sums over any realistic book finite, so totals can never become Infinity or NaN.
  const bad = (['spot', 'value', 'delta', 'gamma', 'vega', 'theta'] as const).find((k) => !(Math.abs(r[k]) <= MAX_MAGNITUDE))
  if (bad !== undefined) throw new PositionValuationError({ positionId: p.id, field: bad, message: `${bad} came out as ${r[bad]}` })
  return r
}

/** Values every position; one that cannot be valued becomes a failure entry instead of poisoning the totals. */
export function bookRisk(
  positions: readonly RiskPosition[],
  market: RiskMarket,
  shock: MarketShock = NO_SHOCK,
): { risks: PositionRisk[]; failures: PositionRiskFailure[] } {
  const risks: PositionRisk[] = []
  const failures: PositionRiskFailure[] = []
  for (const p of positions) {
    try {
      risks.push(positionRisk(p, market, shock))
    } catch (err) {
      const error =
        err instanceof BaseError
          ? err
          : new PositionValuationError({ positionId: p.id, field: '(unknown)', message: 'unexpected failure', cause: err })
      failures.push({ id: p.id, underlying: p.underlying, chain: p.chain, error })
    }
  }
  return { risks, failures }
}
