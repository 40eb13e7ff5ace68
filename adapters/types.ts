import type { Address, Hex } from 'viem'
import type { ChainKey } from '../chains/types.ts'

/**
 * The contract between keel and a venue, bridge or submitter. Adapters decide *how*, never
 * *whether*: they read, quote and build unsigned calls; the agent decides; the executor of a
 * chain and signer simulates, signs and submits.
 */

/** One unsigned call. `value` in wei. */
export type Call = {
  chainId: number
  to: Address
  data: Hex
  value: bigint
  /** What this call does, for operators (never contains secrets). */
  description: string
}

/** Absence is data: a venue that cannot serve a request says why instead of throwing. */
export type Unavailable = { status: 'unavailable'; reason: string }

export type SwapRequest = {
  chain: ChainKey
  tokenIn: Address
  tokenOut: Address
  /** Exact input amount in tokenIn base units. */
  amountIn: bigint
}

export type SwapQuote = {
  status: 'ok'
  venue: string
  chain: ChainKey
  tokenIn: Address
  tokenOut: Address
  amountIn: bigint
  amountOut: bigint
  /** Gas the venue expects the swap to use. */
  gasEstimate: bigint
  /** Pool price after the swap, as the venue reports it (Q64.96 for Uniswap V3). */
  sqrtPriceX96After: bigint
  /** Block the quote was read at: market time is chain time. */
  blockNumber: bigint
  blockTimestampSec: bigint
}

/** A position as read from a venue; amounts in base units of the tokens named. */
export type VenuePosition =
  | { kind: 'spot'; chain: ChainKey; token: Address; owner: Address; amount: bigint }
  | {
      kind: 'uniswap-v3-lp'
      chain: ChainKey
      owner: Address
      tokenId: bigint
      pool: Address
      token0: Address
      token1: Address
      fee: number
      tickLower: number
      tickUpper: number
      liquidity: bigint
      /** Uncollected fees owed to the position. */
      tokensOwed0: bigint
      tokensOwed1: bigint
    }

export type AdapterKind = 'amm' | 'options' | 'bridge' | 'submitter'

/** How a venue plugs in: a manifest the registry reads (Hummingbot's connector manifest). */
export type AdapterManifest = {
  id: string
  kind: AdapterKind
  chains: readonly ChainKey[]
  version: string
  description: string
}

export type BuildSwapParams = {
  quote: SwapQuote
  recipient: Address
  /** Tolerance applied to the quoted amountOut; minAmountOut is rounded down. */
  slippageBps: number
  deadlineSec: bigint
}

/** An AMM venue (Uniswap V3 today). */
export type SwapVenueAdapter = {
  manifest: AdapterManifest & { kind: 'amm' }
  supports(req: SwapRequest): boolean
  quote(req: SwapRequest): Promise<SwapQuote | Unavailable>
  buildCalls(params: BuildSwapParams): Promise<Call[]>
  readPositions(params: { chain: ChainKey; owner: Address }): Promise<VenuePosition[]>
}

/**
 * Swap build parameters with the account that will send the swap. The approve call is added
 * only when `owner`'s allowance to the router is short; `owner` defaults to `recipient`.
 */
export type BuildSwapParamsWithOwner = BuildSwapParams & { owner?: Address }

/**
 * One signed transaction, ready to broadcast. Plain JSON (amounts as decimal strings) because it
 * is stored in Temporal workflow history: the signed bytes are the idempotency record of the
 * side effect, so a retried submit re-sends exactly these bytes and can never double-spend.
 */
export type PreparedTx = {
  idempotencyKey: string
  /** Position of this transaction within its prepare() batch. */
  index: number
  chainId: number
  from: Address
  nonce: number
  hash: Hex
  raw: Hex
  gasLimit: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
  description: string
}

