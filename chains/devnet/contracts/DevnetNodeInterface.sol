// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Devnet stand-in for Arbitrum's NodeInterface (0x00000000000000000000000000000000000000C8), placed
/// there with anvil_setCode. `gasEstimateL1Component` follows Nitro's execution/nodeInterface/NodeInterface.go
/// and arbos/l1pricing/l1pricing.go (PosterDataCost in gas estimation): units = 16 per posted byte, plus
/// 256 units and 1 % of padding; fee = units x pricePerUnit, padded by 10 %; L2 gas = fee / L2 base fee.
/// Nitro counts the bytes of a fake signed tx after brotli; brotli is not reproduced here, so the posted
/// bytes are the calldata plus a fixed envelope (Nitro's former TxFixedCost, 140 bytes), uncompressed.
contract DevnetNodeInterface {
    /// @notice ArbOS's own address: the only caller allowed to post L1 pricing.
    address public constant ARBOS = 0x00000000000000000000000000000000000A4B05;
    /// @notice Bytes of a signed EIP-1559 envelope around the calldata (to, nonce, fees, gas, signature).
    uint256 public constant TX_ENVELOPE_BYTES = 140;
    /// @notice L1 calldata gas per byte (params.TxDataNonZeroGasEIP2028): the unit Nitro prices.
    uint256 public constant UNITS_PER_BYTE = 16;
    uint256 public constant ESTIMATION_PADDING_UNITS = 16 * 16;
    uint256 public constant ESTIMATION_PADDING_BIPS = 100;
    uint256 public constant L1_PRICE_PADDING_BIPS = 11_000;

    /// @notice L1 price per unit in wei (ArbGasInfo.getL1BaseFeeEstimate).
    uint256 public pricePerUnit;
    /// @notice The chain's minimum L2 base fee in wei (L2PricingState.MinBaseFeeWei).
    uint256 public minBaseFee;

    event L1PricingSet(uint256 pricePerUnit, uint256 minBaseFee);

    /// @notice Posts the L1 price per unit and the L2 minimum base fee.
    function setL1Pricing(uint256 _pricePerUnit, uint256 _minBaseFee) external {
        require(msg.sender == ARBOS, "NodeInterface: only ArbOS");
        require(_minBaseFee > 0, "NodeInterface: zero min base fee");
        pricePerUnit = _pricePerUnit;
        minBaseFee = _minBaseFee;
        emit L1PricingSet(_pricePerUnit, _minBaseFee);
    }

    /// @notice A transaction's L1 cost in L2 gas at the current L2 base fee; call with eth_call.
    function gasEstimateL1Component(address, bool contractCreation, bytes calldata data)
        external
        payable
        returns (uint64 gasEstimateForL1, uint256 baseFee, uint256 l1BaseFeeEstimate)
    {
        // eth_call without a gas price runs at base fee 0 on anvil; ArbOS never goes below its minimum.
        baseFee = block.basefee > minBaseFee ? block.basefee : minBaseFee;
        l1BaseFeeEstimate = pricePerUnit;
        uint256 bytesPosted = data.length + TX_ENVELOPE_BYTES - (contractCreation ? 20 : 0);
        uint256 units = ((bytesPosted * UNITS_PER_BYTE + ESTIMATION_PADDING_UNITS) * (10_000 + ESTIMATION_PADDING_BIPS)) / 10_000;
        uint256 feeForL1 = (l1BaseFeeEstimate * units * L1_PRICE_PADDING_BIPS) / 10_000;
        gasEstimateForL1 = uint64(feeForL1 / baseFee);
    }
}
