import type { ChainKey } from '../../chains/types.ts'
import type { OptionStrategy, OptionsMandate } from '../mandate/optionsSchema.ts'
import { formatAmount } from '../money.ts'
import type { ChainObservation } from '../portfolio/types.ts'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../risk/svi.ts'
import { gammaFullCollateral } from './gammaSettlement.ts'
import type { OptionLegJson } from './mark.ts'
import { nextExpirySec, strikeByDelta } from './strikeSelection.ts'

/**
 * The option book's lifecycle as data: which expired series to price, settle and redeem, and which
 * strategy leg to roll into which new series on which chain. The cycle runs these steps; nothing
 * here sends anything. A roll is recorded from its proposal to its settlement (`RollRecord`), and
 * the records are what tell a leg's short apart from another's.
 */

const YEAR = 365 * 86_400
const E8 = 10n ** 8n

/**
 * Gas of a roll, measured on the devnet (test/rolls.test.ts prints it): create the oToken (when
 * nobody has), approve the collateral, open + deposit + mint in one `operate`, approve the oTokens
 * to SwapERC20 and settle the maker's order.
 */
export const ROLL_GAS = { createSeries: 330_000n, mintAndSell: 560_000n } as const
/**
 * Transactions of a roll (create the series; approve and open the vault; approve and take the
 * maker's order): on an L2 each pays an L1 data fee, priced at the chain's observed fee of a swap,
 * a floor since Gamma's operate and a signed order carry more calldata than a swap.
 */
export const ROLL_TXS = 5n

export type LegKind = 'call' | 'put'

/** A strategy's legs: a strangle sells both. */
export const legsOf = (s: OptionStrategy): LegKind[] =>
  s.kind === 'covered-call' ? ['call'] : s.kind === 'cash-secured-put' ? ['put'] : ['call', 'put']

export type SeriesJson = { isPut: boolean; strikeE8: string; expirySec: string }

export type RollProposal = {
  strategy: number
  leg: LegKind
  chain: ChainKey
  series: SeriesJson
  /** oTokens to write (1e-8). */
  amountE8: string
  /** Collateral the vault takes: WETH wei for calls, USDC base units for puts (the full amount; a margined put deposits less). */
  collateral: string
  /** A put written against Gamma's naked margin: the deposit is the required margin plus this buffer. */
  margin?: { bufferBps: number }
  /** |delta| of the strike, its vol on the mark smile, and keel's model premium for the whole size (USDC base units). */
  delta: number
  vol: number
  modelPremiumUsdc: string
  /** Gas the roll should cost on its chain, USDC base units. */
  gasCostUsdc: string
  minPremiumUsdc: string
  maxDiscountBps: number
  /** Why this chain: every chain considered and what it would have netted or why it could not. */
  chains: { chain: ChainKey; netUsdc: string | null; reason: string }[]
}

export type RollStatus =
  /** Waiting for an operator's approveRoll until `deadlineMs`. */
  | 'awaiting-approval'
  /** The operator declined, or nobody approved and the mandate says skip: this expiry is left unsold. */
  | 'skipped'
  /** Running: series, vault, sale. */
  | 'rolling'
  /** Sold: the vault is short until expiry. */
  | 'sold'
  /** Nothing sold and nothing left minted (no acceptable bid, or the sale failed and the mint was burnt). */
  | 'unsold'
  /** Something was left open (a send in doubt): see `error`. */
  | 'failed'
  /** Expired and settled: the vault's collateral came back less what the series paid. */
  | 'settled'

export type RollRecord = {
  id: string
  proposal: RollProposal
  status: RollStatus
  proposedAtChainTimeSec: string
  /** Workflow time by which an approval must come (approval required only). */
  deadlineMs?: number
  approvedBy?: string
  otoken?: `0x${string}`
  vaultId?: string
  maker?: string
  /** Premium received, USDC base units. */
  premiumUsdc?: string
  /** Gas every transaction of the roll paid, wei of the chain's ETH, and in USDC at the roll's spot. */
  gasCostWei?: string
  gasCostUsdc?: string
  /** Collateral actually deposited (differs from the proposal's full amount for a margined put). */
  collateralDeposited?: string
  /** Makers' quotes left out and why. */
  rejected?: { maker: string; reason: string }[]
  /** Burnt after a failed sale, oTokens (1e-8). */
  burntE8?: string
  /** Bought back from makers and burnt (gamma floor), oTokens (1e-8), what that cost in USDC and gas. */
  boughtBackE8?: string
  buyBackCostUsdc?: string
  txHashes?: string[]
  error?: string
  /** After expiry: the expiry price, what the vault returned and what the series paid its holders (collateral base units). */
  settlement?: { expiryPriceE8: string; collateralReturned: string; paidOut: string; paidOutUsdc: string; atChainTimeSec: string }
}

