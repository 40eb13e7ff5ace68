import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { PendingTransfer } from '../types.ts'
import { oftAbi } from './abis.ts'
import { bridgeId, chainContext, type LayerZeroContext, read } from './context.ts'
import { mapTransferState, readDestination } from './getStatus.ts'
import { locatePacket } from './locate.ts'
import { parseInput, pendingParamsSchema } from './schemas.ts'

/**
 * Every OFT send of `sender` since `fromBlocks[chain]` on each origin chain that has not arrived:
 * OFTSent is indexed by sender, and each one's state is read on its destination. A read that
 * fails throws (fail closed): a partial list would hide money in flight.
 */
export async function getPending(
  ctx: LayerZeroContext,
  input: { sender: Address; fromBlocks: Partial<Record<ChainKey, bigint>> },
): Promise<PendingTransfer[]> {
  const { sender, fromBlocks } = parseInput(pendingParamsSchema, input, 'pending transfer parameters')
  const pending: PendingTransfer[] = []
  for (const [from, fromBlock] of Object.entries(fromBlocks) as [ChainKey, bigint][]) {
    const origin = chainContext(ctx, from)
    const logs = await read(origin, 'OFTSent logs by sender', () =>
      origin.client.getLogs({
        address: origin.config.oft,
        event: oftAbi.find((i) => i.type === 'event' && i.name === 'OFTSent')!,
        args: { fromAddress: sender },
        fromBlock,
        toBlock: 'latest',
        strict: true,
      }),
    )
    for (const log of logs) {
      const packet = await locatePacket(ctx, { from, guid: log.args.guid.toLowerCase() as `0x${string}`, txHash: log.transactionHash })
      const { state } = mapTransferState(await readDestination(ctx, packet))
      if (state === 'delivered' || state === 'refunded') continue
      pending.push({
        bridge: bridgeId,
        transferId: packet.guid,
        asset: 'USDC',
        from,
        to: packet.to,
        amount: packet.amountSentLD,
        originTxHash: packet.originTxHash,
        state,
        deadlineSec: null,
      })
    }
  }
  return pending
}
