import { keccak256, toHex } from 'viem'

/** The two EIP-1559 fee fields of a signed transaction, wei per gas. */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }

// Each version of a transaction is a pure function of the first one's fees and its attempt
// number, so that a worker resuming after a crash can recompute the hashes of every version that
// may have gone out (ECDSA signatures are deterministic, RFC 6979) without having recorded them.

/**
 * Fees of bundle attempt `attempt` (0 = as prepared): the tip rises by `stepBps` per missed block,
 * compounding, never above `maxPriorityFeePerGas`; the fee cap rises by the same amount so the
 * headroom over the base fee stays what it was when the bundle was prepared.
 */
export function bundleAttemptFees(first: Fees, attempt: number, p: { stepBps: number; maxPriorityFeePerGas: bigint }): Fees {
  let tip = first.maxPriorityFeePerGas
  for (let i = 0; i < attempt; i++) tip = (tip * BigInt(10_000 + p.stepBps) + 9_999n) / 10_000n
  if (tip > p.maxPriorityFeePerGas) tip = p.maxPriorityFeePerGas
  if (tip < first.maxPriorityFeePerGas) tip = first.maxPriorityFeePerGas
  return { maxPriorityFeePerGas: tip, maxFeePerGas: first.maxFeePerGas + (tip - first.maxPriorityFeePerGas) }
}

/** A replacement must raise both caps by more than the node's rule (geth and anvil: 10 %); 12.5 % + 1 wei clears every client. */
export const bumpForReplacement = (fee: bigint): bigint => (fee * 9n) / 8n + 1n

/**
 * Fees of replacement `k` of a stuck transaction (0 = as prepared): both caps bumped `k` times,
 * or null when the `k`th bump would take the fee cap past `maxFeePerGas` (the budget is spent).
 */
export function replacementFees(first: Fees, k: number, maxFeePerGas: bigint): Fees | null {
  let fees = first
  for (let i = 0; i < k; i++) {
    fees = { maxFeePerGas: bumpForReplacement(fees.maxFeePerGas), maxPriorityFeePerGas: bumpForReplacement(fees.maxPriorityFeePerGas) }
  }
  return k > 0 && fees.maxFeePerGas > maxFeePerGas ? null : fees
}

/** A UUID (the shape relays accept as `replacementUuid`) derived from the idempotency key: every attempt of one send shares it. */
export function replacementUuidOf(idempotencyKey: string): string {
  const h = keccak256(toHex(`keel-bundle:${idempotencyKey}`)).slice(2, 34)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
