import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { bsmPrice } from '../risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../risk/svi.ts'
import { fitSmile, type SmileQuote } from './fitSmile.ts'

const DAY = 86_400
const YEAR = 365 * DAY
const SPOT = 3_000
const NOW = 1_796_000_000
const EXPIRIES = [NOW + 7 * DAY, NOW + 28 * DAY]
const STRIKES = [2_400, 2_600, 2_800, 3_000, 3_200, 3_400, 3_600]
const AMOUNT = 10

// ETH-like: ~62 % at the money, downside skew, minimum a little above spot.
const TRUTH: SviParams = { a: 0.3, b: 0.4, rho: -0.3, m: 0.05, sigma: 0.2 }
const PRIOR: SviParams = { a: 0.3, b: 0.2, rho: 0, m: 0, sigma: 0.3 }

const sviVol = (s: SviParams, strike: number) => Math.sqrt(sviTotalVariance(s, Math.log(strike / SPOT)))

/** A maker's quote for AMOUNT out-of-the-money options priced on `svi`, ±halfSpread around the model price. */
function quoteFrom(p: { svi: SviParams; strike: number; expirySec: number; halfSpread?: number }): SmileQuote {
  const isPut = p.strike < SPOT
  const timeYears = (p.expirySec - NOW) / YEAR
  const price = bsmPrice({ kind: isPut ? 'put' : 'call', spot: SPOT, strike: p.strike, timeYears, vol: sviVol(p.svi, p.strike), rate: 0 })
  const h = p.halfSpread ?? 0.015
  return {
    isPut,
    strike: p.strike,
    expirySec: p.expirySec,
    amountOptions: AMOUNT,
    bidUsd: price * AMOUNT * (1 - h),
    askUsd: price * AMOUNT * (1 + h),
  }
}

const grid = (svi: SviParams) => EXPIRIES.flatMap((expirySec) => STRIKES.map((strike) => quoteFrom({ svi, strike, expirySec })))

