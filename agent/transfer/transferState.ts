import type { TransferState } from '../../adapters/types.ts'
import { BaseError } from '../errors.ts'
import type { TransferRecord } from '../plan/types.ts'

/**
 * The one state machine every bridge's transfer follows. A bridge adapter maps its own states into
 * `TransferState`; this says which moves between them can happen, so that a reading that would go
 * backwards (a delivered transfer reported as merely sent by a lagging node) or sideways (a refund
 * after a delivery) is caught instead of believed.
 */
const allowed: Record<TransferState, readonly TransferState[]> = {
  // Readings are polls: a refund read before its expiry was seen still means it expired first.
  sent: ['sent', 'verified', 'delivered', 'failed', 'expired', 'refunded'],
  verified: ['verified', 'delivered', 'failed'],
  // A failed execution is retried (by the bridge's executor or an operator's remediation).
  failed: ['failed', 'delivered'],
  expired: ['expired', 'refunded'],
  delivered: ['delivered'],
  refunded: ['refunded'],
}

/** Terminal: the funds are either on the destination or back on the origin, to the wei. */
export const isTerminal = (s: TransferState): boolean => s === 'delivered' || s === 'refunded'

/** A bridge reported a state that cannot follow the one keel recorded. */
export class ImpossibleTransferStateError extends BaseError {
  override name = 'Transfer.ImpossibleStateError' as const
  constructor(params: { transferId: string; from: TransferState; to: TransferState }) {
    super(`Transfer ${params.transferId} cannot go from ${params.from} to ${params.to}`, {
      metaMessages: ['the bridge or a node is inconsistent: the transfer stays in its last known state until this is understood'],
      retryable: true,
    })
  }
}

/** The state after a new reading; a reading that goes backwards from a later state keeps the later one. */
export function nextTransferState(p: { transferId: string; recorded: TransferState; observed: TransferState }): TransferState {
  if (allowed[p.recorded].includes(p.observed)) return p.observed
  // A lagging node may still say `sent` (or `verified`) about what another node showed further along.
  if (p.observed === 'sent' || (p.observed === 'verified' && p.recorded !== 'expired' && p.recorded !== 'refunded')) return p.recorded
  throw new ImpossibleTransferStateError({ transferId: p.transferId, from: p.recorded, to: p.observed })
}

/** A ledger record for a transfer not sent yet: nothing paid, nothing settled, no transaction. */
export function newTransferRecord(
  p: Pick<TransferRecord, 'id' | 'bridge' | 'asset' | 'from' | 'to' | 'amount' | 'expectedOutput' | 'origin'> & Partial<TransferRecord>,
): TransferRecord {
  return {
    settledAmount: null,
    transferId: null,
    state: 'planned',
    costUsdc: '0',
    assetFee: '0',
    nativeFeeWei: '0',
    gasCostWei: '0',
    sentAtChainTimeSec: null,
    settledAtChainTimeSec: null,
    deadlineSec: null,
    originTxHash: null,
    deliveryTxHash: null,
    reason: null,
    ...p,
  }
}
