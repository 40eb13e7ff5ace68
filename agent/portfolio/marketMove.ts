import type { ChainKey } from '../../chains/types.ts'
import { wethIsToken0 } from './poolPrice.ts'
import type { PortfolioSnapshot } from './types.ts'

/** Where the market stood on one chain at the last observation: what a later block is compared with. */
export type MarketMark = {
  chain: ChainKey
  blockNumber: string
  blockTimestampSec: string
  sqrtPriceX96: string
  wethIsToken0: boolean
}

/** One chain's market as a new block leaves it: the pool's price and, where the portfolio uses one, the feed's latest round. */
export type MarketRead = {
  chain: ChainKey
  blockNumber: bigint
  sqrtPriceX96: bigint
  feed: { roundId: bigint; answer: bigint; updatedAtSec: bigint } | null
}

/** What woke the loop: the chain and block, and by how much its price had moved from the mark. */
export type MarketMove = {
  chain: ChainKey
  blockNumber: string
  reason: 'price' | 'feed-round'
  /** The pool's ETH price move from the mark, whole bps rounded down. */
  movedBps: number
  sqrtPriceX96: string
  feedRoundId?: string
}

/** The marks of an observation, one per chain. */
export const marketMarks = (snapshot: PortfolioSnapshot): MarketMark[] =>
  snapshot.chains.map((c) => ({
    chain: c.chain,
    blockNumber: c.blockNumber,
    blockTimestampSec: c.blockTimestampSec,
    sqrtPriceX96: c.pool.sqrtPriceX96,
    wethIsToken0: wethIsToken0(c.pool, c.weth),
  }))

/**
 * Whether a block after the mark moved the market enough to look again: the pool's USDC price of
 * ETH by more than `thresholdBps` (compared exactly on sqrtPriceX96²), or a feed round posted after
 * the marked block's time. Null: not a move (same or older block, or a smaller one).
 */
export function marketMove(p: { mark: MarketMark; read: MarketRead; thresholdBps: number }): MarketMove | null {
  const { mark, read } = p
  if (read.chain !== mark.chain || read.blockNumber <= BigInt(mark.blockNumber)) return null
  const before = BigInt(mark.sqrtPriceX96) ** 2n
  const after = read.sqrtPriceX96 ** 2n
  // USDC per ETH is sqrtPrice² when WETH is token0 and its inverse otherwise: the relative move of
  // 1/x is |x0 - x1| / x1.
  const base = mark.wethIsToken0 ? before : after
  const gap = before > after ? before - after : after - before
  const movedBps = base === 0n ? Number.MAX_SAFE_INTEGER : Number((gap * 10_000n) / base)
  const common = { chain: read.chain, blockNumber: read.blockNumber.toString(), movedBps, sqrtPriceX96: read.sqrtPriceX96.toString() }
  if (base === 0n || gap * 10_000n > BigInt(p.thresholdBps) * base) return { ...common, reason: 'price' }
  if (read.feed && read.feed.updatedAtSec > BigInt(mark.blockTimestampSec))
    return { ...common, reason: 'feed-round', feedRoundId: read.feed.roundId.toString() }
  return null
}
