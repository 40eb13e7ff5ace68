import { describe, expect, test } from 'vitest'
import { costAtTrackingError, efficientFrontier } from './efficientFrontier.ts'

const pts = [
  { trackingError: 10, cost: 100, params: 'a' },
  { trackingError: 20, cost: 60, params: 'b' },
  { trackingError: 15, cost: 120, params: 'dominated' },
  { trackingError: 40, cost: 20, params: 'c' },
]

describe('efficientFrontier', () => {
  test('drops points beaten on both tracking error and cost', () => {
    expect(efficientFrontier(pts).map((p) => p.params)).toEqual(['a', 'b', 'c'])
  })
})

describe('costAtTrackingError', () => {
  test('interpolates linearly between the bracketing efficient points', () => {
    expect(costAtTrackingError({ points: pts, trackingError: 30 })).toEqual({ status: 'ok', cost: 40, how: 'interpolated' })
    expect(costAtTrackingError({ points: pts, trackingError: 15 })).toEqual({ status: 'ok', cost: 80, how: 'interpolated' })
  })
  test('reports the loosest point as an upper bound beyond the swept range', () => {
    expect(costAtTrackingError({ points: pts, trackingError: 50 })).toEqual({ status: 'ok', cost: 20, how: 'loosestPoint' })
  })
  test('refuses to extrapolate below the tightest point', () => {
    expect(costAtTrackingError({ points: pts, trackingError: 5 }).status).toBe('outOfRange')
  })
})
