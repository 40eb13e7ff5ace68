/** Smaller of two bigints (Math.min does not take bigint). */
export function minBigInt(a: bigint, b: bigint): bigint {
  if (a < b) return a
  return b
}

/** x limited to [lo, hi]. */
export function clampBigInt(p: { x: bigint; lo: bigint; hi: bigint }): bigint {
  if (p.x < p.lo) return p.lo
  if (p.x > p.hi) return p.hi
  return p.x
}
