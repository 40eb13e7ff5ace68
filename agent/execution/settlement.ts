import type { SubmittedTx } from '../../adapters/types.ts'

/**
 * Settling a signer's open nonces: after a send ended in doubt, or a batch will not be sent in
 * full, every nonce from the chain's next one up to the highest we signed must end mined or
 * cancelled before new work is signed; a transaction left behind an open nonce waits forever.
 */

/** A signed transaction whose fate is not known yet; fees as decimal strings (wei per gas). */
export type UnsettledTx = {
  nonce: number
  hash: `0x${string}`
  maxFeePerGas: string
  maxPriorityFeePerGas: string
  description: string
}

/** What became of a signed transaction: mined (success or reverted), or never to be mined. */
export type TxFate = 'mined' | 'reverted' | 'displaced' | 'open'

/** A zero-value transfer to self that settles `nonce`; `replacing` when one of ours may sit in a mempool there. */
export type CancelOrder = { nonce: number; replacing: { maxFeePerGas: string; maxPriorityFeePerGas: string } | null }

export type SettlementPlan = {
  fates: { hash: `0x${string}`; nonce: number; description: string; fate: TxFate }[]
  /** Cancels to send, lowest nonce first; empty when every nonce is already settled. */
  cancels: CancelOrder[]
}

/**
 * Decides how to settle `txs` given the chain's next nonce and the receipts found. A transaction
 * with a receipt is mined; one below the chain's nonce without a receipt was displaced by another
 * transaction; one at or above it is open and is cancelled rather than rebroadcast, because the
 * decision that made it was taken on a market that has moved since. Nonces below ours that no
 * known transaction holds (a gap) are cancelled too, so that nothing is left queued behind them.
 */
export function planSettlement(p: {
  txs: readonly UnsettledTx[]
  latestNonce: number
  receipts: Readonly<Record<string, 'success' | 'reverted' | null>>
}): SettlementPlan {
  const byNonce = new Map<number, UnsettledTx>()
  for (const tx of p.txs) byNonce.set(tx.nonce, tx)
  const fates = [...p.txs]
    .sort((a, b) => a.nonce - b.nonce)
    .map((tx) => {
      const receipt = p.receipts[tx.hash] ?? null
      const fate: TxFate =
        receipt === 'success' ? 'mined' : receipt === 'reverted' ? 'reverted' : tx.nonce < p.latestNonce ? 'displaced' : 'open'
      return { hash: tx.hash, nonce: tx.nonce, description: tx.description, fate }
    })
  const open = fates.filter((f) => f.fate === 'open')
  const highest = open.at(-1)?.nonce
  const cancels: CancelOrder[] = []
  if (highest !== undefined) {
    for (let nonce = p.latestNonce; nonce <= highest; nonce++) {
      const ours = byNonce.get(nonce)
      cancels.push({
        nonce,
        replacing: ours ? { maxFeePerGas: ours.maxFeePerGas, maxPriorityFeePerGas: ours.maxPriorityFeePerGas } : null,
      })
    }
  }
  return { fates, cancels }
}

/**
 * The final fate of each transaction once the cancels were sent: a receipt wins (the original
 * beat its cancel), otherwise its nonce is now taken and it can never be mined.
 */
export function settledFates(p: {
  txs: readonly UnsettledTx[]
  latestNonce: number
  receipts: Readonly<Record<string, 'success' | 'reverted' | null>>
}): { settled: boolean; fates: SettlementPlan['fates'] } {
  const { fates } = planSettlement(p)
  return { settled: fates.every((f) => f.fate !== 'open'), fates }
}

export type SettledTx = { hash: `0x${string}`; nonce: number; description: string; fate: Exclude<TxFate, 'open'> }

export type SettlementResult =
  | {
      status: 'settled'
      txs: SettledTx[]
      /** Receipts of the transactions that landed (ours, mined or reverted), for what they paid and did. */
      landed: SubmittedTx[]
      /** The zero-value cancels that took the open nonces. */
      cancels: SubmittedTx[]
      /** Set when `swap` was mined successfully: what it paid out, base units. */
      swapAmountOut?: string
    }
  | { status: 'unsettled'; failureType: string; reason: string }
