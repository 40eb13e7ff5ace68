import { InvalidInputError } from '../errors.ts'

/**
 * Seeded randomness shared by the backtester and the devnet market: xoshiro128** on four 32-bit
 * words, seeded through splitmix32, with a Box–Muller normal and a Knuth Poisson. Same seed, same
 * stream, on any machine (only 32-bit integer ops via Math.imul and >>> are used, so no platform
 * float differences creep in before the final conversion).
 */
export type Prng = {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number
  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number
  /** Standard normal. */
  nextNormal(): number
  /** Poisson count with mean `lambda` (0 when lambda is 0); Knuth's product of uniforms, so only for small means. */
  nextPoisson(lambda: number): number
}

/** One splitmix32 step: returns the next state and a well-mixed output word. */
function splitmix32(state: number): { state: number; out: number } {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
  z ^= z >>> 15
  return { state: next, out: z >>> 0 }
}

/** Mixes several integers (seed, path index, model index...) into one 32-bit seed. */
export function mixSeed(...parts: readonly number[]): number {
  let state = 0x6a09e667
  let out = 0
  for (const part of parts) {
    const step = splitmix32((state ^ (part | 0)) | 0)
    state = step.state
    out = step.out
    state = (state ^ out) | 0
  }
  return out >>> 0
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** Creates a xoshiro128** generator from a 32-bit seed. */
export function createPrng(seed: number): Prng {
  let sm = seed | 0
  const s = new Uint32Array(4)
  for (let i = 0; i < 4; i++) {
    const step = splitmix32(sm)
    sm = step.state
    s[i] = step.out
  }
  // xoshiro must not start from the all-zero state.
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1
  let spare: number | null = null

  const nextUint32 = (): number => {
    const s0 = s[0]!
    const s1 = s[1]!
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s[2] = s[2]! ^ s0
    s[3] = s[3]! ^ s1
    s[1] = s1 ^ s[2]!
    s[0] = s0 ^ s[3]!
    s[2] = s[2]! ^ t
    s[3] = rotl(s[3]!, 11)
    return result
  }
  const nextFloat = (): number => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992
  const nextNormal = (): number => {
    if (spare !== null) {
      const z = spare
      spare = null
      return z
    }
    // 1 - u keeps the log argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - nextFloat()))
    const angle = 2 * Math.PI * nextFloat()
    spare = radius * Math.sin(angle)
    return radius * Math.cos(angle)
  }
  // Knuth: count uniforms until their product drops to e^-λ. O(λ) draws, which is fine for the
  // per-step jump counts it serves (λ·dt ≪ 1).
  const nextPoisson = (lambda: number): number => {
    if (!Number.isFinite(lambda) || lambda < 0) {
      throw new InvalidInputError({ what: 'Poisson mean', issues: [{ path: 'lambda', message: `must be finite and >= 0, got ${lambda}` }] })
    }
    if (lambda === 0) return 0
    const limit = Math.exp(-lambda)
    let k = 0
    let p = nextFloat()
    while (p > limit) {
      k++
      p *= nextFloat()
    }
    return k
  }
  return { nextUint32, nextFloat, nextNormal, nextPoisson }
}
