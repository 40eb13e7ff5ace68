/**
 * A benchmark module exports `benchmarks: Benchmark[]`; `index.ts` imports each module and runs them in order.
 * `run` prints its own figures (rates, ratios against a peer measured in the same run, accuracy); nothing here
 * passes or fails.
 */
export type Benchmark = { name: string; run: () => void | Promise<void> }

/** Seconds spent by `fn`: on the wall clock, and on this process's CPU (user + system). */
export type Timing = { wallSec: number; cpuSec: number }

/**
 * Best of `repeats` timings of `fn` (after one untimed warm-up call). CPU time is reported next to wall time
 * because the benchmark box is shared: CPU time counts only the slices this single-threaded process really ran.
 */
export function bestTiming(fn: () => void, repeats: number): Timing {
  fn()
  const best: Timing = { wallSec: Number.POSITIVE_INFINITY, cpuSec: Number.POSITIVE_INFINITY }
  for (let i = 0; i < repeats; i++) {
    const t = timeOnce(fn)
    best.wallSec = Math.min(best.wallSec, t.wallSec)
    best.cpuSec = Math.min(best.cpuSec, t.cpuSec)
  }
  return best
}

/** One timing of `fn` (no warm-up), for slow peers measured in interleaved rounds. */
export function timeOnce(fn: () => void): Timing {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  fn()
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9
  const c = process.cpuUsage(c0)
  return { wallSec, cpuSec: (c.user + c.system) / 1e6 }
}

/** Deterministic uniform [0, 1) generator (mulberry32) so every run prices the same book. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Formats a rate like `12.3 M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(2)} k/s`
  return `${perSecond.toFixed(1)} /s`
}