/** The mined outcome of a PreparedTx; amounts as decimal strings. */
export type SubmittedTx = {
  idempotencyKey: string
  index: number
  hash: Hex
  status: 'success' | 'reverted'
  blockNumber: string
  gasUsed: string
  effectiveGasPrice: string
  /** How it went out: the route's adapter id, how many bundles or fee versions were sent, and the block before the first. */
  route?: string
  attempts?: number
  sentAtBlock?: string
}

/**
 * Where signed transactions go. The public mempool today; a bundle relay (Ethereum) or a private
 * route (L2s) plugs in here without the executor changing: it still owns nonces, simulation and
 * receipts, and treats "already known" from any route as already sent.
 */
export type Submitter = {
  manifest: AdapterManifest & { kind: 'submitter' }
  send(p: { chainId: number; raw: Hex; hash: Hex }): Promise<void>
}

/** A relay's verdict on a bundle simulated at the top of a block: every transaction's gas, or the first that fails. */
export type BundleSimulation = { ok: true; gasUsed: bigint[] } | { ok: false; index: number; txHash: Hex; reason: string }

/**
 * A bundle relay (Flashbots on Ethereum): signed transactions that land together at the top of one
 * block, or not at all, and are never seen in the public mempool. The executor owns retries, fees
 * and inclusion checks; the relay only simulates, accepts and cancels.
 */
export type BundleRelay = {
  manifest: AdapterManifest & { kind: 'submitter' }
  simulate(p: { raws: readonly Hex[]; targetBlock: bigint }): Promise<BundleSimulation>
  send(p: { raws: readonly Hex[]; targetBlock: bigint; replacementUuid: string }): Promise<{ bundleHash: Hex }>
  /** Withdraws every bundle sent under `replacementUuid`. */
  cancel(p: { replacementUuid: string }): Promise<void>
}

/** An asset keel moves between chains; each bridge maps it to its token contract per chain. */
export type BridgeAsset = 'USDC' | 'WETH'

/** Move `amount` of `asset` from the treasury on `from` to the treasury on `to`. */
export type TransferRequest = {
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  /** Base units of the asset on the origin chain. */
  amount: bigint
  /** The account that sends on `from` (the treasury). */
  sender: Address
  /** The account that receives on `to`: the treasury there, never anyone else. */
  recipient: Address
}

/** A bridge's price for one transfer, at one origin block. */
export type BridgeQuote = {
  status: 'ok'
  /** Adapter id, e.g. 'layerzero-v2-oft' or 'across-v3'. */
  bridge: string
  request: TransferRequest
  /** What arrives on `to`, base units of the asset there: amount minus every fee taken in the asset. */
  outputAmount: bigint
  /** Fee taken in the asset (Across: LP fee + relayer fee; an OFT: dust removed by shared decimals). */
  assetFee: bigint
  /** Native fee sent with the origin transaction, wei (LayerZero's messaging fee; 0 for Across). */
  nativeFeeWei: bigint
  /** Gas the origin transactions are expected to use, approval included when one is needed. */
  gasEstimate: bigint
  /** Typical seconds from the origin transaction to funds on `to` (time value of capital in flight). */
  expectedSec: number
  /** Origin chain time after which the transfer can no longer complete normally (Across fill deadline); null if none. */
  deadlineSec: bigint | null
  /** Origin block the quote was read at: market time is chain time. */
  blockNumber: bigint
  blockTimestampSec: bigint
  /** Largest amount this route takes in one transfer (a rate limit, a relayer's inventory); null when unbounded. */
  maxAmount: bigint | null
  /** Bridge-specific parameters for `buildCalls`, JSON-safe strings (options hex, exclusivity, deposit id...). */
  params: Record<string, string>
}

/** The calls of a transfer on its origin chain, and the id it will be known by. */
export type BuiltTransfer = {
  /**
   * Known before anything is sent when the bridge allows it (Across: the unsafe deposit id), so a
   * retried send is recognised instead of repeated; null when only the origin receipt tells it
   * (LayerZero's GUID depends on the endpoint's nonce at execution).
   */
  transferId: string | null
  calls: Call[]
}

