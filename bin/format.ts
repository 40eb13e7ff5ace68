import { formatUnits } from 'viem'
import type { HedgeRecord, PortfolioStatus } from '../workflows/portfolioWorkflow.ts'

/** ETH with a fixed number of decimals, for humans (amounts stay exact underneath). */
export const eth = (wei: bigint | string, digits = 4): string => fixed(formatUnits(BigInt(wei), 18), digits)
export const usdc = (units: bigint | string, digits = 2): string => fixed(formatUnits(BigInt(units), 6), digits)

function fixed(decimal: string, digits: number): string {
  const [whole = '0', frac = ''] = decimal.split('.')
  return digits === 0 ? whole : `${whole}.${frac.padEnd(digits, '0').slice(0, digits)}`
}

/** One line per hedge: chain, size, cost, delta before → after. */
export function formatHedge(h: HedgeRecord): string {
  const size = h.direction === 'sell-eth' ? `sell ${eth(h.amountIn)} ETH` : `buy ETH for ${usdc(h.amountIn)} USDC`
  const got = h.direction === 'sell-eth' ? `${usdc(h.amountOut)} USDC` : `${eth(h.amountOut)} ETH`
  const after = h.deltaAfterWei === null ? '?' : eth(h.deltaAfterWei, 2)
  const tail =
    h.status === 'completed'
      ? `got ${got}, est. cost ${usdc(h.estimatedCostUsdc)} USDC, gas ${eth(h.gasCostWei, 6)} ETH`
      : `${h.status}: ${h.reason}`
  return `${h.id} ${h.chain.padEnd(8)} ${size} → ${tail}; delta ${eth(h.deltaBeforeWei, 2)} → ${after} ETH`
}

/** The operator's view of a portfolio. */
export function formatStatus(s: PortfolioStatus): string {
  const lines = [`portfolio ${s.portfolio}${s.paused ? '  [PAUSED]' : ''}  cycles ${s.cycles}`, `decision: ${s.lastDecision}`]
  if (s.lastError) lines.push(`last error: ${s.lastError}`)
  const o = s.lastObservation
  if (o) {
    lines.push(
      `delta ${eth(o.deltaWei, 3)} ETH, target ${eth(o.targetWei, 3)} ± ${eth(o.bandWei, 3)} (${o.insideBand ? 'inside' : 'OUTSIDE'} band), gamma ${o.gamma.toExponential(3)} ETH/USDC, chain time ${o.atChainTimeSec}`,
    )
    lines.push('chain      price      spot WETH     spot USDC      LP WETH       LP USDC      delta')
    for (const c of o.chains) {
      lines.push(
        [
          c.chain.padEnd(9),
          c.priceUsdc.toFixed(2).padStart(9),
          eth(c.spotWethWei, 3).padStart(12),
          usdc(c.spotUsdc).padStart(13),
          eth(c.lpWethWei, 3).padStart(12),
          usdc(c.lpUsdc).padStart(13),
          eth(c.deltaWei, 3).padStart(10),
        ].join(' '),
      )
    }
  }
  if (s.blockedChains.length > 0) lines.push(`blocked: ${s.blockedChains.map((b) => `${b.chain} (${b.reason})`).join('; ')}`)
  lines.push(`hedges: ${s.hedges.length}${s.hedges.length ? ' (last 5 below)' : ''}`)
  for (const h of s.hedges.slice(-5)) lines.push(`  ${formatHedge(h)}`)
  return lines.join('\n')
}
