/** How one send went out, for operators: route, attempts, blocks waited and what it paid. */
export type SubmissionSummary = {
  /** The route's adapter id (`flashbots`, `public-mempool`, `private-rpc`); `flashbots>public-mempool` when a bundle fell back. */
  route: string
  /** Bundles sent, or fee versions of a public send (1 = sent once, never re-priced). */
  attempts: number
  /** Blocks between the block before the first send and the block that included the last transaction. */
  blocksWaited: number
  /** Gas paid by every transaction of the send, wei. */
  feesPaidWei: string
}

type Sent = { route?: string; attempts?: number; sentAtBlock?: string; blockNumber: string; gasUsed: string; effectiveGasPrice: string }

/** The summary of a send's mined transactions; null when nothing was mined. */
export function summarizeSubmission(outcomes: readonly Sent[]): SubmissionSummary | null {
  if (outcomes.length === 0) return null
  const first = outcomes[0]!
  const last = outcomes[outcomes.length - 1]!
  const from = first.sentAtBlock === undefined ? BigInt(first.blockNumber) - 1n : BigInt(first.sentAtBlock)
  return {
    route: last.route ?? 'public-mempool',
    attempts: Math.max(...outcomes.map((o) => o.attempts ?? 1)),
    blocksWaited: Number(BigInt(last.blockNumber) - from),
    feesPaidWei: outcomes.reduce((s, o) => s + BigInt(o.gasUsed) * BigInt(o.effectiveGasPrice), 0n).toString(),
  }
}

/**
 * What a swap paid out against its quote, in bps of the quote (0 = exactly the quote; negative =
 * worse, e.g. a sandwich or price drift between quote and inclusion). Rounded toward zero.
 */
export function vsQuoteBps(quotedOut: bigint, actualOut: bigint): number {
  if (quotedOut <= 0n) return 0
  return Number(((actualOut - quotedOut) * 10_000n) / quotedOut)
}
