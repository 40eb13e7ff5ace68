import { PacketV1Codec } from '@layerzerolabs/lz-v2-utilities'
import { type Address, decodeEventLog, getAddress, type Hex, type Log, type TransactionReceipt } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { endpointAbi, oftAbi } from './abis.ts'
import { type ChainContext, chainContext, chainOfEid, type LayerZeroContext, type LocatedPacket, read } from './context.ts'
import { SendNotFoundError, TransferNotFoundError } from './errors.ts'
import { lzReceiveOf } from './options.ts'

type OftSent = { guid: Hex; dstEid: number; fromAddress: Address; amountSentLD: bigint; amountReceivedLD: bigint }

/** The OFT sends in a receipt: OFTSent logs of the origin OFT, decoded. */
function oftSentLogs(origin: ChainContext, logs: readonly Log[]): OftSent[] {
  return logs.flatMap((log) => {
    if (log.address.toLowerCase() !== origin.config.oft.toLowerCase()) return []
    try {
      const e = decodeEventLog({ abi: oftAbi, eventName: 'OFTSent', data: log.data, topics: log.topics })
      return [{ ...e.args, guid: e.args.guid.toLowerCase() as Hex }]
    } catch {
      return []
    }
  })
}

/**
 * The packet of one OFT send, from its origin receipt: OFTSent gives GUID and amounts, the
 * endpoint's PacketSent (decoded with LayerZero's PacketV1Codec) gives the nonce, the path and the
 * options the executor reads. Both must agree on the GUID.
 */
export function packetFromReceipt(ctx: LayerZeroContext, p: { from: ChainKey; receipt: TransactionReceipt; guid?: Hex }): LocatedPacket {
  const origin = chainContext(ctx, p.from)
  const txHash = p.receipt.transactionHash
  if (p.receipt.status !== 'success') throw new SendNotFoundError({ chain: p.from, txHash, reason: 'the transaction reverted' })
  const sends = oftSentLogs(origin, p.receipt.logs).filter((s) => p.guid === undefined || s.guid === p.guid)
  if (sends.length !== 1)
    throw new SendNotFoundError({ chain: p.from, txHash, reason: `${sends.length} OFTSent logs of ${origin.config.oft}` })
  const sent = sends[0]!
  for (const log of p.receipt.logs) {
    if (log.address.toLowerCase() !== origin.config.endpoint.toLowerCase()) continue
    let packet: { encodedPayload: Hex; options: Hex }
    try {
      packet = decodeEventLog({ abi: endpointAbi, eventName: 'PacketSent', data: log.data, topics: log.topics }).args
    } catch {
      continue
    }
    const codec = PacketV1Codec.from(packet.encodedPayload)
    if (codec.guid().toLowerCase() !== sent.guid) continue
    const to = chainOfEid(ctx, codec.dstEid())
    if (!to) throw new SendNotFoundError({ chain: p.from, txHash, reason: `destination eid ${codec.dstEid()} is not a configured chain` })
    const lzReceive = lzReceiveOf(packet.options)
    return {
      from: p.from,
      to,
      guid: sent.guid,
      nonce: BigInt(codec.nonce()),
      srcEid: codec.srcEid(),
      sender: codec.sender().toLowerCase() as Hex,
      receiver: getAddress(codec.receiverAddressB20()),
      message: codec.message() as Hex,
      lzReceiveGas: lzReceive.gas,
      lzReceiveValue: lzReceive.value,
      originTxHash: txHash,
      fromAddress: getAddress(sent.fromAddress),
      amountSentLD: sent.amountSentLD,
      amountReceivedLD: sent.amountReceivedLD,
    }
  }
  throw new SendNotFoundError({
    chain: p.from,
    txHash,
    reason: `no PacketSent of endpoint ${origin.config.endpoint} for GUID ${sent.guid}`,
  })
}

/** Finds a GUID's packet on its origin chain (OFTSent is indexed by GUID) and remembers it. */
export async function locatePacket(ctx: LayerZeroContext, p: { from: ChainKey; guid: Hex; txHash?: Hex }): Promise<LocatedPacket> {
  const known = ctx.located.get(p.guid)
  if (known) return known
  const origin = chainContext(ctx, p.from)
  let txHash = p.txHash
  if (txHash === undefined) {
    const logs = await read(origin, 'OFTSent logs by GUID', () =>
      origin.client.getLogs({
        address: origin.config.oft,
        event: oftAbi.find((i) => i.type === 'event' && i.name === 'OFTSent')!,
        args: { guid: p.guid },
        fromBlock: origin.config.fromBlock,
        toBlock: 'latest',
      }),
    )
    txHash = logs[0]?.transactionHash ?? undefined
    if (!txHash)
      throw new TransferNotFoundError({
        transferId: p.guid,
        chain: p.from,
        reason: `no OFTSent with this GUID since block ${origin.config.fromBlock}`,
      })
  }
  const hash = txHash
  const receipt = await read(origin, `receipt of ${hash}`, () => origin.client.getTransactionReceipt({ hash }))
  const located = packetFromReceipt(ctx, { from: p.from, receipt, guid: p.guid })
  ctx.located.set(p.guid, located)
  return located
}