describe('fitSmile', () => {
  test('recovers the vol at every quoted strike when given 7 strikes over 2 expiries of a known SVI', () => {
    const r = fitSmile({ spot: SPOT, nowSec: NOW, quotes: grid(TRUTH), prior: PRIOR })
    if (r.svi === null) throw new Error(r.reason)
    expect(r.method).toBe('full')
    expect(r.used).toBe(14)
    expect(r.dropped).toEqual([])
    expect(r.rmseVol).toBeLessThan(0.002)
    expect(r.points).toHaveLength(14)
    for (const pt of r.points) {
      const truth = sviVol(TRUTH, pt.strike)
      // A symmetric spread leaves the mid on the model price.
      expect(Math.abs(pt.midVol - truth)).toBeLessThan(1e-9)
      expect(Math.abs(pt.fitVol - truth)).toBeLessThan(0.002)
      expect(Math.abs(sviVol(r.svi, pt.strike) - truth)).toBeLessThan(0.002)
    }
    const { a, b, rho, sigma } = r.svi
    expect(b).toBeGreaterThanOrEqual(0)
    expect(Math.abs(rho)).toBeLessThan(1)
    expect(sigma).toBeGreaterThan(0)
    expect(a + b * sigma * Math.sqrt(1 - rho * rho)).toBeGreaterThanOrEqual(0)
    expect(r.violations).toEqual([])
  })

  test('moves only the level when given 2 quotes', () => {
    const quotes = [
      quoteFrom({ svi: TRUTH, strike: 3_000, expirySec: EXPIRIES[0]! }),
      quoteFrom({ svi: TRUTH, strike: 3_100, expirySec: EXPIRIES[0]! }),
    ]
    const r = fitSmile({ spot: SPOT, nowSec: NOW, quotes, prior: PRIOR })
    if (r.svi === null) throw new Error(r.reason)
    expect(r.method).toBe('level')
    expect(r.used).toBe(2)
    const { a, ...shape } = r.svi
    const { a: priorA, ...priorShape } = PRIOR
    expect(shape).toStrictEqual(priorShape)
    // The truth's ATM vol is ~62.3 %, the prior's 60 %: the level has to move.
    expect(Math.abs(sviVol(PRIOR, SPOT) - sviVol(TRUTH, SPOT))).toBeGreaterThan(0.02)
    expect(a).not.toBe(priorA)
    const atmMid = r.points.find((pt) => pt.strike === SPOT)!.midVol
    expect(Math.abs(sviVol(r.svi, SPOT) - atmMid)).toBeLessThan(0.005)
  })

  test('shifts a by exactly the level difference when the quotes come from the prior shape at another level', () => {
    const shifted = { ...PRIOR, a: PRIOR.a + 0.05 }
    const quotes = [2_900, 3_000, 3_100].map((strike) => quoteFrom({ svi: shifted, strike, expirySec: EXPIRIES[1]! }))
    const r = fitSmile({ spot: SPOT, nowSec: NOW, quotes, prior: PRIOR })
    if (r.svi === null) throw new Error(r.reason)
    expect(r.svi.a).toBeCloseTo(shifted.a, 9)
    expect(r.rmseVol).toBeLessThan(1e-9)
  })

  test('drops and reports quotes with no implied vol, and fits the rest', () => {
    const good = grid(TRUTH)
    const garbage: SmileQuote[] = [
      // A 2 400 call is worth at least 600 per option; 100 is below intrinsic.
      { isPut: false, strike: 2_400, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT, bidUsd: 90 * AMOUNT, askUsd: 100 * AMOUNT },
      // A 3 600 put below its 600 intrinsic.
      { isPut: true, strike: 3_600, expirySec: EXPIRIES[1]!, amountOptions: AMOUNT, askUsd: 500 * AMOUNT },
      // A call priced above the spot itself.
      { isPut: false, strike: 3_000, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT, bidUsd: 3_100 * AMOUNT, askUsd: 3_200 * AMOUNT },
      { isPut: false, strike: 3_000, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT, bidUsd: 200, askUsd: 100 },
      { isPut: false, strike: 3_000, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT },
      { isPut: false, strike: 3_000, expirySec: NOW - DAY, amountOptions: AMOUNT, bidUsd: 100, askUsd: 110 },
    ]
    const r = fitSmile({ spot: SPOT, nowSec: NOW, quotes: [...good, ...garbage], prior: PRIOR })
    if (r.svi === null) throw new Error(r.reason)
    expect(r.used).toBe(14)
    expect(r.dropped.map((d) => d.index)).toEqual([14, 15, 16, 17, 18, 19])
    expect(r.dropped[0]!.reason).toContain('below-intrinsic')
    expect(r.dropped[1]!.reason).toContain('below-intrinsic')
    expect(r.dropped[2]!.reason).toContain('above-max')
    expect(r.dropped[3]!.reason).toContain('crossed')
    expect(r.dropped[4]!.reason).toContain('neither bid nor ask')
    expect(r.dropped[5]!.reason).toContain('not after now')
    expect(r.rmseVol).toBeLessThan(0.002)
  })

  test('returns no smile and says why when every quote is garbage', () => {
    const quotes: SmileQuote[] = [
      { isPut: false, strike: 2_400, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT, bidUsd: 100, askUsd: 110 },
      { isPut: true, strike: 3_600, expirySec: EXPIRIES[0]!, amountOptions: AMOUNT, bidUsd: 100, askUsd: 110 },
    ]
    const r = fitSmile({ spot: SPOT, nowSec: NOW, quotes, prior: PRIOR })
    expect(r.svi).toBeNull()
    if (r.svi !== null) return
    expect(r.reason).toBe('no quote has a solvable implied vol (2 of 2 dropped)')
    expect(r.dropped.map((d) => d.index)).toEqual([0, 1])
  })

  test('takes a one-sided quote half the spread allowance away from its side', () => {
    const { bidUsd, askUsd, ...q } = quoteFrom({ svi: TRUTH, strike: 3_200, expirySec: EXPIRIES[0]!, halfSpread: 0.02 })
    const truth = sviVol(TRUTH, 3_200)
    const bidOnly = fitSmile({ spot: SPOT, nowSec: NOW, quotes: [{ ...q, bidUsd: bidUsd! }], prior: PRIOR, spreadAllowanceBps: 400 })
    const askOnly = fitSmile({ spot: SPOT, nowSec: NOW, quotes: [{ ...q, askUsd: askUsd! }], prior: PRIOR, spreadAllowanceBps: 400 })
    if (bidOnly.svi === null || askOnly.svi === null) throw new Error('no fit')
    expect(Math.abs(bidOnly.points[0]!.midVol - truth)).toBeLessThan(1e-9)
    expect(Math.abs(askOnly.points[0]!.midVol - truth)).toBeLessThan(1e-9)
    // A narrower allowance than the real spread biases each side its own way.
    const bidNarrow = fitSmile({ spot: SPOT, nowSec: NOW, quotes: [{ ...q, bidUsd: bidUsd! }], prior: PRIOR, spreadAllowanceBps: 0 })
    if (bidNarrow.svi === null) throw new Error(bidNarrow.reason)
    expect(bidNarrow.points[0]!.midVol).toBeLessThan(truth - 0.001)
  })

  test('returns identical output when given the same input twice', () => {
    const input = { spot: SPOT, nowSec: NOW, quotes: grid(TRUTH), prior: PRIOR }
    const first = fitSmile(input)
    const second = fitSmile(structuredClone(input))
    expect(second).toStrictEqual(first)
    if (first.svi === null || second.svi === null) throw new Error('no fit')
    for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) expect(Object.is(first.svi[key], second.svi[key])).toBe(true)
  })

  test('throws InvalidInputError naming the field when the prior is not a valid SVI', () => {
    const bad = () => fitSmile({ spot: SPOT, nowSec: NOW, quotes: grid(TRUTH), prior: { ...PRIOR, rho: 1 } })
    expect(bad).toThrow(InvalidInputError)
    expect(bad).toThrow(/prior\.rho/)
  })
})
