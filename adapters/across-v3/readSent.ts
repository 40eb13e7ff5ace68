import { getAddress, type Hex, parseEventLogs } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { spokePoolAbi } from './abis.ts'
import { type AcrossV3Deps, chainContext, read } from './chainContext.ts'
import { readDeposits } from './deposits.ts'
import { DepositNotFoundError } from './errors.ts'
import { formatTransferId } from './status.ts'

/** The transfer a mined deposit transaction made, from its FundsDeposited event. */
export async function readSent(
  deps: AcrossV3Deps,
  p: { from: ChainKey; txHash: Hex },
): Promise<{ transferId: string; amount: bigint; outputAmount: bigint; deadlineSec: bigint | null }> {
  const origin = chainContext(deps, p.from)
  const receipt = await read(origin, 'deposit receipt', () => origin.client.getTransactionReceipt({ hash: p.txHash }))
  const spokePool = getAddress(origin.config.spokePool)
  const deposit = parseEventLogs({ abi: spokePoolAbi, eventName: 'FundsDeposited', logs: receipt.logs, strict: true })
    .filter((l) => getAddress(l.address) === spokePool)
    .at(-1)
  if (!deposit) throw new DepositNotFoundError({ chain: p.from, txHash: p.txHash })
  // A repeated unsafe deposit id is a separate transfer (money in flight until refunded): number it.
  const sameId = await readDeposits({
    origin,
    filter: { depositId: deposit.args.depositId, destinationChainId: deposit.args.destinationChainId },
    fromBlock: origin.config.fromBlock,
    toBlock: receipt.blockNumber,
    ...(deps.logChunkBlocks ? { chunkBlocks: deps.logChunkBlocks } : {}),
  })
  const repeat = sameId.findIndex((d) => d.txHash === deposit.transactionHash && d.logIndex === deposit.logIndex)
  return {
    transferId: formatTransferId({ depositId: deposit.args.depositId, repeat: Math.max(repeat, 0) }),
    amount: deposit.args.inputAmount,
    outputAmount: deposit.args.outputAmount,
    deadlineSec: BigInt(deposit.args.fillDeadline),
  }
}