/**
 * Where a transfer is, for every bridge: one closed union (an unknown bridge state is an error,
 * never a guess). Terminal: `delivered`, `refunded`. `failed` needs an operator or a remediation
 * (LayerZero: verified but execution failed); `expired` waits for its refund (Across).
 */
export type TransferState = 'sent' | 'verified' | 'delivered' | 'failed' | 'expired' | 'refunded'

export type TransferStatus = {
  state: TransferState
  bridge: string
  transferId: string
  /** Destination transaction that delivered (Across fill, LayerZero lzReceive), once delivered. */
  deliveryTxHash?: Hex
  /** Origin transaction that refunded the sender, once refunded. */
  refundTxHash?: Hex
  /** What arrived on `to` (delivered) or came back on `from` (refunded), base units. */
  settledAmount?: bigint
  /** Operator context: why failed, what the bridge reports. Never secrets. */
  detail: string
}

/** A transfer of `sender`'s found on-chain that is not settled yet, for reconciliation after a restart. */
export type PendingTransfer = {
  bridge: string
  transferId: string
  asset: BridgeAsset
  from: ChainKey
  to: ChainKey
  amount: bigint
  originTxHash: Hex
  state: Exclude<TransferState, 'delivered' | 'refunded'>
  deadlineSec: bigint | null
}

/**
 * A bridge (LayerZero V2 OFT, Across V3): quotes, builds unsigned origin calls, reads status from
 * the chains. Like swap venues it decides how, never whether; the executor of the origin chain
 * signs and sends.
 */
export type BridgeAdapter = {
  manifest: AdapterManifest & { kind: 'bridge' }
  /** False for a route or asset this bridge does not serve (same chain, unknown asset...). */
  supports(req: TransferRequest): boolean
  quote(req: TransferRequest): Promise<BridgeQuote | Unavailable>
  /** The approval (when short) and the send, on the origin chain. */
  buildCalls(p: { quote: BridgeQuote }): Promise<BuiltTransfer>
  /** The transfer id and amounts from the origin receipt, once the send is mined. */
  readSent(p: {
    from: ChainKey
    txHash: Hex
  }): Promise<{ transferId: string; amount: bigint; outputAmount: bigint; deadlineSec: bigint | null }>
  /** Where the transfer is, read from both chains; `sent` until the destination says otherwise. */
  getStatus(p: { from: ChainKey; to: ChainKey; transferId: string }): Promise<TransferStatus>
  /** Unsettled transfers sent by `sender` since `fromBlock` on each origin chain. */
  getPending(p: { sender: Address; fromBlocks: Partial<Record<ChainKey, bigint>> }): Promise<PendingTransfer[]>
  /**
   * Calls an operator would send to unstick a `failed` transfer (LayerZero: execute the verified
   * message again with more gas), on the chain they name; null when the bridge has none.
   */
  remediation(p: { from: ChainKey; to: ChainKey; transferId: string; gasLimit: bigint }): Promise<Call[] | null>
}

/**
 * One option series on a venue's product (an underlying priced in a strike asset): a put or a
 * call at a strike in USD (1e8) expiring at a chain time (Opyn Gamma: 08:00 UTC).
 */
export type OptionSeriesSpec = { isPut: boolean; strikeE8: bigint; expirySec: bigint }

/** A series that exists, or will at `token` once created: its option token and what collateralises a short of it. */
export type OptionSeries = OptionSeriesSpec & {
  chain: ChainKey
  /** The option token (Gamma: the oToken); short, long and redeemed amounts are in its base units. */
  token: Address
  decimals: number
  underlying: Address
  strikeAsset: Address
  /** Locked against a short: the underlying for calls, the strike asset for puts (Gamma). */
  collateral: Address
  collateralDecimals: number
}

/**
 * A vault on an option venue: shorts written against collateral, amounts in base units.
 * `partial`: collateralised to the venue's margin rather than in full (Gamma: naked-margin puts).
 */
