import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { type DestinationView, mapTransferState } from './getStatus.ts'

const empty: Hex = `0x${'0'.repeat(64)}`
const stored: Hex = `0x${'ab'.repeat(32)}`
const nil: Hex = `0x${'f'.repeat(64)}`
const tx: Hex = `0x${'12'.repeat(32)}`
const view = (over: Partial<DestinationView>): DestinationView => ({
  nonce: 5n,
  payloadHash: empty,
  lazyInboundNonce: 4n,
  received: null,
  alert: null,
  ...over,
})

describe('mapTransferState', () => {
  test('is sent when the destination has nothing for the nonce yet', () => {
    expect(mapTransferState(view({})).state).toBe('sent')
  })

  test('is verified when the payload hash is stored and no execution failed', () => {
    expect(mapTransferState(view({ payloadHash: stored })).state).toBe('verified')
    // A later nonce executed does not change an earlier verified one (ordered paths leave it stored).
    expect(mapTransferState(view({ payloadHash: stored, lazyInboundNonce: 9n })).state).toBe('verified')
  })

  test('is failed when the payload is still stored after the executor reported a failed lzReceive', () => {
    const r = mapTransferState(view({ payloadHash: stored, alert: { txHash: tx, gas: 30_000n, reason: 'OutOfGas' } }))
    expect(r.state).toBe('failed')
    expect(r.detail).toContain('30000')
  })

  test('is delivered once OFTReceived is there, even after a failed attempt that was re-executed', () => {
    const received = { txHash: tx, amount: 1_000_000n }
    expect(mapTransferState(view({ lazyInboundNonce: 5n, received })).state).toBe('delivered')
    expect(mapTransferState(view({ lazyInboundNonce: 5n, received, alert: { txHash: tx, gas: 1n, reason: 'x' } })).state).toBe('delivered')
  })

  test('is failed when the delegate nilified the payload', () => {
    expect(mapTransferState(view({ payloadHash: nil })).state).toBe('failed')
  })

  test('is failed when the path moved past the nonce without delivering it (skipped, cleared or burnt)', () => {
    expect(mapTransferState(view({ lazyInboundNonce: 5n })).state).toBe('failed')
    expect(mapTransferState(view({ lazyInboundNonce: 6n })).state).toBe('failed')
  })
})
