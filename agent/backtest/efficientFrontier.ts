/** A point of a policy's sweep: tracking error and mean cost, both in quote units. */
export type FrontierPoint = { trackingError: number; cost: number; params: string }

/**
 * The efficient part of a sweep: sorted by tracking error, keeping only points that no other
 * point beats on both tracking error and cost (lower-left envelope, not necessarily convex).
 */
export function efficientFrontier(points: readonly FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.trackingError) && Number.isFinite(p.cost))
  sorted.sort((a, b) => a.trackingError - b.trackingError || a.cost - b.cost)
  const out: FrontierPoint[] = []
  for (const p of sorted) {
    const last = out[out.length - 1]
    if (last === undefined || p.cost < last.cost) out.push(p)
  }
  return out
}

/**
 * Cost on a frontier at tracking error `trackingError`, linearly interpolated between the two
 * efficient points that bracket it. Absence is data: outside the swept range there is no
 * honest answer, so the result says so instead of extrapolating.
 */
export function costAtTrackingError(params: {
  points: readonly FrontierPoint[]
  trackingError: number
}): { status: 'ok'; cost: number; how: 'interpolated' | 'loosestPoint' } | { status: 'outOfRange'; reason: string } {
  const frontier = efficientFrontier(params.points)
  const x = params.trackingError
  const first = frontier[0]
  const last = frontier[frontier.length - 1]
  if (first === undefined || last === undefined) return { status: 'outOfRange', reason: 'empty frontier' }
  // Beyond the loosest point the frontier is flat: its cost is an upper bound (a policy with less
  // tracking error at that cost exists), so it is reported as such.
  if (x >= last.trackingError) return { status: 'ok', cost: last.cost, how: 'loosestPoint' }
  if (x < first.trackingError) {
    return {
      status: 'outOfRange',
      reason: `tracking error ${x.toFixed(2)} below the tightest swept point ${first.trackingError.toFixed(2)}`,
    }
  }
  for (let i = 1; i < frontier.length; i++) {
    const a = frontier[i - 1]!
    const b = frontier[i]!
    if (x <= b.trackingError) {
      const w = (x - a.trackingError) / (b.trackingError - a.trackingError)
      return { status: 'ok', cost: a.cost + w * (b.cost - a.cost), how: 'interpolated' }
    }
  }
  return { status: 'ok', cost: last.cost, how: 'loosestPoint' }
}
