import { getAddress, type Hex, keccak256 } from 'viem'
import type { DecodedTx, TxSim } from './types.ts'

/** The Flashbots bundle hash: keccak256 of the concatenated transaction hashes (the client's `generateBundleHash`). */
export function bundleHash(txHashes: readonly Hex[]): Hex {
  return keccak256(`0x${txHashes.map((h) => h.slice(2)).join('')}`)
}

/** What a bundle pays the builder, from its simulation at the top of the block. */
export type BundleScore = { hash: Hex; seq: number; coinbaseDiffWei: bigint; gasUsed: bigint }

/** What the builder earns from a simulated transaction: tips plus direct coinbase transfers. */
export const coinbaseDiffOf = (tx: TxSim): bigint => tx.gasUsed * tx.tipPerGasWei + tx.ethSentToCoinbaseWei

/** Scores a simulated bundle: total coinbase diff and gas. */
export function scoreBundle(p: { hash: Hex; seq: number; sims: readonly TxSim[] }): BundleScore {
  let coinbaseDiffWei = 0n
  let gasUsed = 0n
  for (const tx of p.sims) {
    coinbaseDiffWei += coinbaseDiffOf(tx)
    gasUsed += tx.gasUsed
  }
  return { hash: p.hash, seq: p.seq, coinbaseDiffWei, gasUsed }
}

/**
 * Orders bundles by effective gas price paid to the builder (coinbase diff per gas), highest first;
 * equal prices keep arrival order. Compared by cross-multiplication, so no rounding decides a tie.
 */
export function orderBundles<T extends BundleScore>(scores: readonly T[]): T[] {
  return [...scores].sort((a, b) => {
    const left = a.coinbaseDiffWei * (b.gasUsed === 0n ? 1n : b.gasUsed)
    const right = b.coinbaseDiffWei * (a.gasUsed === 0n ? 1n : a.gasUsed)
    if (left !== right) return left > right ? -1 : 1
    return a.seq - b.seq
  })
}

/** Why a bundle cannot join already-accepted transactions (a shared hash or sender+nonce), or null when it can. */
export function conflictOf(p: { accepted: readonly DecodedTx[]; bundle: readonly DecodedTx[] }): string | null {
  const hashes = new Set(p.accepted.map((t) => t.hash))
  const slots = new Set(p.accepted.map((t) => `${getAddress(t.from)}:${t.nonce}`))
  for (const tx of p.bundle) {
    if (hashes.has(tx.hash)) return `transaction ${tx.hash} is already in an accepted bundle`
    if (slots.has(`${getAddress(tx.from)}:${tx.nonce}`)) return `nonce ${tx.nonce} of ${tx.from} is already used by an accepted bundle`
  }
  return null
}

/** Why a simulated bundle must not land (a failing transaction not allowed to revert), or null when it may. */
export function failureOf(p: { sims: readonly TxSim[]; revertingTxHashes: readonly Hex[] }): string | null {
  const allowed = new Set(p.revertingTxHashes.map((h) => h.toLowerCase()))
  for (const [i, tx] of p.sims.entries()) {
    if (!tx.success && !allowed.has(tx.hash.toLowerCase())) {
      return `transaction ${i} (${tx.hash}) reverted and is not in revertingTxHashes: ${tx.revert ?? tx.error ?? 'failed'}`
    }
  }
  return null
}

/** Why a bundle's timestamp window excludes a block at `timestampSec`, or null when it fits. */
export function timestampMismatch(p: { minTimestamp: number | null; maxTimestamp: number | null; timestampSec: bigint }): string | null {
  if (p.minTimestamp !== null && p.minTimestamp > 0 && p.timestampSec < BigInt(p.minTimestamp)) {
    return `block timestamp ${p.timestampSec} is before minTimestamp ${p.minTimestamp}`
  }
  if (p.maxTimestamp !== null && p.maxTimestamp > 0 && p.timestampSec > BigInt(p.maxTimestamp)) {
    return `block timestamp ${p.timestampSec} is after maxTimestamp ${p.maxTimestamp}`
  }
  return null
}
