import type { ChainKey } from '../../chains/types.ts'
import { formatAmount, minBigint } from '../money.ts'
import { decideBandHedge } from '../policy/bandPolicy.ts'
import type { Mandate } from './schema.ts'

/** One observable effect of replacing a running portfolio's mandate. */
export type MandateChange =
  | { kind: 'pause-kept'; filePaused: boolean; running: boolean }
  | { kind: 'chain-removed'; chain: ChainKey; deltaWei: string | null }
  | { kind: 'chain-added'; chain: ChainKey }
  | { kind: 'treasury-changed'; chain: ChainKey; from: string; to: string }
  | { kind: 'target-moved'; fromWei: string; toWei: string }
  | { kind: 'band-changed'; fromWei: string; toWei: string }
  | { kind: 'hedge-limits-changed' }
  /** What keel would trade as soon as the update applies, from the last observation. */
  | { kind: 'immediate-hedge'; direction: 'sell-eth' | 'buy-eth'; sizeWei: string }

export type UpdateConsequences = {
  changes: MandateChange[]
  /** Change of (delta − target) the update causes with no trade, in wei; null when it cannot be known yet. */
  exposureShiftWei: string | null
  /** True when the update moves exposure by more than the band, or by an amount not known yet. */
  needsConfirmation: boolean
  /** One line per change and the reason confirmation is needed, for the operator. */
  lines: string[]
}

/**
 * What replacing `current` by `next` does to a running portfolio, given its last observation
 * (delta per chain). Dropping a chain removes its delta from the sum; moving the target moves the
 * gap: either can make keel trade a lot at once, so such updates need an explicit confirmation.
 * The pause state never changes through an update (pause/resume do that); a file that says
 * otherwise is reported, not applied.
 */
export function mandateUpdateConsequences(p: {
  current: Mandate
  next: Mandate
  paused: boolean
  observedDeltaWei: Partial<Record<ChainKey, bigint>> | null
}): UpdateConsequences {
  const { current, next } = p
  const changes: MandateChange[] = []
  if (next.paused !== p.paused) changes.push({ kind: 'pause-kept', filePaused: next.paused, running: p.paused })
  const chainsOf = (m: Mandate) => Object.keys(m.chains) as ChainKey[]
  for (const chain of chainsOf(current)) {
    if (!next.chains[chain]) changes.push({ kind: 'chain-removed', chain, deltaWei: p.observedDeltaWei?.[chain]?.toString() ?? null })
    else if (next.chains[chain].treasury.toLowerCase() !== current.chains[chain]!.treasury.toLowerCase())
      changes.push({ kind: 'treasury-changed', chain, from: current.chains[chain]!.treasury, to: next.chains[chain].treasury })
  }
  for (const chain of chainsOf(next)) if (!current.chains[chain]) changes.push({ kind: 'chain-added', chain })
  if (next.delta.targetEth !== current.delta.targetEth)
    changes.push({ kind: 'target-moved', fromWei: current.delta.targetEth.toString(), toWei: next.delta.targetEth.toString() })
  if (next.delta.bandEth !== current.delta.bandEth)
    changes.push({ kind: 'band-changed', fromWei: current.delta.bandEth.toString(), toWei: next.delta.bandEth.toString() })
  if (JSON.stringify(limits(next)) !== JSON.stringify(limits(current))) changes.push({ kind: 'hedge-limits-changed' })

  const shift = exposureShift(p)
  const reasons: string[] = []
  if (shift === null && changes.some((c) => c.kind !== 'pause-kept' && c.kind !== 'hedge-limits-changed' && c.kind !== 'band-changed'))
    reasons.push('the effect on exposure cannot be known until the new chains are observed')
  if (changes.some((c) => c.kind === 'treasury-changed')) reasons.push('a chain changes treasury: its holdings leave or join the portfolio')
  const band = minBigint(current.delta.bandEth, next.delta.bandEth)
  if (shift !== null && abs(shift) > band)
    reasons.push(`exposure against the target moves by ${eth(shift)} ETH, more than the band (± ${eth(band)} ETH)`)
  if (p.observedDeltaWei && shift !== null) {
    const delta = Object.entries(p.observedDeltaWei)
      .filter(([chain]) => next.chains[chain as ChainKey])
      .reduce((s, [, d]) => s + (d ?? 0n), 0n)
    const decision = decideBandHedge({ mandate: { ...next, paused: false }, deltaWei: delta })
    if (decision.action === 'hedge')
      changes.push({ kind: 'immediate-hedge', direction: decision.direction, sizeWei: decision.sizeWei.toString() })
  }
  return {
    changes,
    exposureShiftWei: shift === null ? null : shift.toString(),
    needsConfirmation: reasons.length > 0,
    lines: [...changes.map(describe), ...reasons.map((r) => `needs confirmation: ${r}`)],
  }
}

function exposureShift(p: { current: Mandate; next: Mandate; observedDeltaWei: Partial<Record<ChainKey, bigint>> | null }): bigint | null {
  const seen = p.observedDeltaWei
  if (!seen) return p.current.delta.targetEth === p.next.delta.targetEth && sameChains(p.current, p.next) ? 0n : null
  const deltaOver = (m: Mandate): bigint | null => {
    let sum = 0n
    for (const chain of Object.keys(m.chains) as ChainKey[]) {
      const d = seen[chain]
      if (d === undefined) return null
      sum += d
    }
    return sum
  }
  const before = deltaOver(p.current)
  const after = deltaOver(p.next)
  if (before === null || after === null) return null
  return after - p.next.delta.targetEth - (before - p.current.delta.targetEth)
}

function describe(c: MandateChange): string {
  switch (c.kind) {
    case 'pause-kept':
      return `the file says paused: ${c.filePaused}, the portfolio stays ${c.running ? 'paused' : 'running'} (use keel ${c.running ? 'resume' : 'pause'})`
    case 'chain-removed':
      return `${c.chain} leaves the portfolio${c.deltaWei === null ? '' : `: its delta of ${eth(BigInt(c.deltaWei))} ETH no longer counts`}`
    case 'chain-added':
      return `${c.chain} joins the portfolio: its holdings will count from its first observation`
    case 'treasury-changed':
      return `${c.chain} treasury changes from ${c.from} to ${c.to}`
    case 'target-moved':
      return `delta target moves from ${eth(BigInt(c.fromWei))} to ${eth(BigInt(c.toWei))} ETH`
    case 'band-changed':
      return `band changes from ± ${eth(BigInt(c.fromWei))} to ± ${eth(BigInt(c.toWei))} ETH`
    case 'hedge-limits-changed':
      return 'hedge limits change (slippage, gas, size or deadline)'
    case 'immediate-hedge':
      return `keel would ${c.direction === 'sell-eth' ? 'sell' : 'buy'} about ${eth(BigInt(c.sizeWei))} ETH as soon as it applies`
  }
}

const limits = (m: Mandate) => ({
  ...m.hedge,
  maxGasCostUsdc: m.hedge.maxGasCostUsdc.toString(),
  maxHedgeSizeEth: m.hedge.maxHedgeSizeEth.toString(),
})
const sameChains = (a: Mandate, b: Mandate) => JSON.stringify(Object.keys(a.chains).sort()) === JSON.stringify(Object.keys(b.chains).sort())
const abs = (x: bigint) => (x < 0n ? -x : x)
const eth = (wei: bigint): string => formatAmount(wei, 18, 3)
