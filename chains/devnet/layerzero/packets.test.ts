import { calculateGuid, Options, PacketV1Codec } from '@layerzerolabs/lz-v2-utilities'
import { concat, encodePacked, type Hex, keccak256, pad } from 'viem'
import { describe, expect, test } from 'vitest'
import { assignFault, calldataFloorGas, decodePacketSent, intrinsicGas } from './packets.ts'

const sender = '0x0B306BF915C4d645ff596e518fAf3F9669b97016'
const receiver = '0x9A676e781A523b5d0C0e43731313A708CB607508'

describe('decodePacketSent', () => {
  test('reads path, GUID, message and the summed lzReceive gas of a packet the endpoint encoded', () => {
    const header = { version: 1, nonce: '7', srcEid: 30101, sender, dstEid: 30110, receiver }
    const guid = calculateGuid(header)
    const message = '0x000000000000000000000000709979700000000000000000000000000000000000000000000000000003e8'
    const encodedPayload = PacketV1Codec.encode({ ...header, guid, message, payload: '' }) as Hex
    // Enforced options followed by the sender's extra ones, as OAppOptionsType3.combineOptions concatenates them.
    const options = Options.newOptions().addExecutorLzReceiveOption(100_000n, 0).addExecutorLzReceiveOption(25_000n, 7n).toHex() as Hex

    const p = decodePacketSent({ encodedPayload, options })

    expect(p).toMatchObject({ nonce: 7n, srcEid: 30101, dstEid: 30110, receiver, message, lzReceiveGas: 125_000n, lzReceiveValue: 7n })
    expect(p.sender).toBe(pad(sender.toLowerCase() as Hex))
    // The GUID of EndpointV2's GUID.generate and the payload hash the library verifies.
    expect(p.guid).toBe(
      keccak256(encodePacked(['uint64', 'uint32', 'bytes32', 'uint32', 'bytes32'], [7n, 30101, pad(sender), 30110, pad(receiver)])),
    )
    expect(p.payloadHash).toBe(keccak256(concat([p.guid, message])))
  })

  test('reads no lzReceive gas from empty options or options without an lzReceive entry', () => {
    const header = { version: 1, nonce: '1', srcEid: 30184, sender, dstEid: 30101, receiver }
    const encodedPayload = PacketV1Codec.encode({ ...header, guid: calculateGuid(header), message: '0x01', payload: '' }) as Hex
    expect(decodePacketSent({ encodedPayload, options: '0x' }).lzReceiveGas).toBe(0n)
    const dropOnly = Options.newOptions().addExecutorNativeDropOption(5n, receiver).toHex() as Hex
    expect(decodePacketSent({ encodedPayload, options: dropOnly }).lzReceiveGas).toBe(0n)
  })
})

describe('intrinsicGas', () => {
  test('charges 21000 plus 16 per non-zero and 4 per zero calldata byte (EIP-2028)', () => {
    expect(intrinsicGas('0x')).toBe(21_000n)
    expect(intrinsicGas('0x00ff0001')).toBe(21_000n + 4n + 16n + 4n + 16n)
  })
})

describe('calldataFloorGas', () => {
  test('charges 21000 plus 10 per zero and 40 per non-zero byte (EIP-7623 floor)', () => {
    expect(calldataFloorGas('0x00ff0001')).toBe(21_000n + 10n + 40n + 10n + 40n)
  })
})

describe('assignFault', () => {
  test('takes queued one-shot faults oldest first before the standing mode', () => {
    const first = assignFault({ queued: ['drop', 'out-of-gas'], mode: 'duplicate' })
    expect(first).toEqual({ fault: 'drop', queued: ['out-of-gas'] })
    const second = assignFault({ queued: first.queued, mode: 'duplicate' })
    expect(second).toEqual({ fault: 'out-of-gas', queued: [] })
    expect(assignFault({ queued: second.queued, mode: 'duplicate' })).toEqual({ fault: 'duplicate', queued: [] })
  })

  test('gives no fault when nothing is queued and the mode is deliver', () => {
    expect(assignFault({ queued: [], mode: 'deliver' })).toEqual({ fault: null, queued: [] })
  })
})
