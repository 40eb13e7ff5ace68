import { describe, expect, test } from 'vitest'
import { defaultPricePathParams, samplePricePath } from './pricePath.ts'

describe('samplePricePath', () => {
  test('returns the same path when the seed is the same', () => {
    const params = { ...defaultPricePathParams, seed: 5, startPriceUsd: 3000, steps: 500 }
    expect(samplePricePath(params)).toEqual(samplePricePath(params))
  })

  test('returns a different path when the seed differs', () => {
    const base = { ...defaultPricePathParams, startPriceUsd: 3000, steps: 10 }
    expect(samplePricePath({ ...base, seed: 1 })).not.toEqual(samplePricePath({ ...base, seed: 2 }))
  })

  test('realises the configured volatility when there are no jumps', () => {
    const stepSec = 3600
    const prices = samplePricePath({
      ...defaultPricePathParams,
      jumpIntensityPerYear: 0,
      annualVol: 0.8,
      stepSec,
      seed: 3,
      startPriceUsd: 3000,
      steps: 20_000,
    })
    const logReturns = prices.slice(1).map((p, i) => Math.log(p / (prices[i] ?? p)))
    const mean = logReturns.reduce((s, x) => s + x, 0) / logReturns.length
    const variance = logReturns.reduce((s, x) => s + (x - mean) ** 2, 0) / (logReturns.length - 1)
    const annualised = Math.sqrt((variance * 365 * 24 * 3600) / stepSec)
    expect(annualised).toBeGreaterThan(0.77)
    expect(annualised).toBeLessThan(0.83)
  })

  test('adds jump variance when jumps are on', () => {
    const common = { ...defaultPricePathParams, annualVol: 0.2, stepSec: 86_400, seed: 4, startPriceUsd: 3000, steps: 5_000 }
    const std = (xs: number[]) => {
      const r = xs.slice(1).map((p, i) => Math.log(p / (xs[i] ?? p)))
      const m = r.reduce((s, x) => s + x, 0) / r.length
      return Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / r.length)
    }
    const withJumps = std(samplePricePath({ ...common, jumpIntensityPerYear: 50, jumpMeanLog: 0, jumpStdLog: 0.1 }))
    const without = std(samplePricePath({ ...common, jumpIntensityPerYear: 0 }))
    // Expected daily std: sqrt(0.2²/365 + 50/365 · 0.1²) ≈ 0.0398 vs 0.0105.
    expect(withJumps).toBeGreaterThan(0.035)
    expect(without).toBeLessThan(0.012)
  })

  test('rejects a fractional seed when configured so', () => {
    expect(() => samplePricePath({ ...defaultPricePathParams, seed: 1.5, startPriceUsd: 1, steps: 1 })).toThrow(RangeError)
  })

  test('rejects a non-positive step when configured so', () => {
    expect(() => samplePricePath({ ...defaultPricePathParams, stepSec: 0, seed: 1, startPriceUsd: 1, steps: 1 })).toThrow(RangeError)
  })
})