export type OptionVault = {
  chain: ChainKey
  owner: Address
  id: bigint
  collateralisation: 'full' | 'partial'
  short: { token: Address; amount: bigint } | null
  long: { token: Address; amount: bigint } | null
  collateral: { asset: Address; amount: bigint } | null
}

/**
 * An option venue where keel writes options (Opyn Gamma v2 today): finds or creates series, reads
 * vaults, margin and expiry prices, and builds unsigned calls to write, top up, buy back, settle
 * and redeem. Reads answer an unserved chain or an absent series, vault or price as data (null or
 * empty); call builders throw for a chain the manifest does not list, since what they take came
 * from this adapter. A call is never written below full collateral.
 */
export type OptionVenueAdapter = {
  manifest: AdapterManifest & { kind: 'options' }
  /** The series if it exists; null when nobody created it or the chain is not served. */
  findSeries(p: { chain: ChainKey; spec: OptionSeriesSpec }): Promise<OptionSeries | null>
  /** Where the series will be once created, and the call that creates it (anyone may send it). */
  createSeriesCall(p: {
    chain: ChainKey
    spec: OptionSeriesSpec
  }): Promise<{ status: 'ok'; series: OptionSeries; call: Call } | Unavailable>
  /** Every series of the venue's product created in the blocks given (to the latest without `toBlock`). */
  listSeries(p: { chain: ChainKey; fromBlock: bigint; toBlock?: bigint }): Promise<OptionSeries[]>
  /** Every vault of `owner`, in the venue's id order; vault ids are 1…n, so the next one is length + 1. */
  positions(p: { chain: ChainKey; owner: Address }): Promise<OptionVault[]>
  /**
   * Writes `amount` of a series: opens vault `vaultId` (the owner's next), deposits the collateral
   * from the owner and mints to `to`, with the approval it needs. In full unless `collateral` is
   * given, which only puts accept (the venue refuses less than its margin when the call runs).
   */
  openShortCalls(p: { series: OptionSeries; owner: Address; vaultId: bigint; amount: bigint; to: Address; collateral?: bigint }): Call[]
  /** Adds `amount` of the series' collateral to a vault (a margined put's top-up), with its approval. */
  depositCollateralCalls(p: { series: OptionSeries; owner: Address; vaultId: bigint; amount: bigint }): Call[]
  /** Buys a short back: burns `amount` the owner holds against the vault and withdraws `withdraw` of its collateral. */
  burnShortCall(p: { series: OptionSeries; owner: Address; vaultId: bigint; amount: bigint; withdraw: bigint }): Call
  /** After expiry and a final price: the vault's collateral less what its shorts owe goes to `to`. */
  settleVaultCall(p: { chain: ChainKey; owner: Address; vaultId: bigint; to: Address }): Call
  /** After expiry and a final price: `amount` of the series the holder holds are burnt for their payout. */
  redeemCall(p: { series: OptionSeries; holder: Address; amount: bigint }): Call
  /**
   * The least collateral the venue accepts for a partially collateralised short of `amount`, in
   * collateral base units, at `spotE8` or the venue's oracle price now; null where the venue
   * margins no such short (Gamma: calls are written in full only) or the chain is not served.
   */
  marginRequired(p: { series: OptionSeries; amount: bigint; spotE8?: bigint }): Promise<bigint | null>
  /** Collateral above what the vault needs now (negative: the top-up it lacks), collateral base units; null on an unserved chain. */
  excessCollateral(p: { chain: ChainKey; owner: Address; vaultId: bigint }): Promise<bigint | null>
  /** The expiry price the venue settles at, and whether it is final; null until one is posted. */
  expiryPrice(p: { chain: ChainKey; expirySec: bigint }): Promise<{ priceE8: bigint; final: boolean } | null>
  /** The call that posts the expiry price from the oracle's first update after expiry (anyone may send it); unavailable until there is one. */
  postExpiryPriceCall(p: { chain: ChainKey; expirySec: bigint }): Promise<{ status: 'ok'; priceE8: bigint; call: Call } | Unavailable>
}
