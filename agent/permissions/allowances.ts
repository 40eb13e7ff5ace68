import { encodeKey } from 'zodiac-roles-sdk'
import type { ChainKey } from '../../chains/types.ts'
import type { Mandate } from '../mandate/schema.ts'
import type { AllowanceSetting, TreasuryAsset } from './types.ts'

/** Names of the allowances declarations spend from; one set per chain's Roles modifier. */
export const allowanceNames = {
  /** amountIn of Uniswap swaps selling `asset`. */
  swapIn: (asset: TreasuryAsset) => `swap-${asset}`,
  /** Amount of `asset` sent over any bridge. */
  bridge: (asset: TreasuryAsset) => `bridge-${asset}`,
} as const

const DAY_SEC = 86_400n
const WAD = 10n ** 18n

const setting = (p: { name: string; amount: bigint; periodSec: bigint; description: string }): AllowanceSetting => ({
  name: p.name,
  key: encodeKey(p.name),
  balance: p.amount,
  maxRefill: p.amount,
  refill: p.amount,
  period: p.periodSec,
  timestamp: 0n,
  description: p.description,
})

/**
 * The Roles allowances of one chain from the mandate's caps: a circuit breaker on notional if the
 * key leaks, wide enough never to stop a hedge the mandate allows.
 *
 * - `swap-weth`: `hedgesPerPeriod` × `hedge.maxHedgeSizeEth` of WETH sold per period.
 * - `swap-usdc`: the same ETH notional bought with USDC at `ethPriceCeilingUsdc` (USDC base units per
 *   ETH, a ceiling the deploy chooses, e.g. twice spot), rounded up.
 * - `bridge-<asset>`: what would refill every other chain to its `capital` target in one period
 *   (the sum of their targets); 0 without a capital section, so the role moves nothing.
 */
export function allowancesFromMandate(p: {
  mandate: Mandate
  chain: ChainKey
  ethPriceCeilingUsdc: bigint
  hedgesPerPeriod?: bigint
  periodSec?: bigint
}): AllowanceSetting[] {
  const n = p.hedgesPerPeriod ?? 12n
  const periodSec = p.periodSec ?? DAY_SEC
  if (n <= 0n || periodSec <= 0n || p.ethPriceCeilingUsdc <= 0n) {
    throw new RangeError('hedgesPerPeriod, periodSec and ethPriceCeilingUsdc must be positive')
  }
  const cap = p.mandate.hedge.maxHedgeSizeEth
  const wethNotional = n * cap
  const usdcNotional = (wethNotional * p.ethPriceCeilingUsdc + WAD - 1n) / WAD
  const others = Object.entries(p.mandate.capital?.chains ?? {}).filter(([c]) => c !== p.chain)
  const targetSum = (asset: TreasuryAsset) => others.reduce((s, [, c]) => s + (c?.[asset]?.target ?? 0n), 0n)
  const per = `per ${periodSec} s`
  return [
    setting({
      name: allowanceNames.swapIn('weth'),
      amount: wethNotional,
      periodSec,
      description: `WETH base units sold on Uniswap ${per}: ${n} hedges of maxHedgeSizeEth ${cap} wei`,
    }),
    setting({
      name: allowanceNames.swapIn('usdc'),
      amount: usdcNotional,
      periodSec,
      description: `USDC base units spent on Uniswap ${per}: ${n} hedges of maxHedgeSizeEth at ${p.ethPriceCeilingUsdc} USDC base units per ETH`,
    }),
    setting({
      name: allowanceNames.bridge('weth'),
      amount: targetSum('weth'),
      periodSec,
      description: `WETH base units bridged out of ${p.chain} ${per}: the other chains' capital targets`,
    }),
    setting({
      name: allowanceNames.bridge('usdc'),
      amount: targetSum('usdc'),
      periodSec,
      description: `USDC base units bridged out of ${p.chain} ${per}: the other chains' capital targets`,
    }),
  ]
}