export type SettlementStep =
  | { kind: 'post-expiry-price'; chain: ChainKey; expirySec: string; roundId: string }
  /** A margined put's vault below its buffer: deposit back up to the margin plus the whole buffer. */
  | { kind: 'top-up'; chain: ChainKey; vaultId: string; series: SeriesJson; amount: string; expirySec: string }
  | { kind: 'settle-vault'; chain: ChainKey; vaultId: string; expirySec: string }
  | { kind: 'redeem'; chain: ChainKey; otoken: `0x${string}`; amountE8: string; expirySec: string }

/** What an observation says about one expiry that has passed, on one chain. */
export type ExpiryJson = {
  expirySec: string
  /** The Oracle's price, null until posted; `final` once the dispute period is over. */
  priceE8: string | null
  final: boolean
  lockingOver: boolean
  /** The feed's first round at or after expiry, which the pricer posts. */
  round: { roundId: string; priceE8: string } | null
}

/**
 * Settlement steps for expired series on every chain: post the expiry price once the locking
 * period is over (anyone may; keel does not wait for a keeper), then settle each short vault and
 * redeem each held oToken of that expiry once the price is final.
 */
export function settlementSteps(chains: readonly ChainObservation[]): SettlementStep[] {
  const steps: SettlementStep[] = []
  for (const obs of chains) {
    const book = obs.options
    if (!book) continue
    const now = BigInt(obs.blockTimestampSec)
    const expired = (leg: OptionLegJson) => BigInt(leg.expirySec) <= now
    for (const e of book.expiries ?? []) {
      if (e.priceE8 === null) {
        if (e.lockingOver && e.round)
          steps.push({ kind: 'post-expiry-price', chain: obs.chain, expirySec: e.expirySec, roundId: e.round.roundId })
        continue
      }
      if (!e.final) continue
      for (const v of book.vaults)
        if (v.short && expired(v.short) && v.short.expirySec === e.expirySec && BigInt(v.short.amountE8) > 0n)
          steps.push({ kind: 'settle-vault', chain: obs.chain, vaultId: v.id, expirySec: e.expirySec })
      for (const l of book.longs)
        if (expired(l) && l.expirySec === e.expirySec && BigInt(l.amountE8) > 0n)
          steps.push({ kind: 'redeem', chain: obs.chain, otoken: l.otoken, amountE8: l.amountE8, expirySec: e.expirySec })
    }
  }
  return steps
}

/** Records that hold a leg: a roll under way or waiting, or a series (sold or skipped) not yet expired and settled. */
function legBusy(records: readonly RollRecord[], strategy: number, leg: LegKind, nowSec: bigint): RollRecord | null {
  for (const r of records) {
    if (r.proposal.strategy !== strategy || r.proposal.leg !== leg) continue
    if (r.status === 'awaiting-approval' || r.status === 'rolling' || r.status === 'sold') return r
    // Nothing written (or left in doubt, which blocks its chain anyway): the leg waits for the next expiry.
    if ((r.status === 'skipped' || r.status === 'unsold' || r.status === 'failed') && BigInt(r.proposal.series.expirySec) > nowSec) return r
  }
  return null
}

/** A transfer that brings a roll's collateral to the chain where writing pays best (a capital move). */
export type RollFunding = { asset: 'WETH' | 'USDC'; from: ChainKey; to: ChainKey; amount: bigint; reason: string }

export type RollChoice =
  | { status: 'roll'; proposal: RollProposal }
  | { status: 'none'; strategy: number; leg: LegKind; reason: string }
  /** The best chain lacks the collateral: move it there first; the leg rolls once it has arrived. */
  | { status: 'fund'; strategy: number; leg: LegKind; move: RollFunding; reason: string }

