import type { Hex } from 'viem'
import type { TransferState } from '../types.ts'
import { InconsistentStateError } from './errors.ts'

/** The SpokePool's FillStatus enum. */
export const fillStatus = { unfilled: 0n, requestedSlowFill: 1n, filled: 2n } as const

/** The SpokePool's FillType enum, as FilledRelay reports it. */
const fillTypes = ['fast fill', 'fast fill replacing a slow fill request', 'slow fill'] as const

/** What the chains say about one deposit, read at one destination block. */
export type Observed = {
  /** `fillStatuses(relayHash)` on the destination. */
  fillStatus: bigint
  /** Timestamp of the destination block the status was read at. */
  destinationTimeSec: bigint
  fillDeadline: bigint
  /** False for a later deposit with the same relay data as an earlier one: it can never be filled, only refunded. */
  firstWithRelayHash: boolean
  fill?: { txHash: Hex; amount: bigint; fillType: number }
  refund?: { txHash: Hex; amount: bigint }
}

export type MappedStatus = {
  state: TransferState
  detail: string
  deliveryTxHash?: Hex
  refundTxHash?: Hex
  settledAmount?: bigint
}

/**
 * Maps what the chains say into keel's transfer states: filled → delivered (a slow fill counts
 * once executed, a requested one does not); destination time past the fill deadline unfilled →
 * expired, then refunded once the depositor's refund leaf is executed on the origin; otherwise
 * sent. A fill status outside the enum, or a fill without its event, is an error, never a guess.
 */
export function mapStatus(o: Observed): MappedStatus {
  if (o.fillStatus !== fillStatus.unfilled && o.fillStatus !== fillStatus.requestedSlowFill && o.fillStatus !== fillStatus.filled) {
    throw new InconsistentStateError({ reason: `fill status ${o.fillStatus} is not one the SpokePool defines` })
  }
  if (o.fillStatus === fillStatus.filled && o.firstWithRelayHash) {
    if (!o.fill) throw new InconsistentStateError({ reason: 'the destination marks the relay filled but has no FilledRelay event for it' })
    const how = fillTypes[o.fill.fillType] ?? `fill type ${o.fill.fillType}`
    return { state: 'delivered', detail: `${how} on the destination`, deliveryTxHash: o.fill.txHash, settledAmount: o.fill.amount }
  }
  if (o.refund)
    return {
      state: 'refunded',
      detail: 'refunded to the depositor on the origin chain',
      refundTxHash: o.refund.txHash,
      settledAmount: o.refund.amount,
    }
  const duplicate = o.firstWithRelayHash ? '' : 'an earlier deposit has the same relay data, so this one can only be refunded; '
  if (o.destinationTimeSec > o.fillDeadline) {
    return {
      state: 'expired',
      detail: `${duplicate}fill deadline ${o.fillDeadline} passed unfilled (destination time ${o.destinationTimeSec}); the refund comes in a later bundle`,
    }
  }
  const slow = o.fillStatus === fillStatus.requestedSlowFill ? 'a slow fill is requested, not executed; ' : ''
  return {
    state: 'sent',
    detail: `${duplicate}${slow}waiting for a fill until ${o.fillDeadline} (destination time ${o.destinationTimeSec})`,
  }
}

/** A transfer id: the deposit id, with `-<n>` for the n-th later deposit that repeated the same id. */
export function formatTransferId(p: { depositId: bigint; repeat: number }): string {
  return p.repeat === 0 ? p.depositId.toString() : `${p.depositId}-${p.repeat}`
}

/** Parses a transfer id; null when it is not one this adapter makes. */
export function parseTransferId(id: string): { depositId: bigint; repeat: number } | null {
  const m = /^(\d{1,78})(?:-(\d{1,6}))?$/.exec(id)
  // `-0` or a leading zero is not a form this adapter writes: refuse it rather than alias another id.
  if (!m?.[1] || m[2]?.startsWith('0')) return null
  const depositId = BigInt(m[1])
  if (depositId >= 2n ** 256n) return null
  return { depositId, repeat: m[2] === undefined ? 0 : Number(m[2]) }
}
