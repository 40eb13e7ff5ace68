import type { AccessList, Address, Hex } from 'viem'

/** A signed transaction of a bundle, decoded once on arrival. */
export type DecodedTx = {
  raw: Hex
  hash: Hex
  from: Address
  nonce: number
  to: Address | null
  gas: bigint
  value: bigint
  input: Hex
  /** Legacy and EIP-2930 transactions pay `gasPrice`; EIP-1559 ones the two caps. */
  fees: { kind: 'legacy'; gasPriceWei: bigint } | { kind: 'eip1559'; maxFeePerGasWei: bigint; maxPriorityFeePerGasWei: bigint }
  accessList: AccessList | undefined
}

/** The block a bundle is simulated in or built into. */
export type BlockEnv = { number: bigint; timestampSec: bigint; baseFeeWei: bigint; coinbase: Address }

/** What one transaction did in a simulation. */
export type TxSim = {
  hash: Hex
  from: Address
  to: Address | null
  gasUsed: bigint
  /** The tip per gas the block's coinbase gets: min(priority fee, max fee − base fee), or gas price − base fee. */
  tipPerGasWei: bigint
  /** ETH moved to the coinbase by the transaction itself (a `block.coinbase.transfer`). */
  ethSentToCoinbaseWei: bigint
  success: boolean
  returnData: Hex
  /** Set when `success` is false: the error and the revert reason (decoded `Error(string)` or raw data). */
  error?: string
  revert?: string
}

export type SimResult = { status: 'ok'; txs: TxSim[] } | { status: 'failed'; reason: string }

export type BundleStatus = 'pending' | 'included' | 'dropped' | 'cancelled' | 'expired'

/** A bundle as the relay keeps it, from arrival to its terminal status. */
export type StoredBundle = {
  hash: Hex
  /** Arrival order: the tie-break between bundles paying the same. */
  seq: number
  uuid: string | null
  signer: Address
  targetBlock: bigint
  txs: DecodedTx[]
  minTimestamp: number | null
  maxTimestamp: number | null
  revertingTxHashes: Hex[]
  receivedAtMs: number
  status: BundleStatus
  /** Why it is dropped, cancelled or expired; null while pending or once included. */
  reason: string | null
  simulatedAtMs: number | null
  consideredAtMs: number | null
  sealedAtMs: number | null
  /** Block and transaction indexes once included. */
  included: { blockNumber: bigint; txIndexes: number[] } | null
}
