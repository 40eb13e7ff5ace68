import { type Hex, hexToBytes } from 'viem'

/**
 * The L1 data fee formulas of the L2s keel trades on, as plain bigint arithmetic: what the chains'
 * own contracts compute, reproduced so that a read can be checked to the wei and a lab can price
 * an L2 transaction without a node.
 */

/** OP stack: decimals of the Ecotone scalars (GasPriceOracle.DECIMALS). */
export const OP_SCALAR_DECIMALS = 6n
/** OP stack: the 68 bytes of signature an unsigned tx lacks, priced as non-zero calldata. */
const OP_SIGNATURE_PADDING_GAS = 68n * 16n

/** L1 calldata gas of an unsigned serialized tx plus its signature (GasPriceOracle._getCalldataGas). */
export function ecotoneL1GasUsed(unsignedTx: Hex): bigint {
  let total = 0n
  for (const byte of hexToBytes(unsignedTx)) total += byte === 0 ? 4n : 16n
  return total + OP_SIGNATURE_PADDING_GAS
}

/**
 * The Ecotone L1 fee of an unsigned serialized tx, in wei (ethereum-optimism/optimism
 * packages/contracts-bedrock/src/L2/GasPriceOracle.sol `_getL1FeeEcotone`):
 * l1GasUsed × (baseFeeScalar·16·l1BaseFee + blobBaseFeeScalar·blobBaseFee) / (16·10^6), rounded down.
 */
export function ecotoneL1FeeWei(p: {
  unsignedTx: Hex
  l1BaseFeeWei: bigint
  blobBaseFeeWei: bigint
  baseFeeScalar: bigint
  blobBaseFeeScalar: bigint
}): bigint {
  const scaledBaseFee = p.baseFeeScalar * 16n * p.l1BaseFeeWei
  const scaledBlobBaseFee = p.blobBaseFeeScalar * p.blobBaseFeeWei
  return (ecotoneL1GasUsed(p.unsignedTx) * (scaledBaseFee + scaledBlobBaseFee)) / (16n * 10n ** OP_SCALAR_DECIMALS)
}

/** Arbitrum Nitro: L1 units per posted byte (params.TxDataNonZeroGasEIP2028). */
const NITRO_UNITS_PER_BYTE = 16n
/** Nitro pads gas estimates by 256 units (estimationPaddingUnits) and 1 % (estimationPaddingBasisPoints)... */
const NITRO_PADDING_UNITS = 16n * 16n
const NITRO_PADDING_BIPS = 100n
/** ...and the L1 fee by 10 % (arbos.GasEstimationL1PricePadding = 11000 bips). */
const NITRO_L1_PRICE_PADDING_BIPS = 11_000n

/**
 * Nitro's `gasEstimateL1Component` for a tx whose posted form is `postedBytes` long (Nitro: a fake
 * signed tx after brotli), from execution/nodeInterface/NodeInterface.go and arbos/l1pricing
 * `PosterDataCost`: units = (16·bytes + 256)·1.01, fee = units·pricePerUnit·1.10, L2 gas = fee / L2 base fee.
 * The fee in wei is that L2 gas times the L2 base fee (a little less than `fee`: the division truncates).
 */
export function nitroGasEstimateForL1(p: { postedBytes: bigint; pricePerUnitWei: bigint; l2BaseFeeWei: bigint }): bigint {
  const units = ((p.postedBytes * NITRO_UNITS_PER_BYTE + NITRO_PADDING_UNITS) * (10_000n + NITRO_PADDING_BIPS)) / 10_000n
  const feeForL1 = (p.pricePerUnitWei * units * NITRO_L1_PRICE_PADDING_BIPS) / 10_000n
  return feeForL1 / p.l2BaseFeeWei
}
