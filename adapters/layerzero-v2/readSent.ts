import { type Hex, TransactionReceiptNotFoundError } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { isTransientRpcError } from '../executor/mapError.ts'
import { chainContext, type LayerZeroContext } from './context.ts'
import { ReadFailedError } from './errors.ts'
import { packetFromReceipt } from './locate.ts'
import { parseInput, readSentParamsSchema } from './schemas.ts'

/** GUID and amounts of the OFT send in a mined origin transaction (OFTSent and PacketSent of its receipt). */
export async function readSent(
  ctx: LayerZeroContext,
  input: { from: ChainKey; txHash: Hex },
): Promise<{ transferId: string; amount: bigint; outputAmount: bigint; deadlineSec: bigint | null }> {
  const { from, txHash } = parseInput(readSentParamsSchema, input, 'readSent parameters')
  const origin = chainContext(ctx, from)
  let receipt: Awaited<ReturnType<typeof origin.client.getTransactionReceipt>>
  try {
    receipt = await origin.client.getTransactionReceipt({ hash: txHash as Hex })
  } catch (err) {
    // Not mined yet (or not seen by this node yet): asking again later can help.
    const retryable = err instanceof TransactionReceiptNotFoundError || isTransientRpcError(err)
    throw new ReadFailedError({ what: `receipt of ${txHash}`, chain: from, cause: err, retryable })
  }
  const located = packetFromReceipt(ctx, { from, receipt })
  ctx.located.set(located.guid, located)
  return { transferId: located.guid, amount: located.amountSentLD, outputAmount: located.amountReceivedLD, deadlineSec: null }
}
