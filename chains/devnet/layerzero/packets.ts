import { Options, PacketV1Codec } from '@layerzerolabs/lz-v2-utilities'
import { type Address, getAddress, type Hex, hexToBytes } from 'viem'
import type { DeliveryMode, FaultKind } from './schemas.ts'

/** A packet as the endpoint's PacketSent carries it, decoded the way LayerZero's off-chain workers do. */
export type DecodedPacket = {
  nonce: bigint
  srcEid: number
  /** The sending OApp, as the bytes32 the endpoint keys inbound state by. */
  sender: Hex
  dstEid: number
  receiver: Address
  guid: Hex
  message: Hex
  payloadHash: Hex
  /** lzReceive gas and value the options ask for (summed over every lzReceive option); 0 when none. */
  lzReceiveGas: bigint
  lzReceiveValue: bigint
}

/** Decodes PacketSent's `encodedPayload` with PacketV1Codec and its options with the Options reader. */
export function decodePacketSent(p: { encodedPayload: Hex; options: Hex }): DecodedPacket {
  const codec = PacketV1Codec.from(p.encodedPayload)
  const lzReceive = p.options === '0x' ? undefined : Options.fromOptions(p.options).decodeExecutorLzReceiveOption()
  return {
    nonce: BigInt(codec.nonce()),
    srcEid: codec.srcEid(),
    sender: codec.sender().toLowerCase() as Hex,
    dstEid: codec.dstEid(),
    receiver: getAddress(codec.receiverAddressB20()),
    guid: codec.guid().toLowerCase() as Hex,
    message: codec.message() as Hex,
    payloadHash: codec.payloadHash().toLowerCase() as Hex,
    lzReceiveGas: lzReceive?.gas ?? 0n,
    lzReceiveValue: lzReceive?.value ?? 0n,
  }
}

/**
 * A transaction's intrinsic gas for its calldata (21,000 + 16 per non-zero byte + 4 per zero byte).
 * A call sent with `intrinsicGas(data) + g` runs its code with exactly `g`, which is how an EOA
 * gives lzReceive the gas the options ask for (LayerZero's executor contract passes `{gas: g}`).
 */
export function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n
  for (const byte of hexToBytes(data)) gas += byte === 0 ? 4n : 16n
  return gas
}

/**
 * EIP-7623's floor for the same calldata (10 per zero byte, 40 per non-zero): a transaction whose
 * limit is below it is refused by the node, so a deliberately starved call must still clear it.
 */
export function calldataFloorGas(data: Hex): bigint {
  let gas = 21_000n
  for (const byte of hexToBytes(data)) gas += byte === 0 ? 10n : 40n
  return gas
}

/** The fault a newly seen packet gets: the oldest queued one-shot fault, else the standing mode. */
export function assignFault(p: { queued: readonly FaultKind[]; mode: DeliveryMode }): { fault: FaultKind | null; queued: FaultKind[] } {
  const [next, ...rest] = p.queued
  if (next !== undefined) return { fault: next, queued: rest }
  return { fault: p.mode === 'deliver' ? null : p.mode, queued: [] }
}
