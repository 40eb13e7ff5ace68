import { AcrossApiError, getSuggestedFees, HttpError } from '@across-protocol/app-sdk'
import { zeroAddress } from 'viem'
import { maxBigint } from '../../agent/money.ts'
import type { BridgeQuote, TransferRequest, Unavailable } from '../types.ts'
import { erc20Abi, spokePoolAbi } from './abis.ts'
import { type AcrossV3Deps, findChainContext, read } from './chainContext.ts'
import { QuoteApiError } from './errors.ts'
import { acrossFees } from './fees.ts'
import { parseInput, suggestedFeesSchema, transferRequestSchema } from './schemas.ts'

export const bridgeId = 'across-v3'

/** Gas of the origin transactions, measured on the devnet with headroom: an ERC-20 approve, and unsafeDeposit (a new deposit's storage and event). */
export const approveGas = 50_000n
export const depositGas = 110_000n

const unavailable = (reason: string): Unavailable => ({ status: 'unavailable', reason })

/** Whether this adapter serves the route and asset (both chains configured, different, the asset known on both). */
export function supports(deps: AcrossV3Deps, req: TransferRequest): boolean {
  if (req.from === req.to) return false
  const from = deps.chains[req.from]
  const to = deps.chains[req.to]
  return Boolean(from?.tokens[req.asset] && to?.tokens[req.asset] && deps.clients[req.from] && deps.clients[req.to])
}

/**
 * keel's Across quote at one origin block: the fee rates come from Across's quote API (through
 * `@across-protocol/app-sdk`), the output is keel's own arithmetic on them (input − LP fee −
 * relayer fee), and the fill deadline is chain time (judged on the destination, bounded by the
 * origin spoke pool's buffer). A route, an amount or an answer the
 * relayers will not take is data (`unavailable`), never a throw.
 */