/**
 * The next roll of every leg that holds nothing: the next expiry on its schedule, the strike by
 * delta on the mark smile at each chain's spot, and the chain whose model premium net of gas is
 * highest among those holding the collateral (a leg is never written without it: never naked).
 * Collateral already promised to an earlier leg in the same plan is not counted twice, and no leg
 * is written that would take the book's vega past the mandate's limit.
 */
export function planRolls(p: {
  book: OptionsMandate
  chains: readonly ChainObservation[]
  /** Pool mid per chain, USDC per ETH. */
  spotUsd: Partial<Record<ChainKey, number>>
  records: readonly RollRecord[]
  /** Gas units the planner prices a roll with (a chain where the series exists skips its creation). */
  gas?: typeof ROLL_GAS
  /** The book's vega now, USD per vol point (short options make it negative): rolls keep it within the mandate's limit. */
  bookVega?: number
  /**
   * With a capital policy: a chain short of collateral is still a candidate, its premium net of gas
   * less the transfer's cost at most `maxCostBps` of what moves; capital already on its way
   * (planned or sent, what is expected to arrive) counts as arriving: the leg waits for it, nothing is
   * sent twice.
   */
  capital?: { maxCostBps: number; inFlight: readonly { asset: 'WETH' | 'USDC'; to: ChainKey; amount: string }[] }
}): RollChoice[] {
  const gas = p.gas ?? ROLL_GAS
  const out: RollChoice[] = []
  let plannedVega = 0
  const promised = new Map<string, bigint>()
  const nowSec = p.chains.reduce((m, c) => (BigInt(c.blockTimestampSec) > m ? BigInt(c.blockTimestampSec) : m), 0n)
  for (const [strategy, s] of p.book.strategies.entries()) {
    for (const leg of legsOf(s)) {
      const busy = legBusy(p.records, strategy, leg, nowSec)
      if (busy) continue
      const expirySec = BigInt(nextExpirySec({ nowSec: Number(nowSec), ...s.expiry }))
      const targetDelta = leg === 'call' ? s.callDelta! : s.putDelta!
      const amountE8 = s.sizeEth / 10n ** 10n
      const considered: RollProposal['chains'] = []
      let best: RollProposal | null = null
      let bestNet = 0n
      let bestFunding: { status: 'wait' } | { status: 'fund'; move: RollFunding } | null = null
      for (const chain of p.book.chains) {
        const obs = p.chains.find((c) => c.chain === chain)
        const spot = p.spotUsd[chain]
        if (!obs || !spot) {
          considered.push({ chain, netUsdc: null, reason: 'not observed' })
          continue
        }
        const timeYears = Number(expirySec - BigInt(obs.blockTimestampSec)) / YEAR
        const choice = strikeByDelta({
          kind: leg,
          spot,
          timeYears,
          targetDelta,
          vol: (k) => smileVol(p.book.mark.svi, k, spot),
          rate: 0,
          step: p.book.strikeStepUsd,
        })
        const strikeE8 = BigInt(Math.round(choice.strike)) * E8
        const series = { isPut: leg === 'put', strikeE8, collateralDecimals: leg === 'put' ? 6 : 18 }
        const collateral = gammaFullCollateral({ ...series, amountE8 })
        const asset = leg === 'put' ? 'usdc' : 'weth'
        const decimals = leg === 'put' ? 6 : 18
        const key = `${chain}:${asset}`
        const free = BigInt(obs.balances[asset]) - (promised.get(key) ?? 0n)
        const modelPremium = BigInt(Math.floor((choice.price * Number(amountE8)) / 100)) // USD per option × (amountE8 / 1e8) options × 1e6
        const gasPrice = BigInt(obs.baseFeePerGasWei) + BigInt(obs.priorityFeePerGasWei)
        const gasWei = (gas.createSeries + gas.mintAndSell) * gasPrice + ROLL_TXS * BigInt(obs.l1DataFeeWei ?? '0')
        const gasUsdc = BigInt(Math.ceil((Number(gasWei) / 1e18) * spot * 1e6))
        let net = modelPremium - gasUsdc
        let funding: { status: 'wait' } | { status: 'fund'; move: RollFunding } | null = null
        if (free < collateral) {
          const short = `holds ${formatAmount(free, decimals, 4)} ${asset.toUpperCase()} free, the vault needs ${formatAmount(collateral, decimals, 4)}`
          const ASSET = asset === 'usdc' ? 'USDC' : 'WETH'
          const coming = (p.capital?.inFlight ?? [])
            .filter((t) => t.asset === ASSET && t.to === chain)
            .reduce((sum, t) => sum + BigInt(t.amount), 0n)
          const needs = collateral - free
          const donor = p.chains
            .filter((c) => c.chain !== chain)
            .map((c) => ({ chain: c.chain, free: BigInt(c.balances[asset]) - (promised.get(`${c.chain}:${asset}`) ?? 0n) }))
            .filter((c) => c.free >= grossUp(needs, p.capital?.maxCostBps ?? 0))
            .sort((a, b) => (a.free > b.free ? -1 : a.free < b.free ? 1 : 0))[0]
          if (p.capital && coming >= needs) funding = { status: 'wait' }
          else if (p.capital && donor) {
            const valueUsdc = asset === 'usdc' ? needs : BigInt(Math.ceil((Number(needs) / 1e18) * spot * 1e6))
            const transferUsdc = (valueUsdc * BigInt(p.capital.maxCostBps) + 9_999n) / 10_000n
            net -= transferUsdc
            // Enough that what arrives covers the vault even if the route keeps the most it may of it.
            const amount = grossUp(needs, p.capital.maxCostBps)
            funding = {
              status: 'fund',
              move: { asset: ASSET, from: donor.chain, to: chain, amount, reason: `collateral for a ${leg} on ${chain}` },
            }
            considered.push({
              chain,
              netUsdc: net.toString(),
              reason: `${short}: model premium ${usdc(modelPremium)} less gas ${usdc(gasUsdc)} less a transfer of ${formatAmount(needs, decimals, 4)} from ${donor.chain} at most ${usdc(transferUsdc)}`,
            })
          } else {
            considered.push({ chain, netUsdc: null, reason: short })
            continue
          }
        }
        if (!funding)
          considered.push({ chain, netUsdc: net.toString(), reason: `model premium ${usdc(modelPremium)} less gas ${usdc(gasUsdc)}` })
        else if (funding.status === 'wait') considered.push({ chain, netUsdc: net.toString(), reason: 'its collateral is on its way' })
        if (!best || net > bestNet) {
          bestNet = net
          bestFunding = funding
          best = {
            strategy,
            leg,
            chain,
            series: { isPut: leg === 'put', strikeE8: strikeE8.toString(), expirySec: expirySec.toString() },
            amountE8: amountE8.toString(),
            collateral: collateral.toString(),
            delta: choice.delta,
            vol: choice.vol,
            modelPremiumUsdc: modelPremium.toString(),
            ...(leg === 'put' && s.putCollateral === 'margin' ? { margin: { bufferBps: s.marginBufferBps } } : {}),
            gasCostUsdc: gasUsdc.toString(),
            minPremiumUsdc: s.minPremiumUsdc.toString(),
            maxDiscountBps: s.maxDiscountBps,
            chains: [],
          }
        }
      }
      if (!best) {
        out.push({ status: 'none', strategy, leg, reason: considered.map((c) => `${c.chain}: ${c.reason}`).join('; ') })
        continue
      }
      if (bestNet < s.minPremiumUsdc) {
        out.push({
          status: 'none',
          strategy,
          leg,
          reason: `best premium net of gas ${usdc(bestNet)} USDC on ${best.chain} is below the minimum ${usdc(s.minPremiumUsdc)}`,
        })
        continue
      }
      if (bestFunding?.status === 'wait') {
        out.push({
          status: 'none',
          strategy,
          leg,
          reason: `${best.chain} pays best and its collateral is on its way: rolling once it arrives`,
        })
        continue
      }
      if (bestFunding?.status === 'fund') {
        const m = bestFunding.move
        promised.set(`${m.from}:${m.asset.toLowerCase()}`, (promised.get(`${m.from}:${m.asset.toLowerCase()}`) ?? 0n) + m.amount)
        out.push({
          status: 'fund',
          strategy,
          leg,
          move: m,
          reason: `${best.chain} pays best net of gas and the transfer: moving the collateral first`,
        })
        continue
      }
      // The vega limit: the book's vega now, the legs already planned, and this one must stay within it.
      const spot = p.spotUsd[best.chain]!
      const strike = Number(BigInt(best.series.strikeE8) / E8)
      const legVega =
        (-(Number(amountE8) / 1e8) *
          bsmGreeks({ kind: leg, spot, strike, timeYears: Number(expirySec - nowSec) / YEAR, vol: best.vol, rate: 0 }).vega) /
        100
      const vegaAfter = (p.bookVega ?? 0) + plannedVega + legVega
      const limit = Number(p.book.objectives.vegaLimitUsdc) / 1e6
      if (Math.abs(vegaAfter) > limit) {
        out.push({
          status: 'none',
          strategy,
          leg,
          reason: `writing it would take the book's vega to ${vegaAfter.toFixed(2)} USD per vol point, past the limit of ${limit.toFixed(2)}`,
        })
        continue
      }
      plannedVega += legVega
      const asset = leg === 'put' ? 'usdc' : 'weth'
      promised.set(`${best.chain}:${asset}`, (promised.get(`${best.chain}:${asset}`) ?? 0n) + BigInt(best.collateral))
      out.push({ status: 'roll', proposal: { ...best, chains: considered } })
    }
  }
  return out
}

