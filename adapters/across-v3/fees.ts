import { divCeil } from '../../agent/money.ts'

/** 1e18 = 100 %: the fixed point Across's API gives fee percentages in. */
export const feePctScale = 10n ** 18n

export type AcrossFees = {
  /** Paid to the HubPool's liquidity providers. */
  lpFee: bigint
  /** The relayer's capital fee plus its gas fee. */
  relayerFee: bigint
  /** input − lpFee − relayerFee: what the deposit asks the relayer to deliver; ≤ 0 when the fees eat it all. */
  outputAmount: bigint
}

/**
 * keel's own Across quote from the API's fee rates: each percentage of the input rounded up
 * (against us, so a relayer never finds the deposit underpriced by a rounding unit), the gas fee
 * taken as the flat amount the API names.
 */
export function acrossFees(p: { inputAmount: bigint; lpFeePct: bigint; capitalFeePct: bigint; gasFeeTotal: bigint }): AcrossFees {
  if (p.inputAmount < 0n) throw new RangeError(`inputAmount must be non-negative, got ${p.inputAmount}`)
  for (const [name, pct] of [
    ['lpFeePct', p.lpFeePct],
    ['capitalFeePct', p.capitalFeePct],
  ] as const) {
    if (pct < 0n || pct > feePctScale) throw new RangeError(`${name} must be within [0, 1e18], got ${pct}`)
  }
  if (p.gasFeeTotal < 0n) throw new RangeError(`gasFeeTotal must be non-negative, got ${p.gasFeeTotal}`)
  const lpFee = divCeil(p.inputAmount * p.lpFeePct, feePctScale)
  const relayerFee = divCeil(p.inputAmount * p.capitalFeePct, feePctScale) + p.gasFeeTotal
  return { lpFee, relayerFee, outputAmount: p.inputAmount - lpFee - relayerFee }
}