export async function quote(deps: AcrossV3Deps, input: TransferRequest): Promise<BridgeQuote | Unavailable> {
  const req = parseInput(transferRequestSchema, input, 'transfer request')
  if (req.from === req.to) return unavailable('origin and destination are the same chain')
  if (!supports(deps, req)) return unavailable(`across-v3 does not serve ${req.asset} from ${req.from} to ${req.to}`)
  if (req.amount === 0n) return unavailable('amount is 0')
  const origin = findChainContext(deps, req.from)!
  const destination = deps.chains[req.to]!
  const inputToken = origin.config.tokens[req.asset]
  const outputToken = destination.tokens[req.asset]

  const destinationCtx = findChainContext(deps, req.to)!
  const [block, destinationBlock, fillDeadlineBuffer] = await Promise.all([
    read(origin, 'latest block', () => origin.client.getBlock({ blockTag: 'latest' })),
    read(destinationCtx, 'latest block', () => destinationCtx.client.getBlock({ blockTag: 'latest' })),
    read(origin, 'SpokePool.fillDeadlineBuffer', () =>
      origin.client.readContract({ address: origin.config.spokePool, abi: spokePoolAbi, functionName: 'fillDeadlineBuffer' }),
    ),
  ])
  // The destination's clock judges the deadline and the origin's bounds it: take the later one, so
  // that a destination running ahead does not expire the deposit early.
  const deadlineSec = maxBigint(destinationBlock.timestamp, block.timestamp) + BigInt(deps.fillDeadlineSec)
  if (deadlineSec > block.timestamp + BigInt(fillDeadlineBuffer)) {
    return unavailable(
      `${req.to}'s clock is ${destinationBlock.timestamp - block.timestamp} s ahead of ${req.from}'s: no fill deadline fits the spoke pool's buffer`,
    )
  }
  const api = await suggestedFees({
    apiUrl: deps.apiUrl,
    originChainId: origin.config.chainId,
    destinationChainId: destination.chainId,
    inputToken,
    outputToken,
    amount: req.amount,
  })
  if (api.status === 'unavailable') return api
  const fees = api.fees
  if (fees.spokePoolAddress !== origin.config.spokePool) {
    throw new QuoteApiError({
      reason: `API names spoke pool ${fees.spokePoolAddress} on ${req.from}, keel has ${origin.config.spokePool}`,
      retryable: false,
    })
  }
  if (fees.isAmountTooLow) return unavailable(`amount ${req.amount} is below what relayers take`)
  if (req.amount > fees.limits.maxDeposit) return unavailable(`amount ${req.amount} is above the relayers' limit ${fees.limits.maxDeposit}`)
  const own = acrossFees({
    inputAmount: req.amount,
    lpFeePct: fees.lpFee.pct,
    capitalFeePct: fees.relayerCapitalFee.pct,
    gasFeeTotal: fees.relayerGasFee.total,
  })
  if (own.outputAmount <= 0n) return unavailable(`fees ${own.lpFee + own.relayerFee} take all of ${req.amount}`)

  const allowance = await read(origin, 'ERC20.allowance', () =>
    origin.client.readContract({
      address: inputToken,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [req.sender, origin.config.spokePool],
    }),
  )
  // The deposit's quote time may not be ahead of the origin chain's clock (the contract refuses it).
  const quoteTimestamp = BigInt(fees.timestamp) <= block.timestamp ? BigInt(fees.timestamp) : block.timestamp
  const exclusive = fees.exclusiveRelayer !== zeroAddress && fees.exclusivityDeadline > 0
  return {
    status: 'ok',
    bridge: bridgeId,
    request: req,
    outputAmount: own.outputAmount,
    assetFee: own.lpFee + own.relayerFee,
    nativeFeeWei: 0n,
    gasEstimate: (allowance < req.amount ? approveGas : 0n) + depositGas,
    expectedSec: fees.estimatedFillTimeSec,
    deadlineSec,
    blockNumber: block.number,
    blockTimestampSec: block.timestamp,
    // The relayers' limit from the quote API: a larger move is split over another route.
    maxAmount: fees.limits.maxDeposit,
    params: {
      spokePool: origin.config.spokePool,
      inputToken,
      outputToken,
      destinationChainId: String(destination.chainId),
      quoteTimestamp: quoteTimestamp.toString(),
      exclusiveRelayer: exclusive ? fees.exclusiveRelayer : zeroAddress,
      exclusivityParameter: exclusive ? String(fees.exclusivityDeadline) : '0',
      lpFee: own.lpFee.toString(),
      relayerFee: own.relayerFee.toString(),
    },
  }
}

type SuggestedFees = ReturnType<typeof suggestedFeesSchema.parse>

/** Across's `/suggested-fees` through the app-sdk: a route the API refuses is data, an API that fails is an error. */
async function suggestedFees(p: {
  apiUrl: string
  originChainId: number
  destinationChainId: number
  inputToken: `0x${string}`
  outputToken: `0x${string}`
  amount: bigint
}): Promise<{ status: 'ok'; fees: SuggestedFees } | Unavailable> {
  let raw: unknown
  try {
    raw = await getSuggestedFees(p)
  } catch (err) {
    if (err instanceof AcrossApiError && err.status >= 400 && err.status < 500) return unavailable(`Across API: ${err.message}`)
    // A 5xx or an unreachable API (fetch's TypeError) may pass; a malformed answer (app-sdk's BigInt parsing throws SyntaxError) will not.
    const transient = (err instanceof HttpError && err.status >= 500) || err instanceof TypeError
    throw new QuoteApiError({ reason: err instanceof Error ? err.name : 'unknown failure', cause: err, retryable: transient })
  }
  const parsed = suggestedFeesSchema.safeParse(raw)
  if (!parsed.success) {
    throw new QuoteApiError({
      reason: `unexpected answer: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      retryable: false,
    })
  }
  return { status: 'ok', fees: parsed.data }
}
