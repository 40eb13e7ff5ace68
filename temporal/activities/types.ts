import type { Address, Hex } from 'viem'
import type { BridgeAsset, PreparedTx, SubmittedTx, TransferState } from '../../adapters/types.ts'
import type { SubmitRoute } from '../../agent/execution/routes.ts'
import type { CancelOrder } from '../../agent/execution/settlement.ts'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import type { SeriesJson } from '../../agent/options/rolls.ts'
import type { SwapQuoteJson } from '../../agent/plan/types.ts'
import type { HedgeDirection } from '../../agent/policy/bandPolicy.ts'
import type { MarketMark, MarketMove } from '../../agent/portfolio/marketMove.ts'
import type { PortfolioSnapshot } from '../../agent/portfolio/types.ts'
import type { RouteQuote } from '../../agent/transfer/routeChoice.ts'
import type { ChainKey } from '../../chains/types.ts'

/**
 * The activity surface the workflows see. Everything here is JSON: amounts are base-unit decimal
 * strings, parsed back by the shared amount schema on the other side.
 */

/** A swap quote as it crosses Temporal. */
export type QuoteJson = SwapQuoteJson | { status: 'unavailable'; chain: ChainKey; reason: string }

/**
 * A bridge quote as it crosses Temporal, with the origin chain's gas price and mid read with it so
 * that `agent/transfer/routeChoice.ts` can price it (it is a `RouteQuote`).
 */
export type BridgeQuoteJson = RouteQuote & {
  status: 'ok'
  sender: Address
  recipient: Address
  deadlineSec: string | null
  blockNumber: string
  blockTimestampSec: string
  params: Record<string, string>
}

export type TransferRequestJson = {
  bridge: string
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  amount: string
  sender: Address
  recipient: Address
}

export type TransferStatusJson = {
  state: TransferState
  transferId: string
  deliveryTxHash: Hex | null
  refundTxHash: Hex | null
  settledAmount: string | null
  detail: string
}

/** An AirSwap order as makers sign it (every field a string, as `@airswap/utils`' OrderERC20). */
export type OrderJson = {
  nonce: string
  expiry: string
  signerWallet: string
  signerToken: string
  signerAmount: string
  senderWallet: string
  senderToken: string
  senderAmount: string
  v: string
  r: string
  s: string
}

/** A maker's answer to keel's RFQ: an order checked against what was asked, or why there is none. */
export type OptionQuoteJson =
  | { maker: string; status: 'ok'; order: OrderJson; signerAmount: string; senderAmount: string }
  | { maker: string; status: 'refused' | 'invalid'; reason: string }

/** What a roll or a settlement asks a chain's signer to build and sign (the treasury is always the signer). */
export type OptionAction =
  /** The series' oToken, created when nobody has; nothing to sign when it exists. */
  | { kind: 'create-series'; series: SeriesJson }
  /** A new vault (the next id), fully collateralised, minting `amountE8` oTokens to the treasury. */
  | { kind: 'open'; series: SeriesJson; amountE8: string; collateral: string; margin?: { bufferBps: number } }
  /** Settles a maker's signed order: keel gives the oTokens (sell) or pays USDC for them (buy). */
  | { kind: 'take-order'; order: OrderJson }
  /** Burns oTokens the treasury holds against its vault and withdraws the collateral they freed. */
  | { kind: 'burn'; series: SeriesJson; vaultId: string; amountE8: string; withdraw: string }
  | { kind: 'deposit'; series: SeriesJson; vaultId: string; amount: string }
  | { kind: 'post-expiry-price'; expirySec: string; roundId: string }
  | { kind: 'settle-vault'; vaultId: string }
  | { kind: 'redeem'; otoken: Address; amountE8: string }

/** Activities that only read; they run on the portfolio task queue. */
export type ReadActivities = {
  /**
   * Asks every maker the worker knows on the chain for an order: `sell` what keel writes
   * (`amountE8` oTokens for USDC), or `buy` oTokens back. Each answer is checked (signature, amount,
   * validity) before it counts.
   */
  quoteOptions(input: { chain: ChainKey; otoken: Address; side: 'sell' | 'buy'; amountE8: string; treasury: Address }): Promise<{
    quotes: OptionQuoteJson[]
    blockTimestampSec: string
  }>
  /** The series' oToken address (where it is or will be created) and whether it exists. */
  findOptionSeries(input: { chain: ChainKey; series: SeriesJson }): Promise<{ otoken: Address; exists: boolean }>
  /** A vault's short and collateral now (null when the vault has none). */
  readOptionVault(input: { chain: ChainKey; owner: Address; vaultId: string }): Promise<{
    shortE8: string
    collateral: string
  } | null>
  observePortfolio(input: { mandate: MandateInput }): Promise<PortfolioSnapshot>
  quoteHedge(input: {
    mandate: MandateInput
    direction: HedgeDirection
    requests: { chain: ChainKey; amountIn: string }[]
  }): Promise<QuoteJson[]>
  /** Quotes each transfer on its bridge; a bridge that cannot serve one says why. */
  quoteTransfers(input: {
    requests: TransferRequestJson[]
  }): Promise<(BridgeQuoteJson | { status: 'unavailable'; bridge: string; reason: string })[]>
  /** The bridges the workers know (adapter ids), for planning and validation. */
  listBridges(input: Record<string, never>): Promise<{ id: string; chains: ChainKey[] }[]>
  /** Transfer id, amounts and deadline from a mined origin transaction. */
  readTransferSent(input: { bridge: string; from: ChainKey; txHash: Hex }): Promise<{
    transferId: string
    amount: string
    outputAmount: string
    deadlineSec: string | null
    blockTimestampSec: string
  }>
  transferStatus(input: { bridge: string; from: ChainKey; to: ChainKey; transferId: string }): Promise<TransferStatusJson>
  /** What `recipient` received of the asset in one transaction (sum of its Transfer events), base units. */
  confirmArrival(input: {
    chain: ChainKey
    asset: BridgeAsset
    txHash: Hex
    recipient: Address
  }): Promise<{ amount: string; blockTimestampSec: string }>
  /** Unsettled transfers `sender` sent since the given blocks, over every bridge the worker knows. */
  pendingTransfers(input: { sender: Address; fromBlocks: Partial<Record<ChainKey, string>> }): Promise<
    {
      bridge: string
      transferId: string
      asset: BridgeAsset
      from: ChainKey
      to: ChainKey
      amount: string
      state: TransferState
      originTxHash: Hex
    }[]
  >
}

