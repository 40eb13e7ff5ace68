// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { MintBurnOFTAdapter } from "@layerzerolabs/oft-evm/contracts/MintBurnOFTAdapter.sol";
import { IMintableBurnable } from "@layerzerolabs/oft-evm/contracts/interfaces/IMintableBurnable.sol";

/// @notice The devnet's USDC as a LayerZero OFT. Each chain's USDC is minted there on its own, so
/// the only model that keeps supply whole is burn on the origin and mint on the destination
/// (Circle's CCTP model): LayerZero's MintBurnOFTAdapter, with TestUSDC itself as minter/burner.
contract UsdcOFTAdapter is MintBurnOFTAdapter {
    constructor(address token, address endpoint, address delegate)
        MintBurnOFTAdapter(token, IMintableBurnable(token), endpoint, delegate)
        Ownable(delegate)
    {}

    /// @dev TestUSDC burns only what the holder allowed this adapter (as CCTP's messenger takes
    /// USDC by transferFrom before burning), so a send needs an approval: say so to clients.
    function approvalRequired() external pure override returns (bool) {
        return true;
    }
}
