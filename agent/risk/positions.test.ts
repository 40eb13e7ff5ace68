import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { lpGreeks } from '../lp/lpGreeks.ts'
import { getSqrtRatioAtTick } from '../lp/tickMath.ts'
import { aggregateRisk } from './aggregate.ts'
import { bsmGreeks } from './blackScholes.ts'
import {
  bookRisk,
  type LpRiskPosition,
  type OptionRiskPosition,
  PositionValuationError,
  positionRisk,
  type RiskMarket,
  type RiskPosition,
} from './positions.ts'
import { buildVolSurface } from './volSurface.ts'

const NOW = 1_750_000_000
const DAY = 86_400
const market: RiskMarket = { nowSec: NOW, spot: { ETH: 2000, BTC: 60_000 }, rate: 0.04, flatVols: { ETH: 0.7 } }
const call: OptionRiskPosition = {
  id: 'c1',
  kind: 'option',
  underlying: 'ETH',
  chain: 'arbitrum',
  optionKind: 'call',
  strike: 2200,
  expirySec: NOW + 73 * DAY,
  quantity: 10n ** 18n,
  decimals: 18,
}
const lp: LpRiskPosition = {
  id: 'lp1',
  kind: 'uniswap-v3-lp',
  underlying: 'ETH',
  chain: 'base',
  liquidity: 10n ** 18n,
  tickLower: -201_000,
  tickUpper: -199_000,
  sqrtPriceX96: getSqrtRatioAtTick(-200_311),
  decimals0: 18,
  decimals1: 6,
  riskyIsToken0: true,
}

describe('positionRisk', () => {
  test('scales Black–Scholes Greeks by the signed quantity when the option is long or short', () => {
    const g = bsmGreeks({ kind: 'call', spot: 2000, strike: 2200, timeYears: 0.2, vol: 0.7, rate: 0.04 })
    const long = positionRisk(call, market)
    const short = positionRisk({ ...call, quantity: -25n * 10n ** 17n }, market)
    expect(long.value).toBeCloseTo(g.price, 9)
    expect(long.delta).toBeCloseTo(g.delta, 12)
    expect(short.delta).toBeCloseTo(-2.5 * g.delta, 12)
    expect(short.gamma).toBeCloseTo(-2.5 * g.gamma, 12)
    expect(short.vega).toBeCloseTo(-2.5 * g.vega, 9)
    expect(short.theta).toBeCloseTo(-2.5 * g.theta, 9)
  })

  test('reads the vol from the underlying’s surface when the position has no vol of its own', () => {
    const slice = { expiryYears: 0.2, forward: 2000, params: { a: 0.08, b: 0.1, rho: 0, m: 0, sigma: 0.2 }, rmseVol: 0 }
    const built = buildVolSurface({ underlying: 'ETH', slices: [slice] })
    if (built.status !== 'ok') throw new Error('surface refused')
    const vol = built.surface.vol({ strike: 2200, timeYears: 0.2 })
    const r = positionRisk(call, { ...market, surfaces: { ETH: built.surface } })
    expect(r.value).toBeCloseTo(bsmGreeks({ kind: 'call', spot: 2000, strike: 2200, timeYears: 0.2, vol, rate: 0.04 }).price, 9)
    expect(vol).not.toBeCloseTo(0.7, 2)
  })

  test('is worth its intrinsic value with no Greeks when the option has expired', () => {
    const r = positionRisk({ ...call, optionKind: 'put', strike: 2500, expirySec: NOW - DAY }, market)
    expect(r).toMatchObject({ value: 500, delta: 0, gamma: 0, vega: 0, theta: 0 })
  })

  test('gives spot delta 1 per unit and perp delta 1 per unit with funding as theta', () => {
    const spot = positionRisk(
      { id: 's', kind: 'spot', underlying: 'ETH', chain: 'ethereum', amount: 3n * 10n ** 18n, decimals: 18 },
      market,
    )
    expect(spot).toMatchObject({ value: 6000, delta: 3, gamma: 0 })
    const perp = positionRisk(
      {
        id: 'p',
        kind: 'perp',
        underlying: 'ETH',
        chain: 'arbitrum',
        size: -2n * 10n ** 8n,
        decimals: 8,
        entryPrice: 2100,
        fundingRatePerYear: 0.1,
      },
      market,
    )
    // Short 2 ETH: +200 unrealised, receives 10 % a year on 4000 of notional.
    expect(perp.delta).toBe(-2)
    expect(perp.value).toBeCloseTo(200, 9)
    expect(perp.theta).toBeCloseTo(400, 9)
  })

  test('takes delta, gamma and value of an LP from lpGreeks at the pool’s own price', () => {
    const g = lpGreeks(lp)
    expect(positionRisk(lp, market)).toMatchObject({ delta: g.delta, gamma: g.gamma, value: g.value, spot: g.price, vega: 0 })
  })

  test('throws PositionValuationError naming the field when the spot or the vol is missing', () => {
    expect(() => positionRisk({ ...call, underlying: 'SOL' }, market)).toThrowError(PositionValuationError)
    try {
      positionRisk({ ...call, underlying: 'BTC', strike: 60_000 }, market)
      expect.unreachable()
    } catch (err) {
      expect((err as PositionValuationError).field).toBe('vol.BTC')
    }
  })
})

