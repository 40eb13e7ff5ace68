import { describe, expect, test } from 'vitest'
import { createPrng } from '../random/prng.ts'
import { modelVariance, simulatePath } from './simulatePath.ts'

function logReturnMoments(spot: Float64Array): { mean: number; variance: number; n: number } {
  const n = spot.length - 1
  let sum = 0
  let sq = 0
  for (let i = 1; i <= n; i++) {
    const r = Math.log(spot[i]! / spot[i - 1]!)
    sum += r
    sq += r * r
  }
  const mean = sum / n
  return { mean, variance: sq / n - mean * mean, n }
}

describe('simulatePath', () => {
  test('gives GBM log returns with mean (μ − σ²/2)dt and variance σ²dt when sampled on many steps', () => {
    const dt = 1 / 8760
    const model = { id: 'gbm', drift: 0.3, vol: 0.8 } as const
    const spot = simulatePath({ model, spot0: 3000, steps: 400_000, dtYears: dt, prng: createPrng(3) })
    const m = logReturnMoments(spot)
    const sigma2dt = model.vol ** 2 * dt
    // Standard error of the mean is σ√dt/√n; of the variance σ²dt·√(2/n).
    expect(Math.abs(m.mean - (model.drift - 0.5 * model.vol ** 2) * dt)).toBeLessThan(4 * Math.sqrt(sigma2dt / m.n))
    expect(Math.abs(m.variance / sigma2dt - 1)).toBeLessThan(4 * Math.sqrt(2 / m.n))
  })

  test('gives jump-diffusion log-return variance equal to the model variance when sampled on many steps', () => {
    const dt = 1 / 365
    const model = { id: 'jump', drift: 0, vol: 0.5, jumpsPerYear: 12, jumpMean: -0.03, jumpVol: 0.06 } as const
    const spot = simulatePath({ model, spot0: 3000, steps: 200_000, dtYears: dt, prng: createPrng(5) })
    const m = logReturnMoments(spot)
    expect(Math.abs(m.variance / (modelVariance(model) * dt) - 1)).toBeLessThan(0.03)
  })

  test('keeps E[S_T] = S_0·e^{μT} for jumps when the drift is compensated', () => {
    const model = { id: 'jump', drift: 0, vol: 0.5, jumpsPerYear: 50, jumpMean: -0.05, jumpVol: 0.05 } as const
    const prng = createPrng(9)
    const n = 20_000
    let sum = 0
    for (let p = 0; p < n; p++) {
      const s = simulatePath({ model, spot0: 100, steps: 10, dtYears: 0.01, prng })
      sum += s[10]!
    }
    // sd of S_T/S_0 over T = 0.1 is about 0.18, so 5 standard errors ≈ 0.65 on a mean of 100.
    expect(Math.abs(sum / n - 100)).toBeLessThan(0.7)
  })

  test('gives the regime model its stationary variance when run long', () => {
    const dt = 1 / 8760
    const model = { id: 'regime', drift: 0, calmVol: 0.45, stressVol: 1.0, calmToStressPerYear: 26, stressToCalmPerYear: 104 } as const
    const spot = simulatePath({ model, spot0: 3000, steps: 2_000_000, dtYears: dt, prng: createPrng(13) })
    const m = logReturnMoments(spot)
    expect(Math.abs(m.variance / (modelVariance(model) * dt) - 1)).toBeLessThan(0.05)
    expect(modelVariance(model)).toBeCloseTo(0.8 * 0.45 ** 2 + 0.2 * 1.0, 12)
  })
})