/** The market watch; it runs on its own task queue (`marketWatchTaskQueue`), one activity per waiting portfolio. */
export type WatchActivities = {
  /**
   * Waits, heartbeating, for the first block on a marked chain that moves the ETH price by more than
   * the mandate's `loop.wakeOnMoveBps` from its mark, or in which the feed of the chain's option book
   * posts a round; returns what woke it. Runs until cancelled when nothing moves.
   */
  awaitMarketMove(input: { mandate: MandateInput; marks: MarketMark[] }): Promise<MarketMove>
}

/** What a chain's signing worker reports before a portfolio starts: who signs there and what is deployed. */
export type ChainCheck = {
  chainId: number
  /** The address this worker signs with on the chain. */
  signer: Address
  /** The account keel acts for there: the Safe its key has a role on, or the signer itself. Absent from workers older than Safe treasuries. */
  treasury?: Address
  blockNumber: string
  /** Contracts of the chain's configuration with no code at their address. */
  contractsMissing: string[]
}

/** Activities that sign or send for one chain; they run on task queue `chain-<chainId>`. */
export type ChainActivities = {
  /** Reachability, the signer and the configured contracts, read before a portfolio starts. */
  checkChain(input: { chain: ChainKey }): Promise<ChainCheck>
  prepareSwap(input: {
    chain: ChainKey
    idempotencyKey: string
    treasury: Address
    quote: Extract<QuoteJson, { status: 'ok' }>
    slippageBps: number
    deadlineSec: string
  }): Promise<PreparedTx[]>
  /** Sends one signed transaction on `route` (public or private-rpc; the chain's public RPC when absent), re-pricing it if it sticks. */
  submitTx(input: { prepared: PreparedTx; route?: SubmitRoute }): Promise<SubmittedTx>
  /**
   * Sends a signed batch as one Flashbots bundle, block after block until included or the route's
   * deadline; then the route's fallback (send publicly, or stop with Executor.BundleNotIncludedError).
   */
  submitBundle(input: { prepared: PreparedTx[]; route: Extract<SubmitRoute, { kind: 'flashbots' }> }): Promise<SubmittedTx[]>
  /** The signer's nonces and the receipts of `hashes` (null: none), read together for a settlement. */
  readNonceState(input: { chain: ChainKey; hashes: Hex[] }): Promise<{
    latestNonce: number
    pendingNonce: number
    receipts: Record<string, SubmittedTx | null>
  }>
  /** Signs the cancels a settlement plan asks for; nothing is sent. */
  prepareCancels(input: { chain: ChainKey; idempotencyKey: string; cancels: CancelOrder[] }): Promise<PreparedTx[]>
  /** After a settlement: the next nonce reservation starts from the chain's pending count. */
  resyncNonces(input: { chain: ChainKey }): Promise<void>
  readSwapOutcome(input: { chain: ChainKey; hash: Hex; tokenOut: Address; recipient: Address }): Promise<{ amountOut: string }>
  /** Builds and signs (nothing sent) a transfer's origin calls; the treasury must be this chain's signer and the recipient. */
  prepareTransfer(input: {
    chain: ChainKey
    idempotencyKey: string
    quote: BridgeQuoteJson
  }): Promise<{ transferId: string | null; prepared: PreparedTx[] }>
  /** Builds and signs one option action for the treasury (this chain's signer); an empty list when there is nothing to do. */
  prepareOptionAction(input: { chain: ChainKey; idempotencyKey: string; action: OptionAction }): Promise<{
    prepared: PreparedTx[]
    /** For `open`: the vault id the mint goes into, and the collateral it deposits. */
    vaultId?: string
    collateral?: string
  }>
  /** Signs the wrapping of native ETH the treasury received (a bridge that unwraps WETH on delivery) back into WETH. */
  prepareWrap(input: { chain: ChainKey; idempotencyKey: string; amountWei: string }): Promise<PreparedTx[]>
  /** Signs the calls that unstick a failed delivery on this (destination) chain; null when the bridge has none. */
  prepareRemediation(input: {
    chain: ChainKey
    idempotencyKey: string
    bridge: string
    from: ChainKey
    transferId: string
    gasLimit: string
  }): Promise<PreparedTx[] | null>
}