/** What must be sent for `net` to arrive when a route keeps up to `bps` of what it carries. */
export const grossUp = (net: bigint, bps: number): bigint => (net * 10_000n + BigInt(10_000 - bps) - 1n) / BigInt(10_000 - bps)

const smileVol = (svi: SviParams, strike: number, spot: number): number => Math.sqrt(sviTotalVariance(svi, Math.log(strike / spot)))

const usdc = (x: bigint) => formatAmount(x, 6, 2)

/**
 * A settled roll's figures, from the expiry price: Gamma's own payout arithmetic gives what the
 * holders were paid and what the vault returned (see gammaSettlement.ts).
 */
export function describeRoll(r: RollRecord): string {
  const p = r.proposal
  const strike = Number(BigInt(p.series.strikeE8) / E8)
  const kind = p.leg === 'call' ? 'C' : 'P'
  const size = formatAmount(BigInt(p.amountE8), 8, 2)
  const premium = r.premiumUsdc ? `${usdc(BigInt(r.premiumUsdc))} USDC` : `model ${usdc(BigInt(p.modelPremiumUsdc))} USDC`
  return `${p.chain} ${size} × ${strike}${kind} exp ${new Date(Number(p.series.expirySec) * 1000).toISOString().slice(0, 10)} Δ${p.delta.toFixed(2)} ${premium}`
}

