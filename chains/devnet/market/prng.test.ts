import { describe, expect, test } from 'vitest'
import { createPrng } from './prng.ts'

describe('createPrng', () => {
  test('repeats the same sequence when the seed is the same', () => {
    const a = createPrng(42)
    const b = createPrng(42)
    const xs = Array.from({ length: 1000 }, () => a.next())
    const ys = Array.from({ length: 1000 }, () => b.next())
    expect(xs).toEqual(ys)
  })

  test('gives a different sequence when the seed differs', () => {
    const a = createPrng(1)
    const b = createPrng(2)
    expect(Array.from({ length: 5 }, () => a.next())).not.toEqual(Array.from({ length: 5 }, () => b.next()))
  })

  test('draws uniforms in [0, 1) with the right mean when sampled a lot', () => {
    const prng = createPrng(7)
    const xs = Array.from({ length: 50_000 }, () => prng.next())
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 2)
  })

  test('draws standard normals with mean 0 and variance 1 when sampled a lot', () => {
    const prng = createPrng(9)
    const xs = Array.from({ length: 50_000 }, () => prng.normal())
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.02)
    expect(Math.abs(variance - 1)).toBeLessThan(0.03)
  })

  test('draws Poisson counts with mean lambda when sampled a lot', () => {
    const prng = createPrng(11)
    const xs = Array.from({ length: 50_000 }, () => prng.poisson(0.3))
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.3, 1)
  })
})
