import { describe, expect, test } from 'vitest'
import { formatTransferId, mapStatus, type Observed, parseTransferId } from './status.ts'

const fillTx = `0x${'a'.repeat(64)}` as const
const refundTx = `0x${'b'.repeat(64)}` as const
const base: Observed = { fillStatus: 0n, destinationTimeSec: 1_000n, fillDeadline: 2_000n, firstWithRelayHash: true }

describe('mapStatus', () => {
  test('is sent while unfilled before the deadline, and at the deadline itself (a fill in that second still lands)', () => {
    expect(mapStatus(base).state).toBe('sent')
    expect(mapStatus({ ...base, destinationTimeSec: 2_000n }).state).toBe('sent')
  })

  test('is sent, not delivered, when only a slow fill is requested', () => {
    const s = mapStatus({ ...base, fillStatus: 1n })
    expect(s.state).toBe('sent')
    expect(s.deliveryTxHash).toBeUndefined()
  })

  test('is delivered with the fill transaction and the amount the fill paid', () => {
    expect(mapStatus({ ...base, fillStatus: 2n, fill: { txHash: fillTx, amount: 24_989_950_000n, fillType: 0 } })).toEqual({
      state: 'delivered',
      detail: 'fast fill on the destination',
      deliveryTxHash: fillTx,
      settledAmount: 24_989_950_000n,
    })
  })

  test('is delivered by an executed slow fill', () => {
    expect(mapStatus({ ...base, fillStatus: 2n, fill: { txHash: fillTx, amount: 5n, fillType: 2 } }).state).toBe('delivered')
  })

  test('is expired once destination time passes the deadline unfilled, with a slow fill requested or not', () => {
    expect(mapStatus({ ...base, destinationTimeSec: 2_001n }).state).toBe('expired')
    expect(mapStatus({ ...base, fillStatus: 1n, destinationTimeSec: 2_001n }).state).toBe('expired')
  })

  test('is refunded with the refund transaction and the input that came back', () => {
    expect(mapStatus({ ...base, destinationTimeSec: 2_001n, refund: { txHash: refundTx, amount: 25_000_000_000n } })).toMatchObject({
      state: 'refunded',
      refundTxHash: refundTx,
      settledAmount: 25_000_000_000n,
    })
  })

  test('never delivers a repeated deposit whose relay data an earlier deposit already had filled: it expires', () => {
    expect(mapStatus({ ...base, fillStatus: 2n, firstWithRelayHash: false }).state).toBe('sent')
    expect(mapStatus({ ...base, fillStatus: 2n, firstWithRelayHash: false, destinationTimeSec: 2_001n }).state).toBe('expired')
  })

  test('refuses a fill status outside the enum and a filled relay without its event', () => {
    expect(() => mapStatus({ ...base, fillStatus: 3n })).toThrow(expect.objectContaining({ name: 'Across.InconsistentStateError' }))
    expect(() => mapStatus({ ...base, fillStatus: 2n })).toThrow(expect.objectContaining({ name: 'Across.InconsistentStateError' }))
  })
})

describe('transfer ids', () => {
  test('round-trip a deposit id and the numbering of repeats', () => {
    const depositId = 2n ** 255n + 7n
    expect(parseTransferId(formatTransferId({ depositId, repeat: 0 }))).toEqual({ depositId, repeat: 0 })
    expect(formatTransferId({ depositId: 42n, repeat: 2 })).toBe('42-2')
    expect(parseTransferId('42-2')).toEqual({ depositId: 42n, repeat: 2 })
  })

  test('refuses what this adapter never writes', () => {
    for (const id of ['', 'abc', '42-0', '42-01', '-1', '0x2a', (2n ** 256n).toString()]) expect(parseTransferId(id)).toBeNull()
  })
})
