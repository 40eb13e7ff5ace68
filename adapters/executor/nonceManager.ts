/**
 * Hands out nonces for one signer on one chain. Reservations are serialised, so concurrent
 * callers never receive the same nonce; each reservation first reads the chain's `pending`
 * count and jumps forward when the chain is ahead (another process or wallet sent with this key).
 * It never moves backwards on its own: nonces handed out but not yet broadcast are invisible to
 * the chain, and reusing them would sign two different transactions with one nonce.
 */
export type NonceManager = {
  /** Reserves `count` consecutive nonces and returns them in order. */
  reserve(params: { count: number }): Promise<number[]>
  /** Gives back a reservation that will never be signed/sent; only possible while it is the newest one. */
  release(nonces: readonly number[]): Promise<boolean>
  /**
   * Forgets its own count so the next reservation starts at the chain's pending count. Only for a
   * caller who knows every nonce handed out is now mined or cancelled (after a reconciliation):
   * otherwise an unsent signed transaction's nonce would be handed out again.
   */
  resync(): Promise<void>
}

/** Creates a nonce manager over a reader of the signer's pending transaction count. */
export function createNonceManager(params: { fetchPendingCount: () => Promise<number> }): NonceManager {
  let next: number | undefined
  let queue: Promise<unknown> = Promise.resolve()

  // A promise chain acts as a mutex: each critical section starts after the previous settles.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  return {
    reserve: ({ count }) =>
      exclusive(async () => {
        if (!Number.isInteger(count) || count < 1) throw new RangeError(`nonce reservation count must be a positive integer, got ${count}`)
        const pending = await params.fetchPendingCount()
        const first = next === undefined || pending > next ? pending : next
        next = first + count
        return Array.from({ length: count }, (_, i) => first + i)
      }),
    release: (nonces) =>
      exclusive(async () => {
        const last = nonces.at(-1)
        const first = nonces[0]
        if (first === undefined || last === undefined || next !== last + 1) return false
        next = first
        return true
      }),
    resync: () =>
      exclusive(async () => {
        next = undefined
      }),
  }
}
