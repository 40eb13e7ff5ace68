import { type Hex, keccak256, zeroHash } from 'viem'
import { spokePoolAbi } from './abis.ts'
import { type AcrossV3Deps, type ChainContext, chainByChainId, read } from './chainContext.ts'
import type { Deposit } from './deposits.ts'
import { InconsistentStateError } from './errors.ts'
import { relayHash } from './relayData.ts'
import { fillStatus, type Observed } from './status.ts'

export type Observation = Omit<Observed, 'refund'> & { destination: ChainContext }

/**
 * Reads the destination's view of a deposit at its latest block: the fill status of its relay
 * hash, that block's time, and the fill event when filled. `earlier` are the deposits made before
 * it on the same origin (with the same id), which decide whether a fill can be this one's.
 */
export async function observe(p: { deps: AcrossV3Deps; deposit: Deposit; earlier: readonly Deposit[] }): Promise<Observation> {
  const { deposit } = p
  const destination = chainByChainId(p.deps, deposit.destinationChainId)
  if (!destination)
    throw new InconsistentStateError({ reason: `deposit to chain ${deposit.destinationChainId}, which keel does not serve` })
  const hash = relayHash({ relayData: deposit.relayData, destinationChainId: deposit.destinationChainId })
  const firstWithRelayHash = !p.earlier.some(
    (e) =>
      e.destinationChainId === deposit.destinationChainId &&
      relayHash({ relayData: e.relayData, destinationChainId: e.destinationChainId }) === hash,
  )
  const block = await read(destination, 'latest block', () => destination.client.getBlock({ blockTag: 'latest' }))
  const status = await read(destination, 'SpokePool.fillStatuses', () =>
    destination.client.readContract({
      address: destination.config.spokePool,
      abi: spokePoolAbi,
      functionName: 'fillStatuses',
      args: [hash],
      blockNumber: block.number,
    }),
  )
  const base = {
    destination,
    fillStatus: status,
    destinationTimeSec: block.timestamp,
    fillDeadline: BigInt(deposit.relayData.fillDeadline),
    firstWithRelayHash,
  }
  if (status !== fillStatus.filled || !firstWithRelayHash) return base
  const fill = await findFill({ destination, deposit, toBlock: block.number })
  return fill ? { ...base, fill } : base
}

/** The FilledRelay event of a deposit on its destination (matched on every relay field the event carries). */
async function findFill(p: {
  destination: ChainContext
  deposit: Deposit
  toBlock: bigint
}): Promise<{ txHash: Hex; amount: bigint; fillType: number } | undefined> {
  const r = p.deposit.relayData
  const logs = await read(p.destination, 'FilledRelay logs', () =>
    p.destination.client.getContractEvents({
      address: p.destination.config.spokePool,
      abi: spokePoolAbi,
      eventName: 'FilledRelay',
      args: { originChainId: r.originChainId, depositId: r.depositId },
      fromBlock: p.destination.config.fromBlock,
      toBlock: p.toBlock,
      strict: true,
    }),
  )
  const messageHash = r.message === '0x' ? zeroHash : keccak256(r.message)
  const fill = logs.find(
    ({ args: f }) =>
      f.depositor === r.depositor &&
      f.recipient === r.recipient &&
      f.exclusiveRelayer === r.exclusiveRelayer &&
      f.inputToken === r.inputToken &&
      f.outputToken === r.outputToken &&
      f.inputAmount === r.inputAmount &&
      f.outputAmount === r.outputAmount &&
      f.fillDeadline === r.fillDeadline &&
      f.exclusivityDeadline === r.exclusivityDeadline &&
      f.messageHash === messageHash,
  )
  if (!fill) return undefined
  return {
    txHash: fill.transactionHash,
    amount: fill.args.relayExecutionInfo.updatedOutputAmount,
    fillType: fill.args.relayExecutionInfo.fillType,
  }
}
