import { describe, expect, test } from 'vitest'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { nextExpirySec, strikeByDelta } from './strikeSelection.ts'

const DAY = 86_400

describe('next expiry', () => {
  // Monday 2026-11-30 12:00 UTC.
  const monday = Date.UTC(2026, 10, 30, 12) / 1000
  test('the first Friday 08:00 UTC at least minDaysAway later', () => {
    expect(new Date(nextExpirySec({ nowSec: monday, weekday: 'friday', hourUtc: 8, minDaysAway: 0 }) * 1000).toISOString()).toBe(
      '2026-12-04T08:00:00.000Z',
    )
    expect(new Date(nextExpirySec({ nowSec: monday, weekday: 'friday', hourUtc: 8, minDaysAway: 5 }) * 1000).toISOString()).toBe(
      '2026-12-11T08:00:00.000Z',
    )
  })
  test('on the day itself: today if not yet 08:00, else a week later', () => {
    const friday7 = Date.UTC(2026, 11, 4, 7) / 1000
    expect(nextExpirySec({ nowSec: friday7, weekday: 'friday', hourUtc: 8, minDaysAway: 0 })).toBe(friday7 + 3600)
    expect(nextExpirySec({ nowSec: friday7 + 2 * 3600, weekday: 'friday', hourUtc: 8, minDaysAway: 0 })).toBe(friday7 + 3600 + 7 * DAY)
  })
  test('expiries are always at 08:00 UTC, as Gamma requires (expiry mod 1 day = 28800)', () => {
    for (let h = 0; h < 24 * 8; h += 5) {
      const t = nextExpirySec({ nowSec: 1_796_000_000 + h * 3600, weekday: 'wednesday', hourUtc: 8, minDaysAway: 2 })
      expect(t % DAY).toBe(8 * 3600)
      expect(new Date(t * 1000).getUTCDay()).toBe(3)
    }
  })
})

describe('strike by delta', () => {
  const flat = () => 0.7
  const base = { spot: 3_000, timeYears: 7 / 365, rate: 0, step: 50 }
  test('a call: the grid strike whose delta is closest to the target, above spot', () => {
    const c = strikeByDelta({ ...base, kind: 'call', targetDelta: 0.25, vol: flat })
    expect(c.strike % 50).toBe(0)
    expect(c.strike).toBeGreaterThan(3_000)
    // Neighbours on the grid are farther from 0.25.
    const d = (k: number) => bsmGreeks({ kind: 'call', spot: 3_000, strike: k, timeYears: 7 / 365, vol: 0.7, rate: 0 }).delta
    expect(Math.abs(d(c.strike) - 0.25)).toBeLessThan(Math.abs(d(c.strike - 50) - 0.25))
    expect(Math.abs(d(c.strike) - 0.25)).toBeLessThan(Math.abs(d(c.strike + 50) - 0.25))
    expect(c.delta).toBeCloseTo(d(c.strike), 12)
    expect(c.vol).toBe(0.7)
  })
  test('a put: below spot, |delta| against the target; a smile moves the strike', () => {
    const p = strikeByDelta({ ...base, kind: 'put', targetDelta: 0.2, vol: flat })
    expect(p.strike).toBeLessThan(3_000)
    expect(p.delta).toBeGreaterThan(0.15)
    expect(p.delta).toBeLessThan(0.25)
    // A put skew (more vol below spot) pushes the same delta farther out.
    const skew = (k: number) => 0.7 + 0.4 * Math.max(0, (3_000 - k) / 3_000)
    expect(strikeByDelta({ ...base, kind: 'put', targetDelta: 0.2, vol: skew }).strike).toBeLessThan(p.strike)
  })
  test('refuses a target that is not out of the money', () => {
    expect(() => strikeByDelta({ ...base, kind: 'call', targetDelta: 0.6, vol: flat })).toThrow(RangeError)
    expect(() => strikeByDelta({ ...base, kind: 'call', targetDelta: 0, vol: flat })).toThrow(RangeError)
  })
})
