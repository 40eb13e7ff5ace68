import { describe, expect, test } from 'vitest'
import { createPrng, mixSeed } from './prng.ts'

describe('createPrng', () => {
  test('repeats the same stream when given the same seed', () => {
    const a = createPrng(42)
    const b = createPrng(42)
    const xs = Array.from({ length: 1000 }, () => a.nextUint32())
    const ys = Array.from({ length: 1000 }, () => b.nextUint32())
    expect(xs).toEqual(ys)
  })

  test('gives different streams when seeds differ', () => {
    const a = createPrng(1)
    const b = createPrng(2)
    const same = Array.from({ length: 100 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean).length
    expect(same).toBeLessThan(3)
  })

  test('draws uniforms in [0,1) with mean 1/2 and variance 1/12 when sampled widely', () => {
    const prng = createPrng(7)
    const n = 200_000
    let sum = 0
    let sq = 0
    let outside = 0
    for (let i = 0; i < n; i++) {
      const u = prng.nextFloat()
      if (!(u >= 0 && u < 1)) outside++
      sum += u
      sq += u * u
    }
    const mean = sum / n
    expect(outside).toBe(0)
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n))
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002)
  })

  test('draws standard normals with mean 0, variance 1 and kurtosis 3 when sampled widely', () => {
    const prng = createPrng(11)
    const n = 200_000
    let m1 = 0
    let m2 = 0
    let m4 = 0
    for (let i = 0; i < n; i++) {
      const z = prng.nextNormal()
      m1 += z
      m2 += z * z
      m4 += z ** 4
    }
    expect(Math.abs(m1 / n)).toBeLessThan(5 / Math.sqrt(n))
    expect(Math.abs(m2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n))
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.1)
  })
})

describe('mixSeed', () => {
  test('separates streams that differ in any part', () => {
    const seeds = new Set([mixSeed(1, 0, 0), mixSeed(1, 0, 1), mixSeed(1, 1, 0), mixSeed(2, 0, 0), mixSeed(0, 1, 0)])
    expect(seeds.size).toBe(5)
    expect(mixSeed(1, 2, 3)).toBe(mixSeed(1, 2, 3))
  })
})