/** A live short the gamma floor may buy back part of: one sold roll's vault, with its Greeks now. */
export type ShortPosition = {
  rollId: string
  chain: ChainKey
  vaultId: string
  otoken: `0x${string}`
  series: SeriesJson
  /** Still short, oTokens (1e-8). */
  amountE8: bigint
  gammaPerOption: number
  modelUsd: number
  timeToExpiryYears: number
  maxDiscountBps: number
}

/**
 * The option book's gamma against the mandate's floor (short options only: the LP's gamma is the
 * LP's), and the sold shorts that could be bought back, with each option's gamma and model value on
 * the mark smile at its chain's spot. Null when the book is above the floor.
 */
export function gammaFloorBreach(p: {
  book: OptionsMandate
  chains: readonly ChainObservation[]
  spotUsd: Partial<Record<ChainKey, number>>
  records: readonly RollRecord[]
}): { bookGamma: number; shorts: ShortPosition[] } | null {
  const shorts: ShortPosition[] = []
  let bookGamma = 0
  for (const obs of p.chains) {
    const spot = p.spotUsd[obs.chain]
    if (!obs.options || !spot) continue
    const now = BigInt(obs.blockTimestampSec)
    for (const v of obs.options.vaults) {
      if (!v.short || BigInt(v.short.expirySec) <= now) continue
      const strike = Number(v.short.strikeE8) / 1e8
      const timeYears = Number(BigInt(v.short.expirySec) - now) / YEAR
      const vol = smileVol(p.book.mark.svi, strike, spot)
      const g = bsmGreeks({ kind: v.short.isPut ? 'put' : 'call', spot, strike, timeYears, vol, rate: 0 })
      const amount = BigInt(v.short.amountE8)
      bookGamma -= (Number(amount) / 1e8) * g.gamma
      const roll = p.records.find((r) => r.status === 'sold' && r.proposal.chain === obs.chain && r.vaultId === v.id)
      if (!roll || amount === 0n) continue
      shorts.push({
        rollId: roll.id,
        chain: obs.chain,
        vaultId: v.id,
        otoken: v.short.otoken,
        series: roll.proposal.series,
        amountE8: amount,
        gammaPerOption: g.gamma,
        modelUsd: g.price,
        timeToExpiryYears: timeYears,
        maxDiscountBps: roll.proposal.maxDiscountBps,
      })
    }
  }
  for (const l of p.chains.flatMap((c) => (c.options?.longs ?? []).map((leg) => ({ c, leg })))) {
    const spot = p.spotUsd[l.c.chain]
    const timeYears = Number(BigInt(l.leg.expirySec) - BigInt(l.c.blockTimestampSec)) / YEAR
    if (!spot || timeYears <= 0) continue
    const strike = Number(l.leg.strikeE8) / 1e8
    const vol = smileVol(p.book.mark.svi, strike, spot)
    bookGamma +=
      (Number(l.leg.amountE8) / 1e8) * bsmGreeks({ kind: l.leg.isPut ? 'put' : 'call', spot, strike, timeYears, vol, rate: 0 }).gamma
  }
  return bookGamma < p.book.objectives.gammaFloor ? { bookGamma, shorts } : null
}

