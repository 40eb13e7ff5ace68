import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createNonceManager } from './nonceManager.ts'

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('createNonceManager', () => {
  test('never hands out the same nonce twice when many reservations race', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }), fc.nat(5), async (counts, start) => {
        // The chain's pending count lags behind: none of these are broadcast.
        const nm = createNonceManager({
          fetchPendingCount: async () => {
            await tick()
            return start
          },
        })
        const batches = await Promise.all(counts.map((count) => nm.reserve({ count })))
        const all = batches.flat()
        expect(new Set(all).size).toBe(all.length)
        expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: all.length }, (_, i) => start + i))
        batches.forEach((b, i) => {
          expect(b).toHaveLength(counts[i]!)
          expect(b).toEqual(Array.from({ length: b.length }, (_, j) => b[0]! + j))
        })
      }),
      { numRuns: 50 },
    )
  })

  test('resyncs to the pending count when the chain is ahead', async () => {
    let pending = 3
    const nm = createNonceManager({ fetchPendingCount: async () => pending })
    expect(await nm.reserve({ count: 2 })).toEqual([3, 4])
    pending = 9 // another sender used the key
    expect(await nm.reserve({ count: 1 })).toEqual([9])
  })

  test('keeps its own count when the chain is behind', async () => {
    const nm = createNonceManager({ fetchPendingCount: async () => 0 })
    expect(await nm.reserve({ count: 2 })).toEqual([0, 1])
    expect(await nm.reserve({ count: 1 })).toEqual([2])
  })

  test('releases only the newest reservation', async () => {
    const nm = createNonceManager({ fetchPendingCount: async () => 0 })
    const a = await nm.reserve({ count: 2 })
    const b = await nm.reserve({ count: 1 })
    expect(await nm.release(a)).toBe(false)
    expect(await nm.release(b)).toBe(true)
    expect(await nm.reserve({ count: 1 })).toEqual([2])
  })

  test('keeps serving after a failed pending-count read', async () => {
    let fail = true
    const nm = createNonceManager({
      fetchPendingCount: async () => {
        if (fail) throw new Error('connection refused')
        return 5
      },
    })
    await expect(nm.reserve({ count: 1 })).rejects.toThrow('connection refused')
    fail = false
    expect(await nm.reserve({ count: 1 })).toEqual([5])
  })
})
