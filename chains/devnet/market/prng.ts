/** A seeded random source: same seed, same sequence, on every machine (only 32-bit integer ops). */
export type Prng = {
  /** Uniform in [0, 1). */
  next(): number
  /** Standard normal (Box–Muller). */
  normal(): number
  /** Poisson-distributed count with mean `lambda` (Knuth; fine for the small means of per-step jumps). */
  poisson(lambda: number): number
}

/** sfc32 seeded through splitmix32; a 128-bit state is plenty for simulated price paths. */
export function createPrng(seed: number): Prng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // Discard the first outputs: sfc32 mixes its state over its first few rounds.
  for (let i = 0; i < 12; i++) nextU32()

  const next = (): number => nextU32() / 2 ** 32
  let spare: number | null = null
  const normal = (): number => {
    if (spare !== null) {
      const v = spare
      spare = null
      return v
    }
    // 1 - u keeps the log argument in (0, 1].
    const u = 1 - next()
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0
    const limit = Math.exp(-lambda)
    let k = 0
    let p = next()
    while (p > limit) {
      k += 1
      p *= next()
    }
    return k
  }
  return { next, normal, poisson }
}
