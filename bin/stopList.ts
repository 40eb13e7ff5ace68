/** Something a command started, and how to let go of it: stop it, or (when kept) say it is left running. */
export type Stoppable = {
  /** Stops it; resolves to the line that says what was stopped. */
  stop: () => Promise<string>
  /** When the command ends normally and keeps things running: the line that says what is left and how to stop it. */
  leave?: () => string
}

export type StopList = {
  /** Registers a thing to stop. Once stopping has begun, it is stopped at once (it started too late to be kept). */
  add(item: Stoppable): void
  /**
   * Marks a start under way (a server launching, a devnet deploying): `runAll` waits for it, so
   * what it registers when it completes after an interrupt is stopped before the process exits.
   */
  starting<T>(start: Promise<T>): Promise<T>
  /** Stops (or, with `keep`, leaves) everything registered, newest first, one line each; waits for starts under way too. */
  runAll(opts?: { keep?: boolean }): Promise<void>
}

/**
 * What a command started, in order, so that an interrupted or finished command lets go of each
 * thing exactly once and says so, even when a start completes after the interrupt arrived.
 */
export function createStopList(log: (line: string) => void): StopList {
  const items: Stoppable[] = []
  const late: Promise<void>[] = []
  const starts = new Set<Promise<unknown>>()
  let stopping = false
  const stopOne = async (item: Stoppable) => {
    try {
      log(await item.stop())
    } catch (err) {
      log(`stop failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
    }
  }
  return {
    add(item) {
      if (stopping) late.push(stopOne(item))
      else items.push(item)
    },
    starting(start) {
      const tracked = start.finally(() => starts.delete(tracked))
      starts.add(tracked)
      return start
    },
    async runAll(opts = {}) {
      stopping = true
      for (const item of items.splice(0).reverse()) {
        if (opts.keep && item.leave) log(item.leave())
        else await stopOne(item)
      }
      await Promise.allSettled([...starts])
      // A registration made in the continuation of a start runs a moment after the start settles.
      await new Promise((r) => setImmediate(r))
      await Promise.all(late.splice(0))
    },
  }
}
