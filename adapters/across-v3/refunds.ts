import { getAddress, type Hex } from 'viem'
import { spokePoolAbi } from './abis.ts'
import { type AcrossV3Deps, type ChainContext, read } from './chainContext.ts'
import type { Deposit } from './deposits.ts'
import { type Observation, observe } from './observe.ts'
import { fromBytes32 } from './relayData.ts'
import { fillStatus } from './status.ts'

/** A refund to one address in one executed relayer refund leaf. */
export type RefundPaid = { txHash: Hex; amount: bigint; blockNumber: bigint; logIndex: number }

/** Whether a deposit is owed back: not completed by a fill, and past its fill deadline on the destination. */
export const isRefundable = (o: Observation): boolean =>
  !(o.fillStatus === fillStatus.filled && o.firstWithRelayHash) && o.destinationTimeSec > o.fillDeadline

/**
 * Which executed refund leaf on the origin returned `target` to its depositor, or undefined.
 * Bundles sum a depositor's refunds per token, so refunds are matched to the depositor's
 * refundable deposits in the order they expire (fill deadline, then deposit order): a deposit is
 * refunded by the leaf in which the refunds paid so far first cover it and every deposit before
 * it. Exact as long as the depositor is refunded only for expired deposits (a treasury is never a
 * relayer) and bundles refund what has expired by deadline.
 */
export async function findRefund(p: {
  deps: AcrossV3Deps
  origin: ChainContext
  target: Deposit
  /** All of the depositor's deposits on the origin, oldest first. */
  depositorDeposits: readonly Deposit[]
}): Promise<RefundPaid | undefined> {
  const token = p.target.relayData.inputToken
  const sameToken = p.depositorDeposits.filter((d) => d.relayData.inputToken === token)
  const refundable: { deposit: Deposit; deadline: bigint }[] = []
  for (const [i, d] of sameToken.entries()) {
    const earlier = sameToken.slice(0, i).filter((e) => e.relayData.depositId === d.relayData.depositId)
    const o = await observe({ deps: p.deps, deposit: d, earlier })
    if (isRefundable(o)) refundable.push({ deposit: d, deadline: o.fillDeadline })
  }
  refundable.sort((a, b) => (a.deadline !== b.deadline ? (a.deadline < b.deadline ? -1 : 1) : compareOrder(a.deposit, b.deposit)))
  const position = refundable.findIndex((r) => r.deposit.txHash === p.target.txHash && r.deposit.logIndex === p.target.logIndex)
  if (position < 0) return undefined
  const owed = refundable.slice(0, position + 1).reduce((sum, r) => sum + r.deposit.relayData.inputAmount, 0n)
  let paid = 0n
  for (const refund of await refundsTo({
    origin: p.origin,
    depositor: fromBytes32(p.target.relayData.depositor),
    token: fromBytes32(token),
  })) {
    paid += refund.amount
    if (paid >= owed) return refund
  }
  return undefined
}

/** Refunds paid to `depositor` in `token` by executed relayer refund leaves on the origin, oldest first. */
async function refundsTo(p: { origin: ChainContext; depositor: `0x${string}`; token: `0x${string}` }): Promise<RefundPaid[]> {
  const logs = await read(p.origin, 'ExecutedRelayerRefundRoot logs', () =>
    p.origin.client.getContractEvents({
      address: p.origin.config.spokePool,
      abi: spokePoolAbi,
      eventName: 'ExecutedRelayerRefundRoot',
      args: { chainId: BigInt(p.origin.config.chainId) },
      fromBlock: p.origin.config.fromBlock,
      strict: true,
    }),
  )
  const depositor = getAddress(p.depositor)
  const out: RefundPaid[] = []
  for (const log of logs) {
    if (getAddress(log.args.l2TokenAddress) !== getAddress(p.token)) continue
    const amount = log.args.refundAddresses.reduce(
      (sum, a, i) => (getAddress(a) === depositor ? sum + (log.args.refundAmounts[i] ?? 0n) : sum),
      0n,
    )
    if (amount > 0n) out.push({ txHash: log.transactionHash, amount, blockNumber: log.blockNumber, logIndex: log.logIndex })
  }
  return out
}

const compareOrder = (a: Deposit, b: Deposit): number =>
  a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex
