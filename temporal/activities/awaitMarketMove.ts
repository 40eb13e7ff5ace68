import { Context, heartbeat } from '@temporalio/activity'
import type { Address } from 'viem'
import { feedAbi } from '../../adapters/opyn-gamma/abis.ts'
import { poolAbi } from '../../adapters/uniswap-v3/abis.ts'
import { InvalidInputError } from '../../agent/errors.ts'
import { type MandateInput, parseMandate } from '../../agent/mandate/schema.ts'
import { type MarketMark, type MarketMove, type MarketRead, marketMove } from '../../agent/portfolio/marketMove.ts'
import { getChainMeta } from '../../chains/registry.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { ActivityDeps } from './createActivities.ts'
import { toApplicationFailure } from './toApplicationFailure.ts'
import type { WatchActivities } from './types.ts'

/** How often each chain's head is polled; default a third of the chain's block time, at least 100 ms. */
export type MarketWatchOptions = { pollMs?: Partial<Record<ChainKey, number>> }

type Listener = (read: MarketRead) => void

/**
 * One poller per chain and worker, shared by every waiting portfolio: a new head costs one pool
 * read (and one feed read per feed someone watches) however many portfolios wait, so a worker's
 * watch capacity is bounded by its heartbeats, not by RPC.
 */
function createChainWatches(deps: ActivityDeps, opts: MarketWatchOptions) {
  const watches = new Map<string, { listeners: Set<Listener>; last: MarketRead | null }>()

  const poll = async (key: string, chain: ChainKey, feed: Address | null) => {
    const c = deps.chains[chain]!
    const client = c.clients.publicClient
    const watch = watches.get(key)!
    const pollMs = opts.pollMs?.[chain] ?? Math.max(100, (getChainMeta(chain).blockTimeSec * 1000) / 3)
    while (watch.listeners.size > 0) {
      try {
        const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
        // A lower head is a chain that went back (a reorg, a restarted devnet): it is news too.
        if (!watch.last || blockNumber !== watch.last.blockNumber) {
          const [slot0, round] = await Promise.all([
            client.readContract({ address: c.contracts.wethUsdcPool, abi: poolAbi, functionName: 'slot0', blockNumber }),
            feed ? client.readContract({ address: feed, abi: feedAbi, functionName: 'latestRoundData', blockNumber }) : null,
          ])
          const read: MarketRead = {
            chain,
            blockNumber,
            sqrtPriceX96: slot0[0],
            feed: round ? { roundId: round[0], answer: round[1], updatedAtSec: round[3] } : null,
          }
          watch.last = read
          for (const l of [...watch.listeners]) l(read)
        }
      } catch {
        // A read that fails is tried again at the next poll; while a chain cannot be read the
        // workflow's interval timer still wakes the loop, whose observation then fails closed.
      }
      await new Promise((r) => setTimeout(r, pollMs))
    }
    watches.delete(key)
  }

  /** Calls `listener` with every new head of `chain` (the latest one first, if known) until the returned function is called. */
  return (chain: ChainKey, feed: Address | null, listener: Listener): (() => void) => {
    const key = `${chain}:${feed ?? ''}`
    let watch = watches.get(key)
    if (!watch) {
      watch = { listeners: new Set(), last: null }
      watches.set(key, watch)
      watch.listeners.add(listener)
      void poll(key, chain, feed)
    } else {
      watch.listeners.add(listener)
      if (watch.last) listener(watch.last)
    }
    const w = watch
    return () => w.listeners.delete(listener)
  }
}

/** The market watch activities of one worker (their pollers are shared by every activity they run). */
export function createWatchActivities(deps: ActivityDeps, opts: MarketWatchOptions = {}): WatchActivities {
  const subscribe = createChainWatches(deps, opts)
  return {
    async awaitMarketMove({ mandate: input, marks }) {
      // Not wrapped by withFailureMapping: a cancellation must leave as Temporal's own CancelledFailure.
      const { thresholdBps, feedChains } = checkInput(deps, input, marks)
      const ctx = Context.current()
      const unsubscribe: (() => void)[] = []
      const beat = setInterval(() => heartbeat(), 2_000)
      try {
        heartbeat()
        return await new Promise<MarketMove>((resolve, reject) => {
          if (ctx.cancellationSignal.aborted) reject(ctx.cancellationSignal.reason)
          ctx.cancellationSignal.addEventListener('abort', () => reject(ctx.cancellationSignal.reason), { once: true })
          for (const mark of marks) {
            const feed = feedChains.includes(mark.chain) ? (deps.gamma?.[mark.chain]?.feed ?? null) : null
            unsubscribe.push(
              subscribe(mark.chain, feed, (read) => {
                const moved = marketMove({ mark, read, thresholdBps })
                if (moved) resolve(moved)
              }),
            )
          }
        })
      } finally {
        clearInterval(beat)
        for (const u of unsubscribe) u()
      }
    },
  }
}

/** The mandate's threshold, once the input is known to be servable here; refusals cross typed. */
function checkInput(deps: ActivityDeps, input: MandateInput, marks: MarketMark[]): { thresholdBps: number; feedChains: ChainKey[] } {
  try {
    const mandate = parseMandate(input)
    const thresholdBps = mandate.loop.wakeOnMoveBps
    if (thresholdBps === null) {
      throw new InvalidInputError({
        what: 'awaitMarketMove',
        issues: [{ path: 'loop.wakeOnMoveBps', message: 'the mandate wakes on no move' }],
      })
    }
    const missing = marks.filter((m) => !deps.chains[m.chain])
    if (missing.length > 0) {
      throw new InvalidInputError({
        what: 'awaitMarketMove',
        issues: missing.map((m) => ({ path: m.chain, message: `this worker has no RPC configured for ${m.chain}` })),
      })
    }
    return { thresholdBps, feedChains: mandate.options?.chains ?? [] }
  } catch (err) {
    throw toApplicationFailure(err)
  }
}
