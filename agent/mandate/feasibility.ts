import type { ChainKey } from '../../chains/types.ts'
import { formatAmount } from '../money.ts'
import type { Mandate } from './schema.ts'

/** What a treasury holds on one chain, valued in ETH wei at that chain's mid price. */
export type ChainHoldings = { chain: ChainKey; valueWei: bigint }

export type FeasibilityIssue = { path: string; message: string }

/**
 * Checks a mandate against what the treasury holds. Spot and LP positions can only carry a delta
 * between 0 (everything in USDC) and the treasury's whole value in ETH (everything in WETH), so a
 * target outside that range can never be reached, and a band that covers the whole range means
 * delta can never leave it and keel would never act. Both are refused by name: trading towards an
 * unreachable target spends money for nothing.
 */
export function mandateFeasibility(mandate: Mandate, holdings: readonly ChainHoldings[]): FeasibilityIssue[] {
  const held = holdings.filter((h) => mandate.chains[h.chain] !== undefined)
  const total = held.reduce((s, h) => s + h.valueWei, 0n)
  const where = held.map((h) => `${h.chain} ${eth(h.valueWei)}`).join(', ')
  const { targetEth: target, bandEth: band } = mandate.delta
  const issues: FeasibilityIssue[] = []
  if (target < 0n) {
    issues.push({
      path: 'delta.targetEth',
      message: `${eth(target)} ETH is below 0, the least delta spot and LP holdings can carry (got ${eth(target)})`,
    })
  } else if (target > total) {
    issues.push({
      path: 'delta.targetEth',
      message: `${eth(target)} ETH is more than the treasury's whole value, ${eth(total)} ETH (${where || 'no chain observed'}): no trade can reach it`,
    })
  }
  // An empty treasury has nothing to act on yet; it is not a mistake in the mandate.
  if (total > 0n && target - band <= 0n && target + band >= total) {
    issues.push({
      path: 'delta.bandEth',
      message: `± ${eth(band)} ETH around ${eth(target)} covers every delta the treasury can have (0 to ${eth(total)} ETH): keel would never act`,
    })
  }
  return issues
}

const eth = (wei: bigint): string => formatAmount(wei, 18, 3)
