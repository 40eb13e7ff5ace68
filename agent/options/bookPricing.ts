import type { TransferRecord } from '../plan/types.ts'
import type { ChainObservation, PortfolioExposure } from '../portfolio/types.ts'
import { bsmPrice } from '../risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../risk/svi.ts'
import { fitSmile, type SmileQuote } from './fitSmile.ts'
import type { RollRecord, SeriesJson } from './rolls.ts'

/**
 * The option book's small prices and sizes that the cycle needs between its steps: spot per chain,
 * what a buy-back's gas costs, a put's model value on the mark, what a settled vault paid out, the
 * asks per option, and a roll's bids as quotes for the smile fit. Pure: the workflow only runs steps.
 */

const YEAR = 365 * 86_400
/** Gas of a buy-back: approve USDC, settle the maker's order, burn and withdraw. */
export const BUY_BACK_GAS = 420_000n
/** Its transactions, each paying an L2's L1 data fee (priced at the chain's observed fee of a swap). */
export const BUY_BACK_TXS = 3n

/** Pool mid per chain, USDC per ETH. */
export const spotOf = (exposure: PortfolioExposure): Record<string, number> =>
  Object.fromEntries(exposure.chains.map((c) => [c.chain, c.priceUsdc]))

/** A buy-back's gas on a chain at its observed fee, L1 data fees included, USD. */
export function buyBackGasUsd(obs: ChainObservation, spotUsd: number): number {
  const wei =
    BUY_BACK_GAS * (BigInt(obs.baseFeePerGasWei) + BigInt(obs.priorityFeePerGasWei)) + BUY_BACK_TXS * BigInt(obs.l1DataFeeWei ?? '0')
  return (Number(wei) / 1e18) * spotUsd
}

/** Gas paid in wei of a chain's ETH, in USDC base units at `spotUsd`. */
export const gasWeiToUsdc = (gasWei: string, spotUsd: number): bigint => BigInt(Math.round((Number(gasWei) * spotUsd) / 1e12))

/** One put's model value on the mark smile at the chain's spot and block time, USD. */
export function putModelUsd(p: { series: SeriesJson; spot: number; nowSec: bigint; svi: SviParams }): number {
  const strike = Number(BigInt(p.series.strikeE8)) / 1e8
  const timeYears = Number(BigInt(p.series.expirySec) - p.nowSec) / YEAR
  const vol = Math.sqrt(sviTotalVariance(p.svi, Math.log(strike / p.spot)))
  return bsmPrice({ kind: 'put', spot: p.spot, strike, timeYears, vol, rate: 0 })
}

/**
 * What a settled vault paid its holders: the collateral it held less what came back, in the
 * collateral and in USDC at the expiry price (a call's WETH at 1e8 price: wei × price / 1e20).
 */
export function settlementPaid(p: { isPut: boolean; collateral: bigint; returned: bigint; expiryPriceE8: bigint }): {
  paidOut: bigint
  paidOutUsdc: bigint
} {
  const paidOut = p.collateral - p.returned
  return { paidOut, paidOutUsdc: p.isPut ? paidOut : (paidOut * p.expiryPriceE8) / 10n ** 20n }
}

/** oTokens that bring the book's gamma back to the floor from one leg alone (rounded up). */
export const buyBackToFloorE8 = (excessGamma: number, gammaPerOption: number): bigint =>
  BigInt(Math.ceil((excessGamma / gammaPerOption) * 1e8))

/** The lowest ask per option among the makers' valid answers for `amountE8` oTokens, USD (Infinity: none). */
export function bestAskPerOptionUsd(
  quotes: readonly ({ status: 'ok'; senderAmount: string } | { status: string })[],
  amountE8: bigint,
): number {
  let best = Number.POSITIVE_INFINITY
  for (const q of quotes)
    if (q.status === 'ok' && 'senderAmount' in q) best = Math.min(best, Number(q.senderAmount) / 1e6 / (Number(amountE8) / 1e8))
  return best
}

/** A roll's bids as one-sided quotes for the smile fit. */
export const bidsAsQuotes = (record: RollRecord, bids: readonly { usdc: string }[]): SmileQuote[] => {
  const s = record.proposal.series
  return bids.map((b) => ({
    isPut: s.isPut,
    strike: Number(BigInt(s.strikeE8)) / 1e8,
    expirySec: Number(s.expirySec),
    amountOptions: Number(record.proposal.amountE8) / 1e8,
    bidUsd: Number(b.usdc) / 1e6,
  }))
}

/** The mark as the state keeps it: an SVI smile fitted to makers' bids, when and how well. */
export type MarkFit = { svi: SviParams; atChainTimeSec: string; used: number; method: string; rmseVol: number }

/**
 * The mark after a roll's bids: fitted (level only, with so few strikes) from the current mark,
 * so keel's model price, strikes and Greeks move with what makers pay. A fit that fails leaves the
 * mark as it was and says why.
 */
export function refitMark(p: {
  record: RollRecord
  bids: { maker: string; usdc: string }[]
  spot: number
  nowSec: bigint
  current: SviParams
}): { markFit: MarkFit } | { note: string } {
  const fit = fitSmile({ spot: p.spot, nowSec: Number(p.nowSec), quotes: bidsAsQuotes(p.record, p.bids), prior: p.current })
  if (fit.svi === null) return { note: `mark not fitted to ${p.record.id}'s bids: ${fit.reason}` }
  return { markFit: { svi: fit.svi, atChainTimeSec: p.nowSec.toString(), used: fit.used, method: fit.method, rmseVol: fit.rmseVol } }
}

/** Transfers on their way to a chain, planned or sent, and what each is expected to deliver there. */
export const transfersArriving = (transfers: readonly TransferRecord[] | undefined) =>
  (transfers ?? [])
    .filter((t) => ['planned', 'sending', 'sent', 'verified', 'in-doubt'].includes(t.state))
    .map((t) => ({ asset: t.asset, to: t.to, amount: t.expectedOutput }))
