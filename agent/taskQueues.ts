/**
 * Task-queue names. A deployment may prefix them (tests do, so runs sharing a server never steal
 * each other's tasks); the prefix travels in workflow input so workflows stay deterministic.
 */

/** Task queue of workflows and read-only activities. */
export const portfolioTaskQueue = (prefix = ''): string => `${prefix}keel-portfolio`

/** Task queue of the activities that sign for a chain: its key lives only on workers serving it. */
export const chainTaskQueue = (chainId: number, prefix = ''): string => `${prefix}chain-${chainId}`

/**
 * Task queue of the market watch (a long-lived activity per portfolio that waits for a block that
 * moves the price): served apart so that idle watches never take the slots of reads.
 */
export const marketWatchTaskQueue = (prefix = ''): string => `${prefix}keel-market-watch`
