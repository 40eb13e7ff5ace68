import type { HedgeState } from './types.ts'

/** The hedge that puts the net delta exactly on target. */
export const idealHedge = (state: HedgeState): number => state.targetDelta - state.bookDelta

/** Hours to years on the 365-day clock the backtester and the pricer use. */
export const hoursToYears = (hours: number): number => hours / (24 * 365)

/**
 * Elapsed-time check that tolerates float noise on the clock (times are sums of steps), so an
 * interval of exactly 24 hourly steps counts as elapsed.
 */
export const hasElapsed = (params: { now: number; since: number | null; intervalYears: number }): boolean =>
  params.since === null || params.now - params.since >= params.intervalYears * (1 - 1e-9)
