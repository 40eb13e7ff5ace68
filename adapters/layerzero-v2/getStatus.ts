import { type Hex, hexToString, isHex } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { TransferState, TransferStatus } from '../types.ts'
import { endpointAbi, oftAbi } from './abis.ts'
import { bridgeId, chainContext, type LayerZeroContext, type LocatedPacket, read } from './context.ts'
import { TransferNotFoundError } from './errors.ts'
import { locatePacket } from './locate.ts'
import { parseInput, statusParamsSchema } from './schemas.ts'

const emptyPayloadHash = `0x${'0'.repeat(64)}`
/** What an OApp's delegate writes over a payload it nilifies: verified again before it can execute. */
const nilPayloadHash = `0x${'f'.repeat(64)}`

/** The destination endpoint's view of one packet, all read at one block. */
export type DestinationView = {
  nonce: bigint
  /** inboundPayloadHash[receiver][srcEid][sender][nonce]: set once verified, cleared once executed. */
  payloadHash: Hex
  /** The highest nonce of the path that is executed or skipped (ordered delivery). */
  lazyInboundNonce: bigint
  /** OFTReceived for the GUID on the destination OFT: the tokens arrived. */
  received: { txHash: Hex; amount: bigint } | null
  /** The executor's LzReceiveAlert for the GUID: it tried lzReceive and it failed. */
  alert: { txHash: Hex; gas: bigint; reason: string } | null
}

/**
 * Maps the endpoint's state of a packet into keel's closed transfer states:
 * sent (nothing on the destination) → verified (payload hash stored) → delivered (OFTReceived),
 * or failed (verified, and an execution was tried and failed: LzReceiveAlert; or a path operation
 * by the OApp's delegate that left the nonce behind without delivering it).
 */
export function mapTransferState(v: DestinationView): { state: TransferState; detail: string } {
  if (v.received) return { state: 'delivered', detail: `OFTReceived ${v.received.amount} in ${v.received.txHash}` }
  const hash = v.payloadHash.toLowerCase()
  if (hash === nilPayloadHash) {
    return {
      state: 'failed',
      detail: `nonce ${v.nonce} was nilified by the OApp's delegate: it must be verified again before it can execute`,
    }
  }
  if (hash !== emptyPayloadHash) {
    if (v.alert) {
      return {
        state: 'failed',
        detail: `verified; lzReceive failed with ${v.alert.gas} gas (${v.alert.reason}) in ${v.alert.txHash}; the payload is kept: re-execute with more gas`,
      }
    }
    return { state: 'verified', detail: `verified on the destination (nonce ${v.nonce}), not executed yet` }
  }
  if (v.nonce > v.lazyInboundNonce) return { state: 'sent', detail: `sent; nonce ${v.nonce} not verified on the destination yet` }
  return {
    state: 'failed',
    detail: `nonce ${v.nonce} is behind the path's executed nonce ${v.lazyInboundNonce} with no OFTReceived: skipped, cleared or burnt by the OApp's delegate`,
  }
}

/** The destination's view of a located packet, read at the destination's latest block. */
export async function readDestination(ctx: LayerZeroContext, packet: LocatedPacket): Promise<DestinationView> {
  const dst = chainContext(ctx, packet.to)
  const { client, config } = dst
  const blockNumber = await read(dst, 'latest block number', () => client.getBlockNumber())
  const [payloadHash, lazyInboundNonce, receivedLogs, alertLogs] = await read(dst, 'endpoint inbound state and OFT logs', () =>
    Promise.all([
      client.readContract({
        address: config.endpoint,
        abi: endpointAbi,
        functionName: 'inboundPayloadHash',
        args: [packet.receiver, packet.srcEid, packet.sender, packet.nonce],
        blockNumber,
      }),
      client.readContract({
        address: config.endpoint,
        abi: endpointAbi,
        functionName: 'lazyInboundNonce',
        args: [packet.receiver, packet.srcEid, packet.sender],
        blockNumber,
      }),
      client.getLogs({
        address: config.oft,
        event: oftAbi.find((i) => i.type === 'event' && i.name === 'OFTReceived')!,
        args: { guid: packet.guid },
        fromBlock: config.fromBlock,
        toBlock: blockNumber,
      }),
      client.getLogs({
        address: config.endpoint,
        event: endpointAbi.find((i) => i.type === 'event' && i.name === 'LzReceiveAlert')!,
        args: { receiver: packet.receiver },
        fromBlock: config.fromBlock,
        toBlock: blockNumber,
      }),
    ]),
  )
  const received = receivedLogs[0]
  const alert = alertLogs.filter((l) => l.args.guid?.toLowerCase() === packet.guid).at(-1)
  return {
    nonce: packet.nonce,
    payloadHash,
    lazyInboundNonce,
    received: received ? { txHash: received.transactionHash, amount: received.args.amountReceivedLD ?? 0n } : null,
    alert: alert ? { txHash: alert.transactionHash, gas: alert.args.gas ?? 0n, reason: readableReason(alert.args.reason) } : null,
  }
}

/** Where a transfer is, from the origin's record of it and the destination endpoint's state. */
export async function getStatus(
  ctx: LayerZeroContext,
  input: { from: ChainKey; to: ChainKey; transferId: string },
): Promise<TransferStatus> {
  const { from, to, transferId } = parseInput(statusParamsSchema, input, 'transfer status parameters')
  const packet = await locatePacket(ctx, { from, guid: transferId })
  if (packet.to !== to) throw new TransferNotFoundError({ transferId, chain: from, reason: `it goes to ${packet.to}, not ${to}` })
  return statusOf(packet, await readDestination(ctx, packet))
}

/** TransferStatus of a packet from its destination view. */
export function statusOf(packet: LocatedPacket, view: DestinationView): TransferStatus {
  const { state, detail } = mapTransferState(view)
  return {
    state,
    bridge: bridgeId,
    transferId: packet.guid,
    ...(view.received ? { deliveryTxHash: view.received.txHash, settledAmount: view.received.amount } : {}),
    detail,
  }
}

// The executor's reason is revert data or text; keep text when it is text, else the hex.
function readableReason(reason: Hex | undefined): string {
  if (!reason || reason === '0x') return 'no reason'
  try {
    const text = hexToString(reason)
    if (/^[\x20-\x7e]+$/.test(text)) return text
  } catch {}
  return isHex(reason) ? reason : 'no reason'
}