/** Part of a margined put bought back because the treasury lacks the USDC to top its vault up. */
export type MarginBuyBack = {
  kind: 'margin-buy-back'
  chain: ChainKey
  rollId: string | null
  vaultId: string
  otoken: `0x${string}`
  series: SeriesJson
  /** oTokens to buy back and burn so that the collateral left covers the rest with its buffer. */
  amountE8: string
  maxDiscountBps: number
}

/**
 * Margined puts whose collateral fell below the required margin plus half the buffer (the price
 * fell, expiry came nearer): a deposit back to the margin plus the whole buffer, well before the
 * vault could be liquidated (at zero excess). When the chain's USDC cannot pay for the deposit,
 * enough of the short is bought back instead that the collateral already in the vault covers the
 * rest with its whole buffer (Gamma's naked margin is linear in the amount short).
 */
export function marginTopUps(chains: readonly ChainObservation[], records: readonly RollRecord[]): (SettlementStep | MarginBuyBack)[] {
  const steps: (SettlementStep | MarginBuyBack)[] = []
  for (const obs of chains) {
    const now = BigInt(obs.blockTimestampSec)
    let usdcLeft = BigInt(obs.balances.usdc)
    for (const v of obs.options?.vaults ?? []) {
      if (v.type !== 1 || !v.short || v.marginRequired === undefined || BigInt(v.short.expirySec) <= now) continue
      const roll = records.find((r) => r.proposal.chain === obs.chain && r.vaultId === v.id && r.proposal.margin)
      const bufferBps = BigInt(roll?.proposal.margin?.bufferBps ?? 5_000)
      const required = BigInt(v.marginRequired)
      const collateral = BigInt(v.collateral?.amount ?? '0')
      if (collateral * 10_000n >= required * (10_000n + bufferBps / 2n)) continue
      const wanted = (required * (10_000n + bufferBps) + 9_999n) / 10_000n
      const series = { isPut: true, strikeE8: v.short.strikeE8, expirySec: v.short.expirySec }
      if (wanted - collateral <= usdcLeft) {
        usdcLeft -= wanted - collateral
        steps.push({
          kind: 'top-up',
          chain: obs.chain,
          vaultId: v.id,
          series,
          amount: (wanted - collateral).toString(),
          expirySec: v.short.expirySec,
        })
        continue
      }
      const short = BigInt(v.short.amountE8)
      const keep = (short * collateral * 10_000n) / (required * (10_000n + bufferBps))
      steps.push({
        kind: 'margin-buy-back',
        chain: obs.chain,
        rollId: roll?.id ?? null,
        vaultId: v.id,
        otoken: v.short.otoken,
        series,
        amountE8: (short - keep).toString(),
        maxDiscountBps: roll?.proposal.maxDiscountBps ?? 500,
      })
    }
  }
  return steps
}
