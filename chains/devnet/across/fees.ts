import type { AcrossFeePolicy } from './section.ts'
import { feePctScale } from './section.ts'

export type RelayerFees = { lpFee: bigint; capitalFee: bigint; gasFee: bigint; total: bigint }

/** What the stand-in relayer charges for `amount` of `asset`: percentages rounded up, as a relayer prices in its own favour. */
export function relayerFees(p: { policy: AcrossFeePolicy; asset: 'USDC' | 'WETH'; amount: bigint }): RelayerFees {
  const pct = (x: bigint) => (p.amount * x + feePctScale - 1n) / feePctScale
  const lpFee = pct(p.policy.lpFeePct)
  const capitalFee = pct(p.policy.capitalFeePct)
  const gasFee = p.policy.gasFee[p.asset]
  return { lpFee, capitalFee, gasFee, total: lpFee + capitalFee + gasFee }
}
