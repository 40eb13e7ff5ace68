import type { BridgeAsset } from '../../adapters/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { SubmissionSummary } from '../execution/submission.ts'
import type { HedgeDirection } from '../policy/bandPolicy.ts'

/**
 * A Plan is what `agent/` decides and `workflows/` executes: typed steps with dependencies, an
 * idempotency key each (its id, also the child workflow's id), the cost expected and the delta
 * expected after it. JSON all the way down (amounts as decimal strings): it lives in history.
 */

/** A swap quote as it crosses Temporal. */
export type SwapQuoteJson = {
  status: 'ok'
  chain: ChainKey
  tokenIn: `0x${string}`
  tokenOut: `0x${string}`
  amountIn: string
  amountOut: string
  gasEstimate: string
  /** L1 data fee of the swap transaction on an L2, wei; '0' on Ethereum. Absent in quotes made before it was read. */
  l1DataFeeWei?: string
  sqrtPriceX96After: string
  blockNumber: string
  blockTimestampSec: string
}

type StepBase = {
  /** Idempotency key of the step's side effects and id of the child workflow that runs it. */
  id: string
  /** Ids of steps that must complete first; a step whose dependency fails is skipped. */
  dependsOn: string[]
  /** What the step is expected to cost, USDC base units (fees, impact, gas, time value). */
  expectedCostUsdc: string
  /** Portfolio delta once the step is done, in wei. */
  expectedDeltaAfterWei: string
  reason: string
}

/** Trade on one chain's venue: the hedge itself. */
export type SwapStep = StepBase & {
  kind: 'swap'
  chain: ChainKey
  direction: HedgeDirection
  /** ETH the swap removes (sell) or adds (buy), wei. */
  sizeWei: string
  /** A slice of a larger hedge that no venue could take whole. */
  slice: boolean
  /** What cut a slice short: the treasury's balance on the chain (capital where it is needed) or the budgets. */
  limitedBy: 'balance' | 'budget' | null
  quote: SwapQuoteJson
  /** Tolerance left for execution on top of what the quote already gives up. */
  slippageBps: number
  /** Chain time after which the swap must not execute. */
  deadlineSec: string
}

/** Move capital between chains over one bridge. */
export type TransferStep = StepBase & {
  kind: 'transfer'
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  amount: string
  bridge: string
  /** What should arrive, base units (the transfer re-quotes before sending). */
  expectedOutput: string
  /** Refused at send time if the fresh quote costs more than this per unit moved. */
  maxCostBps: number
  origin: 'capital-policy' | 'operator'
}

export type PlanStep = SwapStep | TransferStep

export type Plan = {
  /** Chain time of the observation the plan was made from. */
  atChainTimeSec: string
  steps: PlanStep[]
  /** One line for status: what the plan does, or why it does nothing. */
  summary: string
}

/** A transfer keel has sent or is sending, as the portfolio's ledger keeps it. */
export type TransferRecord = {
  id: string
  bridge: string
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  amount: string
  /** What the quote at send time said would arrive. */
  expectedOutput: string
  /** What did arrive (delivered) or came back (refunded), once known. */
  settledAmount: string | null
  transferId: string | null
  state: 'planned' | 'sending' | 'sent' | 'verified' | 'delivered' | 'failed' | 'expired' | 'refunded' | 'not-sent' | 'in-doubt'
  origin: 'capital-policy' | 'operator' | 'discovered'
  /** What the transfer cost, USDC base units at the origin mid when quoted: fee in the asset, native fee, origin gas. */
  costUsdc: string
  /** Fees actually paid: in the asset, native on the origin, and origin gas (wei). */
  assetFee: string
  nativeFeeWei: string
  gasCostWei: string
  /** Origin chain time of the send, and chain time (destination or origin) when it settled. */
  sentAtChainTimeSec: string | null
  settledAtChainTimeSec: string | null
  deadlineSec: string | null
  originTxHash: string | null
  deliveryTxHash: string | null
  reason: string | null
  /** How the origin send went out: route, attempts, blocks waited, fees. */
  submission?: SubmissionSummary | undefined
}
