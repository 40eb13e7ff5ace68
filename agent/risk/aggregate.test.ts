import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { aggregateRisk } from './aggregate.ts'
import type { PositionRisk } from './positions.ts'

const risk = (over: Partial<PositionRisk>): PositionRisk => ({
  id: 'x',
  kind: 'option',
  underlying: 'ETH',
  chain: 'base',
  spot: 2000,
  value: 0,
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
  ...over,
})

describe('aggregateRisk', () => {
  test('sums Greeks per underlying and per chain with the stated dollar conventions', () => {
    const agg = aggregateRisk({
      risks: [
        risk({ id: 'a', chain: 'base', value: 100, delta: 1.5, gamma: 0.002, vega: 300, theta: -730 }),
        risk({ id: 'b', chain: 'arbitrum', value: 50, delta: -0.5, gamma: 0.001, vega: -100, theta: 365 }),
        risk({ id: 'c', underlying: 'BTC', chain: 'base', spot: 60_000, value: 10, delta: 0.1 }),
      ],
    })
    const eth = agg.byUnderlying.ETH!
    expect(eth).toMatchObject({ value: 150, delta: 1, positions: 2, failures: 0 })
    expect(eth.gamma).toBeCloseTo(0.003, 15)
    expect(eth.dollarDelta).toBeCloseTo(2000, 9)
    // ½·Γ·S²·(1 %)² = 0.5 · 0.003 · 4e6 · 1e-4
    expect(eth.dollarGamma).toBeCloseTo(0.6, 12)
    expect(eth.vegaPerPoint).toBeCloseTo(2, 12)
    expect(eth.thetaPerDay).toBeCloseTo(-1, 12)
    expect(agg.byChainUnderlying.base?.BTC?.delta).toBeCloseTo(0.1, 15)
    expect(agg.byChain.base?.dollarDelta).toBeCloseTo(1.5 * 2000 + 0.1 * 60_000, 9)
    expect(agg.total.value).toBe(160)
  })

  test('counts failures where they belong so totals are marked incomplete', () => {
    const error = new InvalidInputError({ what: 'x', issues: [] })
    const agg = aggregateRisk({ risks: [risk({ delta: 1 })], failures: [{ id: 'f', underlying: 'ETH', chain: 'ethereum', error }] })
    expect(agg.byUnderlying.ETH).toMatchObject({ positions: 1, failures: 1, delta: 1 })
    expect(agg.byChain.ethereum).toMatchObject({ positions: 0, failures: 1 })
    expect(agg.total.failures).toBe(1)
  })

  test('keeps an underlying named __proto__ as an ordinary key', () => {
    const agg = aggregateRisk({ risks: [risk({ underlying: '__proto__', delta: 2 })] })
    expect(Object.getPrototypeOf(agg.byUnderlying)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(agg.byUnderlying, '__proto__')?.value).toMatchObject({ delta: 2 })
  })
})
