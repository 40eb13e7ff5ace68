import { bsmGreeks } from '../risk/blackScholes.ts'
import type { OptionKind } from '../risk/types.ts'

/**
 * Choosing what to sell: the next expiry on the mandate's schedule (Gamma expires at 08:00 UTC),
 * and the strike by delta, the way Ribbon's DeltaStrikeSelection did it: walk the venue's strike
 * grid away from the money until the option's delta falls to the target, then take whichever of the
 * two strikes around the target is closer. The delta comes from the risk engine, at the smile's own
 * vol for each strike.
 */

const DAY = 86_400
const weekdayIndex = { sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6 } as const

/** The first `weekday` at `hourUtc` at least `minDaysAway` days after `nowSec`, in unix seconds. */
export function nextExpirySec(p: { nowSec: number; weekday: keyof typeof weekdayIndex; hourUtc: number; minDaysAway: number }): number {
  const earliest = p.nowSec + p.minDaysAway * DAY
  const dayStart = Math.floor(earliest / DAY) * DAY
  for (let d = 0; d <= 7; d++) {
    const t = dayStart + d * DAY + p.hourUtc * 3600
    // 1970-01-01 was a Thursday.
    if ((Math.floor(t / DAY) + 4) % 7 === weekdayIndex[p.weekday] && t >= earliest) return t
  }
  throw new RangeError('unreachable: every weekday occurs within eight days')
}

export type StrikeChoice = { strike: number; delta: number; vol: number; price: number }

/**
 * The strike on a grid of `step` whose |delta| is closest to `targetDelta` (0 < target ≤ 0.5),
 * searching out of the money from the first strike past spot (above it for calls, below for puts).
 */
export function strikeByDelta(p: {
  kind: OptionKind
  spot: number
  timeYears: number
  targetDelta: number
  /** Implied vol at a strike (the surface's smile). */
  vol: (strike: number) => number
  rate: number
  step: number
  /** Largest number of grid steps to walk before giving up. */
  maxSteps?: number
}): StrikeChoice {
  if (!(p.targetDelta > 0 && p.targetDelta <= 0.5)) throw new RangeError(`target delta ${p.targetDelta} is not in (0, 0.5]`)
  if (!(p.step > 0 && p.spot > 0 && p.timeYears > 0)) throw new RangeError('spot, step and time to expiry must be positive')
  const dir = p.kind === 'call' ? 1 : -1
  const at = (strike: number): StrikeChoice => {
    const vol = p.vol(strike)
    const g = bsmGreeks({ kind: p.kind, spot: p.spot, strike, timeYears: p.timeYears, vol, rate: p.rate })
    return { strike, delta: Math.abs(g.delta), vol, price: g.price }
  }
  // The first grid strike strictly out of the money.
  let strike = p.kind === 'call' ? (Math.floor(p.spot / p.step) + 1) * p.step : (Math.ceil(p.spot / p.step) - 1) * p.step
  let prev: StrikeChoice | null = null
  for (let i = 0; i < (p.maxSteps ?? 1_000) && strike > 0; i++, strike += dir * p.step) {
    const cur = at(strike)
    if (cur.delta <= p.targetDelta) {
      if (!prev) return cur
      return Math.abs(prev.delta - p.targetDelta) < Math.abs(cur.delta - p.targetDelta) ? prev : cur
    }
    prev = cur
  }
  throw new RangeError(`no strike within ${p.maxSteps ?? 1_000} steps of ${p.step} has |delta| ≤ ${p.targetDelta}`)
}