const arbNumber = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, 0, -1, Number.POSITIVE_INFINITY, 1e-300, 1e300))
const arbPosition: fc.Arbitrary<RiskPosition> = fc.oneof(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    kind: fc.constant('option' as const),
    underlying: fc.constantFrom('ETH', 'BTC', 'SOL'),
    chain: fc.constantFrom('ethereum', 'base'),
    optionKind: fc.constantFrom('call' as const, 'put' as const),
    strike: fc.oneof(fc.double({ min: 1, max: 100_000, noNaN: true }), arbNumber),
    expirySec: fc.oneof(fc.integer({ min: NOW - 30 * DAY, max: NOW + 900 * DAY }), arbNumber),
    quantity: fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
    decimals: fc.constantFrom(0, 6, 18),
    vol: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), arbNumber),
  }),
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    kind: fc.constant('spot' as const),
    underlying: fc.constantFrom('ETH', 'BTC', 'SOL'),
    chain: fc.constantFrom('ethereum', 'base'),
    amount: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
    decimals: fc.constantFrom(6, 8, 18, -1, 2.5),
  }),
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    kind: fc.constant('perp' as const),
    underlying: fc.constantFrom('ETH', 'BTC'),
    chain: fc.constantFrom('arbitrum'),
    size: fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
    decimals: fc.constant(18),
    entryPrice: fc.oneof(fc.double({ min: 100, max: 100_000, noNaN: true }), arbNumber),
    fundingRatePerYear: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), arbNumber),
  }),
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    kind: fc.constant('uniswap-v3-lp' as const),
    underlying: fc.constant('ETH'),
    chain: fc.constantFrom('base', 'ethereum'),
    liquidity: fc.bigInt({ min: -1n, max: 10n ** 30n }),
    tickLower: fc.integer({ min: -210_000, max: -195_000 }),
    tickUpper: fc.integer({ min: -205_000, max: -190_000 }),
    sqrtPriceX96: fc.integer({ min: -210_000, max: -190_000 }).map(getSqrtRatioAtTick),
    decimals0: fc.constant(18),
    decimals1: fc.constant(6),
    riskyIsToken0: fc.boolean(),
  }),
)

describe('bookRisk', () => {
  test('never produces a non-finite total when given random books with bad inputs mixed in', () => {
    const markets = fc.record({
      nowSec: fc.constant(NOW),
      spot: fc.record({ ETH: fc.oneof(fc.constant(2000), arbNumber), BTC: fc.constant(60_000) }),
      rate: fc.constant(0.04),
      flatVols: fc.record({ ETH: fc.oneof(fc.constant(0.7), arbNumber), BTC: fc.constant(0.5) }),
    })
    fc.assert(
      fc.property(fc.array(arbPosition, { maxLength: 12 }), markets, (positions, m) => {
        const book = bookRisk(positions, m)
        expect(book.risks.length + book.failures.length).toBe(positions.length)
        const agg = aggregateRisk(book)
        const numbers = [
          ...Object.values(agg.byUnderlying).flatMap((t) => Object.values(t)),
          ...Object.values(agg.byChain).flatMap((t) => Object.values(t)),
          ...Object.values(agg.total),
        ]
        return numbers.every(Number.isFinite)
      }),
      { numRuns: 300 },
    )
  })

  test('reports a failure with a typed error instead of a number when an option has strike 0 or a NaN vol', () => {
    const book = bookRisk([call, { ...call, id: 'bad1', strike: 0 }, { ...call, id: 'bad2', vol: Number.NaN }], market)
    expect(book.risks.map((r) => r.id)).toEqual(['c1'])
    expect(book.failures.map((f) => [f.id, f.error.name])).toEqual([
      ['bad1', 'Keel.InvalidInputError'],
      ['bad2', 'Keel.InvalidInputError'],
    ])
  })
})
