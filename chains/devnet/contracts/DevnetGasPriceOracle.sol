// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Devnet stand-in for the OP-stack GasPriceOracle predeploy (0x420000000000000000000000000000000000000F),
/// placed there with anvil_setCode. `getL1Fee` is Ecotone's formula from ethereum-optimism/optimism
/// packages/contracts-bedrock/src/L2/GasPriceOracle.sol (`_getL1FeeEcotone`); the L1 values it reads
/// live here instead of in the L1Block predeploy, set by the depositor account as on a real OP chain.
/// Fjord's FastLZ size estimate is not reproduced: Ecotone's byte count prices the same data a little higher.
contract DevnetGasPriceOracle {
    /// @notice Number of decimals used in the scalars.
    uint256 public constant DECIMALS = 6;
    /// @notice The OP-stack depositor account: the only caller allowed to post L1 values.
    address public constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    uint256 public l1BaseFee;
    uint256 public blobBaseFee;
    uint32 public baseFeeScalar;
    uint32 public blobBaseFeeScalar;

    event L1FeeValuesSet(uint256 l1BaseFee, uint256 blobBaseFee, uint32 baseFeeScalar, uint32 blobBaseFeeScalar);

    /// @notice Posts the L1 base fee, blob base fee and the chain's scalars (L1Block.setL1BlockValuesEcotone's fee part).
    function setL1FeeValues(uint256 _l1BaseFee, uint256 _blobBaseFee, uint32 _baseFeeScalar, uint32 _blobBaseFeeScalar) external {
        require(msg.sender == DEPOSITOR_ACCOUNT, "GasPriceOracle: only the depositor account");
        l1BaseFee = _l1BaseFee;
        blobBaseFee = _blobBaseFee;
        baseFeeScalar = _baseFeeScalar;
        blobBaseFeeScalar = _blobBaseFeeScalar;
        emit L1FeeValuesSet(_l1BaseFee, _blobBaseFee, _baseFeeScalar, _blobBaseFeeScalar);
    }

    function isEcotone() external pure returns (bool) {
        return true;
    }

    function isFjord() external pure returns (bool) {
        return false;
    }

    function decimals() external pure returns (uint256) {
        return DECIMALS;
    }

    function gasPrice() external view returns (uint256) {
        return block.basefee;
    }

    function baseFee() external view returns (uint256) {
        return block.basefee;
    }

    /// @notice L1 gas of publishing the unsigned RLP-encoded tx `_data`, 68 bytes of signature included.
    function getL1GasUsed(bytes calldata _data) public pure returns (uint256) {
        uint256 total = 0;
        for (uint256 i = 0; i < _data.length; i++) {
            total += _data[i] == 0 ? 4 : 16;
        }
        return total + (68 * 16);
    }

    /// @notice The L1 data fee in wei of the unsigned RLP-encoded tx `_data` (Ecotone).
    function getL1Fee(bytes calldata _data) external view returns (uint256) {
        uint256 scaledBaseFee = uint256(baseFeeScalar) * 16 * l1BaseFee;
        uint256 scaledBlobBaseFee = uint256(blobBaseFeeScalar) * blobBaseFee;
        return (getL1GasUsed(_data) * (scaledBaseFee + scaledBlobBaseFee)) / (16 * 10 ** DECIMALS);
    }
}
