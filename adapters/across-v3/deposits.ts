import type { Hex } from 'viem'
import { spokePoolAbi } from './abis.ts'
import { type ChainContext, read } from './chainContext.ts'
import { type RelayData, relayDataOf } from './relayData.ts'

/** A FundsDeposited event on an origin chain, as the relay data a fill must match. */
export type Deposit = {
  relayData: RelayData
  destinationChainId: bigint
  blockNumber: bigint
  logIndex: number
  txHash: Hex
}

const defaultChunkBlocks = 50_000n

/** FundsDeposited events of the origin's spoke pool matching the indexed filters, oldest first; ranges are split to keep each getLogs small. */
export async function readDeposits(p: {
  origin: ChainContext
  filter: { depositId?: bigint; destinationChainId?: bigint; depositor?: Hex }
  fromBlock: bigint
  toBlock?: bigint
  chunkBlocks?: bigint
}): Promise<Deposit[]> {
  const { origin } = p
  const toBlock = p.toBlock ?? (await read(origin, 'block number', () => origin.client.getBlockNumber()))
  const chunk = p.chunkBlocks ?? defaultChunkBlocks
  const out: Deposit[] = []
  for (let from = p.fromBlock; from <= toBlock; from += chunk) {
    const to = from + chunk - 1n < toBlock ? from + chunk - 1n : toBlock
    const logs = await read(origin, 'FundsDeposited logs', () =>
      origin.client.getContractEvents({
        address: origin.config.spokePool,
        abi: spokePoolAbi,
        eventName: 'FundsDeposited',
        args: p.filter,
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    )
    for (const log of logs) {
      const a = log.args
      out.push({
        relayData: relayDataOf(a, origin.config.chainId),
        destinationChainId: a.destinationChainId,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        txHash: log.transactionHash,
      })
    }
  }
  return out
}
