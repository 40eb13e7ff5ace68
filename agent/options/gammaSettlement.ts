import { maxBigint, minBigint } from '../money.ts'

/**
 * What Opyn Gamma pays at expiry, computed the way its contracts compute it, so keel can check a
 * settlement to the wei before and after it happens. Gamma works in 27-decimal fixed point
 * (`FixedPointInt256`): amounts are scaled up from their decimals, multiplied and divided with
 * truncation toward zero, and scaled back down with truncation. oTokens have 8 decimals, strikes
 * and oracle prices are 1e8 USD. keel's products: WETH underlying, USDC strike (stable at 1 USD),
 * calls collateralised in WETH, puts in USDC.
 */

const E27 = 10n ** 27n
const BASE = 8

const fromScaled = (x: bigint, decimals: number): bigint =>
  decimals <= 27 ? x * 10n ** BigInt(27 - decimals) : x / 10n ** BigInt(decimals - 27)
const toScaledDown = (x: bigint, decimals: number): bigint => x / 10n ** BigInt(27 - decimals)
const mul = (a: bigint, b: bigint): bigint => (a * b) / E27
const div = (a: bigint, b: bigint): bigint => (a * E27) / b

export type GammaSeries = {
  isPut: boolean
  /** Strike in USD, 1e8. */
  strikeE8: bigint
  /** Decimals of the collateral: 18 for WETH (calls), 6 for USDC (puts). */
  collateralDecimals: number
}

/** Cash value of one oToken at expiry in the strike asset, fixed point (MarginCalculator._getExpiredCashValue). */
function cashValueInStrike(s: GammaSeries, expiryPriceE8: bigint, strikeAssetPriceE8: bigint): bigint {
  const underlyingInStrike = div(mul(E27, fromScaled(expiryPriceE8, BASE)), fromScaled(strikeAssetPriceE8, BASE))
  const strike = fromScaled(s.strikeE8, BASE)
  const cash = s.isPut ? strike - underlyingInStrike : underlyingInStrike - strike
  return cash > 0n ? cash : 0n
}

/** A strike-asset amount in the collateral, at the expiry prices (MarginCalculator._convertAmountOnExpiryPrice). */
function strikeToCollateral(s: GammaSeries, amount: bigint, expiryPriceE8: bigint, strikeAssetPriceE8: bigint): bigint {
  // Puts are collateralised in the strike asset itself: no conversion.
  if (s.isPut) return amount
  return div(mul(amount, fromScaled(strikeAssetPriceE8, BASE)), fromScaled(expiryPriceE8, BASE))
}

/** What redeeming `amountE8` oTokens pays, in collateral base units (Controller.getPayout). */
export function gammaPayout(p: GammaSeries & { amountE8: bigint; expiryPriceE8: bigint; strikeAssetPriceE8?: bigint }): bigint {
  const stable = p.strikeAssetPriceE8 ?? 10n ** 8n
  const cash = strikeToCollateral(p, cashValueInStrike(p, p.expiryPriceE8, stable), p.expiryPriceE8, stable)
  const rate = toScaledDown(cash, p.collateralDecimals)
  return (rate * p.amountE8) / 10n ** BigInt(BASE)
}

/**
 * What settling a vault short `shortE8` oTokens against `collateral` returns to its owner, in
 * collateral base units (Controller.getProceed after expiry): the collateral less the shorts'
 * cash value, truncated.
 */
export function gammaVaultProceeds(
  p: GammaSeries & { shortE8: bigint; collateral: bigint; expiryPriceE8: bigint; strikeAssetPriceE8?: bigint },
): bigint {
  const stable = p.strikeAssetPriceE8 ?? 10n ** 8n
  const owed = mul(cashValueInStrike(p, p.expiryPriceE8, stable), fromScaled(p.shortE8, BASE))
  const excess = fromScaled(p.collateral, p.collateralDecimals) - strikeToCollateral(p, owed, p.expiryPriceE8, stable)
  if (excess < 0n) throw new RangeError('the vault owes more than its collateral: Gamma refuses to settle it as excess')
  return toScaledDown(excess, p.collateralDecimals)
}

/** Collateral a fully collateralised short needs: one WETH per call, the strike in USDC per put (base units). */
export function gammaFullCollateral(p: GammaSeries & { amountE8: bigint }): bigint {
  if (!p.isPut) return p.amountE8 * 10n ** BigInt(p.collateralDecimals - BASE)
  // strike (1e8 USD) × amount (1e8) → USDC (1e6); rounded up so the vault is never short.
  const num = p.strikeE8 * p.amountE8 * 10n ** BigInt(p.collateralDecimals)
  const den = 10n ** 16n
  return (num + den - 1n) / den
}

/** Gamma's naked-margin parameters for a product (MarginCalculator: spot shock, upper bounds by time to expiry), 1e27. */
export type NakedMarginParams = {
  spotShockE27: bigint
  /** Ascending times to expiry (seconds) and the upper bound value for options expiring within each. */
  upperBounds: readonly { timeToExpirySec: bigint; valueE27: bigint }[]
}

/**
 * Collateral a partially collateralised put needs while it is live, in the strike asset (USDC) at
 * 27 decimals, as MarginCalculator._getNakedMarginRequired: with a = min(K, shock × S) and
 * b = max(K − shock × S, 0), required = (upperBound(T) × a + b) × amount. `nowSec` is the block time
 * the check runs at: it picks the upper-bound bucket.
 */
export function gammaNakedPutMarginE27(p: {
  strikeE8: bigint
  spotE8: bigint
  shortE8: bigint
  expirySec: bigint
  nowSec: bigint
  params: NakedMarginParams
}): bigint {
  const tte = p.expirySec - p.nowSec
  const bucket = p.params.upperBounds.find((b) => b.timeToExpirySec >= tte)
  if (!bucket) throw new RangeError(`no upper bound value for ${tte} s to expiry: Gamma refuses the vault`)
  const strike = fromScaled(p.strikeE8, BASE)
  const shocked = mul(p.params.spotShockE27, fromScaled(p.spotE8, BASE))
  const a = minBigint(strike, shocked)
  const b = maxBigint(strike - shocked, 0n)
  return mul(mul(bucket.valueE27, a) + b, fromScaled(p.shortE8, BASE))
}

/**
 * What Gamma's getExcessCollateral says of a live naked put vault, in USDC base units: the
 * collateral above the margin (truncated), or, negative, the deficit (rounded up: the top-up that
 * brings the vault back to zero excess).
 */
export function gammaNakedPutExcess(p: Parameters<typeof gammaNakedPutMarginE27>[0] & { collateral: bigint }): bigint {
  const excess = fromScaled(p.collateral, 6) - gammaNakedPutMarginE27(p)
  const unit = 10n ** 21n
  return excess >= 0n ? excess / unit : -((-excess + unit - 1n) / unit)
}
