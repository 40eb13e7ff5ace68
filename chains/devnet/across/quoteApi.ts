import { type Address, getAddress, isAddress, zeroAddress } from 'viem'
import { erc20StandInAbi } from './abis.ts'
import { assetOf, type StandInContext } from './context.ts'
import { relayerFees } from './fees.ts'
import { feePctScale } from './section.ts'

/** An HTTP answer: status and JSON body. */
export type ApiAnswer = { status: number; body: unknown }

const apiError = (status: number, code: string, message: string): ApiAnswer => ({
  status,
  // The shape Across's API errors have, which `@across-protocol/app-sdk` turns into its AcrossApiError.
  body: { type: 'AcrossApiError', code, status, message },
})

const decimals = { USDC: 6, WETH: 18 } as const

/**
 * Across's `/suggested-fees`, answered from the stand-in relayer's own pricing and inventory, in
 * the API's shape (fee percentages 1e18 fixed point, totals in base units, all as strings), so
 * that keel's production client (`@across-protocol/app-sdk`) is the code that reads it.
 */
export async function suggestedFees(ctx: StandInContext, query: URLSearchParams): Promise<ApiAnswer> {
  const int = (name: string) => {
    const v = query.get(name)
    return v !== null && /^\d+$/.test(v) ? v : undefined
  }
  const addr = (name: string): Address | undefined => {
    const v = query.get(name)
    return v !== null && isAddress(v, { strict: false }) ? getAddress(v) : undefined
  }
  const [originChainId, destinationChainId, amountText] = [int('originChainId'), int('destinationChainId'), int('amount')]
  const [inputToken, outputToken] = [addr('inputToken'), addr('outputToken')]
  if (!originChainId || !destinationChainId || !amountText || !inputToken || !outputToken) {
    return apiError(400, 'INVALID_PARAM', 'originChainId, destinationChainId, inputToken, outputToken and amount are required')
  }
  const origin = ctx.clients.get(Number(originChainId))
  const dest = ctx.clients.get(Number(destinationChainId))
  if (!origin || !dest || origin === dest) return apiError(400, 'ROUTE_NOT_ENABLED', `no route ${originChainId} -> ${destinationChainId}`)
  const asset = assetOf(origin.chain, inputToken)
  if (!asset || assetOf(dest.chain, outputToken) !== asset) return apiError(400, 'ROUTE_NOT_ENABLED', 'token pair not served')

  const amount = BigInt(amountText)
  const fees = relayerFees({ policy: ctx.config.fees, asset, amount })
  const [block, inventory] = await Promise.all([
    origin.publicClient.getBlock({ blockTag: 'latest' }),
    dest.publicClient.readContract({ address: outputToken, abi: erc20StandInAbi, functionName: 'balanceOf', args: [ctx.account.address] }),
  ])
  const pctOf = (total: bigint) => (amount === 0n ? 0n : (total * feePctScale) / amount).toString()
  const relayFee = fees.capitalFee + fees.gasFee
  const { knobs } = ctx.config
  const exclusive = knobs.exclusivitySec > 0
  const token = (t: Address, chainId: string) => ({ address: t, symbol: asset, decimals: decimals[asset], chainId: Number(chainId) })
  return {
    status: 200,
    body: {
      estimatedFillTimeSec: Math.ceil(knobs.fillDelayMs / 1000) + 1,
      capitalFeePct: ctx.config.fees.capitalFeePct.toString(),
      capitalFeeTotal: fees.capitalFee.toString(),
      relayGasFeePct: pctOf(fees.gasFee),
      relayGasFeeTotal: fees.gasFee.toString(),
      relayFeePct: pctOf(relayFee),
      relayFeeTotal: relayFee.toString(),
      lpFeePct: ctx.config.fees.lpFeePct.toString(),
      timestamp: block.timestamp.toString(),
      isAmountTooLow: amount <= fees.total,
      quoteBlock: block.number.toString(),
      exclusiveRelayer: exclusive ? ctx.account.address : zeroAddress,
      exclusivityDeadline: exclusive ? knobs.exclusivitySec : 0,
      spokePoolAddress: origin.chain.spokePool,
      destinationSpokePoolAddress: dest.chain.spokePool,
      totalRelayFee: { pct: pctOf(fees.total), total: fees.total.toString() },
      relayerCapitalFee: { pct: ctx.config.fees.capitalFeePct.toString(), total: fees.capitalFee.toString() },
      relayerGasFee: { pct: pctOf(fees.gasFee), total: fees.gasFee.toString() },
      lpFee: { pct: ctx.config.fees.lpFeePct.toString(), total: fees.lpFee.toString() },
      limits: {
        minDeposit: (fees.gasFee * 2n).toString(),
        // Nothing larger than the relayer's inventory on the destination can be filled.
        maxDeposit: inventory.toString(),
        maxDepositInstant: inventory.toString(),
        maxDepositShortDelay: inventory.toString(),
        recommendedDepositInstant: inventory.toString(),
      },
      fillDeadline: (block.timestamp + 3_600n).toString(),
      outputAmount: (amount > fees.total ? amount - fees.total : 0n).toString(),
      inputToken: token(inputToken, originChainId),
      outputToken: token(outputToken, destinationChainId),
    },
  }
}
